"""Return use cases: request under the policy, approve (with a label when the shop pays) or
reject, receive, inspect (restock or write off), then refund or exchange, and close."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from decimal import ROUND_HALF_UP
from typing import Any

from orderflow.application import fulfilment, inventory, payments
from orderflow.application.services import Services
from orderflow.domain import checks
from orderflow.domain import events as ev
from orderflow.domain.errors import NotFound, OrderflowError, ValidationError
from orderflow.domain.inventory import MovementKind
from orderflow.domain.money import Money
from orderflow.domain.order import Order, OrderStatus
from orderflow.domain.returns import Return, ReturnLine, ReturnReason, ReturnStatus
from orderflow.domain.shipping import Package, ShipmentStatus
from orderflow.domain.values import Actor
from orderflow.ports import UnitOfWork

RETURNS = Actor.system("returns")
_DONE = {OrderStatus.DELIVERED, OrderStatus.COMPLETED}
RETURN_PARCEL = Package(weight_g=1000)


class ReturnError(OrderflowError):
    """A return the policy or the order does not allow."""


def returnable(svc: Services, uow: UnitOfWork, order: Order) -> dict[str, int]:
    """Units per sku that may still be returned now: delivered, within the window, not yet
    returned, and of a returnable category."""
    now = svc.clock.now()
    delivered: Counter[str] = Counter()
    for shipment in uow.shipments.for_order(order.number):
        if shipment.status is ShipmentStatus.DELIVERED and shipment.replacement_for is None:
            at = shipment.delivered_at or now
            for line in shipment.lines:
                rule_category = _category(svc, line.sku)
                rule = svc.return_policy.rule(rule_category)
                if rule.returnable and now < svc.return_policy.window_closes(rule_category, at):
                    delivered[line.sku] += line.quantity
    for earlier in uow.returns.for_order(order.number):
        if earlier.status is not ReturnStatus.REJECTED and earlier.rejection_reason is None:
            delivered.subtract(earlier.units)
    return {sku: n for sku, n in delivered.items() if n > 0}


def request_return(
    svc: Services, number: str, lines: Sequence[Mapping[str, Any]], *, actor: Actor
) -> Return:
    """Ask to return units: each line ``{"sku", "quantity", "reason"}``."""
    with svc.uow() as uow:
        order = uow.orders.get(number)
        if order.status not in _DONE:
            raise ReturnError(
                f"order {number} is {order.status}: only delivered orders can be returned"
            )
        wanted = [_line(i, raw) for i, raw in enumerate(checks.object_list("lines", lines))]
        allowed = returnable(svc, uow, order)
        asked: Counter[str] = Counter()
        for line in wanted:
            asked[line.sku] += line.quantity
        for sku, quantity in asked.items():
            if quantity > allowed.get(sku, 0):
                first = next(i for i, line in enumerate(wanted) if line.sku == sku)
                raise ValidationError.single(
                    f"lines[{first}].quantity",
                    f"{quantity} of {sku} asked, {allowed.get(sku, 0)} returnable "
                    "(delivered, in the return window, not returned yet)",
                )
        now = svc.clock.now()
        rma = Return(
            id=f"RMA-{number}-{len(uow.returns.for_order(number)) + 1}",
            order_number=number,
            lines=tuple(wanted),
            requested_by=actor,
            requested_at=now,
            shop_pays_shipping=any(line.reason.shop_at_fault for line in wanted),
        )
        uow.returns.add(rma)
        order.record(
            ev.ReturnRequested, actor=actor, now=now, return_id=rma.id, units=sum(asked.values())
        )
        uow.orders.save(order)
        uow.commit()
        return rma


def approve_return(svc: Services, return_id: str, *, location: str, actor: Actor) -> Return:
    """Accept the return to ``location``; when the shop pays, buy the return label first."""
    with svc.uow() as uow:
        rma = uow.returns.get(return_id)
        order = uow.orders.get(rma.order_number)
        site = fulfilment.location(uow, location)
    rma.fire("approve")  # checked before any carrier call; the stored copy is untouched
    label = None
    if rma.shop_pays_shipping and svc.carrier is not None:
        if order.shipping_address is None or site.address is None:
            raise ReturnError(f"return {return_id}: the order and {location} need an address")
        label = svc.carrier.buy_label(
            key=f"{return_id}-label",
            option="standard",
            origin=order.shipping_address,
            destination=site.address,
            packages=[RETURN_PARCEL],
        )
    with svc.uow() as uow:
        rma = uow.returns.get(return_id)
        order = uow.orders.get(rma.order_number)
        rma.fire("approve")
        rma.location = location
        rma.label_tracking = label.tracking_number if label else None
        order.record(
            ev.ReturnApproved,
            actor=actor,
            now=svc.clock.now(),
            return_id=rma.id,
            label_tracking=rma.label_tracking,
            shop_pays_shipping=rma.shop_pays_shipping,
        )
        uow.returns.save(rma)
        uow.orders.save(order)
        uow.commit()
        return rma


def reject_return(svc: Services, return_id: str, *, reason: str, actor: Actor) -> Return:
    """Refuse the return, with a reason; it is closed."""

    def reject(rma: Return) -> None:
        rma.reject(reason)
        rma.fire("close")

    return _step(svc, return_id, actor, reject)


def ship_back_return(svc: Services, return_id: str, *, actor: Actor) -> Return:
    """The customer handed the approved return to the carrier."""
    return _step(svc, return_id, actor, lambda rma: rma.fire("ship_back"))


def receive_return(svc: Services, return_id: str, *, actor: Actor) -> Return:
    """The parcel arrived at the return's location."""
    return _step(svc, return_id, actor, lambda rma: rma.fire("receive"))


def inspect_return(
    svc: Services, return_id: str, findings: Mapping[str, tuple[int, int]], *, actor: Actor
) -> Return:
    """Judge each sku's units (resellable, damaged): resellable ones are restocked, damaged ones
    booked in and written off, each a ledger movement."""
    with svc.uow() as uow:
        rma = uow.returns.get(return_id)
        order = uow.orders.get(rma.order_number)
        now = svc.clock.now()
        rma.inspect(findings)
        if uow.stock.locations() and rma.location is not None:
            for sku, (good, bad) in sorted(findings.items()):
                uow.stock.stock(sku, rma.location)
                if good + bad:
                    inventory.book(
                        uow,
                        sku,
                        rma.location,
                        MovementKind.RETURN_RESTOCK,
                        good + bad,
                        reference=rma.id,
                        actor=actor,
                        now=now,
                    )
                if bad:
                    inventory.book(
                        uow,
                        sku,
                        rma.location,
                        MovementKind.WRITE_OFF,
                        -bad,
                        reference=rma.id,
                        actor=actor,
                        now=now,
                        reason="damaged on return",
                    )
        order.return_status = _return_status(uow, order, rma)
        order.record(
            ev.ReturnInspected,
            actor=actor,
            now=now,
            return_id=rma.id,
            restocked=sum(g for g, _ in findings.values()),
            written_off=sum(b for _, b in findings.values()),
        )
        uow.returns.save(rma)
        uow.orders.save(order)
        uow.commit()
        return rma


def refund_amount(svc: Services, order: Order, rma: Return) -> Money:
    """What the return refunds: the lines' value less the restocking fee on changed-mind units."""
    total = Money.zero(order.currency)
    by_sku = {line.sku: line for line in order.lines}
    for line in rma.lines:
        ol = by_sku[line.sku]
        value = ol.value_of(line.quantity)
        fee = svc.return_policy.rule(_category(svc, line.sku)).restocking_fee
        if line.reason is ReturnReason.CHANGED_MIND and fee:
            value -= value.times(fee, rounding=ROUND_HALF_UP)
        total += value
    return total


def refund_return(svc: Services, return_id: str, *, actor: Actor) -> Return:
    """Refund the inspected return to the original payments, then close it."""
    with svc.uow() as uow:
        rma = uow.returns.get(return_id)
        order = uow.orders.get(rma.order_number)
    rma.fire("refund")  # checked before money moves; the stored copy is untouched
    amount = refund_amount(svc, order, rma)
    if svc.gateway is not None and amount.minor > 0:
        payments.refund_order(
            svc,
            order.number,
            amount,
            actor=actor,
            reason=f"return {return_id}",
            return_id=return_id,
        )
    with svc.uow() as uow:
        rma = uow.returns.get(return_id)
        order = uow.orders.get(rma.order_number)
        rma.fire("refund")
        rma.refund = amount
        rma.fire("close")
        order.record(
            ev.ReturnRefunded, actor=actor, now=svc.clock.now(), return_id=rma.id, amount=amount
        )
        uow.returns.save(rma)
        uow.orders.save(order)
        uow.commit()
        return rma


def exchange_return(
    svc: Services, return_id: str, items: Mapping[str, int], *, actor: Actor
) -> Return:
    """Send ``items`` (sku -> units) instead of a refund; the price difference is refunded (or
    recorded as due when the new items cost more), then the return is closed."""
    items = checks.sku_units("items", items)
    with svc.uow() as uow:
        rma = uow.returns.get(return_id)
        order = uow.orders.get(rma.order_number)
        now = svc.clock.now()
        rma.fire("exchange")
        shipment = fulfilment.replacement(svc, uow, order, rma.id, sorted(items.items()), now)
        rma.exchange_shipment = shipment.id
        difference = _price(svc, order, items) - refund_amount(svc, order, rma)
        rma.fire("close")
        order.record(
            ev.ReturnExchanged,
            actor=actor,
            now=now,
            return_id=rma.id,
            shipment_id=shipment.id,
            difference=difference,
        )
        uow.returns.save(rma)
        uow.orders.save(order)
        uow.commit()
    if difference.is_negative() and svc.gateway is not None:
        payments.refund_order(
            svc,
            order.number,
            -difference,
            actor=actor,
            reason=f"exchange {return_id}: price difference",
        )
    return rma


def returns_of(svc: Services, number: str) -> list[Return]:
    """The order's returns."""
    with svc.uow() as uow:
        uow.orders.get(number)
        return uow.returns.for_order(number)


# -- helpers ---------------------------------------------------------------------------------------


def _line(i: int, raw: Any) -> ReturnLine:
    try:
        sku, quantity, reason = raw["sku"], raw["quantity"], raw.get("reason", "other")
    except (KeyError, TypeError):
        raise ValidationError.single(f"lines[{i}]", "needs sku, quantity and reason") from None
    if type(quantity) is not int or quantity < 1:
        raise ValidationError.single(
            f"lines[{i}].quantity", f"must be a whole number >= 1, got {quantity!r}"
        )
    try:
        why = ReturnReason(reason)
    except ValueError:
        allowed = ", ".join(r.value for r in ReturnReason)
        raise ValidationError.single(
            f"lines[{i}].reason", f"{reason!r} is not one of: {allowed}"
        ) from None
    return ReturnLine(sku=str(sku), quantity=quantity, reason=why)


def _step(svc: Services, return_id: str, actor: Actor, change: Callable[[Return], None]) -> Return:
    """Apply ``change`` to the return and record the status change on the order's trail."""
    with svc.uow() as uow:
        rma = uow.returns.get(return_id)
        order = uow.orders.get(rma.order_number)
        before = rma.status
        change(rma)
        order.record(
            ev.ReturnStatusChanged,
            actor=actor,
            now=svc.clock.now(),
            return_id=rma.id,
            from_status=before.value,
            to_status=rma.status.value,
            reason=rma.rejection_reason,
        )
        uow.returns.save(rma)
        uow.orders.save(order)
        uow.commit()
        return rma


def _return_status(uow: UnitOfWork, order: Order, current: Return) -> str:
    returned: Counter[str] = Counter()
    for rma in uow.returns.for_order(order.number):
        source = current if rma.id == current.id else rma
        if (
            source.status
            in (
                ReturnStatus.INSPECTED,
                ReturnStatus.REFUNDED,
                ReturnStatus.EXCHANGED,
                ReturnStatus.CLOSED,
            )
            and source.rejection_reason is None
        ):
            returned.update(source.units)
    ordered = Counter({li.sku: li.quantity for li in order.lines})
    return "returned" if not (ordered - returned) else "partially_returned"


def _category(svc: Services, sku: str) -> str | None:
    item = svc.catalog.get(sku) if svc.catalog is not None else None
    return item.category if item is not None else None


def _price(svc: Services, order: Order, items: Mapping[str, int]) -> Money:
    total = Money.zero(order.currency)
    for sku, quantity in items.items():
        item = svc.catalog.get(sku) if svc.catalog is not None else None
        line = next((li for li in order.lines if li.sku == sku), None)
        if item is not None:
            total += item.price * quantity
        elif line is not None:
            total += line.value_of(quantity)
        else:
            raise NotFound("catalogue item", sku)
    return total
