"""The payment aggregate: lifecycle, running totals and operations recorded before calls."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orderflow import IllegalTransition, Money, PaymentMethod, ValidationError
from orderflow.domain.errors import PaymentError
from orderflow.domain.payments import (
    OperationKind,
    OperationStatus,
    Payment,
    PaymentStatus,
)

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
OK = OperationStatus.APPROVED


def payment(amount: str = "100.00") -> Payment:
    return Payment(
        id="PAY-1",
        order_number="OF-1",
        method=PaymentMethod(token="tok_1"),
        amount=Money.of(amount, "EUR"),
        created_at=NOW,
    )


def run(p: Payment, kind: OperationKind, amount: str, status: OperationStatus = OK) -> None:
    key = f"k{len(p.operations)}"
    p.request(kind, Money.of(amount, "EUR"), key, NOW)
    p.complete(key, status, NOW, reference="ref", authorised_until=NOW + timedelta(days=7))


def test_authorise_capture_refund() -> None:
    p = payment()
    run(p, OperationKind.AUTHORISE, "100.00")
    assert (p.status, p.authorised, p.authorised_until) == (
        PaymentStatus.AUTHORISED,
        Money.of("100", "EUR"),
        NOW + timedelta(days=7),
    )
    run(p, OperationKind.CAPTURE, "40.00")
    assert p.status is PaymentStatus.PARTIALLY_CAPTURED
    run(p, OperationKind.CAPTURE, "60.00")
    assert p.status is PaymentStatus.CAPTURED
    run(p, OperationKind.REFUND, "10.00")
    assert p.status is PaymentStatus.PARTIALLY_REFUNDED
    run(p, OperationKind.REFUND, "90.00")
    assert (p.status, p.refundable) == (PaymentStatus.REFUNDED, Money.zero("EUR"))


def test_totals_cannot_be_exceeded_and_state_is_kept() -> None:
    p = payment()
    run(p, OperationKind.AUTHORISE, "100.00")
    with pytest.raises(PaymentError, match=r"only 100\.00 EUR available"):
        p.request(OperationKind.CAPTURE, Money.of("100.01", "EUR"), "x", NOW)
    with pytest.raises(IllegalTransition, match="cannot refund when authorised"):
        p.request(OperationKind.REFUND, Money.of("1", "EUR"), "y", NOW)
    with pytest.raises(ValidationError, match="must be in EUR"):
        p.request(OperationKind.CAPTURE, Money(1, "USD"), "z", NOW)
    assert len(p.operations) == 1


def test_decline_fails_the_payment_and_answers_are_recorded_once() -> None:
    p = payment()
    p.request(OperationKind.AUTHORISE, Money.of("100", "EUR"), "k", NOW)
    assert p.complete("k", OperationStatus.DECLINED, NOW, decline_code="insufficient_funds")
    assert not p.complete("k", OK, NOW)
    assert p.status is PaymentStatus.FAILED
    assert p.operation("k").decline_code == "insufficient_funds"


def test_transient_failure_keeps_the_operation_pending_for_a_retry_with_its_key() -> None:
    p = payment()
    p.request(OperationKind.AUTHORISE, Money.of("100", "EUR"), "k", NOW)
    p.complete("k", OperationStatus.PENDING, NOW, error="timeout")
    pending = p.pending()
    assert pending is not None
    assert pending.attempts == 1
    with pytest.raises(PaymentError, match="in flight"):
        p.request(OperationKind.AUTHORISE, Money.of("100", "EUR"), "other", NOW)
    p.complete("k", OK, NOW, reference="auth-1")
    assert p.status is PaymentStatus.AUTHORISED
    assert p.operation("k").attempts == 2


def test_expiry_and_reauthorisation() -> None:
    p = payment()
    run(p, OperationKind.AUTHORISE, "100.00")
    assert not p.is_expired(NOW)
    assert p.is_expired(NOW + timedelta(days=7))
    p.expire()
    assert (p.status, p.capturable) == (PaymentStatus.EXPIRED, Money.zero("EUR"))
    with pytest.raises(IllegalTransition):
        p.request(OperationKind.CAPTURE, Money.of("1", "EUR"), "c", NOW)
    run(p, OperationKind.AUTHORISE, "100.00")
    assert p.status is PaymentStatus.AUTHORISED


def test_void_only_before_capture() -> None:
    p = payment()
    run(p, OperationKind.AUTHORISE, "100.00")
    run(p, OperationKind.VOID, "0")
    assert p.status is PaymentStatus.VOIDED
    q = payment()
    run(q, OperationKind.AUTHORISE, "100.00")
    run(q, OperationKind.CAPTURE, "1.00")
    with pytest.raises(IllegalTransition, match="cannot void when partially_captured"):
        q.request(OperationKind.VOID, Money.zero("EUR"), "v", NOW)


ops = st.lists(
    st.tuples(
        st.sampled_from(list(OperationKind)),
        st.integers(0, 12_000),
        st.sampled_from(
            [OK, OK, OperationStatus.DECLINED, OperationStatus.FAILED, OperationStatus.PENDING]
        ),
    ),
    max_size=25,
)


@given(ops)
def test_running_totals_always_hold(
    sequence: list[tuple[OperationKind, int, OperationStatus]],
) -> None:
    p = payment()
    for i, (kind, minor, status) in enumerate(sequence):
        before = (p.status, p.authorised, p.captured, p.refunded, len(p.operations))
        key = f"k{i}"
        try:
            p.request(kind, Money(minor, "EUR"), key, NOW)
        except (PaymentError, IllegalTransition, ValidationError):
            assert (p.status, p.authorised, p.captured, p.refunded, len(p.operations)) == before
            continue
        p.complete(key, status, NOW, reference=key)
        if status is OperationStatus.PENDING:
            p.complete(key, OK, NOW, reference=key)
        assert Money.zero("EUR") <= p.refunded <= p.captured <= p.authorised <= p.amount
        assert p.pending() is None
