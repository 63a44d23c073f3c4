"""An in-memory sliding-window rate limiter (the RateLimiter port) for one process."""

from __future__ import annotations

import threading
from collections import deque
from datetime import datetime, timedelta

from orderflow.domain.errors import ValidationError


class SlidingWindowRateLimiter:
    """Refuses a key after ``max_failures`` failures within the last ``window``.

    Failures older than the window no longer count. Several processes each keep their own
    counts; a host with many app servers plugs in a shared limiter (e.g. on Redis) instead.

    >>> from datetime import UTC, datetime, timedelta
    >>> limiter = SlidingWindowRateLimiter(max_failures=2, window=timedelta(minutes=10))
    >>> now = datetime(2026, 1, 5, tzinfo=UTC)
    >>> limiter.record_failure("ip:1", now); limiter.record_failure("ip:1", now)
    >>> limiter.allow("ip:1", now), limiter.allow("ip:2", now)
    (False, True)
    >>> limiter.allow("ip:1", now + timedelta(minutes=10))
    True
    """

    def __init__(
        self,
        *,
        max_failures: int = 5,
        window: timedelta = timedelta(minutes=15),
        max_keys: int = 100_000,
    ) -> None:
        if max_failures < 1:
            raise ValidationError.single("max_failures", "must be at least 1")
        if window <= timedelta(0):
            raise ValidationError.single("window", "must be positive")
        self.max_failures = max_failures
        self.window = window
        self.max_keys = max_keys
        self._lock = threading.Lock()
        self._failures: dict[str, deque[datetime]] = {}

    def allow(self, key: str, now: datetime) -> bool:
        with self._lock:
            failures = self._recent(key, now)
            return failures is None or len(failures) < self.max_failures

    def record_failure(self, key: str, now: datetime) -> None:
        with self._lock:
            failures = self._recent(key, now)
            if failures is None:
                if len(self._failures) >= self.max_keys:
                    self._sweep(now)
                failures = self._failures[key] = deque()
            failures.append(now)

    def _recent(self, key: str, now: datetime) -> deque[datetime] | None:
        failures = self._failures.get(key)
        if failures is None:
            return None
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        if not failures:
            del self._failures[key]
            return None
        return failures

    def _sweep(self, now: datetime) -> None:
        for key in list(self._failures):
            self._recent(key, now)
        while len(self._failures) >= self.max_keys:  # still full: forget the oldest keys
            del self._failures[next(iter(self._failures))]
