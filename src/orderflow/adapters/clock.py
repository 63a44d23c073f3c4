"""Clocks: the system's, and a manual one for tests, demos and simulations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from orderflow.domain.errors import ValidationError


class SystemClock:
    """The real time, in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock that moves only when told to."""

    def __init__(self, start: datetime | None = None) -> None:
        start = start or datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
        if start.utcoffset() is None:
            raise ValidationError.single("start", "the clock needs a timezone-aware time")
        self._now = start

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> datetime:
        """Move forward by ``delta`` and return the new time."""
        if delta < timedelta(0):
            raise ValidationError.single("delta", "a clock does not go backwards")
        self._now += delta
        return self._now
