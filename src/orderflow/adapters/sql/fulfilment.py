"""Shipments and claims in SQL: the ShipmentRepository and ClaimRepository ports.

A shipment's full state (lines, scans, packages, label, tracking updates) is its row's JSON in
``orderflow_shipments``, with ``status`` and ``location`` as indexed columns for the pick queues
(``with_status``); a claim's is its row's JSON in ``orderflow_claims``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement

from orderflow.adapters.sql import schema as t
from orderflow.adapters.sql.aggregates import SqlAggregateRepository
from orderflow.adapters.sql.inventory import _has_nul, _text
from orderflow.domain.claims import Claim
from orderflow.domain.shipping import Shipment, ShipmentStatus

if TYPE_CHECKING:
    from orderflow.adapters.sql.repository import SqlUnitOfWork
    from orderflow.adapters.sql.store import SqlDatabase


class SqlShipmentRepository(SqlAggregateRepository[Shipment]):
    """Shipments of one unit of work (see :class:`SqlAggregateRepository`)."""

    def __init__(self, uow: SqlUnitOfWork, db: SqlDatabase) -> None:
        super().__init__(
            uow, db, table=t.shipments, kind="shipment", cls=Shipment, created="created_at"
        )

    def with_status(
        self, statuses: Sequence[ShipmentStatus], location: str | None = None
    ) -> Sequence[str]:
        """Ids of stored shipments in any of ``statuses`` (at ``location``), oldest first."""
        wanted = sorted({str(ShipmentStatus(s)) for s in statuses})
        if not wanted or _has_nul(location):
            return []
        s = t.shipments.c
        conditions: list[ColumnElement[bool]] = [s.status.in_(wanted)]
        if location is not None:
            conditions.append(s.location == location)
        return self.ids("finding shipments by status", *conditions)

    def columns(self, item: Shipment) -> dict[str, Any]:
        _text("order_number", item.order_number, 64)
        _text("location", item.location, 32)
        return {
            "order_number": item.order_number,
            "location": item.location,
            "status": str(item.status),
            "created_at": item.created_at,
        }


class SqlClaimRepository(SqlAggregateRepository[Claim]):
    """Claims of one unit of work (see :class:`SqlAggregateRepository`)."""

    def __init__(self, uow: SqlUnitOfWork, db: SqlDatabase) -> None:
        super().__init__(uow, db, table=t.claims, kind="claim", cls=Claim, created="opened_at")

    def columns(self, item: Claim) -> dict[str, Any]:
        _text("order_number", item.order_number, 64)
        return {
            "order_number": item.order_number,
            "status": str(item.status),
            "opened_at": item.opened_at,
        }
