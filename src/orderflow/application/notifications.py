"""Notifications through the outbox: events become one message per channel, each sent once.

Two outbox subscribers do the work (see :class:`NotificationDispatcher`):

1. **fan-out**: for an event in :data:`EVENT_NOTIFICATIONS`, it renders every notification the
   event calls for, for every channel that carries it, and queues each as a
   ``NotificationRequested`` message in the outbox, keyed ``SOURCE/TYPE/CHANNEL``. Queueing an
   id twice keeps the first, so a retried fan-out adds nothing.
2. **send**: for a ``NotificationRequested`` message, it hands the notification to its channel's
   notifier (outside any transaction), then records ``NotificationSent`` (or, when the notifier
   raised, ``NotificationFailed`` and re-raises) on the order in a transaction of its own. The
   outbox keeps a failed message with its error and retries it with backoff; each retry carries
   the same id and the same content. A notification already recorded as sent is not sent again.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from attrs import frozen

from orderflow.application.payments import PAYMENTS
from orderflow.application.retry import retry_on_conflict
from orderflow.application.services import NotificationSettings, NotifierChannel, Services
from orderflow.domain import events as ev
from orderflow.domain.errors import NotFound, ValidationError
from orderflow.domain.holds import HoldType
from orderflow.domain.localisation import candidates, locale_format
from orderflow.domain.money import Money
from orderflow.domain.notification_templates import DEFAULT_TEMPLATES, PHRASES
from orderflow.domain.notifications import (
    Audience,
    Notification,
    NotificationType,
    Template,
    render,
)
from orderflow.domain.order import Order
from orderflow.domain.values import Actor
from orderflow.ports import OutboxMessage, RecordedEvent, UnitOfWork

log = logging.getLogger("orderflow.notifications")

#: The actor of NotificationSent and NotificationFailed.
NOTIFICATIONS = Actor.system("notifications")
#: The longest error text recorded in a NotificationFailed event.
MAX_ERROR = 500

_N = NotificationType


@frozen
class Context:
    """What a condition may look at besides the event: the source message and the history."""

    message: OutboxMessage
    history: Callable[[], Sequence[RecordedEvent]]


Condition = Callable[[ev.DomainEvent, Context], bool]

_CUSTOMER_HOLDS = {HoldType.ADDRESS, HoldType.PAYMENT, HoldType.CUSTOMER_CONTACT}


def _customer_hold(event: ev.DomainEvent, _: Context) -> bool:
    # a payment hold placed by a decline is told as payment_declined, not twice
    return (
        isinstance(event, ev.HoldPlaced)
        and event.hold_type in _CUSTOMER_HOLDS
        and not (event.hold_type is HoldType.PAYMENT and event.actor == PAYMENTS)
    )


def _fraud_hold(event: ev.DomainEvent, _: Context) -> bool:
    return isinstance(event, ev.HoldPlaced) and event.hold_type is HoldType.FRAUD_REVIEW


def _approved(event: ev.DomainEvent, _: Context) -> bool:
    # a rejection cancels the order: the customer hears of it as order_cancelled
    return isinstance(event, ev.FraudReviewed) and event.approved


def _out_for_delivery(event: ev.DomainEvent, _: Context) -> bool:
    return isinstance(event, ev.ShipmentTracked) and event.status == "out_for_delivery"


def _return_received(event: ev.DomainEvent, _: Context) -> bool:
    return isinstance(event, ev.ReturnStatusChanged) and event.to_status == "received"


def _not_for_a_return(event: ev.DomainEvent, context: Context) -> bool:
    """A payment refund made for a return is told once, as the return's refund."""
    seq = _seq(context.message.message_id)
    requests = [
        r.event
        for r in context.history()
        if isinstance(r.event, ev.RefundRequested) and (seq is None or r.seq < seq)
    ]
    return not (requests and requests[-1].return_id is not None)


#: Which notifications each event type calls for, with the condition it must meet (None: always).
EVENT_NOTIFICATIONS: dict[str, tuple[tuple[NotificationType, Condition | None], ...]] = {
    "OrderPlaced": ((_N.ORDER_RECEIVED, None),),
    "OrderConfirmed": ((_N.ORDER_CONFIRMED, None),),
    "HoldPlaced": ((_N.ACTION_NEEDED, _customer_hold), (_N.FRAUD_REVIEW_WAITING, _fraud_hold)),
    "PaymentDeclined": ((_N.PAYMENT_DECLINED, None),),
    "FraudReviewed": ((_N.FRAUD_REVIEW_OUTCOME, _approved),),
    "ShipmentShipped": ((_N.SHIPPED, None),),
    "OrderLate": ((_N.DELAYED, None), (_N.LATE_ORDER, None)),
    "ShipmentTracked": ((_N.OUT_FOR_DELIVERY, _out_for_delivery),),
    "OrderDelivered": ((_N.DELIVERED, None),),
    "ClaimOpened": ((_N.CLAIM_OPENED, None),),
    "ClaimResolved": ((_N.CLAIM_RESOLVED, None),),
    "ReturnApproved": ((_N.RETURN_APPROVED, None),),
    "ReturnStatusChanged": ((_N.RETURN_RECEIVED, _return_received),),
    "ReturnRefunded": ((_N.REFUND_ISSUED, None),),
    "PaymentRefunded": ((_N.REFUND_ISSUED, _not_for_a_return),),
    "DigitalItemDelivered": ((_N.DIGITAL_DELIVERED, None),),
    "OrderCancelled": ((_N.ORDER_CANCELLED, None),),
    "StockAlert": ((_N.LOW_STOCK, None),),
}


def _seq(message_id: str) -> int | None:
    _, sep, seq = message_id.rpartition(":")
    return int(seq) if sep and seq.isdigit() else None


def notification_id(source_message_id: str, kind: NotificationType, channel: str) -> str:
    """The stable id of the notification of ``kind`` on ``channel`` for one outbox message."""
    return f"{source_message_id}/{kind}/{channel}"


# -- templates and fields -------------------------------------------------------------------------


def template_for(
    settings: NotificationSettings, kind: NotificationType, locale: str | None
) -> tuple[str, Template]:
    """The template for ``kind`` in ``locale`` (or the nearest language there is) and its tag."""
    for tag in candidates(locale, settings.default_locale):
        if (tag, kind) in settings.templates:
            return tag, settings.templates[tag, kind]
        if tag in DEFAULT_TEMPLATES:
            return tag, DEFAULT_TEMPLATES[tag][kind]
    return "en", DEFAULT_TEMPLATES["en"][kind]


def phrase(settings: NotificationSettings, tag: str, key: str) -> str:
    """A localised phrase: the host's, else the shipped one, in ``tag`` or its nearest language."""
    for candidate in candidates(tag, settings.default_locale):
        for table in (settings.phrases, PHRASES):
            if key in table.get(candidate, {}):
                return table[candidate][key]
    return PHRASES["en"].get(key, key)


def customer_locale(settings: NotificationSettings, order: Order | None) -> str:
    """The language of the customer's notifications for ``order``."""
    if order is None:
        return settings.default_locale
    if settings.locale_of is not None and (chosen := settings.locale_of(order)):
        return chosen
    return order.customer.locale or settings.default_locale


def facts(
    kind: NotificationType, event: ev.DomainEvent, order: Order | None, uow: UnitOfWork
) -> dict[str, Any]:
    """The raw facts (text, Money, dates, numbers) a notification of ``kind`` is built from."""
    found: dict[str, Any] = {}
    if order is not None:
        found.update(
            order_number=order.number,
            customer_name=order.customer.name,
            total=order.totals.total,
            placed_on=order.placed_at.date(),
            ship_by=order.ship_by,
            deliver_by=order.deliver_by,
            item_count=sum(line.quantity for line in order.lines),
        )
    if isinstance(event, ev.HoldPlaced):
        found["hold_type"] = str(event.hold_type)
    elif isinstance(event, ev.PaymentDeclined):
        found["payment_method"] = (
            str(order.payment_method) if order and order.payment_method else ""
        )
    elif isinstance(event, ev.FraudReviewed):
        found["outcome"] = "approved" if event.approved else "rejected"
    elif isinstance(event, ev.ShipmentShipped):
        found.update(
            shipment_id=event.shipment_id,
            carrier=event.carrier,
            tracking_number=event.tracking_number,
            expected_delivery=event.expected_delivery,
        )
    elif isinstance(event, ev.ShipmentTracked):
        found["shipment_id"] = event.shipment_id
        try:
            shipment = uow.shipments.get(event.shipment_id)
        except NotFound:
            shipment = None
        found["carrier"] = (shipment.carrier or "") if shipment is not None else ""
        found["tracking_number"] = (shipment.tracking_number or "") if shipment is not None else ""
    elif isinstance(event, ev.OrderLate):
        found.update(late_kind=event.kind, promised=event.promised)
    elif isinstance(event, ev.ClaimOpened):
        found.update(claim_id=event.claim_id, claim_kind=event.kind)
    elif isinstance(event, ev.ClaimResolved):
        found.update(claim_id=event.claim_id, resolution=event.resolution)
    elif isinstance(event, ev.ReturnApproved):
        found.update(
            rma=event.return_id,
            label_tracking=event.label_tracking or "",
            shop_pays_shipping=event.shop_pays_shipping,
        )
    elif isinstance(event, ev.ReturnStatusChanged):
        found["rma"] = event.return_id
    elif isinstance(event, ev.ReturnRefunded):
        found.update(amount=event.amount, rma=event.return_id)
    elif isinstance(event, ev.PaymentRefunded):
        found.update(amount=event.amount, rma="")
    elif isinstance(event, ev.DigitalItemDelivered):
        line = (
            next((li for li in order.lines if li.line_no == event.line_no), None) if order else None
        )
        found.update(
            sku=event.sku,
            item_name=line.name if line is not None else event.sku,
            digital_kind=event.kind,
            digital_value=event.value,
        )
    elif isinstance(event, ev.StockAlert):
        found.update(
            sku=event.sku,
            location=event.location,
            level=str(event.level),
            available=event.available,
            reorder_point=event.reorder_point,
        )
    return found


def fields(
    settings: NotificationSettings, kind: NotificationType, raw: Mapping[str, Any], tag: str
) -> dict[str, str]:
    """The template fields of ``kind``: the facts written for ``tag``, with localised phrases."""
    fmt = locale_format(tag, settings.default_locale)

    def say(key: str) -> str:
        return phrase(settings, tag, key)

    def text(value: Any) -> str:
        if value is None:
            return say("unknown_date")
        if isinstance(value, Money):
            return fmt.money(value)
        if isinstance(value, datetime):
            return fmt.moment(value)
        if isinstance(value, date):
            return fmt.day(value)
        return str(value)

    out = {k: text(v) for k, v in raw.items() if k != "shop_pays_shipping"}
    out["shop_name"] = settings.shop_name
    out["customer_name"] = raw.get("customer_name") or say("customer")
    if "item_count" in raw:
        n = raw["item_count"]
        out["item_count"] = say("items_one") if n == 1 else say("items_many").format(n=n)
    if "hold_type" in raw:
        out["action"] = say(f"action.{raw['hold_type']}")
    if "outcome" in raw:
        out["outcome"] = say(f"outcome.{raw['outcome']}")
    if "late_kind" in raw:
        out["late_kind"] = say(f"late.{raw['late_kind']}")
    if "claim_kind" in raw:
        out["claim_kind"] = say(f"claim.{raw['claim_kind']}")
    if "resolution" in raw:
        out["resolution"] = say(f"resolution.{raw['resolution']}")
    if "digital_kind" in raw:
        out["digital_kind"] = say(f"digital.{raw['digital_kind']}")
    if "level" in raw:
        out["level"] = say(f"level.{raw['level']}")
    if kind is _N.RETURN_APPROVED:
        label = raw.get("label_tracking")
        out["label_note"] = (
            say("label.shop").format(tracking=label)
            if label
            else say("label.customer").format(rma=raw.get("rma", ""))
        )
    if kind is _N.REFUND_ISSUED:
        out["rma"] = say("rma").format(rma=raw["rma"]) if raw.get("rma") else ""
    for name in ("ship_by", "deliver_by", "expected_delivery", "promised"):
        if name in raw and raw[name] is None:
            out[name] = say("unknown_date")
    return out


def json_facts(raw: Mapping[str, Any]) -> dict[str, Any]:
    """The facts as JSON values (money as ``{"minor", "currency"}``, dates as ISO 8601)."""
    out: dict[str, Any] = {}
    for key, value in raw.items():
        if isinstance(value, Money):
            out[key] = {"minor": value.minor, "currency": value.currency}
        elif isinstance(value, date):
            out[key] = value.isoformat()
        else:
            out[key] = value
    return out


# -- the two subscribers --------------------------------------------------------------------------


class NotificationDispatcher:
    """The fan-out and send subscribers of one engine (see the module docstring)."""

    def __init__(self, svc: Services) -> None:
        self.svc = svc

    def channel(self, name: str) -> NotifierChannel:
        """The configured channel called ``name``; NotFound if there is none (any more)."""
        for channel in self.svc.notifiers:
            if channel.name == name:
                return channel
        raise NotFound("notifier channel", name)

    def fan_out(self, message: OutboxMessage, event: ev.DomainEvent) -> None:
        """Queue the notifications ``event`` calls for, one outbox message per channel."""
        svc, settings = self.svc, self.svc.notification_settings
        rules = EVENT_NOTIFICATIONS.get(message.topic, ())
        kinds = [k for k, _ in rules if (settings.types is None or k in settings.types)]
        channels = [c for c in svc.notifiers if any(c.wants(k) for k in kinds)]
        if not channels:
            return
        number = event.order_number if isinstance(event, ev.OrderEvent) else None
        history_cache: list[Sequence[RecordedEvent]] = []

        def history() -> Sequence[RecordedEvent]:
            if not history_cache:
                history_cache.append(svc.queries.history(number) if number else [])
            return history_cache[0]

        context = Context(message, history)
        now = svc.clock.now()
        with svc.uow() as uow:
            order = uow.orders.get(number) if number is not None else None
            for kind, condition in rules:
                if kind not in kinds or (condition is not None and not condition(event, context)):
                    continue
                raw = facts(kind, event, order, uow)
                for channel in channels:
                    if not channel.wants(kind):
                        continue
                    request = self._request(channel, kind, message, event, order, raw, now)
                    if request is not None:
                        uow.outbox.add(request.notification_id, request)
            uow.commit()

    def _request(
        self,
        channel: NotifierChannel,
        kind: NotificationType,
        message: OutboxMessage,
        event: ev.DomainEvent,
        order: Order | None,
        raw: Mapping[str, Any],
        now: datetime,
    ) -> ev.NotificationRequested | None:
        settings = self.svc.notification_settings
        customer = kind.audience is Audience.CUSTOMER
        recipient = channel.recipient
        if recipient is None and customer and order is not None:
            recipient = order.customer.email
        if recipient is None and getattr(channel.notifier, "requires_recipient", False):
            log.info("no recipient for %s on %s: not queued", kind, channel.name)
            return None
        wanted = customer_locale(settings, order) if customer else settings.default_locale
        tag, template = template_for(settings, kind, wanted)
        values = fields(settings, kind, raw, tag)
        rendered = render(template, values, lang=tag)
        return ev.NotificationRequested(
            occurred_at=now,
            actor=NOTIFICATIONS,
            notification_id=notification_id(message.message_id, kind, channel.name),
            notification_type=str(kind),
            audience=str(kind.audience),
            channel=channel.name,
            order_number=order.number if order is not None else None,
            recipient=recipient,
            locale=tag,
            subject=rendered.subject,
            text=rendered.text,
            html=rendered.html,
            data=json.dumps({"event": message.topic, **json_facts(raw)}, sort_keys=True),
            source_message_id=message.message_id,
            source_topic=message.topic,
        )

    def send(self, message: OutboxMessage, event: ev.DomainEvent) -> None:
        """Hand a queued notification to its channel; record the result on the order."""
        if not isinstance(event, ev.NotificationRequested):
            return
        channel = self.channel(event.channel)
        notification = to_notification(event, attempt=message.attempts + 1)
        number = event.order_number
        if number is not None and self._already_sent(number, event.notification_id):
            return
        try:
            reference = channel.notifier.send(notification)
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"
            if number is not None:
                self._record_quietly(
                    number,
                    ev.NotificationFailed,
                    notification_id=event.notification_id,
                    notification_type=event.notification_type,
                    channel=event.channel,
                    attempt=notification.attempt,
                    error=error[:MAX_ERROR],
                )
            raise
        if number is not None:
            self._record(
                number,
                ev.NotificationSent,
                notification_id=event.notification_id,
                notification_type=event.notification_type,
                channel=event.channel,
                recipient=event.recipient,
                attempt=notification.attempt,
                reference=reference if isinstance(reference, str) else None,
            )

    def _already_sent(self, number: str, ident: str) -> bool:
        return any(
            isinstance(r.event, ev.NotificationSent) and r.event.notification_id == ident
            for r in self.svc.queries.history(number)
        )

    def _record(self, number: str, event_type: type[ev.OrderEvent], **data: Any) -> None:
        svc = self.svc

        def write() -> None:
            with svc.uow() as uow:
                order = uow.orders.get(number)
                order.record(event_type, actor=NOTIFICATIONS, now=svc.clock.now(), **data)
                uow.orders.save(order)
                uow.commit()

        retry_on_conflict(write)

    def _record_quietly(self, number: str, event_type: type[ev.OrderEvent], **data: Any) -> None:
        try:
            self._record(number, event_type, **data)
        except Exception:  # the send's own error is the one that matters
            log.exception("could not record %s on order %s", event_type.__name__, number)


def to_notification(event: ev.NotificationRequested, *, attempt: int = 1) -> Notification:
    """The notification a queued request carries."""
    try:
        data = json.loads(event.data)
    except ValueError:
        raise ValidationError.single("data", "is not JSON") from None
    return Notification(
        message_id=event.notification_id,
        type=NotificationType(event.notification_type),
        audience=Audience(event.audience),
        channel=event.channel,
        order_number=event.order_number,
        recipient=event.recipient,
        locale=event.locale,
        subject=event.subject,
        text=event.text,
        html=event.html,
        data=data,
        created_at=event.occurred_at,
        attempt=attempt,
    )


@frozen(kw_only=True)
class PendingNotification:
    """A notification not delivered yet: its id, channel, attempts and last error."""

    notification_id: str
    channel: str
    notification_type: str
    order_number: str | None
    attempts: int
    last_error: str | None
    next_attempt_at: datetime


def pending_notifications(svc: Services, limit: int = 100) -> list[PendingNotification]:
    """Queued notifications not delivered yet, oldest first (for monitoring failing channels)."""
    with svc.uow() as uow:
        messages = uow.outbox.pending(limit=10_000)
    found = []
    for message in messages:
        if message.topic != "NotificationRequested":
            continue
        payload = message.payload
        found.append(
            PendingNotification(
                notification_id=message.message_id,
                channel=str(payload.get("channel")),
                notification_type=str(payload.get("notification_type")),
                order_number=payload.get("order_number"),
                attempts=message.attempts,
                last_error=message.last_error,
                next_attempt_at=message.next_attempt_at,
            )
        )
    return found[:limit]
