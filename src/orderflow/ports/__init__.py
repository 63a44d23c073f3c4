"""Ports: the typing.Protocol interfaces the core needs, with their value types."""

from orderflow.ports.outbox import Outbox, OutboxMessage
from orderflow.ports.persistence import (
    OrderQueries,
    OrderQuery,
    OrderRepository,
    OrderSummary,
    RecordedEvent,
    UnitOfWork,
)
from orderflow.ports.services import (
    AddressCheck,
    AddressValidator,
    Catalog,
    CatalogItem,
    Clock,
    OrderNumbers,
)

__all__ = [
    "AddressCheck",
    "AddressValidator",
    "Catalog",
    "CatalogItem",
    "Clock",
    "OrderNumbers",
    "OrderQueries",
    "OrderQuery",
    "OrderRepository",
    "OrderSummary",
    "Outbox",
    "OutboxMessage",
    "RecordedEvent",
    "UnitOfWork",
]
