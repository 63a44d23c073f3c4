"""Domain events: frozen, past-tense facts, each with the actor who caused it and when.

Every change to an aggregate records exactly one event per fact; the events of one order form its
audit trail, which replays to the order's status and holds.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from attrs import frozen

from orderflow.domain.holds import HoldType
from orderflow.domain.money import Money
from orderflow.domain.values import Actor, Channel


@frozen(kw_only=True)
class DomainEvent:
    """Something that happened, when, by whom, and why (where someone decided)."""

    occurred_at: datetime
    actor: Actor
    reason: str | None = None


@frozen(kw_only=True)
class OrderEvent(DomainEvent):
    """Something that happened to one order: it is part of that order's audit trail."""

    order_number: str


@frozen(kw_only=True)
class OrderPlaced(OrderEvent):
    """An order was taken in from a channel."""

    channel: Channel
    external_reference: str | None
    customer_id: str | None
    total: Money
    line_count: int


@frozen(kw_only=True)
class OrderTransitioned(OrderEvent):
    """Base of the events that move an order along its lifecycle."""

    from_status: str
    to_status: str


@frozen(kw_only=True)
class OrderVerified(OrderTransitioned):
    """The order passed verification (or its holds were released)."""


@frozen(kw_only=True)
class OrderConfirmed(OrderTransitioned):
    """Payment and stock are secured."""


@frozen(kw_only=True)
class OrderFulfilmentStarted(OrderTransitioned):
    """Picking has begun."""


@frozen(kw_only=True)
class OrderPartiallyShipped(OrderTransitioned):
    """Some of the order has left a warehouse."""


@frozen(kw_only=True)
class OrderShipped(OrderTransitioned):
    """All of the order has left."""


@frozen(kw_only=True)
class OrderDelivered(OrderTransitioned):
    """All of the order has been delivered."""


@frozen(kw_only=True)
class OrderCompleted(OrderTransitioned):
    """Delivered, with no open claim: the order is done."""


@frozen(kw_only=True)
class OrderCancelled(OrderTransitioned):
    """The order was cancelled before shipment."""


@frozen(kw_only=True)
class HoldPlaced(OrderEvent):
    """A hold now stops the order from progressing."""

    hold_type: HoldType
    expires_at: datetime | None = None


@frozen(kw_only=True)
class HoldReleased(OrderEvent):
    """A hold was lifted by someone, with a reason."""

    hold_type: HoldType


@frozen(kw_only=True)
class HoldExpired(OrderEvent):
    """A hold reached its expiry and was lifted by the sweep."""

    hold_type: HoldType


@frozen(kw_only=True)
class NoteAdded(OrderEvent):
    """Someone wrote a note on the order."""

    text: str


@frozen(kw_only=True)
class StockReserved(OrderEvent):
    """Stock was reserved for the order: (sku, location, units) picks and backordered units."""

    picks: tuple[tuple[str, str, int], ...]
    backordered: tuple[tuple[str, int], ...] = ()
    expires_at: datetime | None = None


@frozen(kw_only=True)
class BackorderFilled(OrderEvent):
    """Incoming stock was reserved for a backordered line."""

    sku: str
    location: str
    quantity: int


@frozen(kw_only=True)
class StockCommitted(OrderEvent):
    """Shipped units left stock: (sku, location, units)."""

    lines: tuple[tuple[str, str, int], ...]


@frozen(kw_only=True)
class StockReleased(OrderEvent):
    """The order's reserved stock was freed."""

    reservation_id: str


@frozen(kw_only=True)
class ReservationExpired(OrderEvent):
    """A time-limited reservation ran out and its stock was freed."""

    reservation_id: str


@frozen(kw_only=True)
class PaymentEvent(OrderEvent):
    """Money moved at the gateway for one of the order's payments."""

    payment_id: str
    amount: Money
    reference: str | None = None


@frozen(kw_only=True)
class PaymentAuthorised(PaymentEvent):
    """The gateway reserved the amount on the customer's payment method."""


@frozen(kw_only=True)
class PaymentCaptured(PaymentEvent):
    """The amount was taken."""


@frozen(kw_only=True)
class PaymentVoided(PaymentEvent):
    """The authorisation was cancelled before any capture."""


@frozen(kw_only=True)
class PaymentRefunded(PaymentEvent):
    """The amount was given back."""


@frozen(kw_only=True)
class PaymentDeclined(OrderEvent):
    """The gateway declined an operation."""

    payment_id: str
    operation: str
    decline_code: str


@frozen(kw_only=True)
class PaymentExpired(OrderEvent):
    """An authorisation lapsed before it was captured."""

    payment_id: str


@frozen(kw_only=True)
class PaymentMethodChanged(OrderEvent):
    """The customer gave another payment method (shown as brand and last four digits)."""

    method: str


@frozen(kw_only=True)
class RefundRequested(OrderEvent):
    """Someone asked to refund an amount, with a reason (and the return it refunds, if any)."""

    amount: Money
    return_id: str | None = None


@frozen(kw_only=True)
class FraudAssessed(OrderEvent):
    """The fraud screen scored the order (internal: never shown to the customer)."""

    score: int
    reasons: tuple[str, ...]
    decision: str


@frozen(kw_only=True)
class FraudReviewed(OrderEvent):
    """A reviewer approved or rejected an order held for fraud review, with a reason."""

    approved: bool


@frozen(kw_only=True)
class ShipmentCreated(OrderEvent):
    """A shipment was planned from a location."""

    shipment_id: str
    location: str
    units: int


@frozen(kw_only=True)
class ScanRefused(OrderEvent):
    """A picker scanned an unknown code, a wrong item or one unit too many."""

    shipment_id: str
    code: str
    outcome: str


@frozen(kw_only=True)
class ShipmentShipped(OrderEvent):
    """A parcel left with a carrier."""

    shipment_id: str
    carrier: str
    tracking_number: str
    expected_delivery: date | None = None


@frozen(kw_only=True)
class ShipmentTracked(OrderEvent):
    """The carrier reported a change for a parcel."""

    shipment_id: str
    status: str
    description: str = ""


@frozen(kw_only=True)
class ClaimOpened(OrderEvent):
    """The customer reported a problem with a delivered order."""

    claim_id: str
    kind: str


@frozen(kw_only=True)
class ClaimResolved(OrderEvent):
    """A claim was settled by a replacement or a refund."""

    claim_id: str
    resolution: str


@frozen(kw_only=True)
class OrderLate(OrderEvent):
    """The order passed its promised ship-by or deliver-by date."""

    kind: str
    promised: date


@frozen(kw_only=True)
class ReturnRequested(OrderEvent):
    """The customer asked to return units (an RMA was opened)."""

    return_id: str
    units: int


@frozen(kw_only=True)
class ReturnApproved(OrderEvent):
    """The return was accepted; a label was bought when the shop pays the return shipping."""

    return_id: str
    label_tracking: str | None = None
    shop_pays_shipping: bool = False


@frozen(kw_only=True)
class ReturnStatusChanged(OrderEvent):
    """A return moved along its lifecycle (rejected, received...)."""

    return_id: str
    from_status: str
    to_status: str


@frozen(kw_only=True)
class ReturnInspected(OrderEvent):
    """Returned units were judged: restocked or written off."""

    return_id: str
    restocked: int
    written_off: int


@frozen(kw_only=True)
class DigitalItemDelivered(OrderEvent):
    """A digital line was delivered: its download link or licence key was issued."""

    line_no: int
    sku: str
    kind: str
    value: str


@frozen(kw_only=True)
class ReturnRefunded(OrderEvent):
    """The return was refunded."""

    return_id: str
    amount: Money


@frozen(kw_only=True)
class ReturnExchanged(OrderEvent):
    """Replacement items ship instead of a refund; ``difference`` is new minus returned value."""

    return_id: str
    shipment_id: str
    difference: Money


class AlertLevel(StrEnum):
    """How bad a stock level is."""

    LOW = "low"
    OUT = "out"


@frozen(kw_only=True)
class StockAlert(DomainEvent):
    """Available stock fell to the reorder point (``low``) or to nothing (``out``)."""

    sku: str
    location: str
    level: AlertLevel
    available: int
    reorder_point: int


@frozen(kw_only=True)
class NotificationRequested(DomainEvent):
    """A rendered notification waiting in the outbox for one channel (one message per channel).

    Written by the notification fan-out with the stable id ``notification_id``
    (``SOURCE_MESSAGE_ID/TYPE/CHANNEL``); the content is fixed when queued, so every retry sends
    the same bytes under the same id. ``data`` is the facts as JSON text (for webhooks).
    """

    notification_id: str
    notification_type: str
    audience: str
    channel: str
    order_number: str | None = None
    recipient: str | None = None
    locale: str
    subject: str
    text: str
    html: str
    data: str
    source_message_id: str
    source_topic: str


@frozen(kw_only=True)
class NotificationSent(OrderEvent):
    """A channel accepted a notification about the order (``attempt`` from 1)."""

    notification_id: str
    notification_type: str
    channel: str
    recipient: str | None = None
    attempt: int = 1
    reference: str | None = None


@frozen(kw_only=True)
class NotificationFailed(OrderEvent):
    """A channel refused or could not take a notification; it will be tried again."""

    notification_id: str
    notification_type: str
    channel: str
    attempt: int
    error: str


@frozen(kw_only=True)
class InquiryOpened(OrderEvent):
    """The customer asked a question or complained about the order."""

    inquiry_id: str
    kind: str
    channel: str
    text: str


@frozen(kw_only=True)
class InquiryMessageAdded(OrderEvent):
    """The customer wrote again on an open inquiry."""

    inquiry_id: str
    channel: str
    text: str


@frozen(kw_only=True)
class InquiryReplied(OrderEvent):
    """Someone answered the customer's inquiry."""

    inquiry_id: str
    channel: str
    text: str


@frozen(kw_only=True)
class InquiryClosed(OrderEvent):
    """The inquiry was closed, with a reason."""

    inquiry_id: str


#: Every event type by its name, as stored in the audit trail and the outbox.
EVENT_TYPES: dict[str, type[DomainEvent]] = {
    cls.__name__: cls
    for cls in (
        DigitalItemDelivered,
        OrderPlaced,
        OrderVerified,
        OrderConfirmed,
        OrderFulfilmentStarted,
        OrderPartiallyShipped,
        OrderShipped,
        OrderDelivered,
        OrderCompleted,
        OrderCancelled,
        HoldPlaced,
        HoldReleased,
        HoldExpired,
        NoteAdded,
        StockReserved,
        BackorderFilled,
        StockCommitted,
        StockReleased,
        ReservationExpired,
        StockAlert,
        PaymentAuthorised,
        PaymentCaptured,
        PaymentVoided,
        PaymentRefunded,
        PaymentDeclined,
        PaymentExpired,
        PaymentMethodChanged,
        RefundRequested,
        FraudAssessed,
        FraudReviewed,
        ShipmentCreated,
        ScanRefused,
        ShipmentShipped,
        ShipmentTracked,
        ClaimOpened,
        ClaimResolved,
        OrderLate,
        ReturnRequested,
        ReturnApproved,
        ReturnStatusChanged,
        ReturnInspected,
        ReturnRefunded,
        ReturnExchanged,
        NotificationRequested,
        NotificationSent,
        NotificationFailed,
        InquiryOpened,
        InquiryMessageAdded,
        InquiryReplied,
        InquiryClosed,
    )
}
