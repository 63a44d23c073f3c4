"""Inventory ports: stock levels with their ledger, locations, sku policies and reservations."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Protocol

from orderflow.domain.inventory import Location, Movement, Reservation, SkuPolicy, StockLevel
from orderflow.domain.money import Money


class StockStore(Protocol):
    """Stock of one unit of work. Levels change only through :meth:`apply`, one movement each."""

    def apply(self, movement: Movement) -> bool:
        """Add the movement's deltas to its level, atomically, if the result keeps
        ``0 <= reserved <= on_hand``; then append it to the ledger. False (and nothing changed)
        otherwise. A reservation is therefore one conditional update: it cannot oversell.
        """
        ...

    def applied(self) -> list[Movement]:
        """The movements applied in this unit of work so far, in order."""
        ...

    def level(self, sku: str, location: str) -> StockLevel | None:
        """The level of ``sku`` at ``location``, if it is stocked there."""
        ...

    def levels(self, skus: Iterable[str] | None = None) -> list[StockLevel]:
        """Levels of ``skus`` (all when None), by sku then location."""
        ...

    def stock(self, sku: str, location: str) -> None:
        """Start stocking ``sku`` at ``location`` (a zero level; nothing if it exists)."""
        ...

    def set_average_cost(self, sku: str, location: str, cost: Money | None) -> None:
        """Record the weighted-average unit cost of a level."""
        ...

    def set_reorder(self, sku: str, location: str, *, point: int, quantity: int) -> None:
        """Set the reorder point and reorder quantity of a level."""
        ...

    def movements(
        self,
        *,
        sku: str | None = None,
        location: str | None = None,
        reference: str | None = None,
        since: datetime | None = None,
    ) -> list[Movement]:
        """The ledger, oldest first, filtered."""
        ...

    def locations(self) -> list[Location]:
        """Every location, by code."""
        ...

    def put_location(self, location: Location) -> None:
        """Add or replace a location."""
        ...

    def policy(self, sku: str) -> SkuPolicy:
        """The sku's stocking policy (the default: hold on shortage)."""
        ...

    def put_policy(self, policy: SkuPolicy) -> None:
        """Add or replace a sku's policy."""
        ...


class ReservationRepository(Protocol):
    """Reservations of one unit of work."""

    def add(self, reservation: Reservation) -> None:
        """Store a new reservation."""
        ...

    def get(self, reservation_id: str) -> Reservation:
        """The reservation, or NotFound."""
        ...

    def for_order(self, order_number: str) -> Reservation | None:
        """The order's reservation, if it has one."""
        ...

    def save(self, reservation: Reservation) -> None:
        """Store changes; ConcurrencyError if it changed since it was read."""
        ...

    def expired(self, now: datetime) -> Sequence[str]:
        """Ids of active reservations whose expiry is at or before ``now``."""
        ...

    def backordered(self, sku: str) -> Sequence[str]:
        """Ids of active reservations still waiting for ``sku``, oldest first."""
        ...
