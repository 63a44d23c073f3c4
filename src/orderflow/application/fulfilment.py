"""Fulfilment use cases: shipments from the allocation, pick lists, scan-checked picking and
packing, labels and shipping, tracking, delivery, claims, completion and late orders.

Carrier calls happen outside transactions: a label is bought with the shipment's id as its key
(a retry gets the same label), then one transaction ships the parcel, commits the stock and moves
the order along.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from attrs import frozen

from orderflow.application import inventory, payments
from orderflow.application.services import CaptureMode, Services
from orderflow.domain import events as ev
from orderflow.domain.calendar import PromisedDates, promise
from orderflow.domain.checks import parse_enum, sku_units
from orderflow.domain.claims import Claim, ClaimKind, ClaimLine, Resolution
from orderflow.domain.documents import carries_shipping, invoice_for
from orderflow.domain.errors import IllegalTransition, NotFound, OrderflowError, ValidationError
from orderflow.domain.inventory import Location
from orderflow.domain.money import Money
from orderflow.domain.order import Order, OrderStatus
from orderflow.domain.shipping import (
    Package,
    Scan,
    Shipment,
    ShipmentLine,
    ShipmentStatus,
    TrackingUpdate,
)
from orderflow.domain.values import Actor
from orderflow.ports import OrderQuery, UnitOfWork
from orderflow.ports.carriers import Carrier

FULFILMENT = Actor.system("fulfilment")
log = logging.getLogger(__name__)

IN_FLIGHT = (
    ShipmentStatus.SHIPPED,
    ShipmentStatus.IN_TRANSIT,
    ShipmentStatus.OUT_FOR_DELIVERY,
    ShipmentStatus.EXCEPTION,
)
_SHIPPABLE_ORDER = (OrderStatus.CONFIRMED, OrderStatus.IN_FULFILMENT, OrderStatus.PARTIALLY_SHIPPED)


class FulfilmentError(OrderflowError):
    """A fulfilment step that the order or shipment is not ready for."""


def promised_dates(svc: Services, uow: UnitOfWork, order: Order) -> PromisedDates:
    """Ship-by and deliver-by for a new order, from the first location that serves it."""
    settings = svc.fulfilment
    location = _first_serving(uow, order)
    transit = settings.transit_days.get(order.shipping_option or "standard", 3)
    return promise(
        order.placed_at,
        calendar=settings.calendar,
        cutoff=location.cutoff,
        zone=ZoneInfo(location.timezone),
        handling_days=location.handling_days,
        transit_days=transit,
    )


def create_shipments(svc: Services, number: str, *, actor: Actor) -> list[Shipment]:
    """One shipment per location for the order's reserved, not yet shipped units."""
    with svc.uow() as uow:
        order = uow.orders.get(number)
        if order.status not in _SHIPPABLE_ORDER:
            raise FulfilmentError(f"order {number} is {order.status}: confirm it first")
        now = svc.clock.now()
        reservation = uow.reservations.for_order(number)
        if (
            reservation is not None
            and reservation.outstanding()
            and not svc.fulfilment.partial_shipments
        ):
            raise FulfilmentError(
                f"order {number} waits for backordered units; partial shipments are off"
            )
        planned: Counter[tuple[str, str]] = Counter()
        for shipment in uow.shipments.for_order(number):
            if shipment.status is not ShipmentStatus.CANCELLED and shipment.replacement_for is None:
                planned.update({(li.sku, shipment.location): li.quantity for li in shipment.lines})
        if reservation is not None:
            reserved = Counter({(r.sku, r.location): r.quantity for r in reservation.lines})
        else:  # inventory not in use: everything ships from the first location
            home = _first_serving(uow, order).code
            reserved = Counter(
                {(sku, home): n for sku, n in inventory.shippable_lines(order).items()}
            )
        todo = reserved - planned
        by_location: dict[str, list[tuple[str, int]]] = defaultdict(list)
        for (sku, location), quantity in sorted(todo.items()):
            by_location[location].append((sku, quantity))
        created = []
        index = len(uow.shipments.for_order(number))
        for location, items in sorted(by_location.items()):
            index += 1
            created.append(_new_shipment(svc, order, f"SHP-{number}-{index}", location, items, now))
            uow.shipments.add(created[-1])
            order.record(
                ev.ShipmentCreated,
                actor=actor,
                now=now,
                shipment_id=created[-1].id,
                location=location,
                units=sum(q for _, q in items),
            )
        if created and order.status is OrderStatus.CONFIRMED:
            order.advance("start_fulfilment", actor=actor, now=now)
        uow.orders.save(order)
        uow.commit()
        return created


@frozen(kw_only=True)
class PickRow:
    """One stop on a pick walk: a bin, a sku, the units, and which shipments they go to."""

    bin: str
    sku: str
    name: str
    quantity: int
    shipments: tuple[tuple[str, int], ...]


def pick_list(svc: Services, location: str) -> list[PickRow]:
    """Everything to pick at ``location``, batched across orders and sorted by bin."""
    with svc.uow() as uow:
        ids = uow.shipments.with_status([ShipmentStatus.PENDING, ShipmentStatus.PICKING], location)
        wanted: dict[str, list[tuple[str, int]]] = defaultdict(list)
        names: dict[str, str] = {}
        for shipment in (uow.shipments.get(i) for i in ids):
            for line in shipment.lines:
                wanted[line.sku].append((shipment.id, line.quantity))
                names[line.sku] = line.name
    bins = svc.fulfilment.bins
    rows = [
        PickRow(
            bin=bins.get((sku, location), "-"),
            sku=sku,
            name=names[sku],
            quantity=sum(q for _, q in parts),
            shipments=tuple(parts),
        )
        for sku, parts in wanted.items()
    ]
    return sorted(rows, key=lambda r: (r.bin, r.sku))


def start_picking(svc: Services, shipment_id: str, *, actor: Actor) -> Shipment:
    """A picker takes the shipment."""
    return _on_shipment(svc, shipment_id, Shipment.start_picking)


def scan_item(svc: Services, shipment_id: str, code: str, *, actor: Actor) -> Scan:
    """Check a scanned code against the shipment; refused scans are recorded too."""
    with svc.uow() as uow:
        shipment = uow.shipments.get(shipment_id)
        catalog = svc.catalog
        lookup = catalog.sku_for_code if catalog is not None else (lambda code: None)
        now = svc.clock.now()
        scan = shipment.scan(code, lookup, actor=actor, now=now)
        if not scan.accepted:
            order = uow.orders.get(shipment.order_number)
            order.record(
                ev.ScanRefused,
                actor=actor,
                now=now,
                shipment_id=shipment.id,
                code=code,
                outcome=scan.outcome.value,
            )
            uow.orders.save(order)
        uow.shipments.save(shipment)
        uow.commit()
        return scan


def pack_shipment(
    svc: Services, shipment_id: str, packages: Sequence[Package], *, actor: Actor
) -> Shipment:
    """Close the parcels once everything scanned matches the shipment."""
    return _on_shipment(svc, shipment_id, lambda shipment: shipment.pack(packages))


def ship_shipment(
    svc: Services, shipment_id: str, *, actor: Actor, option: str | None = None
) -> Shipment:
    """Buy the label (outside any transaction), ship, commit the stock, move the order on."""
    carrier = _carrier(svc)
    with svc.uow() as uow:
        shipment = uow.shipments.get(shipment_id)
        order = uow.orders.get(shipment.order_number)
        site = location(uow, shipment.location)
    if shipment.status is not ShipmentStatus.PACKED:
        raise FulfilmentError(f"shipment {shipment_id} is {shipment.status}: pack it first")
    if order.shipping_address is None or site.address is None:
        raise FulfilmentError(f"shipment {shipment_id}: the order and the location need an address")
    label = carrier.buy_label(
        key=f"{shipment_id}-label",
        option=option or order.shipping_option or "standard",
        origin=site.address,
        destination=order.shipping_address,
        packages=shipment.packages,
    )
    with svc.uow() as uow:
        shipment = uow.shipments.get(shipment_id)
        order = uow.orders.get(shipment.order_number)
        now = svc.clock.now()
        expected = svc.fulfilment.calendar.add_business_days(now.date(), label.transit_days)
        shipment.ship(
            carrier=label.carrier,
            tracking_number=label.tracking_number,
            label=label.document,
            expected=expected,
            now=now,
        )
        quantities = {(li.sku, shipment.location): li.quantity for li in shipment.lines}
        if shipment.replacement_for is not None and uow.stock.locations():
            inventory.commit_units(uow, quantities, shipment.replacement_for, now, actor)
        elif uow.reservations.for_order(order.number) is not None:
            inventory.commit(svc, uow, order, quantities, actor)
        if order.status is OrderStatus.CONFIRMED:
            order.advance("start_fulfilment", actor=actor, now=now)
        order.record(
            ev.ShipmentShipped,
            actor=actor,
            now=now,
            shipment_id=shipment.id,
            carrier=label.carrier,
            tracking_number=label.tracking_number,
            expected_delivery=expected,
        )
        if order.status in (OrderStatus.IN_FULFILMENT, OrderStatus.PARTIALLY_SHIPPED):
            order.advance(
                "ship" if _all_shipped(uow, order, shipment) else "ship_part", actor=actor, now=now
            )
        first = carries_shipping(shipment, uow.shipments.for_order(order.number))
        uow.shipments.save(shipment)
        uow.orders.save(order)
        uow.commit()
    if (
        svc.gateway is not None
        and svc.payment_settings.capture is CaptureMode.ON_SHIP
        and shipment.replacement_for is None  # claims and exchanges settle their own money
    ):
        amount = invoice_for(order, shipment, first=first, issued_at=now).total
        payments.capture_order(svc, order.number, amount, actor=actor)
    return shipment


def refresh_tracking(svc: Services) -> int:
    """Ask the carrier for news of every parcel on its way; returns how many changed."""
    carrier = _carrier(svc)
    with svc.uow() as uow:
        flying = [uow.shipments.get(i) for i in uow.shipments.with_status(IN_FLIGHT)]
    news = {s.id: carrier.track(s.tracking_number or "") for s in flying}  # outside any transaction
    changed = 0
    for shipment_id, updates in news.items():
        if not updates:
            continue
        with svc.uow() as uow:
            shipment = uow.shipments.get(shipment_id)
            order = uow.orders.get(shipment.order_number)
            before = changed
            for update in updates:
                if _tracked(shipment, update):
                    changed += 1
                    order.record(
                        ev.ShipmentTracked,
                        actor=Actor.integration(shipment.carrier or "carrier"),
                        now=update.at,
                        shipment_id=shipment.id,
                        status=update.status.value,
                        description=update.description,
                    )
            if changed == before:
                continue  # nothing new for this parcel: nothing to write
            _deliver_if_done(uow, order, shipment, svc.clock.now())
            uow.shipments.save(shipment)
            uow.orders.save(order)
            uow.commit()
    return changed


def _tracked(shipment: Shipment, update: TrackingUpdate) -> bool:
    """Apply a carrier event; one the lifecycle refuses (carriers report out of order, e.g. in
    transit after delivered) is ignored rather than stopping the other parcels' news."""
    try:
        return shipment.track(update)
    except IllegalTransition:
        log.info("ignored out-of-order %s for shipment %s", update.status, shipment.id)
        return False


def confirm_delivery(svc: Services, number: str, *, actor: Actor) -> Order:
    """Record delivery by hand (the customer confirmed receipt, or a driver's proof)."""
    with svc.uow() as uow:
        order = uow.orders.get(number)
        now = svc.clock.now()
        last = None
        for shipment in uow.shipments.for_order(number):
            if shipment.status in IN_FLIGHT:
                update = TrackingUpdate(
                    event_id=f"manual-{now.isoformat()}",
                    status=ShipmentStatus.DELIVERED,
                    at=now,
                    description=f"confirmed by {actor}",
                )
                shipment.track(update)
                uow.shipments.save(shipment)
                last = shipment
        if last is None:
            raise FulfilmentError(f"order {number} has no shipment on its way")
        _deliver_if_done(uow, order, last, now)
        uow.orders.save(order)
        uow.commit()
        return order


def open_claim(
    svc: Services,
    number: str,
    kind: ClaimKind | str,
    lines: dict[str, int],
    *,
    description: str,
    actor: Actor,
) -> Claim:
    """The customer reports a damaged, wrong or missing item after delivery."""
    how = parse_enum("kind", ClaimKind, kind)
    lines = sku_units("lines", lines)
    with svc.uow() as uow:
        order = uow.orders.get(number)
        if order.status is not OrderStatus.DELIVERED:
            raise FulfilmentError(
                f"order {number} is {order.status}: claims are for delivered orders"
            )
        ordered = Counter({li.sku: li.quantity for li in order.lines})
        for sku, quantity in lines.items():
            if quantity > ordered[sku]:
                raise ValidationError.single(
                    f"lines.{sku}", f"order {number} has {ordered[sku]} of {sku}"
                )
        now = svc.clock.now()
        claim = Claim(
            id=f"CLM-{number}-{len(uow.claims.for_order(number)) + 1}",
            order_number=number,
            kind=how,
            lines=tuple(ClaimLine(sku=s, quantity=q) for s, q in sorted(lines.items())),
            description=description,
            opened_by=actor,
            opened_at=now,
        )
        uow.claims.add(claim)
        order.record(
            ev.ClaimOpened,
            actor=actor,
            now=now,
            reason=description,
            claim_id=claim.id,
            kind=claim.kind.value,
        )
        uow.orders.save(order)
        uow.commit()
        return claim


def resolve_claim(
    svc: Services, claim_id: str, resolution: Resolution | str, *, note: str, actor: Actor
) -> Claim:
    """Settle a claim by a replacement shipment (reserving stock again) or a refund."""
    how = parse_enum("resolution", Resolution, resolution)
    with svc.uow() as uow:
        claim = uow.claims.get(claim_id)
        order = uow.orders.get(claim.order_number)
        now = svc.clock.now()
        claim.resolve(how, note=note, actor=actor, now=now)
        if how is Resolution.REPLACEMENT:
            items = [(line.sku, line.quantity) for line in claim.lines]
            replacement(svc, uow, order, claim.id, items, now)
        order.record(
            ev.ClaimResolved,
            actor=actor,
            now=now,
            reason=note,
            claim_id=claim.id,
            resolution=how.value,
        )
        uow.claims.save(claim)
        uow.orders.save(order)
        uow.commit()
    if how is Resolution.REFUND and svc.gateway is not None:
        amount = _claim_value(order, claim)
        payments.refund_order(svc, order.number, amount, actor=actor, reason=f"claim {claim.id}")
    return claim


def complete_order(svc: Services, number: str, *, actor: Actor) -> Order:
    """Close a delivered order; refused while a claim is open."""
    with svc.uow() as uow:
        order = uow.orders.get(number)
        open_claims = [c.id for c in uow.claims.for_order(number) if c.is_open]
        if open_claims:
            raise FulfilmentError(f"order {number} has open claims: {', '.join(open_claims)}")
        order.advance("complete", actor=actor, now=svc.clock.now())
        uow.orders.save(order)
        uow.commit()
        return order


@frozen(kw_only=True)
class LateOrder:
    """An order past a promised date."""

    number: str
    kind: str  # "ship" or "deliver"
    promised: date
    status: OrderStatus


def flag_late_orders(svc: Services) -> list[LateOrder]:
    """Find orders late to ship or to deliver; each gets one OrderLate event per kind."""
    today = svc.clock.now().date()
    late: list[LateOrder] = []
    waiting = {OrderStatus.PLACED, OrderStatus.VERIFIED, *_SHIPPABLE_ORDER}
    with svc.uow() as uow:
        for status in [*waiting, OrderStatus.SHIPPED]:
            for row in svc.queries.find(OrderQuery(status=status, limit=100_000), svc.clock.now()):
                order = uow.orders.get(row.number)
                kind, promised = (
                    ("deliver", order.deliver_by)
                    if status is OrderStatus.SHIPPED
                    else ("ship", order.ship_by)
                )
                if promised is None or promised >= today:
                    continue
                late.append(
                    LateOrder(
                        number=order.number, kind=kind, promised=promised, status=order.status
                    )
                )
                flagged = {e.kind for e in _late_events(svc, order.number)}
                if kind not in flagged:
                    verb = "shipped" if kind == "ship" else "delivered"
                    order.record(
                        ev.OrderLate,
                        actor=FULFILMENT,
                        now=svc.clock.now(),
                        kind=kind,
                        promised=promised,
                        reason=f"not {verb} by {promised.isoformat()}",
                    )
                    uow.orders.save(order)
        uow.commit()
    return late


def shipments_of(svc: Services, number: str) -> list[Shipment]:
    """The order's shipments."""
    with svc.uow() as uow:
        uow.orders.get(number)
        return uow.shipments.for_order(number)


def claims_of(svc: Services, number: str) -> list[Claim]:
    """The order's claims."""
    with svc.uow() as uow:
        uow.orders.get(number)
        return uow.claims.for_order(number)


# -- helpers ---------------------------------------------------------------------------------------


def _late_events(svc: Services, number: str) -> list[ev.OrderLate]:
    return [r.event for r in svc.queries.history(number) if isinstance(r.event, ev.OrderLate)]


def _new_shipment(
    svc: Services,
    order: Order,
    shipment_id: str,
    location: str,
    items: list[tuple[str, int]],
    now: datetime,
) -> Shipment:
    return Shipment(
        id=shipment_id,
        order_number=order.number,
        location=location,
        lines=tuple(_shipment_line(svc, order, sku, quantity) for sku, quantity in items),
        created_at=now,
        service=order.shipping_option,
        ship_by=order.ship_by,
        deliver_by=order.deliver_by,
    )


def _shipment_line(svc: Services, order: Order, sku: str, quantity: int) -> ShipmentLine:
    """Units of ``sku``: of the order's line, or of the catalogue for an exchange's new item."""
    line = next((li for li in order.lines if li.sku == sku), None)
    if line is not None:
        return ShipmentLine(sku=sku, name=line.name, quantity=quantity, line_no=line.line_no)
    item = svc.catalog.get(sku) if svc.catalog is not None else None
    if item is None:
        raise NotFound("catalogue item", sku)
    return ShipmentLine(sku=sku, name=item.name, quantity=quantity, line_no=None)


def _on_shipment(svc: Services, shipment_id: str, change: Callable[[Shipment], None]) -> Shipment:
    with svc.uow() as uow:
        shipment = uow.shipments.get(shipment_id)
        change(shipment)
        uow.shipments.save(shipment)
        uow.commit()
        return shipment


def _all_shipped(uow: UnitOfWork, order: Order, just: Shipment) -> bool:
    reservation = uow.reservations.for_order(order.number)
    if reservation is not None and reservation.outstanding():
        return False
    shipped: Counter[str] = Counter()
    for s in uow.shipments.for_order(order.number):
        if s.replacement_for is None and (
            s.id == just.id or s.status in IN_FLIGHT or s.status is ShipmentStatus.DELIVERED
        ):
            shipped.update({li.sku: li.quantity for li in s.lines})
    return not (Counter(inventory.shippable_lines(order)) - shipped)


def _deliver_if_done(uow: UnitOfWork, order: Order, shipment: Shipment, now: datetime) -> None:
    if order.status is not OrderStatus.SHIPPED:
        return
    regular = [
        s
        for s in uow.shipments.for_order(order.number)
        if s.replacement_for is None and s.status is not ShipmentStatus.CANCELLED
    ]
    statuses = {(shipment if s.id == shipment.id else s).status for s in regular}
    if statuses == {ShipmentStatus.DELIVERED}:
        order.advance("deliver", actor=FULFILMENT, now=now)


def replacement(
    svc: Services,
    uow: UnitOfWork,
    order: Order,
    reference: str,
    items: list[tuple[str, int]],
    now: datetime,
) -> Shipment:
    """A new shipment of ``items`` for a claim or an exchange, its stock reserved now under
    ``reference`` (the claim or RMA)."""
    site = _first_serving(uow, order).code
    if uow.stock.locations():
        site = _location_with(uow, order, items)
        for sku, quantity in items:
            inventory.hold_units(uow, sku, site, quantity, reference, now)
    index = len(uow.shipments.for_order(order.number)) + 1
    shipment = _new_shipment(svc, order, f"SHP-{order.number}-{index}", site, items, now)
    shipment.replacement_for = reference
    uow.shipments.add(shipment)
    return shipment


def _location_with(uow: UnitOfWork, order: Order, items: list[tuple[str, int]]) -> str:
    """The first serving location (by priority) with every item available."""
    destination = inventory.destination(order)
    for loc in sorted(uow.stock.locations(), key=lambda x: (x.priority, x.code)):
        if not loc.serves(destination.country, destination.region):
            continue
        levels = [uow.stock.level(sku, loc.code) for sku, _ in items]
        if all(
            lv is not None and lv.available >= q for lv, (_, q) in zip(levels, items, strict=True)
        ):
            return loc.code
    wanted = ", ".join(f"{sku} x{q}" for sku, q in items)
    raise FulfilmentError(f"no location has {wanted} in stock for the replacement")


def _claim_value(order: Order, claim: Claim) -> Money:
    value = Money.zero(order.currency)
    by_sku = {li.sku: li for li in order.lines}
    for line in claim.lines:
        ol = by_sku[line.sku]
        value += ol.value_of(line.quantity)
    return value


def _first_serving(uow: UnitOfWork, order: Order) -> Location:
    address = order.shipping_address
    locations = sorted(uow.stock.locations(), key=lambda loc: (loc.priority, loc.code))
    for loc in locations:
        if address is None or loc.serves(address.country):
            return loc
    return locations[0] if locations else Location(code="MAIN", name="Main", country="ZZ")


def location(uow: UnitOfWork, code: str) -> Location:
    """The stock location ``code`` (``MAIN`` where inventory is not in use)."""
    for loc in uow.stock.locations():
        if loc.code == code:
            return loc
    if code == "MAIN":
        return Location(code="MAIN", name="Main", country="ZZ")
    raise NotFound("location", code)


def _carrier(svc: Services) -> Carrier:
    if svc.carrier is None:
        raise FulfilmentError("this engine has no carrier configured")
    return svc.carrier
