"""Shipments: what leaves one location for one order, from picking to delivery.

Picking is checked scan by scan against the shipment's lines: an unknown code, a wrong item or
one unit too many is refused and recorded. Packing needs the scanned contents to equal the lines
exactly. Carrier tracking events are normalised to the shipment's states and applied once each.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from datetime import date, datetime
from enum import StrEnum

from attrs import define, field, frozen

from orderflow.domain.errors import IllegalTransition, ValidationError
from orderflow.domain.lifecycle import Lifecycle, Transition
from orderflow.domain.values import Actor


class ShipmentStatus(StrEnum):
    """Where a shipment is."""

    PENDING = "pending"
    PICKING = "picking"
    PACKED = "packed"
    SHIPPED = "shipped"
    IN_TRANSIT = "in_transit"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED = "delivered"
    EXCEPTION = "exception"
    RETURNED_TO_SENDER = "returned_to_sender"
    LOST = "lost"
    CANCELLED = "cancelled"


_S = ShipmentStatus
_MOVING = (_S.SHIPPED, _S.IN_TRANSIT, _S.OUT_FOR_DELIVERY, _S.EXCEPTION)
SHIPMENT_LIFECYCLE = Lifecycle(
    "shipment",
    ShipmentStatus,
    [
        Transition("start_picking", (_S.PENDING,), _S.PICKING),
        Transition("pack", (_S.PICKING,), _S.PACKED),
        Transition("ship", (_S.PACKED,), _S.SHIPPED),
        Transition("in_transit", (_S.SHIPPED, _S.EXCEPTION), _S.IN_TRANSIT),
        Transition(
            "out_for_delivery", (_S.SHIPPED, _S.IN_TRANSIT, _S.EXCEPTION), _S.OUT_FOR_DELIVERY
        ),
        Transition("deliver", _MOVING, _S.DELIVERED),
        Transition("exception", (_S.SHIPPED, _S.IN_TRANSIT, _S.OUT_FOR_DELIVERY), _S.EXCEPTION),
        Transition("return_to_sender", _MOVING, _S.RETURNED_TO_SENDER),
        Transition("lose", _MOVING, _S.LOST),
        Transition("cancel", (_S.PENDING, _S.PICKING, _S.PACKED), _S.CANCELLED),
    ],
)

#: The trigger that moves a shipment into each status carriers report.
TRACKING_TRIGGERS: dict[ShipmentStatus, str] = {
    _S.IN_TRANSIT: "in_transit",
    _S.OUT_FOR_DELIVERY: "out_for_delivery",
    _S.DELIVERED: "deliver",
    _S.EXCEPTION: "exception",
    _S.RETURNED_TO_SENDER: "return_to_sender",
    _S.LOST: "lose",
}


@frozen(kw_only=True)
class ShipmentLine:
    """Units of one sku in the shipment: of the order's line ``line_no``, or (None) an item an
    exchange sends in place of a returned one."""

    sku: str
    name: str
    quantity: int
    line_no: int | None


@frozen(kw_only=True)
class Package:
    """A parcel: weight in grams and size in millimetres."""

    weight_g: int
    length_mm: int = 0
    width_mm: int = 0
    height_mm: int = 0

    def __attrs_post_init__(self) -> None:
        if self.weight_g <= 0 or min(self.length_mm, self.width_mm, self.height_mm) < 0:
            raise ValidationError.single("package", "weight must be positive, sizes not negative")


class ScanOutcome(StrEnum):
    """What a scan did."""

    ACCEPTED = "accepted"
    UNKNOWN_CODE = "unknown_code"
    WRONG_ITEM = "wrong_item"
    OVER_SCAN = "over_scan"


@frozen(kw_only=True)
class Scan:
    """One scan at the picking station, kept whether accepted or refused."""

    code: str
    sku: str | None
    outcome: ScanOutcome
    actor: Actor
    at: datetime

    @property
    def accepted(self) -> bool:
        """Whether the scan counted."""
        return self.outcome is ScanOutcome.ACCEPTED


@frozen(kw_only=True)
class TrackingUpdate:
    """A carrier event, normalised: ``event_id`` is the carrier's, unique per tracking number."""

    event_id: str
    status: ShipmentStatus
    at: datetime
    description: str = ""
    location: str | None = None


@define(kw_only=True, eq=False)
class Shipment:
    """One shipment of an order from one location."""

    id: str
    order_number: str
    location: str
    lines: tuple[ShipmentLine, ...]
    created_at: datetime
    status: ShipmentStatus = ShipmentStatus.PENDING
    service: str | None = None
    ship_by: date | None = None
    deliver_by: date | None = None
    scans: list[Scan] = field(factory=list)
    packages: list[Package] = field(factory=list)
    carrier: str | None = None
    tracking_number: str | None = None
    label: str | None = None
    shipped_at: datetime | None = None
    expected_delivery: date | None = None
    delivered_at: datetime | None = None
    tracking: list[TrackingUpdate] = field(factory=list)
    replacement_for: str | None = None  # the claim or return (RMA) it sends items for
    version: int = 0

    @property
    def units(self) -> Counter[str]:
        """Units per sku the shipment holds."""
        return Counter({line.sku: line.quantity for line in self.lines})

    def picked(self) -> Counter[str]:
        """Units per sku accepted by scans so far."""
        return Counter(s.sku for s in self.scans if s.accepted and s.sku is not None)

    def _fire(self, trigger: str) -> None:
        self.status = ShipmentStatus(SHIPMENT_LIFECYCLE.fire(self.id, self.status, trigger))

    def start_picking(self) -> None:
        """A picker takes the pick list."""
        self._fire("start_picking")

    def scan(
        self, code: str, lookup: Callable[[str], str | None], *, actor: Actor, now: datetime
    ) -> Scan:
        """Check one scanned code (a sku or a barcode/GTIN) against the lines, and record it.

        ``lookup`` gives the sku a code stands for (the catalogue's), or None for an unknown code.
        """
        if self.status is not ShipmentStatus.PICKING:
            raise IllegalTransition("shipment", self.id, self.status, "scan", ("start_picking",))
        sku = code if code in self.units else lookup(code)
        if sku is None:
            outcome = ScanOutcome.UNKNOWN_CODE
        elif sku not in self.units:
            outcome = ScanOutcome.WRONG_ITEM
        elif self.picked()[sku] >= self.units[sku]:
            outcome = ScanOutcome.OVER_SCAN
        else:
            outcome = ScanOutcome.ACCEPTED
        scan = Scan(code=code, sku=sku, outcome=outcome, actor=actor, at=now)
        self.scans.append(scan)
        return scan

    def differences(self) -> dict[str, int]:
        """Units per sku still to pick (positive) or picked too many (negative)."""
        picked = self.picked()
        return {sku: want - picked[sku] for sku, want in self.units.items() if want != picked[sku]}

    def pack(self, packages: Sequence[Package]) -> None:
        """Close the parcel(s); only when what was scanned is exactly what the shipment holds."""
        SHIPMENT_LIFECYCLE.fire(self.id, self.status, "pack")
        missing = self.differences()
        if missing:
            detail = ", ".join(f"{sku} x{n} not scanned" for sku, n in sorted(missing.items()))
            raise ValidationError.single("scans", f"shipment {self.id} cannot be packed: {detail}")
        if not packages:
            raise ValidationError.single("packages", "at least one package is needed")
        self.packages = list(packages)
        self._fire("pack")

    def ship(
        self,
        *,
        carrier: str,
        tracking_number: str,
        label: str,
        expected: date | None,
        now: datetime,
    ) -> None:
        """Hand over to the carrier with a purchased label."""
        self._fire("ship")
        self.carrier, self.tracking_number, self.label = carrier, tracking_number, label
        self.expected_delivery, self.shipped_at = expected, now

    def track(self, update: TrackingUpdate) -> bool:
        """Apply a carrier event; False if it was seen before or changes nothing.

        An event the lifecycle does not allow from the current status raises IllegalTransition
        and leaves the shipment as it was (the event is not recorded either).
        """
        if any(t.event_id == update.event_id for t in self.tracking):
            return False
        trigger = TRACKING_TRIGGERS.get(update.status)
        moves = trigger is not None and update.status is not self.status
        if moves:
            assert trigger is not None
            self._fire(trigger)
            if self.status is ShipmentStatus.DELIVERED:
                self.delivered_at = update.at
        self.tracking.append(update)
        return moves

    def cancel(self) -> None:
        """Stop a shipment that has not left."""
        self._fire("cancel")
