"""Returns (RMAs) in SQL: the ReturnRepository port over ``orderflow_returns``.

A return's full state (lines and their inspection, refund, exchange) is its row's JSON, with
``order_number``, ``status`` and ``requested_at`` as columns.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from orderflow.adapters.sql import schema as t
from orderflow.adapters.sql.aggregates import SqlAggregateRepository
from orderflow.adapters.sql.inventory import _text
from orderflow.domain.returns import Return

if TYPE_CHECKING:
    from orderflow.adapters.sql.repository import SqlUnitOfWork
    from orderflow.adapters.sql.store import SqlDatabase


class SqlReturnRepository(SqlAggregateRepository[Return]):
    """Returns of one unit of work (see :class:`SqlAggregateRepository`)."""

    def __init__(self, uow: SqlUnitOfWork, db: SqlDatabase) -> None:
        super().__init__(
            uow, db, table=t.returns, kind="return", cls=Return, created="requested_at"
        )

    def columns(self, item: Return) -> dict[str, Any]:
        _text("order_number", item.order_number, 64)
        _text("location", item.location, 32)
        return {
            "order_number": item.order_number,
            "status": str(item.status),
            "requested_at": item.requested_at,
        }
