"""The read side: order lists and the audit trail of one order number, ready to show."""

from __future__ import annotations

from datetime import datetime
from functools import singledispatch
from typing import Any

from attrs import frozen

from orderflow import codec
from orderflow.application.services import Services
from orderflow.domain import events as ev
from orderflow.ports import OrderQuery, OrderSummary, RecordedEvent


@frozen(kw_only=True)
class HistoryEntry:
    """One line of an order's audit trail."""

    seq: int
    occurred_at: datetime
    event: str
    actor: str
    reason: str | None
    summary: str
    data: dict[str, Any]
    message_id: str


def find_orders(svc: Services, query: OrderQuery) -> list[OrderSummary]:
    """Orders matching ``query``, oldest first."""
    return svc.queries.find(query, svc.clock.now())


def order_history(svc: Services, number: str) -> list[HistoryEntry]:
    """Every state change, hold, release, decision and note of one order, in order."""
    return [entry(recorded) for recorded in svc.queries.history(number)]


def entry(recorded: RecordedEvent) -> HistoryEntry:
    """The history line for one recorded event."""
    event = recorded.event
    data = codec.unstructure(event)
    for common in ("order_number", "occurred_at", "actor", "reason"):
        data.pop(common)
    return HistoryEntry(
        seq=recorded.seq,
        occurred_at=event.occurred_at,
        event=type(event).__name__,
        actor=str(event.actor),
        reason=event.reason,
        summary=describe(event),
        data=data,
        message_id=recorded.message_id,
    )


@singledispatch
def describe(event: ev.DomainEvent) -> str:
    """A one-line, human description of ``event``."""
    return type(event).__name__


@describe.register
def _(event: ev.OrderPlaced) -> str:
    reference = f" ({event.external_reference})" if event.external_reference else ""
    lines = "line" if event.line_count == 1 else "lines"
    return f"placed via {event.channel}{reference}: {event.line_count} {lines}, {event.total}"


@describe.register
def _(event: ev.OrderTransitioned) -> str:
    return f"{event.from_status} -> {event.to_status}"


@describe.register
def _(event: ev.HoldPlaced) -> str:
    until = f" until {event.expires_at.isoformat()}" if event.expires_at else ""
    return f"{event.hold_type} hold placed{until}"


@describe.register
def _(event: ev.HoldReleased) -> str:
    return f"{event.hold_type} hold released"


@describe.register
def _(event: ev.HoldExpired) -> str:
    return f"{event.hold_type} hold expired"


@describe.register
def _(event: ev.NoteAdded) -> str:
    return f"note: {event.text}"


@describe.register
def _(event: ev.StockReserved) -> str:
    picks = ", ".join(f"{sku} x{n} at {loc}" for sku, loc, n in event.picks) or "nothing"
    waiting = ", ".join(f"{sku} x{n}" for sku, n in event.backordered)
    return f"stock reserved: {picks}" + (f"; backordered: {waiting}" if waiting else "")


@describe.register
def _(event: ev.BackorderFilled) -> str:
    return f"backorder filled: {event.sku} x{event.quantity} at {event.location}"


@describe.register
def _(event: ev.StockReleased) -> str:
    return "reserved stock released"


@describe.register
def _(event: ev.ReservationExpired) -> str:
    return "reservation expired, stock released"


@describe.register
def _(event: ev.StockCommitted) -> str:
    return "stock shipped: " + ", ".join(f"{s} x{n} from {loc}" for s, loc, n in event.lines)


@describe.register
def _(event: ev.PaymentEvent) -> str:
    verb = type(event).__name__.removeprefix("Payment").lower()
    return f"payment {event.payment_id} {verb}: {event.amount}"


@describe.register
def _(event: ev.PaymentDeclined) -> str:
    return f"payment {event.payment_id}: {event.operation} declined ({event.decline_code})"


@describe.register
def _(event: ev.PaymentExpired) -> str:
    return f"payment {event.payment_id}: authorisation expired"


@describe.register
def _(event: ev.PaymentMethodChanged) -> str:
    return f"payment method changed to {event.method}"


@describe.register
def _(event: ev.RefundRequested) -> str:
    return f"refund of {event.amount} requested"


@describe.register
def _(event: ev.StockAlert) -> str:
    return f"{event.sku} at {event.location}: {event.level} ({event.available} available)"


@describe.register
def _(event: ev.FraudAssessed) -> str:
    return f"fraud screen: score {event.score}, {event.decision}"


@describe.register
def _(event: ev.FraudReviewed) -> str:
    return "fraud review: " + ("approved" if event.approved else "rejected")


@describe.register
def _(event: ev.ShipmentCreated) -> str:
    return f"shipment {event.shipment_id} planned from {event.location} ({event.units} units)"


@describe.register
def _(event: ev.ScanRefused) -> str:
    return f"scan refused on {event.shipment_id}: {event.code} ({event.outcome})"


@describe.register
def _(event: ev.ShipmentShipped) -> str:
    expected = (
        f", expected {event.expected_delivery.isoformat()}" if event.expected_delivery else ""
    )
    return f"shipped {event.shipment_id} with {event.carrier} {event.tracking_number}{expected}"


@describe.register
def _(event: ev.ShipmentTracked) -> str:
    return f"{event.shipment_id}: {event.status} {event.description}".strip()


@describe.register
def _(event: ev.ClaimOpened) -> str:
    return f"claim {event.claim_id} opened: {event.kind}"


@describe.register
def _(event: ev.ClaimResolved) -> str:
    return f"claim {event.claim_id} resolved by {event.resolution}"


@describe.register
def _(event: ev.OrderLate) -> str:
    return f"late to {event.kind} (promised {event.promised.isoformat()})"


@describe.register
def _(event: ev.ReturnRequested) -> str:
    return f"return {event.return_id} requested ({event.units} units)"


@describe.register
def _(event: ev.ReturnApproved) -> str:
    label = f", label {event.label_tracking}" if event.label_tracking else ""
    return f"return {event.return_id} approved{label}"


@describe.register
def _(event: ev.ReturnStatusChanged) -> str:
    return f"return {event.return_id}: {event.from_status} -> {event.to_status}"


@describe.register
def _(event: ev.ReturnInspected) -> str:
    kept, lost = event.restocked, event.written_off
    return f"return {event.return_id} inspected: {kept} restocked, {lost} written off"


@describe.register
def _(event: ev.ReturnRefunded) -> str:
    return f"return {event.return_id} refunded: {event.amount}"


@describe.register
def _(event: ev.ReturnExchanged) -> str:
    return f"return {event.return_id} exchanged: {event.shipment_id}, difference {event.difference}"


@describe.register
def _(event: ev.NotificationSent) -> str:
    to = f" to {event.recipient}" if event.recipient else ""
    tries = f" (attempt {event.attempt})" if event.attempt > 1 else ""
    return f"{event.notification_type} sent via {event.channel}{to}{tries}"


@describe.register
def _(event: ev.NotificationFailed) -> str:
    return (
        f"{event.notification_type} via {event.channel} failed (attempt {event.attempt}): "
        f"{event.error}"
    )


@describe.register
def _(event: ev.InquiryOpened) -> str:
    return f"{event.kind} {event.inquiry_id} via {event.channel}: {_excerpt(event.text)}"


@describe.register
def _(event: ev.InquiryMessageAdded) -> str:
    return f"customer wrote on {event.inquiry_id} via {event.channel}: {_excerpt(event.text)}"


@describe.register
def _(event: ev.InquiryReplied) -> str:
    return f"replied to {event.inquiry_id} via {event.channel}: {_excerpt(event.text)}"


@describe.register
def _(event: ev.InquiryClosed) -> str:
    return f"inquiry {event.inquiry_id} closed"


def _excerpt(text: str, limit: int = 80) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"
