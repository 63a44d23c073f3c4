"""Ports to the world outside the core: time, identifiers, the catalogue and address checks."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from attrs import frozen

from orderflow.domain.fraud import FraudAssessment, FraudSignals
from orderflow.domain.money import Money
from orderflow.domain.order import Order
from orderflow.domain.values import Address, LineKind


class Clock(Protocol):
    """The current time, always timezone-aware."""

    def now(self) -> datetime: ...


class OrderNumbers(Protocol):
    """Turns a never-reused sequence number into an order number a person can read out."""

    def format(self, sequence: int) -> str: ...


@frozen(kw_only=True)
class CatalogItem:
    """What the shop sells under a sku, at its current price."""

    sku: str
    name: str
    price: Money
    kind: LineKind = LineKind.SHIPPABLE
    category: str | None = None
    barcodes: tuple[str, ...] = ()


class Catalog(Protocol):
    """The shop's catalogue."""

    def get(self, sku: str) -> CatalogItem | None:
        """The item sold as ``sku``, or None if there is none."""
        ...

    def sku_for_code(self, code: str) -> str | None:
        """The sku a scanned code (the sku itself, or a barcode/GTIN) stands for."""
        ...


@frozen
class AddressCheck:
    """An address validator's verdict: ``problems`` is empty when the address is deliverable."""

    problems: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """Whether no problem was found."""
        return not self.problems


class FraudScreen(Protocol):
    """Scores an order's fraud risk (the built-in one is ``RuleBasedFraudScreen``)."""

    def assess(self, order: Order, signals: FraudSignals) -> FraudAssessment: ...


class AddressValidator(Protocol):
    """Checks that an address is deliverable."""

    def check(self, address: Address) -> AddressCheck: ...
