"""Fulfilment ports: shipments and claims, and the source of digital goods."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from orderflow.domain.claims import Claim
from orderflow.domain.digital import DigitalPayload
from orderflow.domain.order import Order
from orderflow.domain.pricing import OrderLine
from orderflow.domain.shipping import Shipment, ShipmentStatus


class ShipmentRepository(Protocol):
    """Shipments of one unit of work."""

    def add(self, shipment: Shipment) -> None:
        """Store a new shipment."""
        ...

    def get(self, shipment_id: str) -> Shipment:
        """The shipment, or NotFound."""
        ...

    def for_order(self, order_number: str) -> list[Shipment]:
        """The order's shipments, oldest first."""
        ...

    def save(self, shipment: Shipment) -> None:
        """Store changes; ConcurrencyError if it changed since it was read."""
        ...

    def with_status(
        self, statuses: Sequence[ShipmentStatus], location: str | None = None
    ) -> Sequence[str]:
        """Ids of shipments in any of ``statuses`` (at ``location``), oldest first."""
        ...


class ClaimRepository(Protocol):
    """Claims of one unit of work."""

    def add(self, claim: Claim) -> None:
        """Store a new claim."""
        ...

    def get(self, claim_id: str) -> Claim:
        """The claim, or NotFound."""
        ...

    def for_order(self, order_number: str) -> list[Claim]:
        """The order's claims, oldest first."""
        ...

    def save(self, claim: Claim) -> None:
        """Store changes; ConcurrencyError if it changed since it was read."""
        ...


class DigitalGoods(Protocol):
    """Issues what a digital line delivers: a download link or a licence key.

    ``key`` is stable per order line: asked again with the same key (a retry after a crash), an
    implementation must hand out the same payload, never a second licence.
    """

    def issue(self, order: Order, line: OrderLine, *, key: str) -> DigitalPayload:
        """The payload for ``line`` of ``order``."""
        ...
