"""Customer inquiries in SQL: the InquiryRepository port over ``orderflow_inquiries``.

An inquiry's full state (its messages, first response, closing) is its row's JSON, with
``order_number``, ``status`` and ``opened_at`` as indexed columns for the lookups.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement

from orderflow.adapters.sql import schema as t
from orderflow.adapters.sql.aggregates import SqlAggregateRepository
from orderflow.adapters.sql.inventory import _aware, _text
from orderflow.domain.inquiries import Inquiry, InquiryStatus

if TYPE_CHECKING:
    from orderflow.adapters.sql.repository import SqlUnitOfWork
    from orderflow.adapters.sql.store import SqlDatabase


class SqlInquiryRepository(SqlAggregateRepository[Inquiry]):
    """Inquiries of one unit of work (see :class:`SqlAggregateRepository`)."""

    def __init__(self, uow: SqlUnitOfWork, db: SqlDatabase) -> None:
        super().__init__(
            uow, db, table=t.inquiries, kind="inquiry", cls=Inquiry, created="opened_at"
        )

    def open_ids(self) -> Sequence[str]:
        """Ids of the stored inquiries not closed yet, oldest first."""
        c = t.inquiries.c
        wanted = [str(InquiryStatus.OPEN), str(InquiryStatus.ANSWERED)]
        return self.ids("finding open inquiries", c.status.in_(wanted))

    def opened_ids(self, since: datetime, until: datetime | None = None) -> Sequence[str]:
        """Ids of the stored inquiries opened in ``[since, until)``, oldest first."""
        c = t.inquiries.c
        _aware("since", since)
        conditions: list[ColumnElement[bool]] = [c.opened_at >= since]
        if until is not None:
            _aware("until", until)
            conditions.append(c.opened_at < until)
        return self.ids("finding inquiries by opening time", *conditions)

    def columns(self, item: Inquiry) -> dict[str, Any]:
        _text("order_number", item.order_number, 64)
        return {
            "order_number": item.order_number,
            "status": str(item.status),
            "opened_at": item.opened_at,
        }
