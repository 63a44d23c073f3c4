"""A hypothesis state machine over the order use cases, checking the invariants after every step."""

from datetime import timedelta
from typing import Any

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from orderflow import (
    HoldError,
    HoldType,
    IdempotencyConflict,
    IllegalTransition,
    ManualClock,
    OrderFlow,
    OrderOnHold,
    OrderStatus,
)
from orderflow.domain.order import replay_status
from orderflow.testing.contract import order_data

HOLDS = st.sampled_from(list(HoldType))
CANCELLABLE = {
    OrderStatus.PLACED,
    OrderStatus.VERIFIED,
    OrderStatus.CONFIRMED,
    OrderStatus.IN_FULFILMENT,
}


class OrderEngine(RuleBasedStateMachine):
    """Model: each order's expected status and set of active hold types."""

    def __init__(self) -> None:
        super().__init__()
        self.clock = ManualClock()
        self.flow = OrderFlow.in_memory(clock=self.clock)
        self.status: dict[str, OrderStatus] = {}
        self.holds: dict[str, set[HoldType]] = {}
        self.expiring: dict[str, dict[HoldType, Any]] = {}
        self.references: dict[str, tuple[str, bool]] = {}

    def _numbers(self) -> st.SearchStrategy[str]:
        return st.sampled_from(sorted(self.status))

    @rule(complete=st.booleans(), reference=st.sampled_from([None, "R1", "R2", "R3"]))
    def place(self, complete: bool, reference: str | None) -> None:
        overrides: dict[str, Any] = {"external_reference": reference}
        if not complete:
            overrides |= {"payment_method": None, "customer": {"id": "c"}}
        if reference in self.references:
            number, was_complete = self.references[reference]
            if was_complete != complete:
                with pytest.raises(IdempotencyConflict):
                    self.flow.place_order(order_data(**overrides))
            else:
                assert self.flow.place_order(order_data(**overrides)).number == number
            return
        order = self.flow.place_order(order_data(**overrides))
        if reference is not None:
            self.references[reference] = (order.number, complete)
        self.status[order.number] = OrderStatus.PLACED
        self.holds[order.number] = set()

    @precondition(lambda self: self.status)
    @rule(data=st.data())
    def verify(self, data: st.DataObject) -> None:
        number = data.draw(self._numbers())
        try:
            order = self.flow.verify_order(number)
        except IllegalTransition:
            assert self.status[number] is not OrderStatus.PLACED
            return
        except OrderOnHold:
            assert self.holds[number]
            return
        assert self.status[number] is OrderStatus.PLACED
        new = {h.type for h in order.active_holds(self.clock.now())} - self.holds[number]
        self.holds[number] |= new
        if not self.holds[number]:
            self.status[number] = OrderStatus.VERIFIED

    @precondition(lambda self: self.status)
    @rule(data=st.data(), kind=HOLDS, expiring=st.booleans())
    def hold(self, data: st.DataObject, kind: HoldType, expiring: bool) -> None:
        number = data.draw(self._numbers())
        expires = self.clock.now() + timedelta(hours=1) if expiring else None
        try:
            self.flow.place_hold(number, kind, reason="r", actor="op", expires_at=expires)
        except HoldError:
            assert kind in self.holds[number] or self.status[number] in {
                OrderStatus.CANCELLED,
                OrderStatus.COMPLETED,
            }
            return
        self.holds[number].add(kind)
        if expires:
            self.expiring.setdefault(number, {})[kind] = expires

    @precondition(lambda self: self.status)
    @rule(data=st.data(), kind=HOLDS)
    def release(self, data: st.DataObject, kind: HoldType) -> None:
        number = data.draw(self._numbers())
        before = self.flow.get_order(number)
        try:
            order = self.flow.release_hold(number, kind, reason="ok", actor="op")
        except HoldError:
            assert kind not in self.holds[number]
            return
        self.holds[number].discard(kind)
        self.expiring.get(number, {}).pop(kind, None)
        if not self.holds[number] and before.awaiting == "verify":
            self.status[number] = OrderStatus.VERIFIED
        assert order.status is self.status[number]

    @precondition(lambda self: self.status)
    @rule(data=st.data())
    def cancel(self, data: st.DataObject) -> None:
        number = data.draw(self._numbers())
        try:
            self.flow.cancel_order(number, reason="asked", actor="op")
        except IllegalTransition:
            assert self.status[number] not in CANCELLABLE
            return
        assert self.status[number] in CANCELLABLE
        self.status[number] = OrderStatus.CANCELLED
        self.holds[number] = set()
        self.expiring.pop(number, None)

    @precondition(lambda self: self.status)
    @rule(
        data=st.data(),
        text=st.text(
            st.characters(exclude_categories=("Cc", "Cs")), min_size=1, max_size=20
        ).filter(str.strip),
    )
    def note(self, data: st.DataObject, text: str) -> None:
        number = data.draw(self._numbers())
        count = len(self.flow.get_order(number).notes)
        self.flow.add_note(number, text, actor="op")
        assert self.flow.get_order(number).notes[-1].text == text
        assert len(self.flow.get_order(number).notes) == count + 1

    @rule(minutes=st.integers(0, 120))
    def time_passes_and_sweep(self, minutes: int) -> None:
        now = self.clock.advance(timedelta(minutes=minutes))
        awaiting = {n: self.flow.get_order(n).awaiting for n in self.status}
        swept = self.flow.sweep_expired_holds()
        for number, kinds in self.expiring.items():
            for kind, expires in list(kinds.items()):
                if expires <= now:
                    self.holds[number].discard(kind)
                    del kinds[kind]
                    assert number in swept
            if number in swept and not self.holds[number] and awaiting[number] == "verify":
                self.status[number] = OrderStatus.VERIFIED

    @invariant()
    def stored_state_matches_model_and_audit_trail(self) -> None:
        now = self.clock.now()
        for number, status in self.status.items():
            order = self.flow.get_order(number)
            assert order.status is status
            assert {h.type for h in order.active_holds(now)} == self.holds[number]
            recorded = self.flow.services.queries.history(number)
            assert [r.seq for r in recorded] == list(range(1, len(recorded) + 1))
            unreleased = frozenset(h.type for h in order.holds if h.released_at is None)
            assert replay_status([r.event for r in recorded]) == (order.status, unreleased)
            t = order.totals
            assert t.items - t.line_discounts - t.order_discount + t.shipping + t.tax == t.total
        assert len(self.flow.find_orders(limit=10_000)) == len(self.status)


TestOrderEngine = OrderEngine.TestCase
