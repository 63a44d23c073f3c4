"""A hypothesis state machine over stock: receipts, reservations, commits, releases, expiries,
adjustments and transfers, checking the stock invariants after every step."""

from datetime import timedelta

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from orderflow import InsufficientStock, ManualClock, OrderFlow
from orderflow.application import inventory
from orderflow.domain.inventory import Location, ReservationStatus, replay_levels
from orderflow.testing.inventory_contract import mug_order

LOCATIONS = ["BER", "MUC"]


class StockMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.clock = ManualClock()
        self.flow = OrderFlow.in_memory(clock=self.clock)
        for i, code in enumerate(LOCATIONS):
            self.flow.add_location(Location(code=code, name=code, country="DE", priority=i))
        self.orders: list[str] = []
        self.count = 0

    @rule(location=st.sampled_from(LOCATIONS), quantity=st.integers(1, 6))
    def receive(self, location: str, quantity: int) -> None:
        self.flow.receive_stock("MUG", location, quantity, actor="ops")

    @rule(quantity=st.integers(1, 5), expiring=st.booleans(), backorder=st.booleans())
    def reserve(self, quantity: int, expiring: bool, backorder: bool) -> None:
        self.flow.set_sku_policy("MUG", shortage="backorder" if backorder else "hold")
        self.count += 1
        number = self.flow.place_order(mug_order(quantity, f"R{self.count}")).number
        expires = self.clock.now() + timedelta(minutes=10) if expiring else None
        self.flow.reserve_stock(number, expires_at=expires)
        self.orders.append(number)

    @precondition(lambda self: self.orders)
    @rule(data=st.data())
    def commit_open_units(self, data: st.DataObject) -> None:
        number = data.draw(st.sampled_from(self.orders))
        reservation = self.flow.get_reservation(number)
        quantities = {(r.sku, r.location): r.open for r in reservation.lines if r.open}
        if not reservation.is_active or not quantities:
            return
        with self.flow.services.uow() as uow:
            order = uow.orders.get(number)
            inventory.commit(self.flow.services, uow, order, quantities, inventory.INVENTORY)
            uow.orders.save(order)
            uow.commit()

    @precondition(lambda self: self.orders)
    @rule(data=st.data())
    def cancel(self, data: st.DataObject) -> None:
        number = data.draw(st.sampled_from(self.orders))
        if self.flow.get_order(number).status.value == "placed":
            self.flow.cancel_order(number, reason="r", actor="ops")

    @rule(minutes=st.integers(1, 20))
    def expire(self, minutes: int) -> None:
        self.clock.advance(timedelta(minutes=minutes))
        for number in self.flow.expire_reservations():
            assert self.flow.get_reservation(number).status is ReservationStatus.EXPIRED

    @rule(location=st.sampled_from(LOCATIONS), delta=st.integers(-5, 5).filter(bool))
    def adjust(self, location: str, delta: int) -> None:
        before = self.flow.stock_levels(["MUG"])
        try:
            self.flow.adjust_stock("MUG", location, delta, reason="r", actor="ops")
        except (InsufficientStock, LookupError):
            assert self.flow.stock_levels(["MUG"]) == before

    @rule(quantity=st.integers(1, 4), source=st.sampled_from(LOCATIONS))
    def transfer(self, quantity: int, source: str) -> None:
        target = next(c for c in LOCATIONS if c != source)
        before = self.flow.stock_levels(["MUG"])
        try:
            self.flow.transfer_stock("MUG", source, target, quantity, actor="ops")
        except (InsufficientStock, LookupError):
            assert self.flow.stock_levels(["MUG"]) == before

    @invariant()
    def stock_is_consistent(self) -> None:
        levels = {lv.key: lv for lv in self.flow.stock_levels()}
        for level in levels.values():
            assert 0 <= level.reserved <= level.on_hand
            assert level.available >= 0
        reserved: dict[tuple[str, str], int] = {}
        for number in self.orders:
            r = self.flow.get_reservation(number)
            if r.is_active:
                for line in r.lines:
                    key = (line.sku, line.location)
                    reserved[key] = reserved.get(key, 0) + line.open
        assert {k: lv.reserved for k, lv in levels.items() if lv.reserved} == {
            k: v for k, v in reserved.items() if v
        }
        assert replay_levels(self.flow.stock_ledger()) == {
            k: (lv.on_hand, lv.reserved) for k, lv in levels.items()
        }


TestStockMachine = StockMachine.TestCase
