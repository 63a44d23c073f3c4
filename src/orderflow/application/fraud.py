"""Fraud screening at verification, and the reviewer's decision."""

from __future__ import annotations

from datetime import timedelta

from orderflow.application.services import Services
from orderflow.domain import events as ev
from orderflow.domain.fraud import FraudDecision, FraudRules, FraudSignals, address_key
from orderflow.domain.order import Order
from orderflow.domain.values import Actor
from orderflow.ports import OrderQuery

FRAUD = Actor.system("fraud-screen")


def signals(svc: Services, order: Order, window: timedelta) -> FraudSignals:
    """How many other orders share this order's customer, e-mail, address or IP recently."""
    since = order.placed_at - window

    def count(**filters: str | None) -> int:
        if not any(filters.values()):
            return 0
        query = OrderQuery(placed_from=since, limit=10_000, **filters)  # type: ignore[arg-type]
        return sum(1 for s in svc.queries.find(query, order.placed_at) if s.number != order.number)

    previous = 0
    if order.customer.id:
        query = OrderQuery(customer_id=order.customer.id, placed_to=order.placed_at, limit=10_000)
        previous = sum(
            1 for s in svc.queries.find(query, order.placed_at) if s.number != order.number
        )
    return FraudSignals(
        same_customer=count(customer_id=order.customer.id),
        same_email=count(email=order.customer.email),
        same_address=count(address_key=address_key(order)),
        same_ip=count(client_ip=order.client_ip),
        previous_orders=previous,
    )


def screen(svc: Services, order: Order) -> FraudDecision:
    """Score the order, record the assessment, and say what it leads to (accept by default)."""
    if svc.fraud_screen is None:
        return FraudDecision.ACCEPT
    rules = getattr(svc.fraud_screen, "rules", None)
    window = rules.velocity_window if isinstance(rules, FraudRules) else timedelta(hours=1)
    assessment = svc.fraud_screen.assess(order, signals(svc, order, window))
    decision = svc.fraud_policy.decide(assessment)
    order.record(
        ev.FraudAssessed,
        actor=FRAUD,
        now=svc.clock.now(),
        score=assessment.score,
        reasons=assessment.reasons,
        decision=decision.value,
        reason="; ".join(assessment.reasons) or None,
    )
    return decision


def review_reason(order: Order) -> str:
    """The reasons of the latest assessment, for the review hold."""
    assessed = [e for e in order.events if isinstance(e, ev.FraudAssessed)]
    reasons = assessed[-1].reasons if assessed else ()
    return "fraud review: " + ("; ".join(reasons) or "score above the review threshold")
