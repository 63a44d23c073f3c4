"""Ports of customer communication: notifiers, the tracking view's rate limiter, inquiries."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from orderflow.domain.inquiries import Inquiry
from orderflow.domain.notifications import Notification


class Notifier(Protocol):
    """A channel that delivers notifications: e-mail, a webhook, a log, a test recorder.

    ``send`` is called outside any transaction, at least once per notification: after a failure
    (any exception) it is called again later with the same ``notification.message_id``. Pass that
    id on (a Message-ID, an idempotency header) so a receiver that de-duplicates takes it once.
    It returns the receiver's reference for the message, if it gives one.

    ``requires_recipient`` says whether the channel needs an address: a notification for a
    customer without one is not queued for such a channel.
    """

    requires_recipient: bool

    def send(self, notification: Notification) -> str | None:
        """Deliver ``notification`` or raise; the reference the receiver gave, if any."""
        ...


class RateLimiter(Protocol):
    """Counts failed attempts per key and refuses a key that failed too often recently."""

    def allow(self, key: str, now: datetime) -> bool:
        """Whether another attempt under ``key`` may be made at ``now``."""
        ...

    def record_failure(self, key: str, now: datetime) -> None:
        """Count a failed attempt under ``key`` at ``now``."""
        ...


class InquiryRepository(Protocol):
    """Customer inquiries inside one unit of work (optimistic versions, like claims)."""

    def add(self, inquiry: Inquiry) -> None:
        """Store a new inquiry; ConcurrencyError if its id is taken."""
        ...

    def get(self, inquiry_id: str) -> Inquiry:
        """The inquiry with ``inquiry_id``, or NotFound."""
        ...

    def save(self, inquiry: Inquiry) -> None:
        """Store changes to a loaded inquiry; ConcurrencyError if it changed since it was read."""
        ...

    def for_order(self, order_number: str) -> list[Inquiry]:
        """The order's inquiries, oldest first."""
        ...

    def open_ids(self) -> Sequence[str]:
        """Ids of the inquiries not closed yet, oldest first."""
        ...

    def opened_ids(self, since: datetime, until: datetime | None = None) -> Sequence[str]:
        """Ids of the inquiries opened in ``[since, until)`` (no end: until now), oldest first."""
        ...
