"""The behaviour every persistence backend must show, as a pytest suite to subclass.

    class TestMyBackend(OrderFlowContract):
        @pytest.fixture
        def make_services(self, tmp_path):
            return functools.partial(my_services, tmp_path)

Every test runs through the public ``OrderFlow`` facade and the ports, so a backend that passes
behaves, for the use cases, exactly like the in-memory reference adapter.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any, Protocol

import pytest

from orderflow.adapters.clock import ManualClock
from orderflow.adapters.reference import InMemoryCatalog
from orderflow.application.services import Services
from orderflow.domain.errors import (
    ConcurrencyError,
    HoldError,
    IdempotencyConflict,
    IllegalTransition,
    OrderNotFound,
    OrderOnHold,
)
from orderflow.domain.holds import HoldType
from orderflow.domain.money import Money
from orderflow.domain.order import OrderStatus, replay_status
from orderflow.domain.values import Actor, Channel
from orderflow.engine import OrderFlow
from orderflow.ports import Catalog, CatalogItem


class MakeServices(Protocol):
    """Builds the Services of one fresh, empty backend."""

    def __call__(self, *, clock: ManualClock, catalog: Catalog | None = None) -> Services: ...


ALICE = Actor.person("alice")
ADDRESS = {
    "name": "Ann Lee",
    "line1": "Hauptstr. 5",
    "city": "Berlin",
    "postal_code": "10115",
    "country": "DE",
}


def order_data(**overrides: Any) -> dict[str, Any]:
    """A complete order payload that passes verification; ``overrides`` replace keys."""
    data: dict[str, Any] = {
        "channel": "web",
        "currency": "EUR",
        "external_reference": "WEB-1001",
        "customer": {"id": "c-1", "name": "Ann Lee", "email": "ann@example.com"},
        "shipping_address": ADDRESS,
        "lines": [
            {"sku": "MUG", "name": "Mug", "quantity": 2, "unit_price": "9.50", "tax_rate": "0.19"},
            {
                "sku": "TEE",
                "name": "T-shirt",
                "quantity": 1,
                "unit_price": "20.00",
                "discount": "2",
            },
        ],
        "shipping": "4.95",
        "shipping_tax_rate": "0.19",
        "order_discount": "3.00",
        "payment_method": {"token": "tok_123", "brand": "visa", "last4": "4242"},
        "note": "leave at the door",
    }
    data.update(overrides)
    return data


class BackendSuite:
    """What every contract suite needs: the backend's ``make_services`` (the subclass for a
    backend overrides this fixture) and a manual clock."""

    @pytest.fixture
    def make_services(self) -> MakeServices:
        raise NotImplementedError("override the make_services fixture")

    @pytest.fixture
    def clock(self) -> ManualClock:
        return ManualClock()


class OrderFlowContract(BackendSuite):
    """Use-case behaviour over one backend. Subclasses override the ``make_services`` fixture."""

    @pytest.fixture
    def flow(self, make_services: MakeServices, clock: ManualClock) -> OrderFlow:
        return OrderFlow(make_services(clock=clock))

    # -- placement ------------------------------------------------------------------------------

    def test_placed_order_reads_back_identically(self, flow: OrderFlow) -> None:
        placed = flow.place_order(order_data(), actor="integration:storefront")
        loaded = flow.get_order(placed.number)
        for name in (
            "number", "channel", "external_reference", "customer", "shipping_address",
            "billing_address", "lines", "shipping_tax", "totals", "shipping_option",
            "payment_method", "placed_at", "fingerprint", "status", "holds", "notes", "version",
        ):  # fmt: skip
            assert getattr(loaded, name) == getattr(placed, name), name
        assert loaded.totals.total == Money.of("43.21", "EUR")
        assert loaded.version == 1
        assert loaded.placed_at.utcoffset() is not None

    def test_retried_placement_returns_the_same_order(self, flow: OrderFlow) -> None:
        first = flow.place_order(order_data())
        again = flow.place_order(order_data())
        assert again.number == first.number
        assert len(flow.find_orders()) == 1
        assert [h.event for h in flow.history(first.number)] == ["OrderPlaced", "NoteAdded"]

    def test_reused_reference_with_other_details_is_refused(self, flow: OrderFlow) -> None:
        flow.place_order(order_data())
        with pytest.raises(IdempotencyConflict, match="WEB-1001"):
            flow.place_order(order_data(shipping="0"))
        assert len(flow.find_orders()) == 1

    def test_same_reference_on_another_channel_is_another_order(self, flow: OrderFlow) -> None:
        a = flow.place_order(order_data())
        b = flow.place_order(order_data(channel="marketplace"))
        assert a.number != b.number

    def test_concurrent_retries_create_one_order(self, flow: OrderFlow) -> None:
        results: list[str] = []
        errors: list[BaseException] = []

        def place() -> None:
            try:
                results.append(flow.place_order(order_data()).number)
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=place) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        assert len(set(results)) == 1
        assert len(flow.find_orders()) == 1

    # -- verification and holds -----------------------------------------------------------------

    def test_complete_order_verifies(self, flow: OrderFlow) -> None:
        number = flow.place_order(order_data()).number
        assert flow.verify_order(number, actor=ALICE).status is OrderStatus.VERIFIED
        assert flow.get_order(number).status is OrderStatus.VERIFIED

    def test_failed_checks_hold_and_last_release_resumes(self, flow: OrderFlow) -> None:
        data = order_data(customer={"id": "c-2"}, shipping_address=None, payment_method=None)
        number = flow.place_order(data).number
        held = flow.verify_order(number, actor=ALICE)
        assert held.status is OrderStatus.PLACED
        assert {h.type for h in held.holds} == {
            HoldType.CUSTOMER_CONTACT,
            HoldType.ADDRESS,
            HoldType.PAYMENT,
        }
        flow.release_hold(number, "address", reason="confirmed by phone", actor=ALICE)
        flow.release_hold(number, "payment", reason="pays on pickup", actor=ALICE)
        assert flow.get_order(number).status is OrderStatus.PLACED
        done = flow.release_hold(number, "customer_contact", reason="called", actor=ALICE)
        assert done.status is OrderStatus.VERIFIED
        assert flow.find_orders(hold_type="address") == []

    def test_invalid_postal_code_places_an_address_hold(self, flow: OrderFlow) -> None:
        bad = {**ADDRESS, "postal_code": "ABC"}
        number = flow.place_order(order_data(shipping_address=bad)).number
        order = flow.verify_order(number)
        assert [h.type for h in order.holds] == [HoldType.ADDRESS]
        assert "postal code 'ABC'" in order.holds[0].reason

    def test_catalogue_price_mismatch_places_a_pricing_hold(
        self, make_services: MakeServices, clock: ManualClock
    ) -> None:
        catalog = InMemoryCatalog(
            [
                CatalogItem(sku="MUG", name="Mug", price=Money.of("9.50", "EUR")),
                CatalogItem(sku="TEE", name="T-shirt", price=Money.of("25.00", "EUR")),
            ]
        )
        flow = OrderFlow(make_services(clock=clock, catalog=catalog))
        number = flow.place_order(order_data()).number
        order = flow.verify_order(number)
        assert [h.type for h in order.holds] == [HoldType.PRICING]
        assert "TEE at 20.00 EUR, catalogue says 25.00 EUR" in order.holds[0].reason

    def test_manual_hold_blocks_progress_and_leaves_order_untouched(self, flow: OrderFlow) -> None:
        number = flow.place_order(order_data()).number
        flow.place_hold(number, HoldType.MANUAL, reason="customer called", actor=ALICE)
        before = flow.get_order(number)
        with pytest.raises(OrderOnHold, match="manual"):
            flow.verify_order(number)
        after = flow.get_order(number)
        assert (after.status, after.version, len(after.holds)) == (
            before.status,
            before.version,
            len(before.holds),
        )

    def test_one_active_hold_per_type(self, flow: OrderFlow) -> None:
        number = flow.place_order(order_data()).number
        flow.place_hold(number, "manual", reason="check", actor=ALICE)
        with pytest.raises(HoldError, match="already has an active manual hold"):
            flow.place_hold(number, "manual", reason="again", actor=ALICE)
        with pytest.raises(HoldError, match="no active address hold"):
            flow.release_hold(number, "address", reason="none", actor=ALICE)

    def test_expired_holds_are_swept_and_the_order_resumes(
        self, flow: OrderFlow, clock: ManualClock
    ) -> None:
        number = flow.place_order(order_data(customer={"name": "Ann"})).number
        flow.verify_order(number)
        flow.place_hold(
            number, "manual", reason="wait an hour", actor=ALICE,
            expires_at=clock.now() + timedelta(hours=1),
        )  # fmt: skip
        flow.release_hold(number, "customer_contact", reason="called", actor=ALICE)
        assert flow.get_order(number).status is OrderStatus.PLACED
        assert flow.sweep_expired_holds() == []
        clock.advance(timedelta(hours=1))
        assert flow.sweep_expired_holds() == [number]
        order = flow.get_order(number)
        assert order.status is OrderStatus.VERIFIED
        assert flow.history(number)[-2].event == "HoldExpired"

    # -- cancel, notes, history -----------------------------------------------------------------

    def test_cancel_releases_holds_and_records_reason(self, flow: OrderFlow) -> None:
        number = flow.place_order(order_data()).number
        flow.place_hold(number, "fraud_review", reason="high value", actor="system:fraud")
        order = flow.cancel_order(number, reason="customer changed mind", actor=ALICE)
        assert order.status is OrderStatus.CANCELLED
        assert order.active_holds(order.placed_at) == []
        tail = flow.history(number)[-2:]
        assert [(e.event, e.reason) for e in tail] == [
            ("HoldReleased", "order cancelled"),
            ("OrderCancelled", "customer changed mind"),
        ]

    def test_illegal_transition_raises_and_changes_nothing(self, flow: OrderFlow) -> None:
        number = flow.place_order(order_data()).number
        flow.cancel_order(number, reason="duplicate", actor=ALICE)
        history = flow.history(number)
        with pytest.raises(IllegalTransition, match="cannot verify when cancelled"):
            flow.verify_order(number)
        with pytest.raises(IllegalTransition):
            flow.cancel_order(number, reason="again", actor=ALICE)
        assert flow.history(number) == history
        assert flow.get_order(number).version == 2

    def test_notes_are_kept_with_their_author(self, flow: OrderFlow, clock: ManualClock) -> None:
        number = flow.place_order(order_data(note=None)).number
        clock.advance(timedelta(minutes=5))
        flow.add_note(number, "gift wrap please", actor=ALICE)
        order = flow.get_order(number)
        assert [(n.text, n.author, n.written_at) for n in order.notes] == [
            ("gift wrap please", ALICE, clock.now())
        ]

    def test_history_is_complete_and_replays_to_state(self, flow: OrderFlow) -> None:
        number = flow.place_order(order_data(payment_method=None)).number
        flow.verify_order(number, actor=ALICE)
        flow.add_note(number, "asked for card", actor=ALICE)
        flow.release_hold(number, "payment", reason="card on file", actor="bob")
        history = flow.history(number)
        assert [h.seq for h in history] == list(range(1, len(history) + 1))
        assert [h.event for h in history] == [
            "OrderPlaced", "NoteAdded", "HoldPlaced", "NoteAdded", "HoldReleased", "OrderVerified",
        ]  # fmt: skip
        assert history[-1].actor == "person:bob"
        assert history[-1].message_id == f"{number}:6"
        recorded = flow.services.queries.history(number)
        order = flow.get_order(number)
        unreleased = frozenset(h.type for h in order.holds if h.released_at is None)
        assert replay_status([r.event for r in recorded]) == (order.status, unreleased)

    def test_unknown_order_number(self, flow: OrderFlow) -> None:
        with pytest.raises(OrderNotFound, match="NOPE"):
            flow.get_order("NOPE")
        with pytest.raises(OrderNotFound):
            flow.history("NOPE")
        with pytest.raises(OrderNotFound):
            flow.add_note("NOPE", "x", actor=ALICE)

    # -- finding --------------------------------------------------------------------------------

    def test_find_orders_filters(self, flow: OrderFlow, clock: ManualClock) -> None:
        start = clock.now()
        web = flow.place_order(order_data()).number
        clock.advance(timedelta(days=1))
        phone = flow.place_order(
            order_data(channel="phone", external_reference=None, customer={"id": "c-9"})
        ).number
        flow.verify_order(phone)
        flow.verify_order(web)

        def numbers(**filters: Any) -> list[str]:
            return [s.number for s in flow.find_orders(**filters)]

        assert numbers() == [web, phone]
        assert numbers(status="verified") == [web]
        assert numbers(status=OrderStatus.PLACED) == [phone]
        assert numbers(channel=Channel.PHONE) == [phone]
        assert numbers(customer_id="c-1") == [web]
        assert numbers(hold_type="customer_contact") == [phone]
        assert numbers(placed_from=start + timedelta(hours=1)) == [phone]
        assert numbers(placed_to=start + timedelta(hours=1)) == [web]
        assert numbers(limit=1, offset=1) == [phone]
        summary = flow.find_orders(channel="phone")[0]
        assert summary.hold_types == (HoldType.CUSTOMER_CONTACT,)
        assert summary.total == flow.get_order(phone).totals.total

    # -- transactions ---------------------------------------------------------------------------

    def test_unit_of_work_rolls_back_without_commit(self, flow: OrderFlow) -> None:
        number = flow.place_order(order_data()).number
        with flow.services.uow() as uow:
            order = uow.orders.get(number)
            order.add_note("never saved", actor=ALICE, now=order.placed_at)
            uow.orders.save(order)
        assert len(flow.get_order(number).notes) == 1
        assert len(flow.history(number)) == 2

    def test_lost_update_is_refused(self, flow: OrderFlow) -> None:
        number = flow.place_order(order_data()).number
        first, second = flow.services.uow(), flow.services.uow()
        with first, second:
            a = first.orders.get(number)
            b = second.orders.get(number)
            a.add_note("first", actor=ALICE, now=a.placed_at)
            b.add_note("second", actor=ALICE, now=b.placed_at)
            first.orders.save(a)
            second.orders.save(b)
            first.commit()
            with pytest.raises(ConcurrencyError, match=f"order {number}"):
                second.commit()
        assert [n.text for n in flow.get_order(number).notes] == ["leave at the door", "first"]


def run_contract(make: Callable[..., Services]) -> type[OrderFlowContract]:
    """A contract subclass over ``make`` (for backends that need no fixtures)."""

    class Contract(OrderFlowContract):
        @pytest.fixture
        def make_services(self) -> MakeServices:
            return make

    return Contract
