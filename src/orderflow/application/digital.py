"""Digital delivery: the digital lines of a paid order get their link or licence key."""

from __future__ import annotations

from orderflow.application.services import Services
from orderflow.domain.digital import DigitalItem
from orderflow.domain.money import Money
from orderflow.domain.order import Order, OrderStatus
from orderflow.domain.values import Actor, LineKind

#: The states in which an order's digital lines may be delivered (confirmed and not cancelled).
_DELIVERABLE = frozenset(OrderStatus) - {
    OrderStatus.PLACED,
    OrderStatus.VERIFIED,
    OrderStatus.CANCELLED,
}


def digital_value(order: Order) -> Money:
    """What the order's digital lines cost, tax included."""
    due = [li.total for li in order.lines if li.kind is LineKind.DIGITAL]
    return Money.sum(due, order.currency)


def deliver_digital(svc: Services, number: str, *, actor: Actor) -> list[DigitalItem]:
    """Deliver the digital lines of a confirmed order that are paid for and not yet delivered.

    Paid means, with a gateway, that what was captured covers the digital lines. The port is
    called outside any transaction with one key per line, so a retry gets the same payload and
    records it once. Returns the items delivered now.
    """
    goods = svc.digital_goods
    if goods is None:
        return []
    with svc.uow() as uow:
        order = uow.orders.get(number)
        captured = Money.sum((p.captured for p in uow.payments.for_order(number)), order.currency)
    due = order.digital_lines_due()
    if not due or order.status not in _DELIVERABLE:
        return []
    if svc.gateway is not None and captured < digital_value(order):
        return []
    issued = [(line, goods.issue(order, line, key=f"{number}/{line.line_no}")) for line in due]
    with svc.uow() as uow:
        order = uow.orders.get(number)
        now = svc.clock.now()
        still_due = order.digital_lines_due()
        delivered = []
        for line, payload in issued:
            if line in still_due:  # a concurrent call may have delivered it meanwhile
                order.deliver_digital(line, payload, actor=actor, now=now)
                delivered.append(order.digital_items[-1])
        uow.orders.save(order)
        uow.commit()
        return delivered
