"""The order transition table, exhaustively: every (status, trigger) pair and every hold."""

from datetime import UTC, datetime, timedelta

import pytest

from orderflow import (
    ORDER_LIFECYCLE,
    Actor,
    HoldError,
    HoldType,
    IllegalTransition,
    OrderOnHold,
    OrderStatus,
)
from orderflow.domain import events as ev
from orderflow.domain.order import TRIGGER_EVENTS, Order, replay_status
from tests.unit.orders import make_order

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
ALICE = Actor.person("alice")

EXPECTED = {
    ("placed", "verify"): "verified",
    ("verified", "confirm"): "confirmed",
    ("confirmed", "start_fulfilment"): "in_fulfilment",
    ("in_fulfilment", "ship_part"): "partially_shipped",
    ("partially_shipped", "ship_part"): "partially_shipped",
    ("in_fulfilment", "ship"): "shipped",
    ("partially_shipped", "ship"): "shipped",
    ("shipped", "deliver"): "delivered",
    ("confirmed", "deliver_digitally"): "delivered",  # an order of digital lines only
    ("delivered", "complete"): "completed",
    **{(s, "cancel"): "cancelled" for s in ("placed", "verified", "confirmed", "in_fulfilment")},
}


def snapshot(order: Order) -> tuple[object, ...]:
    return (order.status, list(order.holds), list(order.notes), order.awaiting, len(order.events))


def test_the_table_is_what_the_product_declares() -> None:
    declared = {
        (source, t.trigger): t.dest for t in ORDER_LIFECYCLE.transitions for source in t.sources
    }
    assert declared == EXPECTED
    assert set(ORDER_LIFECYCLE.triggers) == set(TRIGGER_EVENTS)


@pytest.mark.parametrize("status", list(OrderStatus))
@pytest.mark.parametrize("trigger", ORDER_LIFECYCLE.triggers)
def test_every_status_and_trigger(status: OrderStatus, trigger: str) -> None:
    order = make_order(status=status)
    before = snapshot(order)
    expected = EXPECTED.get((status.value, trigger))
    if expected is None:
        with pytest.raises(IllegalTransition, match=f"cannot {trigger} when {status.value}"):
            order.advance(trigger, actor=ALICE, now=NOW)
        assert snapshot(order) == before
        return
    order.advance(trigger, actor=ALICE, now=NOW, reason="because")
    assert order.status.value == expected
    (event,) = order.events[before[-1] :]
    assert isinstance(event, TRIGGER_EVENTS[trigger])
    assert (event.from_status, event.to_status, event.actor, event.reason) == (
        status.value,
        expected,
        ALICE,
        "because",
    )


@pytest.mark.parametrize("status", list(OrderStatus))
@pytest.mark.parametrize("trigger", ORDER_LIFECYCLE.triggers)
def test_a_hold_stops_every_trigger_but_cancel(status: OrderStatus, trigger: str) -> None:
    order = make_order(status=status)
    if order.is_terminal:
        with pytest.raises(HoldError, match="cannot be held"):
            order.place_hold(HoldType.MANUAL, reason="check", actor=ALICE, now=NOW)
        return
    order.place_hold(HoldType.MANUAL, reason="check", actor=ALICE, now=NOW)
    before = snapshot(order)
    legal = (status.value, trigger) in EXPECTED
    if not legal:
        with pytest.raises(IllegalTransition):
            order.advance(trigger, actor=ALICE, now=NOW)
    elif trigger == "cancel":
        order.advance(trigger, actor=ALICE, now=NOW, reason="fraud")
        assert order.status is OrderStatus.CANCELLED
        assert order.active_holds(NOW) == []
        return
    else:
        with pytest.raises(OrderOnHold, match="manual"):
            order.advance(trigger, actor=ALICE, now=NOW)
    assert snapshot(order) == before


def test_expired_hold_no_longer_blocks() -> None:
    order = make_order()
    order.place_hold(
        HoldType.STOCK, reason="awaiting stock", actor=ALICE, now=NOW,
        expires_at=NOW + timedelta(hours=2),
    )  # fmt: skip
    with pytest.raises(OrderOnHold):
        order.advance("verify", actor=ALICE, now=NOW + timedelta(hours=1))
    order.advance("verify", actor=ALICE, now=NOW + timedelta(hours=2))
    assert order.status is OrderStatus.VERIFIED


def test_hold_expiry_must_be_in_the_future() -> None:
    order = make_order()
    with pytest.raises(HoldError, match="not in the future"):
        order.place_hold(HoldType.MANUAL, reason="x", actor=ALICE, now=NOW, expires_at=NOW)
    assert order.holds == []


def test_releasing_the_last_hold_returns_the_awaited_trigger() -> None:
    order = make_order()
    order.wait_for_release("verify")
    order.place_hold(HoldType.ADDRESS, reason="bad zip", actor=ALICE, now=NOW)
    order.place_hold(HoldType.PAYMENT, reason="no card", actor=ALICE, now=NOW)
    assert order.release_hold(HoldType.ADDRESS, reason="fixed", actor=ALICE, now=NOW) is None
    assert order.release_hold(HoldType.PAYMENT, reason="card", actor=ALICE, now=NOW) == "verify"
    released = order.holds[0]
    assert (released.released_by, released.release_reason) == (ALICE, "fixed")


def test_release_needs_a_reason() -> None:
    order = make_order()
    order.place_hold(HoldType.MANUAL, reason="check", actor=ALICE, now=NOW)
    with pytest.raises(Exception, match="reason: must not be blank"):
        order.release_hold(HoldType.MANUAL, reason="  ", actor=ALICE, now=NOW)
    assert len(order.active_holds(NOW)) == 1


def test_replay_follows_transitions_and_holds() -> None:
    order = make_order()
    order.place_hold(HoldType.MANUAL, reason="check", actor=ALICE, now=NOW)
    order.release_hold(HoldType.MANUAL, reason="ok", actor=ALICE, now=NOW)
    order.place_hold(HoldType.FRAUD_REVIEW, reason="score 80", actor=ALICE, now=NOW)
    assert replay_status(order.events) == (OrderStatus.PLACED, frozenset({HoldType.FRAUD_REVIEW}))
    assert [type(e) for e in order.events] == [ev.HoldPlaced, ev.HoldReleased, ev.HoldPlaced]
