"""The transactional outbox: written with the change, delivered at least once, never lost."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from orderflow import (
    DispatchReport,
    ManualClock,
    NotFound,
    OrderEvent,
    OrderFlow,
    OrderPlaced,
    OutboxMessage,
    OutboxRelay,
    PersistenceError,
    ValidationError,
)
from orderflow.application.dispatch import BASE_BACKOFF, MAX_BACKOFF, Handler, backoff
from tests.sql.helpers import payload

Delivered = list[tuple[str, str]]


def recorder(into: Delivered, done: threading.Event | None = None) -> Handler:
    def handle(message: OutboxMessage, event: OrderEvent) -> None:
        assert message.topic == type(event).__name__
        assert message.message_id.startswith(event.order_number + ":")
        into.append((message.message_id, message.topic))
        if done is not None:
            done.set()

    return handle


def test_every_recorded_event_is_outboxed_with_its_history_id(any_flow: OrderFlow) -> None:
    number = any_flow.place_order(payload(note="hello")).number
    any_flow.place_hold(number, "manual", reason="check", actor="alice")
    history_ids = [e.message_id for e in any_flow.history(number)]
    with any_flow.services.uow() as uow:
        pending = uow.outbox.pending()
        assert (
            [m.message_id for m in pending] == history_ids == [f"{number}:{i}" for i in (1, 2, 3)]
        )
        assert [m.topic for m in pending] == ["OrderPlaced", "NoteAdded", "HoldPlaced"]
        assert all(m.attempts == 0 and m.sent_at is None for m in pending)
        assert pending[0].payload["order_number"] == number
        with pytest.raises(NotFound):
            uow.outbox.get("nope:1")


def test_dispatch_delivers_each_message_once_in_order(any_flow: OrderFlow) -> None:
    delivered: Delivered = []
    assert any_flow.dispatch_pending() == DispatchReport()  # no subscriber: nothing claimed
    a = any_flow.place_order(payload(external_reference="A")).number
    b = any_flow.place_order(payload(external_reference="B", note="n")).number
    any_flow.subscribe(recorder(delivered))
    report = any_flow.dispatch_pending(limit=2)
    assert (report.sent, report.failed) == (2, 0)
    assert any_flow.dispatch_pending().sent == 1
    assert any_flow.dispatch_pending() == DispatchReport()
    assert delivered == [
        (f"{a}:1", "OrderPlaced"),
        (f"{b}:1", "OrderPlaced"),
        (f"{b}:2", "NoteAdded"),
    ]
    with any_flow.services.uow() as uow:
        assert uow.outbox.pending() == []
        assert uow.outbox.get(f"{a}:1").sent_at is not None


def test_failing_handler_is_retried_with_backoff_and_nothing_is_lost(
    any_flow: OrderFlow, clock: ManualClock
) -> None:
    number = any_flow.place_order(payload()).number
    delivered: Delivered = []
    failures = [ConnectionError("mail server down"), ConnectionError("still down")]

    def flaky(message: OutboxMessage, event: OrderEvent) -> None:
        if isinstance(event, OrderPlaced) and failures:
            raise failures.pop(0)
        delivered.append((message.message_id, message.topic))

    any_flow.subscribe(flaky)
    any_flow.add_note(number, "second message", actor="alice")
    first = any_flow.dispatch_pending()
    assert (first.sent, first.failed) == (1, 1)
    assert first.errors[0][0] == f"{number}:1"
    assert "ConnectionError: mail server down" in first.errors[0][1]
    with any_flow.services.uow() as uow:
        failed = uow.outbox.get(f"{number}:1")
    assert failed.attempts == 1
    assert "mail server down" in (failed.last_error or "")
    assert failed.next_attempt_at == clock.now() + BASE_BACKOFF
    assert failed.sent_at is None
    assert failed.claimed_until is None

    assert any_flow.dispatch_pending() == DispatchReport()  # not due yet
    clock.advance(BASE_BACKOFF)
    assert any_flow.dispatch_pending().failed == 1
    with any_flow.services.uow() as uow:
        again = uow.outbox.get(f"{number}:1")
    assert again.attempts == 2
    assert "still down" in (again.last_error or "")
    assert again.next_attempt_at == clock.now() + 2 * BASE_BACKOFF  # doubled

    clock.advance(2 * BASE_BACKOFF)
    assert any_flow.dispatch_pending().sent == 1
    assert delivered == [(f"{number}:2", "NoteAdded"), (f"{number}:1", "OrderPlaced")]
    with any_flow.services.uow() as uow:
        done = uow.outbox.get(f"{number}:1")
        assert uow.outbox.pending() == []
    assert done.attempts == 2
    assert done.sent_at == clock.now()
    assert done.last_error is not None  # the last error stays on record


def test_backoff_doubles_and_is_capped() -> None:
    assert [backoff(n) for n in (1, 2, 3)] == [BASE_BACKOFF, 2 * BASE_BACKOFF, 4 * BASE_BACKOFF]
    assert backoff(50) == MAX_BACKOFF
    assert backoff(10_000) == MAX_BACKOFF


def test_claims_are_leased_and_an_abandoned_claim_is_delivered_again(
    any_flow: OrderFlow, clock: ManualClock
) -> None:
    number = any_flow.place_order(payload()).number
    lease = timedelta(minutes=5)
    with any_flow.services.uow() as uow:
        claimed = uow.outbox.claim(clock.now(), limit=10, lease=lease)
        uow.commit()
    assert [m.message_id for m in claimed] == [f"{number}:1"]
    assert claimed[0].claimed_until == clock.now() + lease
    # the claiming relay "dies": another one finds nothing while the lease runs...
    with any_flow.services.uow() as uow:
        assert uow.outbox.claim(clock.now(), limit=10, lease=lease) == []
        uow.commit()
    clock.advance(lease)
    # ...and everything once it ran out: at least once, with the same id
    delivered: Delivered = []
    any_flow.subscribe(recorder(delivered))
    assert any_flow.dispatch_pending().sent == 1
    assert delivered == [(f"{number}:1", "OrderPlaced")]


def test_subscriptions_filter_by_topic(any_flow: OrderFlow) -> None:
    notes: Delivered = []
    everything: Delivered = []
    any_flow.subscribe(recorder(notes), topics=["NoteAdded"])
    any_flow.subscribe(recorder(everything))
    number = any_flow.place_order(payload(note="hi")).number
    assert any_flow.dispatch_pending().sent == 2
    assert notes == [(f"{number}:2", "NoteAdded")]
    assert len(everything) == 2
    with pytest.raises(ValidationError, match="NoSuchEvent"):
        any_flow.subscribe(recorder(notes), topics=["NoSuchEvent"])


def test_subscribers_belong_to_one_engine(clock: ManualClock) -> None:
    one, two = OrderFlow.in_memory(clock=clock), OrderFlow.in_memory(clock=clock)
    seen: Delivered = []
    one.subscribe(recorder(seen))
    two.place_order(payload())
    assert two.dispatch_pending() == DispatchReport()
    assert seen == []


def test_relay_runs_until_stopped_and_survives_database_errors() -> None:
    calls: list[int] = []
    outcomes: list[DispatchReport | Exception] = [
        DispatchReport(sent=2),  # a full batch: the next round follows at once
        PersistenceError("database down"),
        DispatchReport(sent=1, failed=1, errors=(("X:1", "boom"),)),
        DispatchReport(),
    ]
    stop = threading.Event()

    def dispatch(limit: int) -> DispatchReport:
        calls.append(limit)
        outcome = outcomes.pop(0)
        if not outcomes:
            stop.set()
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    relay = OutboxRelay(dispatch, batch_size=2, poll_interval=0, stop_event=stop)
    total = relay.run()
    assert calls == [2, 2, 2, 2]
    assert total == DispatchReport(sent=3, failed=1, errors=(("X:1", "boom"),))
    assert OutboxRelay(dispatch, poll_interval=0).run(max_iterations=0) == DispatchReport()


def test_relay_thread_delivers_and_stops(any_flow: OrderFlow) -> None:
    delivered: Delivered = []
    done = threading.Event()
    any_flow.subscribe(recorder(delivered, done))
    number = any_flow.place_order(payload()).number
    relay = OutboxRelay(any_flow.dispatch_pending, poll_interval=0.01)
    thread = relay.start()
    try:
        assert done.wait(timeout=10)
    finally:
        relay.stop()
        thread.join(timeout=10)
    assert not thread.is_alive()
    assert delivered == [(f"{number}:1", "OrderPlaced")]


def test_relay_refuses_nonsense_settings() -> None:
    with pytest.raises(ValidationError, match="batch_size"):
        OutboxRelay(lambda n: DispatchReport(), batch_size=0)
    with pytest.raises(ValidationError, match="poll_interval"):
        OutboxRelay(lambda n: DispatchReport(), poll_interval=-1)
