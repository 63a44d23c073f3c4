"""Payments in SQL: the PaymentRepository port over ``orderflow_payments``.

A payment's full state (method, running totals, every gateway operation) is its row's JSON;
``status``, ``authorised_until`` and ``pending_operation`` (the kind of the operation recorded
but not yet answered) are rewritten from it at every write so that ``with_pending()`` and
``expiring(now)`` are index lookups.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from orderflow.adapters.sql import schema as t
from orderflow.adapters.sql.aggregates import SqlAggregateRepository
from orderflow.adapters.sql.inventory import _aware, _text
from orderflow.domain.payments import Payment, PaymentStatus

if TYPE_CHECKING:
    from orderflow.adapters.sql.repository import SqlUnitOfWork
    from orderflow.adapters.sql.store import SqlDatabase


class SqlPaymentRepository(SqlAggregateRepository[Payment]):
    """Payments of one unit of work (see :class:`SqlAggregateRepository`)."""

    def __init__(self, uow: SqlUnitOfWork, db: SqlDatabase) -> None:
        super().__init__(
            uow, db, table=t.payments, kind="payment", cls=Payment, created="created_at"
        )

    def with_pending(self) -> Sequence[str]:
        """Ids of stored payments with an unanswered gateway call, oldest first."""
        return self.ids("finding pending payments", t.payments.c.pending_operation.is_not(None))

    def expiring(self, now: datetime) -> Sequence[str]:
        """Ids of stored authorised payments whose authorisation lapsed at ``now``, oldest first."""
        _aware("now", now)
        p = t.payments.c
        return self.ids(
            "finding lapsed authorisations",
            p.status == str(PaymentStatus.AUTHORISED),
            p.authorised_until.is_not(None),
            p.authorised_until <= now,
        )

    def columns(self, item: Payment) -> dict[str, Any]:
        _text("order_number", item.order_number, 64)
        if item.authorised_until is not None:
            _aware("authorised_until", item.authorised_until)
        pending = item.pending()
        return {
            "order_number": item.order_number,
            "status": str(item.status),
            "created_at": item.created_at,
            "authorised_until": item.authorised_until,
            "pending_operation": None if pending is None else str(pending.kind),
        }
