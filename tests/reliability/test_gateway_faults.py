"""Many orders through confirmation, capture, shipment and cancellation while the gateway fails,
times out and declines at random: no idempotency key ever moves money twice, every order's
payments match what the gateway moved, and once pending operations are resumed no cancelled order
keeps captured money.

Unlike ``tests/application/test_payment_faults.py`` (random operations on a few orders) each
example here is a batch of whole order journeys, each with its own fault script, on the in-memory
engine and on a SQLite file.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orderflow import ManualClock, Money, OrderFlow, OrderflowError
from orderflow.adapters.carrier import FakeCarrier
from orderflow.adapters.gateway import FakeGateway, FakeGatewayScript
from orderflow.application.services import CaptureMode, PaymentSettings
from orderflow.domain.inventory import Location
from orderflow.domain.shipping import Package
from orderflow.domain.values import Address
from orderflow.testing.contract import order_data

WAREHOUSE = Address(name="DC", line1="Lagerweg 1", city="Berlin", country="DE")

faults = st.fixed_dictionaries(
    {"fail": st.integers(0, 5), "time_out": st.integers(0, 3)}
)  # fmt: skip
journeys = st.lists(
    st.fixed_dictionaries(
        {
            "declined": st.booleans(),
            "capture": st.sampled_from(list(CaptureMode)),
            "at_confirm": faults,
            "at_ship": faults,
            "ship": st.booleans(),
            "cancel": st.sampled_from(["never", "after_confirm", "after_resume"]),
        }
    ),
    min_size=1,
    max_size=6,
)


class World:
    def __init__(self, flow_for: Any) -> None:
        self.clock = ManualClock()
        self.gateway = FakeGateway(self.clock, FakeGatewayScript(decline_tokens={"tok_bad"}))
        self.settings = PaymentSettings(gateway_attempts=2, sleep=lambda _: None)
        self.flow: OrderFlow = flow_for(
            clock=self.clock,
            gateway=self.gateway,
            carrier=FakeCarrier(),
            payment_settings=self.settings,
        )
        self.flow.add_location(
            Location(code="BER", name="Berlin", country="DE", priority=1, address=WAREHOUSE)
        )
        for sku in ("MUG", "TEE"):
            self.flow.receive_stock(sku, "BER", 10_000, actor="ops")

    def script(self, fault: dict[str, int]) -> None:
        self.gateway.script.fail_next = fault["fail"]
        self.gateway.script.time_out_next = fault["time_out"]

    def attempt(self, action: Any) -> None:
        # a refusal or a silent gateway is an outcome, not a failure of the test
        with contextlib.suppress(OrderflowError):
            action()


def journey(world: World, i: int, plan: dict[str, Any]) -> str:
    flow = world.flow
    token = "tok_bad" if plan["declined"] else f"tok_{i}"
    data = order_data(external_reference=f"J-{i}", payment_method={"token": token})
    number = flow.place_order(data).number
    flow.verify_order(number)
    world.settings.capture = plan["capture"]
    world.script(plan["at_confirm"])
    world.attempt(lambda: flow.confirm_order(number))
    if plan["cancel"] == "after_confirm":
        world.attempt(lambda: flow.cancel_order(number, reason="changed mind", actor="ann"))
    if plan["ship"] and flow.get_order(number).status.value == "confirmed":
        world.script(plan["at_ship"])
        world.attempt(lambda: ship_everything(flow, number))
    world.script({"fail": 0, "time_out": 0})
    return number


def ship_everything(flow: OrderFlow, number: str) -> None:
    for shipment in flow.create_shipments(number):
        flow.start_picking(shipment.id, actor="picker")
        for line in shipment.lines:
            for _ in range(line.quantity):
                flow.scan_item(shipment.id, line.sku, actor="picker")
        flow.pack_shipment(shipment.id, [Package(weight_g=500)], actor="picker")
        flow.ship_shipment(shipment.id, actor="picker")


def check_money(world: World, numbers: list[str]) -> None:
    charges = world.gateway.charges
    keys = Counter(c.key for c in charges)
    assert all(n == 1 for n in keys.values()), f"a key moved money twice: {keys}"
    for number in numbers:
        for payment in world.flow.payments(number):
            moved: Counter[str] = Counter()
            for charge in charges:
                if charge.key.startswith(payment.id + "-"):
                    moved[charge.kind] += charge.amount.minor
            assert payment.pending() is None, f"{payment.id} still pending after resume"
            assert moved["capture"] == payment.captured.minor, payment
            assert moved["refund"] == payment.refunded.minor, payment
            zero = Money.zero("EUR")
            assert zero <= payment.refunded <= payment.captured <= payment.authorised


def run_batch(flow_for: Any, plans: list[dict[str, Any]]) -> None:
    world = World(flow_for)
    numbers = [journey(world, i, plan) for i, plan in enumerate(plans)]
    world.flow.resume_payments()
    for number, plan in zip(numbers, plans, strict=True):
        if plan["cancel"] == "after_resume":
            world.attempt(lambda n=number: world.flow.cancel_order(n, reason="r", actor="ann"))
    world.flow.resume_payments()
    check_money(world, numbers)
    for number in numbers:
        order = world.flow.get_order(number)
        if order.status.value == "cancelled":
            for payment in world.flow.payments(number):
                assert payment.captured == payment.refunded, f"{number} kept captured money"
                assert payment.status.value != "authorised", f"{number} left an authorisation"


@pytest.fixture(params=["memory", "sqlite"])
def flow_for(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    made: list[OrderFlow] = []
    counter = iter(range(1_000_000))

    def build(**adapters: Any) -> OrderFlow:
        if request.param == "memory":
            flow = OrderFlow.in_memory(**adapters)
        else:
            flow = OrderFlow.from_url(f"sqlite:///{tmp_path}/faults-{next(counter)}.db", **adapters)
            flow.upgrade_schema()
        made.append(flow)
        return flow

    yield build
    for flow in made:
        flow.close()


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plans=journeys)
def test_gateway_faults_never_double_charge_nor_keep_money_of_cancelled_orders(
    flow_for: Any, plans: list[dict[str, Any]]
) -> None:
    run_batch(flow_for, plans)
