"""The built-in fraud rules: each rule's points and reasons, the cap, and the policy thresholds."""

from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from orderflow import Address, Money
from orderflow.domain.fraud import (
    FraudAssessment,
    FraudDecision,
    FraudPolicy,
    FraudRules,
    FraudSignals,
    RuleBasedFraudScreen,
    address_key,
)
from tests.unit.orders import make_order

RULES = FraudRules(
    value_limit=Money.of("20.00", "EUR"),
    velocity_limit=2,
    velocity_window=timedelta(minutes=30),
    high_risk_countries={"XX"},
    first_order_limit=Money.of("10.00", "EUR"),
)


def test_quiet_order_scores_zero() -> None:
    order = make_order()
    assessment = RuleBasedFraudScreen().assess(order, FraudSignals(previous_orders=3))
    assert assessment == FraudAssessment(score=0, reasons=())


def test_every_rule_adds_its_points_and_reason() -> None:
    order = make_order()  # 27.56 EUR to DE
    order.billing_address = Address(name="A", line1="B", city="C", country="FR")
    signals = FraudSignals(same_email=2, same_ip=5, previous_orders=0)
    assessment = RuleBasedFraudScreen(RULES).assess(order, signals)
    assert assessment.reasons == (
        "order value 27.56 EUR above 20.00 EUR",
        "2 orders from this e-mail, 5 orders from this IP address within 30 min",
        "billing and shipping countries differ",
        "first order above 10.00 EUR",
    )
    assert assessment.score == 100  # 30 + 40 + 20 + 30, capped


def test_high_risk_destination() -> None:
    order = make_order()
    order.shipping_address = Address(name="A", line1="B", city="C", country="XX")
    order.billing_address = order.shipping_address
    assessment = RuleBasedFraudScreen(RULES).assess(order, FraudSignals(previous_orders=1))
    assert assessment.reasons == ("order value 27.56 EUR above 20.00 EUR", "ships to high-risk XX")


@given(st.integers(0, 100))
def test_policy_thresholds(score: int) -> None:
    decision = FraudPolicy(review_at=50, reject_at=90).decide(FraudAssessment(score=score))
    expected = (
        FraudDecision.REJECT
        if score >= 90
        else FraudDecision.REVIEW
        if score >= 50
        else FraudDecision.ACCEPT
    )
    assert decision is expected


def test_address_key_ignores_case_and_spacing() -> None:
    a, b = make_order(), make_order()
    b.shipping_address = Address(
        name="Other", line1="  main st   1", city="x", postal_code="10115", country="DE"
    )
    assert address_key(a) == address_key(b) == "de|10115|main st 1"
