"""Returns and exchanges over one backend (subclass like OrderFlowContract)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from orderflow.adapters.clock import ManualClock
from orderflow.application.services import Services
from orderflow.domain.errors import IllegalTransition, ValidationError
from orderflow.domain.inventory import MovementKind
from orderflow.domain.money import Money
from orderflow.domain.returns import CategoryRule, ReturnPolicy, ReturnStatus
from orderflow.domain.shipping import ShipmentStatus
from orderflow.engine import OrderFlow
from orderflow.testing.fulfilment_contract import CATALOG, FulfilmentSetup

POLICY = ReturnPolicy(
    default=CategoryRule(window_days=30, restocking_fee=Decimal("0.10")),
    categories={"final_sale": CategoryRule(returnable=False)},
)


class ReturnsContract(FulfilmentSetup):
    """Requests under the policy, inspection, restock, refund and exchange."""

    def configure(self, services: Services) -> None:
        services.return_policy = POLICY

    def _delivered(self, flow: OrderFlow) -> str:
        number = self._confirmed(flow, "RET-1")
        self._ship_all(flow, number)
        flow.confirm_delivery(number, actor="ann")
        return number

    def test_only_delivered_units_within_the_window(
        self, flow: OrderFlow, clock: ManualClock
    ) -> None:
        number = self._delivered(flow)
        with pytest.raises(
            ValidationError, match=r"lines\[0\]\.quantity: 3 of MUG asked, 2 returnable"
        ):
            flow.request_return(number, [{"sku": "MUG", "quantity": 3, "reason": "changed_mind"}],
                                actor="ann")  # fmt: skip
        first = flow.request_return(
            number, [{"sku": "MUG", "quantity": 1, "reason": "damaged"}], actor="ann"
        )
        assert first.shop_pays_shipping
        with pytest.raises(ValidationError, match="2 of MUG asked, 1 returnable"):
            flow.request_return(
                number, [{"sku": "MUG", "quantity": 2, "reason": "damaged"}], actor="ann"
            )
        clock.advance(timedelta(days=31))
        with pytest.raises(ValidationError, match="0 returnable"):
            flow.request_return(
                number, [{"sku": "TEE", "quantity": 1, "reason": "other"}], actor="ann"
            )

    def test_refund_restocks_writes_off_and_charges_the_fee(self, flow: OrderFlow) -> None:
        number = self._delivered(flow)
        rma = flow.request_return(number, [
            {"sku": "MUG", "quantity": 2, "reason": "changed_mind"},
            {"sku": "TEE", "quantity": 1, "reason": "damaged"},
        ], actor="ann")  # fmt: skip
        approved = flow.approve_return(rma.id, location="BER", actor="bob")
        assert approved.label_tracking  # the shop pays for the damaged shirt
        assert flow.ship_back_return(rma.id, actor="ann").status is ReturnStatus.IN_TRANSIT
        flow.receive_return(rma.id, actor="bob")
        before = {lv.sku: lv.on_hand for lv in flow.stock_levels() if lv.location == "BER"}
        flow.inspect_return(rma.id, {"MUG": (2, 0), "TEE": (0, 1)}, actor="ina")
        after = {lv.sku: lv.on_hand for lv in flow.stock_levels() if lv.location == "BER"}
        assert after["MUG"] - before["MUG"] == 2
        assert after["TEE"] == before["TEE"]
        kinds = [m.kind for m in flow.stock_ledger(reference=rma.id)]
        assert kinds.count(MovementKind.WRITE_OFF) == 1
        done = flow.refund_return(rma.id, actor="bob")
        order = flow.get_order(number)
        mug, tee = (next(li for li in order.lines if li.sku == s) for s in ("MUG", "TEE"))
        fee = mug.total.times(Decimal("0.10"), rounding="ROUND_HALF_UP")
        assert done.refund == mug.total - fee + tee.total
        assert done.status is ReturnStatus.CLOSED
        refunded = Money.sum((p.refunded for p in flow.payments(number)), "EUR")
        assert refunded == done.refund
        assert order.return_status == "returned"

    def test_reject_and_illegal_steps(self, flow: OrderFlow) -> None:
        number = self._delivered(flow)
        rma = flow.request_return(
            number, [{"sku": "TEE", "quantity": 1, "reason": "other"}], actor="ann"
        )
        with pytest.raises(IllegalTransition, match="cannot inspect when requested"):
            flow.inspect_return(rma.id, {"TEE": (1, 0)}, actor="ina")
        rejected = flow.reject_return(rma.id, reason="worn", actor="bob")
        assert (rejected.status, rejected.rejection_reason) == (ReturnStatus.CLOSED, "worn")
        again = flow.request_return(
            number, [{"sku": "TEE", "quantity": 1, "reason": "other"}], actor="ann"
        )
        assert again.id != rma.id

    def test_exchange_ships_replacements_and_refunds_the_difference(self, flow: OrderFlow) -> None:
        number = self._delivered(flow)
        rma = flow.request_return(
            number, [{"sku": "TEE", "quantity": 1, "reason": "wrong_item"}], actor="ann"
        )
        flow.approve_return(rma.id, location="BER", actor="bob")
        flow.receive_return(rma.id, actor="bob")
        flow.inspect_return(rma.id, {"TEE": (1, 0)}, actor="ina")
        done = flow.exchange_return(rma.id, {"CAP": 1}, actor="bob")
        assert done.status is ReturnStatus.CLOSED
        shipment = next(s for s in flow.shipments(number) if s.replacement_for == rma.id)
        assert [(li.sku, li.quantity) for li in shipment.lines] == [("CAP", 1)]
        assert shipment.status is ShipmentStatus.PENDING
        tee = next(li for li in flow.get_order(number).lines if li.sku == "TEE")
        cap_price = CATALOG.get("CAP").price  # type: ignore[union-attr]
        refunded = Money.sum((p.refunded for p in flow.payments(number)), "EUR")
        assert refunded == tee.total - cap_price
