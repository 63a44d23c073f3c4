"""Persistence ports: repositories, the unit of work, and the read side (queries and history)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from types import TracebackType
from typing import Protocol, Self

from attrs import frozen

from orderflow.domain.events import OrderEvent
from orderflow.domain.holds import HoldType
from orderflow.domain.money import Money
from orderflow.domain.order import Order, OrderStatus
from orderflow.domain.values import Channel
from orderflow.ports.fulfilment import ClaimRepository, ShipmentRepository
from orderflow.ports.inventory import ReservationRepository, StockStore
from orderflow.ports.notifications import InquiryRepository
from orderflow.ports.outbox import Outbox
from orderflow.ports.payments import PaymentRepository
from orderflow.ports.returns import ReturnRepository


class OrderRepository(Protocol):
    """Orders inside one unit of work. ``add`` and ``save`` also record the order's new events."""

    def next_sequence(self) -> int:
        """A number never handed out before, for the next order number."""
        ...

    def add(self, order: Order) -> None:
        """Store a new order; DuplicateOrder if its (channel, external reference) is taken."""
        ...

    def get(self, number: str) -> Order:
        """The order with ``number``, or OrderNotFound."""
        ...

    def get_by_reference(self, channel: Channel, reference: str) -> Order | None:
        """The order taken in from ``channel`` with ``reference``, if any."""
        ...

    def save(self, order: Order) -> None:
        """Store changes to a loaded order; ConcurrencyError if it changed since it was read."""
        ...

    def with_expired_holds(self, now: datetime) -> Sequence[str]:
        """Numbers of orders with an unreleased hold whose expiry is at or before ``now``."""
        ...


class UnitOfWork(Protocol):
    """One transaction: everything in it commits together or not at all (rollback by default)."""

    @property
    def orders(self) -> OrderRepository:
        """The orders of this unit of work."""
        ...

    @property
    def outbox(self) -> Outbox:
        """The messages waiting for delivery; the repositories add every recorded event."""
        ...

    @property
    def stock(self) -> StockStore:
        """Stock levels, their ledger, locations and sku policies."""
        ...

    @property
    def reservations(self) -> ReservationRepository:
        """Stock reservations of orders."""
        ...

    @property
    def payments(self) -> PaymentRepository:
        """Payments of orders."""
        ...

    @property
    def shipments(self) -> ShipmentRepository:
        """Shipments of orders."""
        ...

    @property
    def claims(self) -> ClaimRepository:
        """Customers' claims on delivered orders."""
        ...

    @property
    def returns(self) -> ReturnRepository:
        """Returns (RMAs)."""
        ...

    @property
    def inquiries(self) -> InquiryRepository:
        """Customers' questions and complaints about orders."""
        ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def commit(self) -> None:
        """Make every change of this unit of work durable, at once."""
        ...

    def rollback(self) -> None:
        """Discard every change of this unit of work."""
        ...


@frozen(kw_only=True)
class OrderQuery:
    """Filters for finding orders; unset filters match everything."""

    status: OrderStatus | None = None
    customer_id: str | None = None
    channel: Channel | None = None
    hold_type: HoldType | None = None
    placed_from: datetime | None = None
    placed_to: datetime | None = None
    email: str | None = None
    client_ip: str | None = None
    address_key: str | None = None
    limit: int = 100
    offset: int = 0


@frozen(kw_only=True)
class OrderSummary:
    """One row of an order list."""

    number: str
    status: OrderStatus
    channel: Channel
    external_reference: str | None
    customer_id: str | None
    customer_name: str | None
    placed_at: datetime
    total: Money
    hold_types: tuple[HoldType, ...]


@frozen(kw_only=True)
class RecordedEvent:
    """An event as stored in an order's audit trail: its place (``seq``, from 1) and the event."""

    seq: int
    event: OrderEvent

    @property
    def message_id(self) -> str:
        """A stable id, the same on every delivery, for receivers that de-duplicate."""
        return f"{self.event.order_number}:{self.seq}"


class OrderQueries(Protocol):
    """The read side: lists and audit trails without loading aggregates in a unit of work."""

    def find(self, query: OrderQuery, now: datetime) -> list[OrderSummary]:
        """Orders matching ``query`` (holds judged active at ``now``), oldest first."""
        ...

    def history(self, number: str) -> list[RecordedEvent]:
        """Every event of the order, in the order they happened; OrderNotFound if none."""
        ...
