"""Placement input: strict structuring, every bad field named by its path, nothing stored."""

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orderflow import IdempotencyConflict, ManualClock, OrderFlow, ValidationError
from orderflow.testing.contract import order_data
from orderflow.testing.strategies import place_order_data


@pytest.fixture
def flow() -> OrderFlow:
    return OrderFlow.in_memory(clock=ManualClock())


def problems(flow: OrderFlow, data: Any) -> dict[str, str]:
    with pytest.raises(ValidationError) as info:
        flow.place_order(data)
    assert flow.find_orders() == []
    return {p.path: p.message for p in info.value.problems}


def test_every_bad_field_is_reported_by_path(flow: OrderFlow) -> None:
    data = order_data(
        channel="fax",
        lines=[
            {"sku": "A", "name": "A", "quantity": 1.9, "unit_price": 1.5, "colour": "red"},
            {"sku": "B", "name": "B", "quantity": True, "unit_price": "1", "kind": "virtual"},
        ],
        customer={"email": "not-an-address"},
    )
    found = problems(flow, data)
    assert set(found) == {
        "channel",
        "lines[0].quantity",
        "lines[0].unit_price",
        "lines[0].colour",
        "lines[1].quantity",
        "lines[1].kind",
        "customer.email",
    }
    assert found["lines[0].colour"] == "unknown field"
    assert "1.9" in found["lines[0].quantity"]
    assert "web, mobile, phone" in found["channel"]


def test_missing_required_fields(flow: OrderFlow) -> None:
    assert problems(flow, {"channel": "web"}) == {
        "currency": "is required",
        "lines": "is required",
    }


def test_not_an_object(flow: OrderFlow) -> None:
    assert problems(flow, ["web"]) == {"": "expected an object, got list"}


@pytest.mark.parametrize(
    ("override", "path", "message"),
    [
        ({"currency": "EUX"}, "currency", "'EUX' is not an ISO 4217 currency code"),
        ({"shipping": "1.001"}, "shipping", "1.001 has more than 2 decimals for EUR"),
        ({"shipping": "-1"}, "shipping", "must not be negative"),
        ({"order_discount": "999"}, "order_discount", "exceeds the lines' net amount"),
        ({"expected_total": "1.00"}, "expected_total", "is 1.00 EUR but the order's lines add up to 43.21 EUR"),
        ({"lines": []}, "lines", "an order needs at least one line"),
        ({"payment_method": {"token": "4242 4242 4242 4242"}}, "payment_method.token", "looks like a card number"),
        ({"payment_method": {"token": "t", "last4": "42"}}, "payment_method.last4", "exactly four digits"),
        ({"shipping_address": {"name": "A", "line1": "B", "city": "C", "country": "Germany"}}, "shipping_address.country", "two-letter"),
        ({"lines": [{"sku": "A", "name": " ", "quantity": 1, "unit_price": "1"}]}, "lines[0].name", "must not be blank"),
        ({"lines": [{"sku": "A", "name": "A", "quantity": 0, "unit_price": "1"}]}, "lines[0].quantity", "at least 1"),
        ({"lines": [{"sku": "A", "name": "A", "quantity": 1, "unit_price": "1", "tax_rate": "19"}]}, "lines[0].tax_rate", "between 0 and 1"),
    ],
)  # fmt: skip
def test_single_problems(
    flow: OrderFlow, override: dict[str, Any], path: str, message: str
) -> None:
    found = problems(flow, order_data(**override))
    assert path in found, found
    assert message in found[path]


def test_expected_total_that_agrees_is_accepted(flow: OrderFlow) -> None:
    order = flow.place_order(order_data(expected_total="43.21"))
    assert str(order.totals.total) == "43.21 EUR"


def test_billing_address_defaults_to_shipping(flow: OrderFlow) -> None:
    order = flow.place_order(order_data())
    assert order.billing_address == order.shipping_address


@given(place_order_data())
def test_valid_payloads_are_accepted_and_totals_recomputed(data: dict[str, Any]) -> None:
    flow = OrderFlow.in_memory(clock=ManualClock())
    order = flow.place_order(data)
    t = order.totals
    assert t.items - t.line_discounts - t.order_discount + t.shipping + t.tax == t.total
    assert flow.verify_order(order.number).status == "verified"


@given(
    place_order_data(),
    st.sampled_from(["lines", "customer", "shipping", "currency", "channel"]),
    st.one_of(st.none(), st.integers(), st.floats(allow_nan=False), st.booleans(), st.lists(st.none(), max_size=1), st.text(max_size=3)),
)  # fmt: skip
def test_corrupted_payloads_fail_cleanly(data: dict[str, Any], key: str, junk: Any) -> None:
    flow = OrderFlow.in_memory(clock=ManualClock())
    data[key] = junk
    try:
        flow.place_order(data)
    except ValidationError as exc:
        assert exc.problems
        assert all(p.message for p in exc.problems)
        assert flow.find_orders() == []
    else:
        assert len(flow.find_orders()) == 1


def test_actor_strings(flow: OrderFlow) -> None:
    number = flow.place_order(order_data()).number
    flow.add_note(number, "hi", actor="integration:crm")
    assert flow.history(number)[-1].actor == "integration:crm"
    with pytest.raises(ValidationError, match="actor: 'robot' is not one of"):
        flow.add_note(number, "hi", actor="robot:r2")


def test_filters_are_validated(flow: OrderFlow) -> None:
    with pytest.raises(ValidationError, match="status: 'lost' is not one of"):
        flow.find_orders(status="lost")
    with pytest.raises(ValidationError, match="hold_type"):
        flow.place_hold("OF-1", "whim", reason="x", actor="a")


def test_control_characters_are_refused(flow: OrderFlow) -> None:
    found = problems(flow, order_data(customer={"name": "Ann\x00Lee"}))
    assert found == {"customer.name": "must not contain control characters"}
    assert problems(flow, order_data(note="ok\x07")) == {
        "note": "must not contain control characters"
    }
    assert flow.place_order(order_data(note="line one\nline two\ttabbed")).notes


def test_a_retry_spelling_out_optional_fields_as_null_is_the_same_request(flow: OrderFlow) -> None:
    data = order_data(external_reference="WEB-NULLS")
    first = flow.place_order(data)
    spelled = {**data, "client_ip": None, "customer": {**data["customer"], "locale": None}}
    assert flow.place_order(spelled).number == first.number
    with pytest.raises(IdempotencyConflict):
        flow.place_order({**data, "client_ip": "203.0.113.9"})
