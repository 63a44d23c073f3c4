"""Stock: levels per (sku, location), the append-only movement ledger, reservations and policies.

``available = on_hand - reserved`` never goes below zero unless the sku's policy allows
backorders; every change of a level is a :class:`Movement`, and the levels equal the ledger
replayed (:func:`replay_levels`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, time
from enum import StrEnum

from attrs import define, field, frozen

from orderflow.domain import checks
from orderflow.domain.errors import ValidationError
from orderflow.domain.lifecycle import Lifecycle, Transition
from orderflow.domain.money import Money
from orderflow.domain.values import Actor, Address


class MovementKind(StrEnum):
    """Why a stock level changed."""

    RECEIPT = "receipt"
    ADJUSTMENT = "adjustment"
    COUNT = "count"
    RESERVATION = "reservation"
    COMMIT = "commit"
    RELEASE = "release"
    EXPIRY = "expiry"
    RETURN_RESTOCK = "return_restock"
    WRITE_OFF = "write_off"
    TRANSFER_OUT = "transfer_out"
    TRANSFER_IN = "transfer_in"


class ShortagePolicy(StrEnum):
    """What happens to an order line that stock cannot cover."""

    HOLD = "hold"  # the order gets a stock hold until stock arrives
    BACKORDER = "backorder"  # reserve what there is; the rest ships when stock arrives


@frozen(kw_only=True)
class Location:
    """A warehouse or store that holds stock and ships from it.

    ``ships_to`` lists the countries (``DE``) or regions (``DE-BY``) it serves; empty means
    everywhere. Lower ``priority`` numbers are preferred. Orders in before ``cutoff`` (local
    time in ``timezone``) start that business day and ship ``handling_days`` later; ``address``
    is where parcels leave from.
    """

    code: str = field(validator=checks.text(32))
    name: str = field(validator=checks.text())
    country: str = field(validator=checks.country)
    region: str | None = field(default=None, validator=checks.optional_text(100))
    priority: int = 100
    ships_to: tuple[str, ...] = field(default=(), validator=checks.each(checks.text(16)))
    latitude: float | None = None
    longitude: float | None = None
    cutoff: time = time(14)
    timezone: str = "UTC"
    handling_days: int = 1
    address: Address | None = None

    def serves(self, country: str, region: str | None = None) -> bool:
        """Whether this location ships to ``country`` (and ``region``, as ``CC-RR``)."""
        if not self.ships_to:
            return True
        return country in self.ships_to or (region is not None and region in self.ships_to)


@frozen(kw_only=True)
class SkuPolicy:
    """How a sku is stocked: shortage handling, preorder release date, supplier lead time."""

    sku: str = field(validator=checks.text(64))
    shortage: ShortagePolicy = ShortagePolicy.HOLD
    preorder_until: datetime | None = None
    lead_time_days: int = 7

    @property
    def allows_backorder(self) -> bool:
        """Whether lines may be accepted beyond available stock."""
        return self.shortage is ShortagePolicy.BACKORDER or self.preorder_until is not None


@define(kw_only=True)
class StockLevel:
    """Stock of one sku at one location."""

    sku: str
    location: str
    on_hand: int = 0
    reserved: int = 0
    average_cost: Money | None = None
    reorder_point: int = 0
    reorder_quantity: int = 0

    @property
    def available(self) -> int:
        """What can still be reserved."""
        return self.on_hand - self.reserved

    @property
    def key(self) -> tuple[str, str]:
        """``(sku, location)``."""
        return self.sku, self.location

    def value(self) -> Money | None:
        """Stock value at weighted-average cost."""
        return None if self.average_cost is None else self.average_cost * self.on_hand

    def received(self, quantity: int, unit_cost: Money | None) -> Money | None:
        """The weighted-average cost after receiving ``quantity`` at ``unit_cost``."""
        if unit_cost is None:
            return self.average_cost
        if self.average_cost is None or self.on_hand <= 0:
            return unit_cost
        total = self.average_cost * self.on_hand + unit_cost * quantity
        return _per_unit(total, self.on_hand + quantity)


def _per_unit(total: Money, units: int) -> Money:
    """``total / units`` rounded half-even to the minor unit."""
    quotient, remainder = divmod(total.minor, units)
    if remainder * 2 > units or (remainder * 2 == units and quotient % 2):
        quotient += 1
    return Money(quotient, total.currency)


@frozen(kw_only=True)
class Movement:
    """One append-only entry of the stock ledger."""

    sku: str
    location: str
    kind: MovementKind
    on_hand_delta: int = 0
    reserved_delta: int = 0
    reason: str | None = field(default=None, validator=checks.optional_text(500))
    actor: Actor
    reference: str | None = field(default=None, validator=checks.optional_text(100))
    unit_cost: Money | None = None
    occurred_at: datetime


def replay_levels(movements: Iterable[Movement]) -> dict[tuple[str, str], tuple[int, int]]:
    """``(on_hand, reserved)`` per ``(sku, location)`` that the ledger adds up to."""
    levels: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for m in movements:
        level = levels[m.sku, m.location]
        level[0] += m.on_hand_delta
        level[1] += m.reserved_delta
    return {key: (v[0], v[1]) for key, v in levels.items()}


def positive_quantity(name: str, quantity: object) -> int:
    """``quantity`` if it is a whole number of at least 1, else ValidationError naming ``name``."""
    if type(quantity) is not int or quantity < 1:
        raise ValidationError.single(
            name, f"must be a whole number of at least 1, got {quantity!r}"
        )
    return quantity


class ReservationStatus(StrEnum):
    """Where a reservation is in its lifecycle."""

    ACTIVE = "active"
    COMMITTED = "committed"
    RELEASED = "released"
    EXPIRED = "expired"


_R = ReservationStatus
RESERVATION_LIFECYCLE = Lifecycle(
    "reservation",
    ReservationStatus,
    [
        Transition("commit", (_R.ACTIVE,), _R.COMMITTED),
        Transition("release", (_R.ACTIVE,), _R.RELEASED),
        Transition("expire", (_R.ACTIVE,), _R.EXPIRED),
    ],
)


@frozen(kw_only=True)
class ReservedLine:
    """Units of one sku held at one location; ``committed`` of them have shipped."""

    sku: str
    location: str
    quantity: int
    committed: int = 0

    @property
    def open(self) -> int:
        """Reserved units not yet shipped."""
        return self.quantity - self.committed


@frozen(kw_only=True)
class BackorderLine:
    """Units of a sku an order still waits for; ``filled`` of them have since been reserved."""

    sku: str
    quantity: int
    filled: int = 0

    @property
    def outstanding(self) -> int:
        """Units still missing."""
        return self.quantity - self.filled


@define(kw_only=True, eq=False)
class Reservation:
    """Stock held for one order: lines per location, and what is backordered.

    It frees its stock exactly once: ``release`` and ``expire`` of a reservation that is no longer
    active return nothing to free, so a retried release changes nothing.
    """

    id: str
    order_number: str
    lines: list[ReservedLine]
    backorders: list[BackorderLine] = field(factory=list)
    status: ReservationStatus = ReservationStatus.ACTIVE
    created_at: datetime
    expires_at: datetime | None = None
    version: int = 0

    @property
    def is_active(self) -> bool:
        """Still holding stock."""
        return self.status is ReservationStatus.ACTIVE

    def outstanding(self) -> dict[str, int]:
        """Backordered units per sku still waiting for stock."""
        return {b.sku: b.outstanding for b in self.backorders if b.outstanding}

    def is_expired(self, now: datetime) -> bool:
        """Active with an expiry at or before ``now``."""
        return self.is_active and self.expires_at is not None and self.expires_at <= now

    def extend(self, until: datetime, now: datetime) -> None:
        """Hold the stock until ``until`` (a time-limited checkout hold the host extends)."""
        RESERVATION_LIFECYCLE.fire(self.id, self.status, "expire")  # only active ones
        if until <= now:
            raise ValidationError.single("until", f"{until.isoformat()} is not in the future")
        self.expires_at = until

    def keep(self) -> None:
        """Drop the expiry: the order is confirmed, so the stock stays held until shipment."""
        RESERVATION_LIFECYCLE.fire(self.id, self.status, "expire")  # only active ones
        self.expires_at = None

    def commit(self, quantities: dict[tuple[str, str], int]) -> list[ReservedLine]:
        """Mark shipped units, per (sku, location); returns the committed parts.

        Committing everything that is open moves the reservation to ``committed``.
        """
        if not self.is_active:
            RESERVATION_LIFECYCLE.fire(self.id, self.status, "commit")
        by_key = {(line.sku, line.location): i for i, line in enumerate(self.lines)}
        for key, qty in quantities.items():
            if key not in by_key:
                raise ValidationError.single("quantities", f"{key[0]} is not reserved at {key[1]}")
            positive_quantity(f"quantities[{key[0]}@{key[1]}]", qty)
            if qty > self.lines[by_key[key]].open:
                open_units = self.lines[by_key[key]].open
                raise ValidationError.single(
                    "quantities", f"{qty} of {key[0]} at {key[1]} exceeds the {open_units} open"
                )
        parts = []
        for key, qty in quantities.items():
            line = self.lines[by_key[key]]
            self.lines[by_key[key]] = ReservedLine(
                sku=line.sku,
                location=line.location,
                quantity=line.quantity,
                committed=line.committed + qty,
            )
            parts.append(ReservedLine(sku=line.sku, location=line.location, quantity=qty))
        if all(line.open == 0 for line in self.lines) and not self.outstanding():
            self.status = ReservationStatus.COMMITTED
        return parts

    def release(self) -> list[ReservedLine]:
        """Stop holding stock; returns the open units to free (none if not active)."""
        return self._end(ReservationStatus.RELEASED)

    def expire(self) -> list[ReservedLine]:
        """End by expiry; returns the open units to free (none if not active)."""
        return self._end(ReservationStatus.EXPIRED)

    def _end(self, status: ReservationStatus) -> list[ReservedLine]:
        if not self.is_active:
            return []
        freed = [
            ReservedLine(sku=line.sku, location=line.location, quantity=line.open)
            for line in self.lines
            if line.open
        ]
        self.status = status
        return freed

    def fill(self, sku: str, location: str, quantity: int) -> None:
        """Reserve ``quantity`` more of a backordered ``sku`` at ``location``."""
        i = next((i for i, b in enumerate(self.backorders) if b.sku == sku and b.outstanding), None)
        if i is None or quantity > self.backorders[i].outstanding:
            raise ValidationError.single("quantity", f"more {sku} than the order waits for")
        b = self.backorders[i]
        self.backorders[i] = BackorderLine(sku=sku, quantity=b.quantity, filled=b.filled + quantity)
        j = next(
            (j for j, r in enumerate(self.lines) if (r.sku, r.location) == (sku, location)), None
        )
        if j is None:
            self.lines.append(ReservedLine(sku=sku, location=location, quantity=quantity))
        else:
            line = self.lines[j]
            self.lines[j] = ReservedLine(
                sku=sku,
                location=location,
                quantity=line.quantity + quantity,
                committed=line.committed,
            )
