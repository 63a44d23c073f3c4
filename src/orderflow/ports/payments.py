"""The payment gateway port: authorise, capture, void and refund, each with an idempotency key.

A gateway adapter translates its provider's answers into :class:`GatewayResult` (approved or
declined with a reason code) and its transport problems into :class:`GatewayUnavailable`; a
provider exception never crosses the port. Calling again with the same key must return the
first call's answer and never move money twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from attrs import frozen

from orderflow.domain.errors import OrderflowError
from orderflow.domain.money import Money
from orderflow.domain.payments import Payment
from orderflow.domain.values import PaymentMethod


class GatewayOutcome(StrEnum):
    """The gateway's verdict."""

    APPROVED = "approved"
    DECLINED = "declined"


@frozen(kw_only=True)
class GatewayResult:
    """A gateway's answer. ``authorised_until`` is when an authorisation lapses, if it says."""

    outcome: GatewayOutcome
    reference: str | None = None
    decline_code: str | None = None
    authorised_until: datetime | None = None

    @property
    def approved(self) -> bool:
        """Whether the gateway approved."""
        return self.outcome is GatewayOutcome.APPROVED


class GatewayUnavailable(OrderflowError):
    """The gateway did not answer (timeout) or failed; the same call may be retried with its key."""

    def __init__(self, message: str, *, timeout: bool = False) -> None:
        self.timeout = timeout
        super().__init__(message)


class PaymentGateway(Protocol):
    """A payment provider."""

    def authorise(
        self, *, key: str, amount: Money, method: PaymentMethod, order_number: str
    ) -> GatewayResult:
        """Reserve ``amount`` on the customer's payment method."""
        ...

    def capture(self, *, key: str, reference: str, amount: Money) -> GatewayResult:
        """Take ``amount`` of the authorisation ``reference``."""
        ...

    def void(self, *, key: str, reference: str) -> GatewayResult:
        """Cancel the authorisation ``reference`` before any capture."""
        ...

    def refund(self, *, key: str, reference: str, amount: Money) -> GatewayResult:
        """Give back ``amount`` captured under ``reference``."""
        ...


class PaymentRepository(Protocol):
    """Payments of one unit of work."""

    def add(self, payment: Payment) -> None:
        """Store a new payment."""
        ...

    def get(self, payment_id: str) -> Payment:
        """The payment, or NotFound."""
        ...

    def for_order(self, order_number: str) -> list[Payment]:
        """The order's payments, oldest first."""
        ...

    def save(self, payment: Payment) -> None:
        """Store changes; ConcurrencyError if it changed since it was read."""
        ...

    def with_pending(self) -> Sequence[str]:
        """Ids of payments with an operation recorded but not yet answered."""
        ...

    def expiring(self, now: datetime) -> Sequence[str]:
        """Ids of authorised payments whose authorisation has lapsed at ``now``."""
        ...
