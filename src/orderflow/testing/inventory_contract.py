"""The inventory behaviour every persistence backend must show (subclass like OrderFlowContract)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from orderflow.adapters.clock import ManualClock
from orderflow.application import inventory
from orderflow.domain.errors import InsufficientStock, NotFound
from orderflow.domain.events import StockAlert
from orderflow.domain.holds import HoldType
from orderflow.domain.inventory import Location, MovementKind, ReservationStatus, replay_levels
from orderflow.domain.money import Money
from orderflow.domain.order import OrderStatus
from orderflow.engine import OrderFlow
from orderflow.testing.contract import BackendSuite, MakeServices, order_data

BER = Location(code="BER", name="Berlin DC", country="DE", priority=1)
MUC = Location(code="MUC", name="Munich DC", country="DE", priority=2)
OPS = "alice"


def mug_order(
    quantity: int, reference: str | None = None, **overrides: object
) -> dict[str, object]:
    """An order for ``quantity`` mugs (and a digital gift card that needs no stock)."""
    lines = [
        {"sku": "MUG", "name": "Mug", "quantity": quantity, "unit_price": "9.50"},
        {"sku": "GIFT", "name": "Gift card", "quantity": 1, "unit_price": "5", "kind": "digital"},
    ]
    return order_data(lines=lines, external_reference=reference, note=None, **overrides)


class InventoryContract(BackendSuite):
    """Stock, reservations and their effect on orders, over one backend."""

    @pytest.fixture
    def flow(self, make_services: MakeServices, clock: ManualClock) -> OrderFlow:
        flow = OrderFlow(make_services(clock=clock))
        flow.add_location(BER)
        flow.add_location(MUC)
        return flow

    def _verified(self, flow: OrderFlow, quantity: int, reference: str | None = None) -> str:
        number = flow.place_order(mug_order(quantity, reference)).number
        flow.verify_order(number)
        return number

    def _level(self, flow: OrderFlow, sku: str, location: str) -> tuple[int, int]:
        (level,) = [lv for lv in flow.stock_levels([sku]) if lv.location == location]
        return level.on_hand, level.reserved

    def test_receipts_keep_weighted_average_cost_and_a_ledger(self, flow: OrderFlow) -> None:
        flow.receive_stock("MUG", "BER", 10, unit_cost=Money.of("2.00", "EUR"), actor=OPS)
        level = flow.receive_stock("MUG", "BER", 30, unit_cost=Money.of("3.00", "EUR"), actor=OPS)
        assert (level.on_hand, level.available, level.average_cost) == (
            40,
            40,
            Money.of("2.75", "EUR"),
        )
        assert level.value() == Money.of("110.00", "EUR")
        kinds = [m.kind for m in flow.stock_ledger(sku="MUG")]
        assert kinds == [MovementKind.RECEIPT, MovementKind.RECEIPT]

    def test_unknown_location_is_refused(self, flow: OrderFlow) -> None:
        with pytest.raises(NotFound, match="location 'XXX'"):
            flow.receive_stock("MUG", "XXX", 1, actor=OPS)
        assert flow.stock_levels() == []

    def test_adjust_count_transfer_write_off(self, flow: OrderFlow) -> None:
        flow.receive_stock("MUG", "BER", 10, unit_cost=Money.of("2.00", "EUR"), actor=OPS)
        assert flow.adjust_stock("MUG", "BER", -2, reason="found broken", actor=OPS).on_hand == 8
        result = flow.count_stock("MUG", "BER", 7, actor=OPS)
        assert (result.expected, result.counted, result.discrepancy) == (8, 7, -1)
        flow.transfer_stock("MUG", "BER", "MUC", 3, actor=OPS)
        assert flow.write_off("MUG", "MUC", 1, reason="dropped", actor=OPS).on_hand == 2
        assert self._level(flow, "MUG", "BER") == (4, 0)
        muc = next(lv for lv in flow.stock_levels(["MUG"]) if lv.location == "MUC")
        assert muc.average_cost == Money.of("2.00", "EUR")
        count = [m for m in flow.stock_ledger(sku="MUG") if m.kind is MovementKind.COUNT]
        assert count[0].reason == "counted 7, expected 8"

    def test_stock_never_goes_below_reserved(self, flow: OrderFlow) -> None:
        flow.receive_stock("MUG", "BER", 5, actor=OPS)
        flow.confirm_order(self._verified(flow, 4))
        with pytest.raises(InsufficientStock, match="5 on hand, 4 reserved"):
            flow.adjust_stock("MUG", "BER", -2, reason="oops", actor=OPS)
        with pytest.raises(InsufficientStock):
            flow.transfer_stock("MUG", "BER", "MUC", 2, actor=OPS)
        assert self._level(flow, "MUG", "BER") == (5, 4)
        assert len(flow.stock_ledger(sku="MUG")) == 2

    def test_confirm_reserves_and_cancel_releases_once(self, flow: OrderFlow) -> None:
        flow.receive_stock("MUG", "BER", 3, actor=OPS)
        flow.receive_stock("MUG", "MUC", 10, actor=OPS)
        number = self._verified(flow, 5)
        order = flow.confirm_order(number, actor="bob")
        assert order.status is OrderStatus.CONFIRMED
        reservation = flow.get_reservation(number)
        assert [(r.sku, r.location, r.quantity) for r in reservation.lines] == [
            ("MUG", "BER", 3),
            ("MUG", "MUC", 2),
        ]
        assert (self._level(flow, "MUG", "BER"), self._level(flow, "MUG", "MUC")) == (
            (3, 3),
            (10, 2),
        )
        flow.cancel_order(number, reason="customer request", actor="bob")
        assert flow.get_reservation(number).status is ReservationStatus.RELEASED
        assert (self._level(flow, "MUG", "BER"), self._level(flow, "MUG", "MUC")) == (
            (3, 0),
            (10, 0),
        )
        events = [e.event for e in flow.history(number)]
        assert events[-3:] == ["HoldReleased", "OrderCancelled", "StockReleased"] or events[
            -2:
        ] == [
            "OrderCancelled",
            "StockReleased",
        ]
        assert "StockReserved" in events

    def test_shortage_holds_then_receipt_fills_oldest_first(self, flow: OrderFlow) -> None:
        flow.receive_stock("MUG", "BER", 3, actor=OPS)
        first, second = self._verified(flow, 3, "A"), self._verified(flow, 3, "B")
        assert flow.confirm_order(first).status is OrderStatus.CONFIRMED
        held = flow.confirm_order(second)
        assert held.status is OrderStatus.VERIFIED
        assert [h.reason for h in held.active_holds(held.placed_at)] == [
            "waiting for stock: MUG x3"
        ]
        third = flow.place_order(mug_order(2, "C")).number
        assert flow.verify_order(third).active_holds(held.placed_at)[0].type is HoldType.STOCK
        flow.receive_stock("MUG", "MUC", 4, actor=OPS)
        assert flow.get_order(second).status is OrderStatus.CONFIRMED
        assert flow.get_reservation(second).outstanding() == {}
        assert [e.event for e in flow.history(second)][-3:] == [
            "BackorderFilled",
            "HoldReleased",
            "OrderConfirmed",
        ]
        assert flow.get_order(third).status is OrderStatus.PLACED
        flow.receive_stock("MUG", "MUC", 1, actor=OPS)
        assert flow.get_order(third).status is OrderStatus.VERIFIED

    def test_backorder_policy_confirms_and_waits(self, flow: OrderFlow) -> None:
        flow.set_sku_policy("MUG", shortage="backorder")
        flow.receive_stock("MUG", "BER", 1, actor=OPS)
        number = self._verified(flow, 3)
        assert flow.confirm_order(number).status is OrderStatus.CONFIRMED
        assert flow.get_reservation(number).outstanding() == {"MUG": 2}
        flow.receive_stock("MUG", "BER", 5, actor=OPS)
        assert flow.get_reservation(number).outstanding() == {}
        assert self._level(flow, "MUG", "BER") == (6, 3)

    def test_verify_places_a_stock_hold_when_short(self, flow: OrderFlow) -> None:
        flow.receive_stock("MUG", "BER", 1, actor=OPS)
        number = flow.place_order(mug_order(2)).number
        order = flow.verify_order(number)
        assert [(h.type, h.reason) for h in order.holds] == [
            (HoldType.STOCK, "not enough stock: MUG short by 1")
        ]

    def test_checkout_hold_expires_and_can_be_extended(
        self, flow: OrderFlow, clock: ManualClock
    ) -> None:
        flow.receive_stock("MUG", "BER", 5, actor=OPS)
        keep = flow.place_order(mug_order(2, "KEEP")).number
        lose = flow.place_order(mug_order(2, "LOSE")).number
        for number in (keep, lose):
            flow.reserve_stock(number, expires_at=clock.now() + timedelta(minutes=15))
        assert self._level(flow, "MUG", "BER") == (5, 4)
        flow.extend_reservation(keep, clock.now() + timedelta(hours=1))
        clock.advance(timedelta(minutes=15))
        assert flow.expire_reservations() == [lose]
        assert flow.expire_reservations() == []
        assert self._level(flow, "MUG", "BER") == (5, 2)
        assert flow.history(lose)[-1].event == "ReservationExpired"
        flow.verify_order(keep)
        assert flow.confirm_order(keep).status is OrderStatus.CONFIRMED
        assert flow.get_reservation(keep).expires_at is None

    def test_commit_takes_stock_out_exactly_once(self, flow: OrderFlow) -> None:
        flow.receive_stock("MUG", "BER", 5, actor=OPS)
        number = self._verified(flow, 2)
        flow.confirm_order(number)
        with flow.services.uow() as uow:
            order = uow.orders.get(number)
            inventory.commit(flow.services, uow, order, {("MUG", "BER"): 2}, inventory.INVENTORY)
            uow.orders.save(order)
            uow.commit()
        assert self._level(flow, "MUG", "BER") == (3, 0)
        assert flow.get_reservation(number).status is ReservationStatus.COMMITTED
        flow.cancel_order(number, reason="too late", actor=OPS)
        assert self._level(flow, "MUG", "BER") == (3, 0)

    def test_ledger_replays_to_levels(self, flow: OrderFlow) -> None:
        flow.receive_stock("MUG", "BER", 5, actor=OPS)
        flow.receive_stock("MUG", "MUC", 5, actor=OPS)
        flow.confirm_order(self._verified(flow, 7))
        flow.transfer_stock("MUG", "MUC", "BER", 1, actor=OPS)
        replayed = replay_levels(flow.stock_ledger())
        assert replayed == {lv.key: (lv.on_hand, lv.reserved) for lv in flow.stock_levels()}

    def test_many_threads_never_oversell_a_hot_sku(self, flow: OrderFlow) -> None:
        flow.receive_stock("MUG", "BER", 20, actor=OPS)
        numbers = [flow.place_order(mug_order(1 + i % 3, f"HOT-{i}")).number for i in range(24)]
        errors: list[BaseException] = []

        def confirm(number: str) -> None:
            try:
                flow.reserve_stock(number)
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=confirm, args=(n,)) for n in numbers]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        on_hand, reserved = self._level(flow, "MUG", "BER")
        assert (on_hand, reserved) == (20, 20)
        held = sum(sum(r.quantity for r in flow.get_reservation(n).lines) for n in numbers)
        waiting = sum(flow.get_reservation(n).outstanding().get("MUG", 0) for n in numbers)
        assert held == 20
        assert held + waiting == sum(1 + i % 3 for i in range(24))

    def test_replenishment_suggests_purchases(self, flow: OrderFlow, clock: ManualClock) -> None:
        flow.receive_stock("MUG", "BER", 40, actor=OPS)
        flow.set_reorder("MUG", "BER", point=10, quantity=24)
        for day in range(14):
            number = flow.place_order(mug_order(2, f"D{day}")).number
            flow.reserve_stock(number)
            clock.advance(timedelta(days=1))
        (suggestion,) = flow.replenishment()
        assert (suggestion.sku, suggestion.location, suggestion.available) == ("MUG", "BER", 12)
        assert suggestion.suggested_quantity > 0
        assert suggestion.suggested_quantity % 24 == 0
        assert suggestion.runs_out_on is not None

    def test_low_and_out_of_stock_alerts_go_through_the_outbox(self, flow: OrderFlow) -> None:
        alerts: list[tuple[str, str, int]] = []

        def collect(message: object, event: StockAlert) -> None:
            alerts.append((event.level.value, event.location, event.available))

        flow.subscribe(collect, topics=["StockAlert"])  # type: ignore[arg-type]
        flow.receive_stock("MUG", "BER", 12, actor=OPS)
        flow.set_reorder("MUG", "BER", point=5, quantity=10)
        flow.reserve_stock(flow.place_order(mug_order(6, "A1")).number)
        flow.dispatch_pending()
        assert alerts == []
        flow.reserve_stock(flow.place_order(mug_order(2, "A2")).number)
        flow.write_off("MUG", "BER", 4, reason="broken", actor=OPS)
        flow.dispatch_pending()
        assert alerts == [("low", "BER", 4), ("out", "BER", 0)]
