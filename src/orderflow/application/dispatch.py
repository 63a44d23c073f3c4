"""Delivering the outbox: at least once, outside any transaction, failures retried with backoff.

:func:`dispatch_pending` claims due messages in one short transaction (each leased, so another
dispatcher running at the same time skips them), calls the handlers with no transaction open,
then records every result in a second short transaction: sent, or failed with the error text and
the next attempt time (capped exponential backoff). A message is never dropped: it stays in the
outbox until every handler that wants it has accepted it. If the dispatcher dies between claim
and record, the lease runs out and the message is delivered again, with the same ``message_id``.

:class:`OutboxRelay` runs :func:`dispatch_pending` in a loop for a long-running process.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Sequence
from datetime import timedelta

from attrs import field, frozen

from orderflow import codec
from orderflow.application.services import Services
from orderflow.domain.errors import OrderflowError, ValidationError
from orderflow.domain.events import EVENT_TYPES, DomainEvent
from orderflow.ports import OutboxMessage

log = logging.getLogger("orderflow.dispatch")

#: A subscriber: called with the message (its stable ``message_id``, topic, attempts) and the
#: decoded event. Raising any Exception marks the delivery failed; it will be retried.
Handler = Callable[[OutboxMessage, DomainEvent], None]

#: How long a claimed message is reserved for its dispatcher before another may claim it.
DEFAULT_LEASE = timedelta(minutes=5)
#: The wait after a first failure; it doubles with every further failure, up to MAX_BACKOFF.
BASE_BACKOFF = timedelta(seconds=10)
MAX_BACKOFF = timedelta(hours=1)
#: Longest error text kept with a failed message.
MAX_ERROR_LENGTH = 2000


def _topics(value: Iterable[str | type[DomainEvent]] | None) -> frozenset[str] | None:
    if value is None:
        return None
    items: Iterable[str | type[DomainEvent]] = [value] if isinstance(value, str | type) else value
    names = frozenset(v if isinstance(v, str) else v.__name__ for v in items)
    unknown = sorted(names - EVENT_TYPES.keys())
    if unknown:
        raise ValidationError.single(
            "topics", f"unknown event type(s) {', '.join(unknown)}; known: {', '.join(EVENT_TYPES)}"
        )
    return names


@frozen
class Subscription:
    """A handler and the topics (event type names) it wants; ``None`` means every topic."""

    handler: Handler
    topics: frozenset[str] | None = field(default=None, converter=_topics)

    def wants(self, topic: str) -> bool:
        """Whether this subscription takes messages of ``topic``."""
        return self.topics is None or topic in self.topics


@frozen(kw_only=True)
class DispatchReport:
    """What one dispatch did: messages delivered, and failed (with their errors)."""

    sent: int = 0
    failed: int = 0
    errors: tuple[tuple[str, str], ...] = ()  # (message_id, error) of each failure

    @property
    def claimed(self) -> int:
        """Messages taken from the outbox."""
        return self.sent + self.failed

    def __add__(self, other: DispatchReport) -> DispatchReport:
        return DispatchReport(
            sent=self.sent + other.sent,
            failed=self.failed + other.failed,
            errors=self.errors + other.errors,
        )


def backoff(
    failures: int, *, base: timedelta = BASE_BACKOFF, cap: timedelta = MAX_BACKOFF
) -> timedelta:
    """The wait before the next attempt after ``failures`` failed ones: base, 2 base, 4 base..."""
    if failures < 1:
        return timedelta(0)
    delay: timedelta = base * 2 ** min(failures - 1, 32)
    return min(cap, delay)


def dispatch_pending(
    svc: Services,
    handlers: Sequence[Subscription | Handler],
    limit: int = 100,
    *,
    lease: timedelta = DEFAULT_LEASE,
    base_backoff: timedelta = BASE_BACKOFF,
    max_backoff: timedelta = MAX_BACKOFF,
) -> DispatchReport:
    """Deliver up to ``limit`` due outbox messages to ``handlers``; see the module docstring.

    A message goes to every subscription whose topics include it; a message no subscription
    wants is marked sent. With no handlers at all nothing is claimed (so nothing is lost by
    dispatching before subscribing).
    """
    subscriptions = [h if isinstance(h, Subscription) else Subscription(h) for h in handlers]
    if not subscriptions or limit <= 0:
        return DispatchReport()
    with svc.uow() as uow:
        claimed = uow.outbox.claim(svc.clock.now(), limit=limit, lease=lease)
        uow.commit()
    if not claimed:
        return DispatchReport()
    outcomes = [(message, deliver(message, subscriptions)) for message in claimed]
    now = svc.clock.now()
    errors: list[tuple[str, str]] = []
    with svc.uow() as uow:
        for message, error in outcomes:
            if error is None:
                uow.outbox.mark_sent(message.message_id, now)
            else:
                errors.append((message.message_id, error))
                delay = backoff(message.attempts + 1, base=base_backoff, cap=max_backoff)
                uow.outbox.mark_failed(message.message_id, error=error, next_attempt_at=now + delay)
        uow.commit()
    for message_id, error in errors:
        log.warning("outbox message %s failed: %s", message_id, error)
    return DispatchReport(
        sent=len(outcomes) - len(errors), failed=len(errors), errors=tuple(errors)
    )


def deliver(message: OutboxMessage, subscriptions: Sequence[Subscription]) -> str | None:
    """Hand ``message`` to every subscription that wants it; the errors' text, or None."""
    wanted = [s for s in subscriptions if s.wants(message.topic)]
    if not wanted:
        return None
    try:
        event = codec.event_from_json(message.topic, message.payload)
    except ValidationError as exc:
        return _text(f"cannot decode the message: {exc}")
    errors = []
    for subscription in wanted:
        try:
            subscription.handler(message, event)
        except Exception as exc:
            name = getattr(subscription.handler, "__qualname__", repr(subscription.handler))
            errors.append(f"{name}: {type(exc).__name__}: {exc}")
    return _text("; ".join(errors)) if errors else None


def _text(error: str) -> str:
    return error if len(error) <= MAX_ERROR_LENGTH else error[: MAX_ERROR_LENGTH - 1] + "…"


class OutboxRelay:
    """Runs a dispatch function in a loop until stopped (a relay process or thread).

    ``dispatch`` is typically ``flow.dispatch_pending``. A full batch is followed at once by the
    next; otherwise the relay waits ``poll_interval`` seconds (or until :meth:`stop`). A database
    error (any orderflow error) is logged and retried after the interval: the outbox keeps the
    messages meanwhile. Several relays may run at once, in threads or processes.
    """

    def __init__(
        self,
        dispatch: Callable[[int], DispatchReport],
        *,
        batch_size: int = 100,
        poll_interval: float = 1.0,
        stop_event: threading.Event | None = None,
    ) -> None:
        if batch_size < 1:
            raise ValidationError.single("batch_size", "must be at least 1")
        if poll_interval < 0:
            raise ValidationError.single("poll_interval", "must not be negative")
        self._dispatch = dispatch
        self.batch_size = batch_size
        self.poll_interval = poll_interval
        self.stop_event = stop_event or threading.Event()

    def run(self, *, max_iterations: int | None = None) -> DispatchReport:
        """Dispatch until stopped (or ``max_iterations`` rounds); returns the sum of reports."""
        total = DispatchReport()
        rounds = 0
        while not self.stop_event.is_set() and (max_iterations is None or rounds < max_iterations):
            rounds += 1
            try:
                report = self._dispatch(self.batch_size)
            except OrderflowError as exc:
                log.error("outbox relay: dispatch failed, retrying: %s", exc)
                self.stop_event.wait(self.poll_interval)
                continue
            total += report
            if report.claimed < self.batch_size:
                self.stop_event.wait(self.poll_interval)
        return total

    def start(self) -> threading.Thread:
        """Run in a daemon thread; :meth:`stop` ends it."""
        thread = threading.Thread(target=self.run, name="orderflow-outbox-relay", daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        """Ask the loop to end after the current round."""
        self.stop_event.set()
