"""Optimistic concurrency, the unique reference under a race, and retrying a lost race."""

from __future__ import annotations

import random
import threading

import pytest

from orderflow import (
    ConcurrencyError,
    DuplicateOrder,
    ManualClock,
    OrderFlow,
    retry_on_conflict,
)
from orderflow.domain.order import Order
from orderflow.domain.values import Actor
from tests.sql.helpers import payload

ALICE = Actor.person("alice")


def test_second_writer_of_a_loaded_order_gets_a_concurrency_error(any_flow: OrderFlow) -> None:
    number = any_flow.place_order(payload()).number
    first, second = any_flow.services.uow(), any_flow.services.uow()
    with first, second:
        a, b = first.orders.get(number), second.orders.get(number)
        assert a.version == b.version == 1
        a.add_note("first", actor=ALICE, now=a.placed_at)
        b.add_note("second", actor=ALICE, now=b.placed_at)
        first.orders.save(a)
        first.commit()
        second.orders.save(b)
        with pytest.raises(ConcurrencyError) as raised:
            second.commit()
    error = raised.value
    assert (error.aggregate, error.ident, error.expected_version) == ("order", number, 1)
    assert number in str(error)
    stored = any_flow.get_order(number)
    assert [n.text for n in stored.notes] == ["first"]
    assert stored.version == 2
    assert [e.event for e in any_flow.history(number)] == ["OrderPlaced", "NoteAdded"]
    assert b.version == 1  # the loser's object is left as it was
    assert len(b.events) == 1


def test_taken_reference_raises_duplicate_order_at_commit(any_flow: OrderFlow) -> None:
    existing = any_flow.place_order(payload(external_reference="DUP-1"))
    with any_flow.services.uow() as uow:
        clash = any_flow.get_order(existing.number)
        order = Order(
            **{
                **{f: getattr(clash, f) for f in ("channel", "customer", "shipping_address",
                                                  "billing_address", "lines", "shipping_tax",
                                                  "totals", "shipping_option", "payment_method",
                                                  "placed_at", "fingerprint")},
                "number": "OTHER-1",
                "external_reference": "DUP-1",
            }
        )  # fmt: skip
        order.mark_placed(ALICE)
        uow.orders.add(order)
        with pytest.raises(DuplicateOrder, match="DUP-1"):
            uow.commit()
    assert [s.number for s in any_flow.find_orders()] == [existing.number]
    with pytest.raises(Exception, match="OTHER-1"):
        any_flow.get_order("OTHER-1")


def test_racing_placements_of_one_reference_make_one_order(any_flow: OrderFlow) -> None:
    threads_count = 6
    barrier = threading.Barrier(threads_count)
    results: list[str] = []
    errors: list[BaseException] = []

    def place() -> None:
        try:
            barrier.wait()
            results.append(any_flow.place_order(payload(external_reference="RACE-1")).number)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=place) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert len(results) == threads_count
    assert len(set(results)) == 1
    orders = any_flow.find_orders()
    assert [o.number for o in orders] == results[:1]
    assert [e.event for e in any_flow.history(results[0])] == ["OrderPlaced"]


def test_retry_on_conflict_reruns_a_use_case_that_lost_a_race(
    any_flow: OrderFlow, clock: ManualClock
) -> None:
    number = any_flow.place_order(payload()).number
    calls = []

    def add_note_racing_once() -> str:
        calls.append(1)
        with any_flow.services.uow() as uow:
            order = uow.orders.get(number)
            if len(calls) == 1:  # someone else writes between our read and our write
                any_flow.add_note(number, "concurrent", actor="bob")
            order.add_note("mine", actor=ALICE, now=clock.now())
            uow.orders.save(order)
            uow.commit()
            return "ok"

    sleeps: list[float] = []
    assert retry_on_conflict(add_note_racing_once, sleep=sleeps.append) == "ok"
    assert len(calls) == 2
    assert len(sleeps) == 1
    assert [n.text for n in any_flow.get_order(number).notes] == ["concurrent", "mine"]


def test_retry_on_conflict_gives_up_after_its_attempts() -> None:
    sleeps: list[float] = []
    calls = []

    def always_loses() -> None:
        calls.append(1)
        raise ConcurrencyError("order", "OF-000001", 3)

    with pytest.raises(ConcurrencyError, match="OF-000001"):
        retry_on_conflict(
            always_loses, attempts=4, base_delay=0.1, max_delay=0.3,
            rng=random.Random(7), sleep=sleeps.append,
        )  # fmt: skip
    assert len(calls) == 4
    assert len(sleeps) == 3
    caps = [0.1, 0.2, 0.3]  # base * 2**n, capped
    assert all(0 <= s <= cap for s, cap in zip(sleeps, caps, strict=True))
    assert len(set(sleeps)) == 3  # jittered, not a fixed schedule


def test_retry_on_conflict_does_not_retry_other_errors() -> None:
    calls = []

    def broken() -> None:
        calls.append(1)
        raise ValueError("bug")

    with pytest.raises(ValueError, match="bug"):
        retry_on_conflict(broken, sleep=lambda _: pytest.fail("must not sleep"))
    assert calls == [1]


@pytest.mark.parametrize("attempts", [0, -1])
def test_retry_on_conflict_needs_an_attempt(attempts: int) -> None:
    with pytest.raises(ValueError, match="attempts"):
        retry_on_conflict(lambda: None, attempts=attempts)
