"""Fraud screening over one backend (its queries count recent orders by customer, e-mail,
address and IP). Subclass like OrderFlowContract."""

from __future__ import annotations

from datetime import timedelta

import pytest

from orderflow.adapters.clock import ManualClock
from orderflow.domain.errors import HoldError
from orderflow.domain.fraud import FraudRules, RuleBasedFraudScreen
from orderflow.domain.holds import HoldType
from orderflow.domain.money import Money
from orderflow.domain.order import OrderStatus
from orderflow.engine import OrderFlow
from orderflow.testing.contract import BackendSuite, MakeServices, order_data

RULES = FraudRules(
    value_limit=Money.of("500.00", "EUR"),
    value_points=60,
    velocity_limit=3,
    velocity_points=50,
    velocity_window=timedelta(hours=1),
    high_risk_countries=frozenset({"XX"}),
    high_risk_points=90,
)


class FraudContract(BackendSuite):
    """Screening at verification, review holds and reviewer decisions."""

    @pytest.fixture
    def flow(self, make_services: MakeServices, clock: ManualClock) -> OrderFlow:
        services = make_services(clock=clock)
        services.fraud_screen = RuleBasedFraudScreen(RULES)
        return OrderFlow(services)

    def _place(self, flow: OrderFlow, ref: str, **overrides: object) -> str:
        return flow.place_order(order_data(external_reference=ref, **overrides)).number

    def test_clean_order_passes_and_the_score_is_in_history(self, flow: OrderFlow) -> None:
        number = self._place(flow, "F1")
        assert flow.verify_order(number).status is OrderStatus.VERIFIED
        assessed = [e for e in flow.history(number) if e.event == "FraudAssessed"]
        assert [(e.data["score"], e.data["decision"]) for e in assessed] == [(0, "accept")]

    def test_velocity_by_ip_sends_to_review_and_approval_resumes(
        self, flow: OrderFlow, clock: ManualClock
    ) -> None:
        numbers = []
        for i in range(4):
            customer = {"id": f"c{i}", "name": "Ann Lee", "email": f"ann{i}@example.com"}
            numbers.append(self._place(flow, f"V{i}", client_ip="203.0.113.9", customer=customer))
            clock.advance(timedelta(minutes=5))
        held = flow.verify_order(numbers[-1])
        (hold,) = held.active_holds(clock.now())
        assert hold.type is HoldType.FRAUD_REVIEW
        assert "3 orders from this IP address within 60 min" in hold.reason
        assert flow.find_orders(hold_type="fraud_review")[0].number == numbers[-1]
        approved = flow.review_fraud(
            numbers[-1], approve=True, reason="known reseller", actor="rita"
        )
        assert approved.status is OrderStatus.VERIFIED
        assert [e.event for e in flow.history(numbers[-1])][-3:] == [
            "FraudReviewed", "HoldReleased", "OrderVerified",
        ]  # fmt: skip

    def test_reviewer_rejection_cancels(self, flow: OrderFlow) -> None:
        big = [{"sku": "TV", "name": "TV", "quantity": 1, "unit_price": "900.00"}]
        number = self._place(flow, "R1", lines=big)
        assert flow.verify_order(number).active_holds(flow.get_order(number).placed_at)
        order = flow.review_fraud(
            number, approve=False, reason="card reported stolen", actor="rita"
        )
        assert order.status is OrderStatus.CANCELLED
        assert flow.history(number)[-1].reason == "fraud review: card reported stolen"
        with pytest.raises(HoldError, match="not waiting for a fraud review"):
            flow.review_fraud(number, approve=True, reason="oops", actor="rita")

    def test_high_score_rejects_outright(self, flow: OrderFlow) -> None:
        address = {"name": "A", "line1": "B 1", "city": "C", "postal_code": "1", "country": "XX"}
        number = self._place(flow, "X1", shipping_address=address)
        order = flow.verify_order(number)
        assert order.status is OrderStatus.CANCELLED
        assert flow.history(number)[-1].reason == "rejected by the fraud screen"
