"""The carrier port: rate quotes, labels with tracking numbers, and normalised tracking events.

An adapter translates its carrier's API into these values and its failures into
:class:`CarrierUnavailable`; label purchase takes an idempotency key so that a retry after a
timeout buys one label, not two.
"""

from __future__ import annotations

from typing import Protocol

from attrs import frozen

from orderflow.domain.errors import OrderflowError
from orderflow.domain.money import Money
from orderflow.domain.shipping import Package, TrackingUpdate
from orderflow.domain.values import Address


@frozen(kw_only=True)
class RateQuote:
    """What a shipping option costs and how many business days it takes."""

    carrier: str
    option: str
    price: Money
    transit_days: int


@frozen(kw_only=True)
class Label:
    """A purchased label: the tracking number and the document to print."""

    carrier: str
    option: str
    tracking_number: str
    document: str
    transit_days: int


class CarrierUnavailable(OrderflowError):
    """The carrier did not answer or failed; the call may be retried (with the same key)."""


class Carrier(Protocol):
    """A parcel carrier."""

    name: str

    def quote(
        self, *, origin: Address, destination: Address, packages: list[Package]
    ) -> list[RateQuote]:
        """Prices and transit times for every option the carrier offers on this route."""
        ...

    def buy_label(
        self,
        *,
        key: str,
        option: str,
        origin: Address,
        destination: Address,
        packages: list[Package],
    ) -> Label:
        """Buy a label (once per ``key``)."""
        ...

    def track(self, tracking_number: str) -> list[TrackingUpdate]:
        """Every event so far for a tracking number, oldest first."""
        ...
