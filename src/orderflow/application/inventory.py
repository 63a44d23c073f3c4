"""Inventory use cases: receive, adjust, count, transfer, write off; reserve, release, expire.

Every level change is one movement applied by a conditional update, so stock is never oversold;
a plan that loses a race raises ConcurrencyError and the whole unit of work is retried.
"""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import date, datetime, timedelta

from attrs import frozen

from orderflow.application.services import Services
from orderflow.domain import checks
from orderflow.domain import events as ev
from orderflow.domain.allocation import Allocation, Destination
from orderflow.domain.errors import ConcurrencyError, InsufficientStock, NotFound, ValidationError
from orderflow.domain.events import AlertLevel
from orderflow.domain.forecast import Replenishment, plan_replenishment
from orderflow.domain.holds import HoldType
from orderflow.domain.inventory import (
    BackorderLine,
    Location,
    Movement,
    MovementKind,
    Reservation,
    ReservedLine,
    SkuPolicy,
    StockLevel,
    positive_quantity,
)
from orderflow.domain.money import Money
from orderflow.domain.order import Order
from orderflow.domain.values import Actor, LineKind
from orderflow.ports import OrderQuery, UnitOfWork

INVENTORY = Actor.system("inventory")


def add_location(svc: Services, location: Location) -> None:
    """Add or replace a stock location."""
    with svc.uow() as uow:
        uow.stock.put_location(location)
        uow.commit()


def set_policy(svc: Services, policy: SkuPolicy) -> None:
    """Set how a sku is stocked (shortage handling, preorder, lead time)."""
    with svc.uow() as uow:
        uow.stock.put_policy(policy)
        uow.commit()


def set_reorder(svc: Services, sku: str, location: str, *, point: int, quantity: int) -> None:
    """Set the reorder point and quantity of (sku, location)."""
    if type(point) is not int or point < 0 or type(quantity) is not int or quantity < 0:
        raise ValidationError.single(
            "point", "reorder point and quantity must be whole numbers >= 0"
        )
    with svc.uow() as uow:
        _known_location(uow, location)
        uow.stock.stock(sku, location)
        uow.stock.set_reorder(sku, location, point=point, quantity=quantity)
        uow.commit()


def receive_stock(
    svc: Services,
    sku: str,
    location: str,
    quantity: int,
    *,
    unit_cost: Money | None,
    actor: Actor,
    reference: str | None = None,
) -> StockLevel:
    """Book a receipt, update the average cost, then fill the oldest backorders first."""
    positive_quantity("quantity", quantity)
    with svc.uow() as uow:
        _known_location(uow, location)
        now = svc.clock.now()
        uow.stock.stock(sku, location)
        before = _level(uow, sku, location)
        cost = before.received(quantity, unit_cost)
        _apply(
            uow,
            sku,
            location,
            MovementKind.RECEIPT,
            now,
            actor,
            on_hand=quantity,
            reference=reference,
            unit_cost=unit_cost,
        )
        uow.stock.set_average_cost(sku, location, cost)
        _stock_arrived(svc, uow, sku, location, now)
        raise_alerts(uow, svc.clock.now())
        uow.commit()
        return _level(uow, sku, location)


def adjust_stock(
    svc: Services, sku: str, location: str, delta: int, *, reason: str, actor: Actor
) -> StockLevel:
    """Correct on-hand stock by ``delta`` (never below what is reserved)."""
    if type(delta) is not int or delta == 0:
        raise ValidationError.single("delta", f"must be a non-zero whole number, got {delta!r}")
    return _single(svc, sku, location, MovementKind.ADJUSTMENT, delta, reason, actor)


def write_off(
    svc: Services, sku: str, location: str, quantity: int, *, reason: str, actor: Actor
) -> StockLevel:
    """Remove damaged or lost units from on-hand stock."""
    positive_quantity("quantity", quantity)
    return _single(svc, sku, location, MovementKind.WRITE_OFF, -quantity, reason, actor)


@frozen(kw_only=True)
class CountResult:
    """A cycle count: what was expected, what was counted."""

    sku: str
    location: str
    expected: int
    counted: int

    @property
    def discrepancy(self) -> int:
        """Counted minus expected."""
        return self.counted - self.expected


def count_stock(
    svc: Services, sku: str, location: str, counted: int, *, actor: Actor
) -> CountResult:
    """Record a cycle count: on hand becomes what was counted; the difference is in the ledger."""
    if type(counted) is not int or counted < 0:
        raise ValidationError.single("counted", f"must be a whole number >= 0, got {counted!r}")
    with svc.uow() as uow:
        level = _level(uow, sku, location)
        delta = counted - level.on_hand
        reason = f"counted {counted}, expected {level.on_hand}"
        if delta:
            _apply(
                uow,
                sku,
                location,
                MovementKind.COUNT,
                svc.clock.now(),
                actor,
                on_hand=delta,
                reason=reason,
            )
        else:
            _record_only(uow, sku, location, svc.clock.now(), actor, reason)
        raise_alerts(uow, svc.clock.now())
        uow.commit()
    return CountResult(sku=sku, location=location, expected=level.on_hand, counted=counted)


def transfer_stock(
    svc: Services, sku: str, source: str, target: str, quantity: int, *, actor: Actor
) -> None:
    """Move units between locations, carrying their average cost."""
    positive_quantity("quantity", quantity)
    if source == target:
        raise ValidationError.single("target", "a transfer needs two different locations")
    with svc.uow() as uow:
        _known_location(uow, target)
        now = svc.clock.now()
        reference = f"transfer {source}->{target}"
        cost = _level(uow, sku, source).average_cost
        _apply(
            uow,
            sku,
            source,
            MovementKind.TRANSFER_OUT,
            now,
            actor,
            on_hand=-quantity,
            reference=reference,
        )
        uow.stock.stock(sku, target)
        new_cost = _level(uow, sku, target).received(quantity, cost)
        _apply(
            uow,
            sku,
            target,
            MovementKind.TRANSFER_IN,
            now,
            actor,
            on_hand=quantity,
            reference=reference,
            unit_cost=cost,
        )
        uow.stock.set_average_cost(sku, target, new_cost)
        _stock_arrived(svc, uow, sku, target, now)
        raise_alerts(uow, svc.clock.now())
        uow.commit()


# -- reservations (called inside the order use cases' units of work) ------------------------------


def shippable_lines(order: Order) -> dict[str, int]:
    """Units per sku that need stock (digital lines do not)."""
    need: Counter[str] = Counter()
    for line in order.lines:
        if line.kind is LineKind.SHIPPABLE:
            need[line.sku] += line.quantity
    return dict(need)


def destination(order: Order) -> Destination:
    """Where the order ships, for allocation."""
    address = order.shipping_address
    if address is None:
        return Destination(country="ZZ")
    region = f"{address.country}-{address.region}" if address.region else None
    return Destination(country=address.country, region=region, postal_code=address.postal_code)


def plan(svc: Services, uow: UnitOfWork, order: Order) -> Allocation:
    """How the order's shippable lines would be reserved right now."""
    lines = shippable_lines(order)
    available: dict[str, dict[str, int]] = {}
    for level in uow.stock.levels(lines):
        available.setdefault(level.sku, {})[level.location] = level.available
    return svc.allocation(lines, uow.stock.locations(), available, destination(order))


def missing_stock(svc: Services, uow: UnitOfWork, order: Order) -> dict[str, int]:
    """Units per sku that stock cannot cover and whose policy does not accept backorders.

    Nothing is missing where inventory is not in use (no location) or the order already holds a
    reservation (what it still waits for is then its backorder).
    """
    if not uow.stock.locations():
        return {}
    reservation = uow.reservations.for_order(order.number)
    missing = (
        reservation.outstanding()
        if reservation is not None and reservation.is_active
        else plan(svc, uow, order).shortfall
    )
    return {sku: n for sku, n in missing.items() if not uow.stock.policy(sku).allows_backorder}


def reserve(
    svc: Services, uow: UnitOfWork, order: Order, *, expires_at: datetime | None = None
) -> Reservation:
    """Reserve the order's lines as planned; the shortfall is backordered.

    Each pick is one conditional update, in (sku, location) order; if another transaction took
    the stock since the plan was made, ConcurrencyError asks the caller to retry from scratch.
    """
    now = svc.clock.now()
    allocation = plan(svc, uow, order)
    for pick in sorted(allocation.picks, key=lambda p: (p.sku, p.location)):
        movement = _movement(
            pick.sku,
            pick.location,
            MovementKind.RESERVATION,
            now,
            INVENTORY,
            reserved=pick.quantity,
            reference=order.number,
        )
        if not uow.stock.apply(movement):
            raise ConcurrencyError("stock", f"{pick.sku}@{pick.location}", 0)
    previous = uow.reservations.for_order(order.number)
    attempt = 1 if previous is None else int(previous.id.rsplit("-", 1)[1]) + 1
    reservation = Reservation(
        id=f"RES-{order.number}-{attempt:02d}",
        order_number=order.number,
        lines=[
            ReservedLine(sku=p.sku, location=p.location, quantity=p.quantity)
            for p in allocation.picks
        ],
        backorders=[
            BackorderLine(sku=s, quantity=q) for s, q in sorted(allocation.shortfall.items())
        ],
        created_at=now,
        expires_at=expires_at,
    )
    uow.reservations.add(reservation)
    order.record(
        ev.StockReserved,
        actor=INVENTORY,
        now=now,
        picks=tuple((p.sku, p.location, p.quantity) for p in allocation.picks),
        backordered=tuple(sorted(allocation.shortfall.items())),
        expires_at=expires_at,
    )
    return reservation


def secure(svc: Services, uow: UnitOfWork, order: Order) -> dict[str, int]:
    """Hold the order's stock until shipment (reserving it now if need be).

    Returns the units per sku it still waits for whose policy does not accept backorders;
    nothing where inventory is not in use (no location).
    """
    if not uow.stock.locations():
        return {}
    reservation = uow.reservations.for_order(order.number)
    if reservation is None or not reservation.is_active:
        reservation = reserve(svc, uow, order)
    else:
        reservation.keep()
        uow.reservations.save(reservation)
    return {
        sku: n
        for sku, n in reservation.outstanding().items()
        if not uow.stock.policy(sku).allows_backorder
    }


def book(
    uow: UnitOfWork,
    sku: str,
    location: str,
    kind: MovementKind,
    delta: int,
    *,
    reference: str,
    actor: Actor,
    now: datetime,
    reason: str | None = None,
) -> None:
    """Change on-hand stock by ``delta`` as one movement of ``kind`` (a return, a write-off)."""
    _apply(uow, sku, location, kind, now, actor, on_hand=delta, reference=reference, reason=reason)


def hold_units(
    uow: UnitOfWork, sku: str, location: str, quantity: int, reference: str, now: datetime
) -> None:
    """Reserve units outside an order's reservation (a claim's replacement), by ``reference``."""
    _apply(
        uow,
        sku,
        location,
        MovementKind.RESERVATION,
        now,
        INVENTORY,
        reserved=quantity,
        reference=reference,
    )


def commit_units(
    uow: UnitOfWork,
    quantities: dict[tuple[str, str], int],
    reference: str,
    now: datetime,
    actor: Actor,
) -> None:
    """Ship units held by :func:`hold_units`: on hand and reserved both drop."""
    for (sku, location), quantity in sorted(quantities.items()):
        _apply(
            uow,
            sku,
            location,
            MovementKind.COMMIT,
            now,
            actor,
            on_hand=-quantity,
            reserved=-quantity,
            reference=reference,
        )


def release(svc: Services, uow: UnitOfWork, order: Order, actor: Actor, reason: str) -> None:
    """Free the order's reserved stock (once: a second release frees nothing)."""
    reservation = uow.reservations.for_order(order.number)
    if reservation is None:
        return
    _free(uow, reservation, reservation.release(), MovementKind.RELEASE, svc.clock.now(), actor)
    if reservation.status.value == "released":
        order.record(
            ev.StockReleased,
            actor=actor,
            now=svc.clock.now(),
            reason=reason,
            reservation_id=reservation.id,
        )


def commit(
    svc: Services,
    uow: UnitOfWork,
    order: Order,
    quantities: dict[tuple[str, str], int],
    actor: Actor,
) -> None:
    """Shipped units leave the building: on hand and reserved both drop, once per unit."""
    reservation = _reservation(uow, order.number)
    now = svc.clock.now()
    for line in sorted(reservation.commit(quantities), key=lambda r: (r.sku, r.location)):
        _apply(
            uow,
            line.sku,
            line.location,
            MovementKind.COMMIT,
            now,
            actor,
            on_hand=-line.quantity,
            reserved=-line.quantity,
            reference=order.number,
        )
    uow.reservations.save(reservation)
    order.record(
        ev.StockCommitted,
        actor=actor,
        now=now,
        lines=tuple((s, loc, q) for (s, loc), q in sorted(quantities.items())),
    )


def expire_reservations(svc: Services) -> list[str]:
    """Free every reservation past its expiry; returns the order numbers."""
    now = svc.clock.now()
    expired = []
    with svc.uow() as uow:
        for rid in list(uow.reservations.expired(now)):
            reservation = uow.reservations.get(rid)
            freed = reservation.expire()
            _free(uow, reservation, freed, MovementKind.EXPIRY, now, INVENTORY)
            order = uow.orders.get(reservation.order_number)
            order.record(
                ev.ReservationExpired,
                actor=INVENTORY,
                now=now,
                reason="checkout hold expired",
                reservation_id=rid,
            )
            uow.orders.save(order)
            expired.append(reservation.order_number)
        uow.commit()
    return expired


def extend_reservation(
    svc: Services, order_number: str, until: datetime, *, actor: Actor
) -> Reservation:
    """Keep a time-limited reservation until ``until``."""
    with svc.uow() as uow:
        reservation = _reservation(uow, order_number)
        reservation.extend(until, svc.clock.now())
        uow.reservations.save(reservation)
        uow.commit()
        return reservation


def get_reservation(svc: Services, order_number: str) -> Reservation:
    """The order's reservation, or NotFound."""
    with svc.uow() as uow:
        return _reservation(uow, order_number)


def stock_levels(svc: Services, skus: list[str] | None = None) -> list[StockLevel]:
    """Current levels, by sku then location."""
    wanted = None if skus is None else checks.text_list("skus", skus)
    with svc.uow() as uow:
        return uow.stock.levels(wanted)


def ledger(
    svc: Services,
    *,
    sku: str | None = None,
    location: str | None = None,
    reference: str | None = None,
) -> list[Movement]:
    """Stock movements, oldest first."""
    with svc.uow() as uow:
        return uow.stock.movements(sku=sku, location=location, reference=reference)


def replenishment(svc: Services, *, history_days: int = 56) -> list[Replenishment]:
    """Reorder suggestions for every level with a reorder point, from recent shipped demand."""
    now = svc.clock.now()
    since = now - timedelta(days=history_days)
    with svc.uow() as uow:
        levels = [lv for lv in uow.stock.levels() if lv.reorder_point or lv.reorder_quantity]
        suggestions = []
        for level in levels:
            demand = _daily_demand(uow, level, since, history_days)
            suggestions.append(
                plan_replenishment(
                    sku=level.sku,
                    location=level.location,
                    available=level.available,
                    reorder_point=level.reorder_point,
                    reorder_quantity=level.reorder_quantity,
                    history=demand,
                    today=now.date(),
                    lead_time_days=uow.stock.policy(level.sku).lead_time_days,
                )
            )
    return suggestions


# -- helpers ---------------------------------------------------------------------------------------


def raise_alerts(uow: UnitOfWork, now: datetime) -> None:
    """Queue a StockAlert for each level this unit of work took to its reorder point or to zero."""
    net: dict[tuple[str, str], int] = {}
    for m in uow.stock.applied():
        key = (m.sku, m.location)
        net[key] = net.get(key, 0) + m.on_hand_delta - m.reserved_delta
    for (sku, location), delta in sorted(net.items()):
        level = uow.stock.level(sku, location)
        if level is None or delta >= 0:
            continue
        before, after = level.available - delta, level.available
        if after <= 0 < before:
            alert = AlertLevel.OUT
        elif after <= level.reorder_point < before:
            alert = AlertLevel.LOW
        else:
            continue
        event = ev.StockAlert(
            occurred_at=now,
            actor=INVENTORY,
            sku=sku,
            location=location,
            level=alert,
            available=after,
            reorder_point=level.reorder_point,
        )
        uow.outbox.add(f"stock-alert:{uuid.uuid4().hex}", event)


def _daily_demand(uow: UnitOfWork, level: StockLevel, since: datetime, days: int) -> list[int]:
    per_day: Counter[date] = Counter()
    for m in uow.stock.movements(sku=level.sku, location=level.location, since=since):
        if m.kind is MovementKind.RESERVATION:
            per_day[m.occurred_at.date()] += m.reserved_delta
    start = since.date()
    return [per_day[start + timedelta(days=i)] for i in range(days)]


def _stock_arrived(svc: Services, uow: UnitOfWork, sku: str, location: str, now: datetime) -> None:
    """New units of ``sku``: fill the oldest backorders, then release verification stock holds."""
    _fill_backorders(uow, sku, location, now)
    held = svc.queries.find(OrderQuery(hold_type=HoldType.STOCK, limit=1_000), now)
    for summary in held:
        order = uow.orders.get(summary.number)
        if order.awaiting != "verify" or sku not in shippable_lines(order):
            continue
        if not missing_stock(svc, uow, order):
            order.release_hold(HoldType.STOCK, reason="stock arrived", actor=INVENTORY, now=now)
            if not order.active_holds(now):
                order.advance("verify", actor=INVENTORY, now=now, reason="stock arrived")
            uow.orders.save(order)


def _fill_backorders(uow: UnitOfWork, sku: str, location: str, now: datetime) -> None:
    for rid in list(uow.reservations.backordered(sku)):
        level = _level(uow, sku, location)
        reservation = uow.reservations.get(rid)
        take = min(level.available, reservation.outstanding().get(sku, 0))
        if take <= 0:
            break
        _apply(
            uow,
            sku,
            location,
            MovementKind.RESERVATION,
            now,
            INVENTORY,
            reserved=take,
            reference=reservation.order_number,
        )
        reservation.fill(sku, location, take)
        uow.reservations.save(reservation)
        order = uow.orders.get(reservation.order_number)
        order.record(
            ev.BackorderFilled, actor=INVENTORY, now=now, sku=sku, location=location, quantity=take
        )
        if not reservation.outstanding() and any(
            h.type is HoldType.STOCK for h in order.active_holds(now)
        ):
            order.release_hold(HoldType.STOCK, reason="backorder filled", actor=INVENTORY, now=now)
            if order.awaiting is not None and not order.active_holds(now):
                order.advance(order.awaiting, actor=INVENTORY, now=now, reason="stock arrived")
        uow.orders.save(order)


def _free(
    uow: UnitOfWork,
    reservation: Reservation,
    lines: list[ReservedLine],
    kind: MovementKind,
    now: datetime,
    actor: Actor,
) -> None:
    for line in sorted(lines, key=lambda r: (r.sku, r.location)):
        _apply(
            uow,
            line.sku,
            line.location,
            kind,
            now,
            actor,
            reserved=-line.quantity,
            reference=reservation.order_number,
        )
    uow.reservations.save(reservation)


def _single(
    svc: Services,
    sku: str,
    location: str,
    kind: MovementKind,
    delta: int,
    reason: str,
    actor: Actor,
) -> StockLevel:
    with svc.uow() as uow:
        _apply(uow, sku, location, kind, svc.clock.now(), actor, on_hand=delta, reason=reason)
        raise_alerts(uow, svc.clock.now())
        uow.commit()
        return _level(uow, sku, location)


def _movement(
    sku: str,
    location: str,
    kind: MovementKind,
    now: datetime,
    actor: Actor,
    *,
    on_hand: int = 0,
    reserved: int = 0,
    reason: str | None = None,
    reference: str | None = None,
    unit_cost: Money | None = None,
) -> Movement:
    return Movement(
        sku=sku,
        location=location,
        kind=kind,
        on_hand_delta=on_hand,
        reserved_delta=reserved,
        reason=reason,
        actor=actor,
        reference=reference,
        unit_cost=unit_cost,
        occurred_at=now,
    )


def _apply(
    uow: UnitOfWork,
    sku: str,
    location: str,
    kind: MovementKind,
    now: datetime,
    actor: Actor,
    **deltas: object,
) -> None:
    movement = _movement(sku, location, kind, now, actor, **deltas)  # type: ignore[arg-type]
    if not uow.stock.apply(movement):
        level = _level(uow, sku, location)
        raise InsufficientStock(sku, location, level.on_hand, level.reserved, kind.value)


def _record_only(
    uow: UnitOfWork, sku: str, location: str, now: datetime, actor: Actor, reason: str
) -> None:
    uow.stock.apply(_movement(sku, location, MovementKind.COUNT, now, actor, reason=reason))


def _level(uow: UnitOfWork, sku: str, location: str) -> StockLevel:
    level = uow.stock.level(sku, location)
    if level is None:
        raise NotFound("stock level", f"{sku}@{location}")
    return level


def _known_location(uow: UnitOfWork, code: str) -> None:
    if code not in {loc.code for loc in uow.stock.locations()}:
        raise NotFound("location", code)


def _reservation(uow: UnitOfWork, order_number: str) -> Reservation:
    reservation = uow.reservations.for_order(order_number)
    if reservation is None:
        raise NotFound("reservation for order", order_number)
    return reservation
