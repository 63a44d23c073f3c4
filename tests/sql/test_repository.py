"""The SQL repository stores and reads back exactly what the in-memory reference does."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orderflow import ManualClock, OrderFlow, ValidationError, codec
from orderflow.adapters.sql import upgrade
from orderflow.domain.holds import HoldType
from orderflow.domain.inventory import Location
from orderflow.testing.strategies import place_order_data
from tests.sql.helpers import payload

#: Any text the domain accepts: no control characters (NUL included, which PostgreSQL cannot
#: store; see test_nul_characters_are_refused_by_name) but tab and newlines.
TEXT = st.one_of(st.characters(exclude_categories=["Cs", "Cc"]), st.sampled_from("\t\n\r"))
HOLDS = st.lists(st.sampled_from([HoldType.MANUAL, HoldType.FRAUD_REVIEW, HoldType.STOCK]),
                 unique=True, max_size=3)  # fmt: skip


def snapshot(flow: OrderFlow, number: str) -> dict[str, Any]:
    """Everything the read side and the repository give back for one order."""
    order = flow.get_order(number)
    return {
        "order": codec.unstructure(order),
        "history": flow.history(number),
        "listed": flow.find_orders(customer_id=order.customer.id, limit=1000),
        "held": [s.number for s in flow.find_orders(hold_type="manual", limit=1000)],
    }


def test_full_orders_round_trip_like_the_reference(sql_url: str) -> None:
    upgrade(sql_url)
    clock = ManualClock()
    memory = OrderFlow.in_memory(clock=clock)
    sql = OrderFlow.from_url(sql_url, clock=clock)

    @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
    @given(
        data=place_order_data(complete=False),
        note=st.one_of(st.none(), st.text(TEXT, min_size=1, max_size=40).filter(str.strip)),
        holds=HOLDS,
        release_first=st.booleans(),
        verify=st.booleans(),
        cancel=st.booleans(),
    )
    def check(
        data: dict[str, Any],
        note: str | None,
        holds: list[HoldType],
        release_first: bool,
        verify: bool,
        cancel: bool,
    ) -> None:
        if note is not None:
            data = {**data, "note": note}
        numbers = []
        for flow in (memory, sql):
            order = flow.place_order(data)
            for i, hold in enumerate(holds):
                flow.place_hold(
                    order.number,
                    hold,
                    reason=f"check {hold}",
                    actor="alice",
                    expires_at=clock.now() + timedelta(hours=i + 1) if i % 2 else None,
                )
            if holds and release_first:
                flow.release_hold(order.number, holds[0], reason="fine", actor="bob")
            if verify:
                flow.verify_order(order.number, actor="system:verifier")
            flow.add_note(order.number, "called the customer: «ok» ' \" ;--", actor="carol")
            if cancel:
                flow.cancel_order(order.number, reason="customer asked", actor="carol")
            numbers.append(order.number)
        assert numbers[0] == numbers[1]
        assert snapshot(sql, numbers[1]) == snapshot(memory, numbers[0])
        clock.advance(timedelta(minutes=7))

    try:
        check()
        # expiry is judged at the time asked, on both
        clock.advance(timedelta(hours=1, minutes=30))
        assert sql.find_orders(hold_type="fraud_review") == memory.find_orders(
            hold_type="fraud_review"
        )
        assert sql.sweep_expired_holds() == memory.sweep_expired_holds()
        everything = memory.find_orders(limit=1000)
        assert sql.find_orders(limit=1000) == everything
        assert sql.find_orders(limit=3, offset=2) == everything[2:5]
    finally:
        sql.close()


def test_loaded_order_keeps_every_field(any_flow: OrderFlow, clock: ManualClock) -> None:
    data = payload(
        billing_address={**payload()["shipping_address"], "name": "Accounts", "line2": "Floor 3"},
        shipping_option="express",
        shipping="4.95",
        shipping_tax_rate="0.19",
        order_discount="1.00",
        note="leave at the door",
        lines=[
            {"sku": "MUG", "name": "Mug", "quantity": 2, "unit_price": "9.50", "tax_rate": "0.19"},
            {"sku": "EBOOK", "name": "E-book", "quantity": 1, "unit_price": "5.00",
             "kind": "digital", "tax_amount": "0.35"},
        ],
    )  # fmt: skip
    placed = any_flow.place_order(data)
    expiry = clock.now() + timedelta(days=2)
    any_flow.place_hold(placed.number, "manual", reason="check", actor="alice", expires_at=expiry)
    loaded = any_flow.get_order(placed.number)
    assert loaded is not placed
    assert codec.unstructure(loaded)["lines"] == codec.unstructure(placed)["lines"]
    assert loaded.totals == placed.totals
    assert loaded.billing_address == placed.billing_address
    assert placed.billing_address is not None
    assert placed.billing_address.line2 == "Floor 3"
    assert loaded.shipping_option == "express"
    assert loaded.payment_method == placed.payment_method
    assert [n.text for n in loaded.notes] == ["leave at the door"]
    assert [(h.type, h.expires_at) for h in loaded.holds] == [(HoldType.MANUAL, expiry)]
    assert loaded.holds[0].placed_at.utcoffset() == timedelta(0)
    assert loaded.version == 2
    assert loaded.events == []
    assert loaded.fingerprint == placed.fingerprint


def test_nul_characters_are_refused_by_name(sql_url: str) -> None:
    upgrade(sql_url)
    flow = OrderFlow.from_url(sql_url)
    try:
        with pytest.raises(ValidationError, match=r"note: must not contain control characters"):
            flow.place_order(payload(note="a\x00b"))
        number = flow.place_order(payload()).number
        with pytest.raises(ValidationError, match=r"control characters|NUL"):
            flow.add_note(number, "\x00", actor="alice")
        assert flow.get_order(number).notes == []
        # text the domain leaves free (a movement's reason) is refused by the adapter itself
        flow.add_location(Location(code="BER", name="Berlin", country="DE"))
        flow.receive_stock("MUG", "BER", 3)
        with pytest.raises(ValidationError, match=r"reason: must not contain (NUL|control)"):
            flow.adjust_stock("MUG", "BER", -1, reason="a\x00b", actor="alice")
        assert [(lv.on_hand, lv.reserved) for lv in flow.stock_levels()] == [(3, 0)]
        assert len(flow.stock_ledger()) == 1
    finally:
        flow.close()
