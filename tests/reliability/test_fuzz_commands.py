"""A fuzzer for the public commands of ``OrderFlow``: malformed JSON-like data and strings (wrong
types, missing fields, huge numbers, NUL characters, unknown enums and order numbers...) get an
orderflow error back, never anything else, and a refused command changes nothing.

Each example builds a small shop (stock, a delivered order with its shipment, a placed order, a
return and a claim), snapshots everything a host can read, runs one command with fuzzed
arguments, and compares. A command that accepts the data may change the state; one that raises
must raise an :class:`orderflow.OrderflowError` and leave the snapshot as it was.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orderflow import ManualClock, Money, OrderFlow, OrderflowError, ValidationError
from orderflow.adapters.carrier import FakeCarrier
from orderflow.adapters.gateway import FakeGateway
from orderflow.application.services import PaymentSettings
from orderflow.codec import unstructure
from orderflow.domain.inventory import Location
from orderflow.domain.shipping import Package
from orderflow.domain.values import Address
from orderflow.testing.contract import order_data

WAREHOUSE = Address(name="DC", line1="Lagerweg 1", city="Berlin", country="DE")

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=2**63 - 2, max_value=2**80),
    st.integers(min_value=-(2**80), max_value=-(2**63) + 2),
    st.floats(),
    st.text(max_size=12),
    st.sampled_from(["", "\x00", "a\x00b", "x" * 5000, "1e999", "NaN", "-0", "９"]),
)
json_like = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner),
    max_leaves=8,
)


class Shop:
    """A shop with one order of each kind of interest."""

    def __init__(self) -> None:
        self.clock = ManualClock()
        self.flow = OrderFlow.in_memory(
            clock=self.clock,
            gateway=FakeGateway(self.clock),
            carrier=FakeCarrier(),
            payment_settings=PaymentSettings(sleep=lambda _: None),
        )
        flow = self.flow
        flow.add_location(
            Location(code="BER", name="Berlin", country="DE", priority=1, address=WAREHOUSE)
        )
        for sku in ("MUG", "TEE"):
            flow.receive_stock(sku, "BER", 100, actor="ops")
        self.delivered = flow.place_order(order_data(external_reference="D-1")).number
        flow.verify_order(self.delivered)
        flow.confirm_order(self.delivered)
        (shipment,) = flow.create_shipments(self.delivered)
        self.shipment = shipment.id
        flow.start_picking(shipment.id, actor="picker")
        for line in shipment.lines:
            for _ in range(line.quantity):
                flow.scan_item(shipment.id, line.sku, actor="picker")
        flow.pack_shipment(shipment.id, [Package(weight_g=500)], actor="picker")
        flow.ship_shipment(shipment.id, actor="picker")
        flow.confirm_delivery(self.delivered, actor="driver")
        self.claim = flow.open_claim(
            self.delivered, "damaged", {"MUG": 1}, description="chipped", actor="ann"
        ).id
        self.rma = flow.request_return(
            self.delivered, [{"sku": "TEE", "quantity": 1, "reason": "changed_mind"}], actor="ann"
        ).id
        self.placed = flow.place_order(order_data(external_reference="P-1")).number
        self.numbers = [self.delivered, self.placed]

    def snapshot(self) -> Any:
        flow = self.flow
        per_order = [
            (
                unstructure(flow.get_order(n)),
                [(e.seq, e.event) for e in flow.history(n)],
                [unstructure(p) for p in flow.payments(n)],
                [unstructure(s) for s in flow.shipments(n)],
                [unstructure(c) for c in flow.claims(n)],
                [unstructure(r) for r in flow.returns(n)],
            )
            for n in self.numbers
        ]
        return (
            per_order,
            [unstructure(level) for level in flow.stock_levels()],
            [unstructure(m) for m in flow.stock_ledger()],
            [unstructure(s) for s in flow.find_orders(limit=1000)],
        )


def text_or_junk(known: list[str]) -> st.SearchStrategy[Any]:
    """Values for the parameters typed ``str``: known ids, damaged ones, unknown ones, NUL, huge,
    and any JSON value (a host passing through loosely typed input: an order number that arrived
    as a number or a list must get a ValidationError naming the parameter, never a TypeError)."""
    damaged = st.sampled_from(known).flatmap(
        lambda k: st.sampled_from([k, k + "\x00", k.lower(), " " + k, k + "9", k[:-1]])
    )
    odd = st.sampled_from(["", "\x00", "x" * 5000, "OF-999999", "１２", "\ud7ff\U0010ffff"])
    return st.one_of(damaged, st.text(max_size=20), odd, json_like)


Command = Callable[[Shop, st.DataObject], object]


def _commands() -> dict[str, Command]:
    def num(shop: Shop, data: st.DataObject) -> Any:
        return data.draw(text_or_junk(shop.numbers), label="number")

    def txt(data: st.DataObject, name: str) -> Any:
        return data.draw(text_or_junk(["reason", "alice", "BER", "MUG"]), label=name)

    def actor(data: st.DataObject) -> Any:
        return data.draw(text_or_junk(["alice", "system:x", "integration:shop"]), label="actor")

    def sid(shop: Shop, data: st.DataObject) -> Any:
        return data.draw(text_or_junk([shop.shipment]), label="shipment")

    def any_(data: st.DataObject, name: str) -> Any:
        return data.draw(json_like, label=name)

    return {
        "verify_order": lambda s, d: s.flow.verify_order(num(s, d), actor=actor(d)),
        "place_hold": lambda s, d: s.flow.place_hold(
            num(s, d), txt(d, "type"), reason=txt(d, "reason"), actor=actor(d)
        ),
        "release_hold": lambda s, d: s.flow.release_hold(
            num(s, d), txt(d, "type"), reason=txt(d, "reason"), actor=actor(d)
        ),
        "cancel_order": lambda s, d: s.flow.cancel_order(
            num(s, d), reason=txt(d, "reason"), actor=actor(d)
        ),
        "add_note": lambda s, d: s.flow.add_note(num(s, d), txt(d, "text"), actor=actor(d)),
        "confirm_order": lambda s, d: s.flow.confirm_order(num(s, d), actor=actor(d)),
        "review_fraud": lambda s, d: s.flow.review_fraud(
            num(s, d), approve=any_(d, "approve"), reason=txt(d, "reason"), actor=actor(d)
        ),
        "capture_payment": lambda s, d: s.flow.capture_payment(num(s, d), actor=actor(d)),
        "refund_payment": lambda s, d: s.flow.refund_payment(
            num(s, d), Money(d.draw(st.integers(-5, 10**6)), "EUR"), reason=txt(d, "r"), actor="a"
        ),
        "create_shipments": lambda s, d: s.flow.create_shipments(num(s, d), actor=actor(d)),
        "start_picking": lambda s, d: s.flow.start_picking(sid(s, d), actor=actor(d)),
        "scan_item": lambda s, d: s.flow.scan_item(sid(s, d), txt(d, "code"), actor=actor(d)),
        "pack_shipment": lambda s, d: s.flow.pack_shipment(
            sid(s, d), any_(d, "packages"), actor=actor(d)
        ),
        "ship_shipment": lambda s, d: s.flow.ship_shipment(
            sid(s, d), actor=actor(d), option=txt(d, "option")
        ),
        "confirm_delivery": lambda s, d: s.flow.confirm_delivery(num(s, d), actor=actor(d)),
        "open_claim": lambda s, d: s.flow.open_claim(
            num(s, d), txt(d, "kind"), any_(d, "lines"), description=txt(d, "d"), actor=actor(d)
        ),
        "resolve_claim": lambda s, d: s.flow.resolve_claim(
            d.draw(text_or_junk([s.claim])), txt(d, "resolution"), note=txt(d, "n"), actor="a"
        ),
        "complete_order": lambda s, d: s.flow.complete_order(num(s, d), actor=actor(d)),
        "request_return": lambda s, d: s.flow.request_return(
            num(s, d), any_(d, "lines"), actor=actor(d)
        ),
        "approve_return": lambda s, d: s.flow.approve_return(
            d.draw(text_or_junk([s.rma])), location=txt(d, "location"), actor=actor(d)
        ),
        "reject_return": lambda s, d: s.flow.reject_return(
            d.draw(text_or_junk([s.rma])), reason=txt(d, "reason"), actor=actor(d)
        ),
        "receive_return": lambda s, d: s.flow.receive_return(
            d.draw(text_or_junk([s.rma])), actor=actor(d)
        ),
        "inspect_return": lambda s, d: s.flow.inspect_return(
            d.draw(text_or_junk([s.rma])), any_(d, "findings"), actor=actor(d)
        ),
        "exchange_return": lambda s, d: s.flow.exchange_return(
            d.draw(text_or_junk([s.rma])), any_(d, "items"), actor=actor(d)
        ),
        "receive_stock": lambda s, d: s.flow.receive_stock(
            txt(d, "sku"), txt(d, "location"), any_(d, "quantity"), actor=actor(d)
        ),
        "adjust_stock": lambda s, d: s.flow.adjust_stock(
            txt(d, "sku"), txt(d, "location"), any_(d, "delta"), reason=txt(d, "r"), actor="a"
        ),
        "count_stock": lambda s, d: s.flow.count_stock(
            txt(d, "sku"), txt(d, "location"), any_(d, "counted"), actor=actor(d)
        ),
        "transfer_stock": lambda s, d: s.flow.transfer_stock(
            txt(d, "sku"), txt(d, "from"), txt(d, "to"), any_(d, "quantity"), actor=actor(d)
        ),
        "write_off": lambda s, d: s.flow.write_off(
            txt(d, "sku"), txt(d, "location"), any_(d, "quantity"), reason=txt(d, "r"), actor="a"
        ),
        "set_sku_policy": lambda s, d: s.flow.set_sku_policy(
            txt(d, "sku"), shortage=txt(d, "shortage"), lead_time_days=any_(d, "lead")
        ),
        "set_reorder": lambda s, d: s.flow.set_reorder(
            txt(d, "sku"), txt(d, "location"), point=any_(d, "p"), quantity=any_(d, "q")
        ),
        "reserve_stock": lambda s, d: s.flow.reserve_stock(num(s, d), actor=actor(d)),
        "deliver_digital": lambda s, d: s.flow.deliver_digital(num(s, d), actor=actor(d)),
        "get_order": lambda s, d: s.flow.get_order(num(s, d)),
        "history": lambda s, d: s.flow.history(num(s, d)),
        "payments": lambda s, d: s.flow.payments(num(s, d)),
        "shipments": lambda s, d: s.flow.shipments(num(s, d)),
        "get_reservation": lambda s, d: s.flow.get_reservation(num(s, d)),
        "pick_list": lambda s, d: s.flow.pick_list(txt(d, "location")),
        "find_orders": lambda s, d: s.flow.find_orders(
            status=txt(d, "status"), channel=txt(d, "channel"), hold_type=txt(d, "hold")
        ),
        "stock_levels": lambda s, d: s.flow.stock_levels(any_(d, "skus")),
        "stock_ledger": lambda s, d: s.flow.stock_ledger(sku=txt(d, "sku")),
    }


COMMANDS = _commands()
FUZZ = settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def refused_cleanly(shop: Shop, call: Callable[[], object]) -> None:
    before = shop.snapshot()
    try:
        call()
    except OrderflowError:
        assert shop.snapshot() == before, "a refused command changed the state"


@pytest.mark.parametrize("command", sorted(COMMANDS))
@FUZZ
@given(data=st.data())
def test_fuzzed_arguments_get_orderflow_errors_and_change_nothing(
    command: str, data: st.DataObject
) -> None:
    shop = Shop()
    refused_cleanly(shop, lambda: COMMANDS[command](shop, data))


#: Wrong shapes that once let a Python error through instead of an orderflow error.
WRONG_SHAPES = {
    "open_claim-kind": lambda s: s.flow.open_claim(
        s.delivered, "bogus", {"MUG": 1}, description="d", actor="a"
    ),
    "open_claim-lines": lambda s: s.flow.open_claim(
        s.delivered, "damaged", [], description="d", actor="a"
    ),
    "resolve_claim": lambda s: s.flow.resolve_claim(s.claim, "bogus", note="n", actor="a"),
    "request_return": lambda s: s.flow.request_return(s.delivered, True, actor="a"),
    "stock_levels": lambda s: s.flow.stock_levels(True),
}


@pytest.mark.parametrize("case", sorted(WRONG_SHAPES))
def test_wrong_shapes_get_a_validation_error_and_change_nothing(case: str) -> None:
    shop = Shop()
    before = shop.snapshot()
    with pytest.raises(ValidationError):
        WRONG_SHAPES[case](shop)
    assert shop.snapshot() == before


def _paths(value: Any, at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [at]
    if isinstance(value, dict):
        for key, item in value.items():
            out += _paths(item, (*at, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            out += _paths(item, (*at, i))
    return out


@st.composite
def broken_payloads(draw: st.DrawFn) -> Any:
    """A valid order payload with one to three places replaced, removed or added to."""
    payload: Any = copy.deepcopy(order_data(external_reference=f"F-{draw(st.integers(0, 10**6))}"))
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(payload)
        path = draw(st.sampled_from(paths))
        action = draw(st.sampled_from(["replace", "delete", "add"]))
        if not path:
            payload = draw(json_like) if action == "replace" else payload
            continue
        *parent_path, key = path
        parent = payload
        for step in parent_path:
            parent = parent[step]
        if action == "replace":
            parent[key] = draw(json_like)
        elif action == "delete":
            del parent[key]
        elif isinstance(parent, dict):
            parent[draw(st.text(max_size=8))] = draw(json_like)
        else:
            parent.append(draw(json_like))
    return payload


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(payload=broken_payloads())
def test_broken_order_payloads_get_orderflow_errors_and_store_nothing(payload: Any) -> None:
    shop = Shop()
    refused_cleanly(shop, lambda: shop.flow.place_order(payload))
