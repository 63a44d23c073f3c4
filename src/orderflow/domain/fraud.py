"""Fraud screening rules: a score from 0 to 100 with the reasons that make it up.

Pure: the application gathers the signals (how many recent orders share this customer, e-mail,
address or IP) and a :class:`FraudScreen` adapter turns order + signals into an assessment.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from enum import StrEnum

from attrs import field, frozen

from orderflow.domain.money import Money
from orderflow.domain.order import Order


class FraudDecision(StrEnum):
    """What the score leads to."""

    ACCEPT = "accept"
    REVIEW = "review"
    REJECT = "reject"


@frozen(kw_only=True)
class FraudSignals:
    """Counts of other orders placed within the velocity window, and the customer's history."""

    same_customer: int = 0
    same_email: int = 0
    same_address: int = 0
    same_ip: int = 0
    previous_orders: int = 0


@frozen(kw_only=True)
class FraudAssessment:
    """A score (0-100) and why."""

    score: int
    reasons: tuple[str, ...] = ()


@frozen(kw_only=True)
class FraudPolicy:
    """What a score leads to: review from ``review_at``, rejection from ``reject_at``."""

    review_at: int = 50
    reject_at: int = 90

    def decide(self, assessment: FraudAssessment) -> FraudDecision:
        """Accept, send to review, or reject."""
        if assessment.score >= self.reject_at:
            return FraudDecision.REJECT
        if assessment.score >= self.review_at:
            return FraudDecision.REVIEW
        return FraudDecision.ACCEPT


def _codes(values: Iterable[str]) -> frozenset[str]:
    return frozenset(values)


@frozen(kw_only=True)
class FraudRules:
    """The built-in rule set; every threshold is the shop's to set. Points add up, capped at 100."""

    value_limit: Money | None = None
    value_points: int = 30
    velocity_window: timedelta = timedelta(hours=1)
    velocity_limit: int = 3
    velocity_points: int = 40
    mismatch_points: int = 20
    high_risk_countries: frozenset[str] = field(factory=frozenset, converter=_codes)
    high_risk_points: int = 40
    first_order_limit: Money | None = None
    first_order_points: int = 30


def address_key(order: Order) -> str | None:
    """A normalised form of the shipping address, for counting orders sent to the same place."""
    a = order.shipping_address
    if a is None:
        return None
    parts = (a.country, a.postal_code or "", a.line1)
    return "|".join(" ".join(p.lower().split()) for p in parts)


class RuleBasedFraudScreen:
    """Scores an order with :class:`FraudRules`."""

    def __init__(self, rules: FraudRules | None = None) -> None:
        self.rules = rules or FraudRules()

    def assess(self, order: Order, signals: FraudSignals) -> FraudAssessment:
        """The score of ``order`` given ``signals``."""
        r, total = self.rules, order.totals.total
        found: list[tuple[int, str]] = []
        if (
            r.value_limit is not None
            and total.currency == r.value_limit.currency
            and total > r.value_limit
        ):
            found.append((r.value_points, f"order value {total} above {r.value_limit}"))
        counts = {
            "customer": signals.same_customer,
            "e-mail": signals.same_email,
            "address": signals.same_address,
            "IP address": signals.same_ip,
        }
        busy = [
            f"{n} orders from this {what}" for what, n in counts.items() if n >= r.velocity_limit
        ]
        if busy:
            window = int(r.velocity_window.total_seconds() // 60)
            found.append((r.velocity_points, f"{', '.join(busy)} within {window} min"))
        billing, shipping = order.billing_address, order.shipping_address
        if billing and shipping and billing.country != shipping.country:
            found.append((r.mismatch_points, "billing and shipping countries differ"))
        if order.shipping_address and order.shipping_address.country in r.high_risk_countries:
            found.append(
                (r.high_risk_points, f"ships to high-risk {order.shipping_address.country}")
            )
        first = r.first_order_limit
        if (
            first is not None
            and signals.previous_orders == 0
            and total.currency == first.currency
            and total > first
        ):
            found.append((r.first_order_points, f"first order above {first}"))
        return FraudAssessment(
            score=min(100, sum(points for points, _ in found)),
            reasons=tuple(reason for _, reason in found),
        )
