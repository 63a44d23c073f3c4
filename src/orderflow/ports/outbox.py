"""The transactional outbox port: messages written with the change, delivered afterwards.

Every event an order records goes into the outbox in the same transaction as the change. A
dispatcher then *claims* due messages (a short transaction), delivers them outside any transaction,
and records each result: sent, or failed with its error and the time of the next attempt. Delivery
is at least once; ``message_id`` is stable across attempts so receivers can de-duplicate.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Protocol

from attrs import frozen

from orderflow.domain.events import DomainEvent


@frozen(kw_only=True)
class OutboxMessage:
    """One message waiting for (or done with) delivery.

    ``topic`` is the event type name (``"OrderPlaced"``), ``payload`` its JSON-ready data as
    :func:`orderflow.codec.event_to_json` gives it. ``claimed_until`` is the lease of the dispatcher
    that currently delivers it: no other dispatcher claims it before then.
    """

    message_id: str
    topic: str
    payload: dict[str, Any]
    created_at: datetime
    next_attempt_at: datetime
    attempts: int = 0
    last_error: str | None = None
    sent_at: datetime | None = None
    claimed_until: datetime | None = None


class Outbox(Protocol):
    """The outbox of one unit of work (``uow.outbox``); changes count when the unit commits."""

    def add(self, message_id: str, event: DomainEvent) -> None:
        """Queue an event that belongs to no order's trail (a stock alert), with the unit of work.

        A second message with the same id is ignored, so a retried use case adds it once.
        """
        ...

    def claim(self, now: datetime, *, limit: int, lease: timedelta) -> list[OutboxMessage]:
        """Up to ``limit`` unsent messages due at ``now`` and not leased, oldest first.

        Each is leased until ``now + lease``: until then no other claim returns it, so several
        dispatchers may run at once. A message whose lease ran out (its dispatcher died) is
        claimable again, which is why delivery is at least once.
        """
        ...

    def mark_sent(self, message_id: str, now: datetime) -> None:
        """Record the delivery of an unsent message and end its lease."""
        ...

    def mark_failed(self, message_id: str, *, error: str, next_attempt_at: datetime) -> None:
        """Record a failed attempt: attempts + 1, the error kept, retried at ``next_attempt_at``."""
        ...

    def get(self, message_id: str) -> OutboxMessage:
        """The message with ``message_id``, or NotFound."""
        ...

    def pending(self, *, limit: int = 100) -> list[OutboxMessage]:
        """Unsent messages, due or not, oldest first (for monitoring)."""
        ...
