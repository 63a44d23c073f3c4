"""Payments: one order may have several (gift card + card), each with its own lifecycle.

Running totals keep ``captured <= authorised`` and ``refunded <= captured``. Every gateway call
is first recorded as an :class:`Operation` with an idempotency key, in its own transaction; the
call happens after that commits, and a retry reuses the key, so a timeout never charges twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum

from attrs import define, evolve, field, frozen

from orderflow.domain.errors import PaymentError, ValidationError
from orderflow.domain.lifecycle import Lifecycle, Transition
from orderflow.domain.money import Money
from orderflow.domain.values import PaymentMethod


class PaymentStatus(StrEnum):
    """Where a payment is in its lifecycle."""

    PENDING = "pending"
    AUTHORISED = "authorised"
    PARTIALLY_CAPTURED = "partially_captured"
    CAPTURED = "captured"
    PARTIALLY_REFUNDED = "partially_refunded"
    REFUNDED = "refunded"
    VOIDED = "voided"
    FAILED = "failed"
    EXPIRED = "expired"


_P = PaymentStatus
_CAPTURABLE = (_P.AUTHORISED, _P.PARTIALLY_CAPTURED)
_REFUNDABLE = (_P.PARTIALLY_CAPTURED, _P.CAPTURED, _P.PARTIALLY_REFUNDED)
PAYMENT_LIFECYCLE = Lifecycle(
    "payment",
    PaymentStatus,
    [
        Transition("authorise", (_P.PENDING, _P.EXPIRED), _P.AUTHORISED),
        Transition("fail", (_P.PENDING, _P.EXPIRED), _P.FAILED),
        Transition("capture_part", _CAPTURABLE, _P.PARTIALLY_CAPTURED),
        Transition("capture", _CAPTURABLE, _P.CAPTURED),
        Transition("void", (_P.AUTHORISED,), _P.VOIDED),
        Transition("expire", (_P.AUTHORISED,), _P.EXPIRED),
        Transition("refund_part", _REFUNDABLE, _P.PARTIALLY_REFUNDED),
        Transition("refund", _REFUNDABLE, _P.REFUNDED),
    ],
)


class OperationKind(StrEnum):
    """What was asked of the gateway."""

    AUTHORISE = "authorise"
    CAPTURE = "capture"
    VOID = "void"
    REFUND = "refund"


class OperationStatus(StrEnum):
    """How a gateway call ended (``pending`` until its result is recorded)."""

    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"
    FAILED = "failed"


@frozen(kw_only=True)
class Operation:
    """One gateway call, recorded before it is made."""

    key: str
    kind: OperationKind
    amount: Money
    requested_at: datetime
    status: OperationStatus = OperationStatus.PENDING
    attempts: int = 0
    completed_at: datetime | None = None
    gateway_reference: str | None = None
    decline_code: str | None = None
    error: str | None = None


@define(kw_only=True, eq=False)
class Payment:
    """Money for one order through one payment method."""

    id: str
    order_number: str
    method: PaymentMethod
    amount: Money
    created_at: datetime
    status: PaymentStatus = PaymentStatus.PENDING
    authorised: Money = field()
    captured: Money = field()
    refunded: Money = field()
    authorised_until: datetime | None = None
    authorisation_reference: str | None = None
    operations: list[Operation] = field(factory=list)
    version: int = 0

    @authorised.default
    def _zero_authorised(self) -> Money:
        return Money.zero(self.amount.currency)

    @captured.default
    def _zero_captured(self) -> Money:
        return Money.zero(self.amount.currency)

    @refunded.default
    def _zero_refunded(self) -> Money:
        return Money.zero(self.amount.currency)

    @property
    def capturable(self) -> Money:
        """Authorised and not yet captured."""
        return self.authorised - self.captured

    @property
    def refundable(self) -> Money:
        """Captured and not yet refunded."""
        return self.captured - self.refunded

    def is_expired(self, now: datetime) -> bool:
        """Authorised, nothing captured, and past ``authorised_until``."""
        return (
            self.status is PaymentStatus.AUTHORISED
            and self.authorised_until is not None
            and now >= self.authorised_until
        )

    def pending(self) -> Operation | None:
        """The gateway call recorded but not yet answered, if any."""
        return next((op for op in self.operations if op.status is OperationStatus.PENDING), None)

    def operation(self, key: str) -> Operation:
        """The operation with idempotency ``key``."""
        for op in self.operations:
            if op.key == key:
                return op
        raise ValidationError.single("key", f"payment {self.id} has no operation {key!r}")

    def request(self, kind: OperationKind, amount: Money, key: str, now: datetime) -> Operation:
        """Record a gateway call before making it; refused if it could not succeed.

        One call at a time: while one is pending its key must be reused (:meth:`pending`).
        """
        if self.pending() is not None:
            raise PaymentError(f"payment {self.id} already has a {self.pending().kind} in flight")  # type: ignore[union-attr]
        self._check(kind, amount)
        op = Operation(key=key, kind=kind, amount=amount, requested_at=now)
        self.operations.append(op)
        return op

    def _check(self, kind: OperationKind, amount: Money) -> None:
        if amount.currency != self.amount.currency:
            raise ValidationError.single("amount", f"must be in {self.amount.currency}")
        if kind is not OperationKind.VOID and (amount.minor <= 0):
            raise ValidationError.single("amount", f"must be positive, got {amount}")
        trigger = {
            OperationKind.AUTHORISE: "authorise",
            OperationKind.CAPTURE: "capture",
            OperationKind.VOID: "void",
            OperationKind.REFUND: "refund",
        }[kind]
        PAYMENT_LIFECYCLE.fire(self.id, self.status, trigger)
        limit = {
            OperationKind.AUTHORISE: self.amount,
            OperationKind.CAPTURE: self.capturable,
            OperationKind.VOID: self.capturable,
            OperationKind.REFUND: self.refundable,
        }[kind]
        if kind is not OperationKind.VOID and amount > limit:
            raise PaymentError(f"payment {self.id}: cannot {kind} {amount}, only {limit} available")

    def complete(
        self,
        key: str,
        status: OperationStatus,
        now: datetime,
        *,
        reference: str | None = None,
        decline_code: str | None = None,
        error: str | None = None,
        authorised_until: datetime | None = None,
    ) -> bool:
        """Record the gateway's answer to the operation ``key``; False if it was already answered.

        An approval moves the running totals; a decline or failure of an authorisation fails the
        payment; a transient failure leaves the operation pending so it is retried with its key.
        """
        op = self.operation(key)
        if op.status is not OperationStatus.PENDING:
            return False
        if status is OperationStatus.PENDING:
            self._replace(op, evolve(op, attempts=op.attempts + 1, error=error))
            return True
        self._replace(op, evolve(op, status=status, attempts=op.attempts + 1, completed_at=now,
                                 gateway_reference=reference, decline_code=decline_code,
                                 error=error))  # fmt: skip
        if status is OperationStatus.APPROVED:
            self._approved(op, reference, authorised_until)
        elif op.kind is OperationKind.AUTHORISE:
            self.status = PaymentStatus(PAYMENT_LIFECYCLE.fire(self.id, self.status, "fail"))
        return True

    def _approved(self, op: Operation, reference: str | None, until: datetime | None) -> None:
        kind = op.kind
        if kind is OperationKind.AUTHORISE:
            self.authorised = op.amount
            self.authorised_until = until
            self.authorisation_reference = reference
            self._fire("authorise")
        elif kind is OperationKind.CAPTURE:
            self.captured += op.amount
            self._fire("capture" if self.captured == self.authorised else "capture_part")
        elif kind is OperationKind.VOID:
            self._fire("void")
        else:
            self.refunded += op.amount
            self._fire("refund" if self.refunded == self.captured else "refund_part")

    def expire(self) -> None:
        """The authorisation lapsed: nothing may be captured until it is authorised again."""
        self._fire("expire")
        self.authorised = Money.zero(self.amount.currency)

    def _fire(self, trigger: str) -> None:
        self.status = PaymentStatus(PAYMENT_LIFECYCLE.fire(self.id, self.status, trigger))

    def _replace(self, old: Operation, new: Operation) -> None:
        self.operations[self.operations.index(old)] = new


def totals(payments: Sequence[Payment], currency: str) -> tuple[Money, Money, Money]:
    """Authorised, captured and refunded across ``payments``."""
    return (
        Money.sum((p.authorised for p in payments), currency),
        Money.sum((p.captured for p in payments), currency),
        Money.sum((p.refunded for p in payments), currency),
    )
