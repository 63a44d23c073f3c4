"""The Order aggregate: what was bought, by whom, where it goes, its status, holds and notes.

Every method checks first and changes after, so a refused command leaves the order untouched; each
change appends one event to ``events`` for the unit of work to record.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from attrs import define, field, frozen

from orderflow.domain import checks
from orderflow.domain import events as ev
from orderflow.domain.digital import DigitalItem, DigitalPayload
from orderflow.domain.errors import HoldError, OrderOnHold, ValidationError
from orderflow.domain.holds import Hold, HoldType
from orderflow.domain.lifecycle import Lifecycle, Transition
from orderflow.domain.money import Money
from orderflow.domain.pricing import OrderLine, Totals
from orderflow.domain.values import Actor, Address, Channel, Customer, LineKind, PaymentMethod


class OrderStatus(StrEnum):
    """Where an order is in its lifecycle (holds are orthogonal to this)."""

    PLACED = "placed"
    VERIFIED = "verified"
    CONFIRMED = "confirmed"
    IN_FULFILMENT = "in_fulfilment"
    PARTIALLY_SHIPPED = "partially_shipped"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


_S = OrderStatus
ORDER_LIFECYCLE = Lifecycle(
    "order",
    OrderStatus,
    [
        Transition("verify", (_S.PLACED,), _S.VERIFIED),
        Transition("confirm", (_S.VERIFIED,), _S.CONFIRMED),
        Transition("start_fulfilment", (_S.CONFIRMED,), _S.IN_FULFILMENT),
        Transition("ship_part", (_S.IN_FULFILMENT, _S.PARTIALLY_SHIPPED), _S.PARTIALLY_SHIPPED),
        Transition("ship", (_S.IN_FULFILMENT, _S.PARTIALLY_SHIPPED), _S.SHIPPED),
        Transition("deliver", (_S.SHIPPED,), _S.DELIVERED),
        Transition("deliver_digitally", (_S.CONFIRMED,), _S.DELIVERED),
        Transition("complete", (_S.DELIVERED,), _S.COMPLETED),
        Transition(
            "cancel", (_S.PLACED, _S.VERIFIED, _S.CONFIRMED, _S.IN_FULFILMENT), _S.CANCELLED
        ),
    ],
)

#: The event each order trigger records.
TRIGGER_EVENTS: dict[str, type[ev.OrderTransitioned]] = {
    "verify": ev.OrderVerified,
    "confirm": ev.OrderConfirmed,
    "start_fulfilment": ev.OrderFulfilmentStarted,
    "ship_part": ev.OrderPartiallyShipped,
    "ship": ev.OrderShipped,
    "deliver": ev.OrderDelivered,
    "deliver_digitally": ev.OrderDelivered,
    "complete": ev.OrderCompleted,
    "cancel": ev.OrderCancelled,
}

#: States in which nothing more happens to an order.
TERMINAL = frozenset({_S.COMPLETED, _S.CANCELLED})


@frozen(kw_only=True)
class Note:
    """A note written on an order by someone."""

    text: str = field(validator=checks.text(4000))
    author: Actor
    written_at: datetime


@define(kw_only=True, eq=False)
class Order:
    """One order, identified by its ``number``."""

    number: str
    channel: Channel
    external_reference: str | None
    customer: Customer
    shipping_address: Address | None
    billing_address: Address | None
    lines: tuple[OrderLine, ...]
    shipping_tax: Money
    totals: Totals
    shipping_option: str | None
    payment_method: PaymentMethod | None
    placed_at: datetime
    fingerprint: str
    client_ip: str | None = None
    ship_by: date | None = None
    deliver_by: date | None = None
    return_status: str | None = None  # partially_returned or returned, once units came back
    digital_items: tuple[DigitalItem, ...] = ()
    status: OrderStatus = OrderStatus.PLACED
    holds: list[Hold] = field(factory=list)
    notes: list[Note] = field(factory=list)
    awaiting: str | None = None
    version: int = 0
    events: list[ev.OrderEvent] = field(factory=list, repr=False)

    def mark_placed(self, actor: Actor) -> None:
        """Record OrderPlaced for a newly built order."""
        self.record(
            ev.OrderPlaced,
            actor=actor,
            now=self.placed_at,
            channel=self.channel,
            external_reference=self.external_reference,
            customer_id=self.customer.id,
            total=self.totals.total,
            line_count=len(self.lines),
        )

    @property
    def currency(self) -> str:
        """The currency of every amount on the order."""
        return self.totals.total.currency

    @property
    def is_terminal(self) -> bool:
        """Completed or cancelled."""
        return self.status in TERMINAL

    def needs_shipping(self) -> bool:
        """Whether any line ships as a parcel."""
        return any(line.kind is LineKind.SHIPPABLE for line in self.lines)

    def digital_lines_due(self) -> list[OrderLine]:
        """The digital lines not delivered yet."""
        done = {item.line_no for item in self.digital_items}
        return [li for li in self.lines if li.kind is LineKind.DIGITAL and li.line_no not in done]

    def deliver_digital(
        self, line: OrderLine, payload: DigitalPayload, *, actor: Actor, now: datetime
    ) -> None:
        """Record the delivery of a digital line; an order of digital lines only is then
        delivered as a whole."""
        if line not in self.digital_lines_due():
            raise ValidationError.single(
                "line_no", f"line {line.line_no} is not a digital line due"
            )
        item = DigitalItem(line_no=line.line_no, sku=line.sku, payload=payload, delivered_at=now)
        self.digital_items = (*self.digital_items, item)
        self.record(
            ev.DigitalItemDelivered,
            actor=actor,
            now=now,
            line_no=line.line_no,
            sku=line.sku,
            kind=str(payload.kind),
            value=payload.value,
        )
        if not self.needs_shipping() and not self.digital_lines_due():
            self.advance("deliver_digitally", actor=actor, now=now)

    def active_holds(self, now: datetime) -> list[Hold]:
        """The holds stopping the order at ``now``."""
        return [h for h in self.holds if h.is_active(now)]

    def allowed_triggers(self) -> tuple[str, ...]:
        """The lifecycle triggers the current status allows (holds aside)."""
        return ORDER_LIFECYCLE.allowed(self.status)

    def missing_details(self) -> dict[HoldType, str]:
        """What verification needs and the order lacks, as the hold each gap calls for."""
        gaps: dict[HoldType, str] = {}
        contact = []
        if not self.customer.name:
            contact.append("customer name")
        if not (self.customer.email or self.customer.phone):
            contact.append("an e-mail address or phone number")
        if contact:
            gaps[HoldType.CUSTOMER_CONTACT] = "missing " + " and ".join(contact)
        if self.needs_shipping() and self.shipping_address is None:
            gaps[HoldType.ADDRESS] = "missing shipping address"
        if self.payment_method is None and not self.totals.total.is_zero():
            gaps[HoldType.PAYMENT] = "missing payment method"
        return gaps

    # -- lifecycle ------------------------------------------------------------------------------

    def ensure_can(self, trigger: str, now: datetime) -> str:
        """The status ``trigger`` leads to; IllegalTransition or OrderOnHold if it cannot fire."""
        new_status = ORDER_LIFECYCLE.fire(self.number, self.status, trigger)
        if trigger != "cancel" and (active := self.active_holds(now)):
            raise OrderOnHold(self.number, trigger, [h.type for h in active])
        return new_status

    def advance(
        self, trigger: str, *, actor: Actor, now: datetime, reason: str | None = None
    ) -> None:
        """Fire a lifecycle ``trigger``; refused when illegal from this status or while on hold."""
        new_status = self.ensure_can(trigger, now)
        released = self.active_holds(now) if trigger == "cancel" else []
        for hold in released:
            self._release(hold, actor, "order cancelled", now)
        old_status, self.status, self.awaiting = self.status, OrderStatus(new_status), None
        self.record(
            TRIGGER_EVENTS[trigger],
            actor=actor,
            now=now,
            reason=reason,
            from_status=old_status.value,
            to_status=new_status,
        )

    def wait_for_release(self, trigger: str) -> None:
        """Remember that holds stopped ``trigger``, to resume it when the last is released."""
        ORDER_LIFECYCLE.fire(self.number, self.status, trigger)
        self.awaiting = trigger

    # -- holds ----------------------------------------------------------------------------------

    def place_hold(
        self,
        hold_type: HoldType,
        *,
        reason: str,
        actor: Actor,
        now: datetime,
        expires_at: datetime | None = None,
    ) -> None:
        """Put the order on hold; one active hold per type."""
        if self.is_terminal:
            raise HoldError(f"order {self.number} is {self.status}: it cannot be held")
        if any(h.type is hold_type for h in self.active_holds(now)):
            raise HoldError(f"order {self.number} already has an active {hold_type} hold")
        if expires_at is not None and expires_at <= now:
            raise HoldError(f"hold expiry {expires_at.isoformat()} is not in the future")
        hold = Hold(
            type=hold_type, reason=reason, placed_by=actor, placed_at=now, expires_at=expires_at
        )
        self.holds.append(hold)
        self.record(
            ev.HoldPlaced,
            actor=actor,
            now=now,
            reason=reason,
            hold_type=hold_type,
            expires_at=expires_at,
        )

    def release_hold(
        self, hold_type: HoldType, *, reason: str, actor: Actor, now: datetime
    ) -> str | None:
        """Release the active ``hold_type`` hold; returns the trigger to resume if none is left."""
        hold = next((h for h in self.active_holds(now) if h.type is hold_type), None)
        if hold is None:
            raise HoldError(f"order {self.number} has no active {hold_type} hold")
        checks.check_text("reason", reason, 500)
        self._release(hold, actor, reason, now)
        return None if self.active_holds(now) else self.awaiting

    def expire_holds(self, now: datetime) -> list[Hold]:
        """Close the holds whose expiry has passed, recording HoldExpired for each."""
        expired = [h for h in self.holds if h.released_at is None and not h.is_active(now)]
        for hold in expired:
            self._replace_hold(hold, hold.released(HOLD_EXPIRY, "expired", now))
            self.record(
                ev.HoldExpired, actor=HOLD_EXPIRY, now=now, reason="expired", hold_type=hold.type
            )
        return expired

    def _release(self, hold: Hold, actor: Actor, reason: str, now: datetime) -> None:
        self._replace_hold(hold, hold.released(actor, reason, now))
        self.record(ev.HoldReleased, actor=actor, now=now, reason=reason, hold_type=hold.type)

    def _replace_hold(self, old: Hold, new: Hold) -> None:
        self.holds[self.holds.index(old)] = new

    # -- notes ----------------------------------------------------------------------------------

    def add_note(self, text: str, *, actor: Actor, now: datetime) -> Note:
        """Write a note on the order."""
        note = Note(text=text, author=actor, written_at=now)
        self.notes.append(note)
        self.record(ev.NoteAdded, actor=actor, now=now, text=text)
        return note

    def record(
        self, event_type: type[ev.OrderEvent], *, actor: Actor, now: datetime, **data: Any
    ) -> None:
        """Append an event about this order (for facts other aggregates establish, too)."""
        event = event_type(order_number=self.number, occurred_at=now, actor=actor, **data)
        self.events.append(event)


#: The actor recorded when the sweep closes expired holds.
HOLD_EXPIRY = Actor.system("hold-expiry")


def replay_status(events: Sequence[ev.OrderEvent]) -> tuple[OrderStatus, frozenset[HoldType]]:
    """The status and unreleased hold types that an order's events lead to (its audit replay)."""
    status = OrderStatus.PLACED
    holds: set[HoldType] = set()
    for event in events:
        if isinstance(event, ev.OrderTransitioned):
            status = OrderStatus(event.to_status)
        elif isinstance(event, ev.HoldPlaced):
            holds.add(event.hold_type)
        elif isinstance(event, ev.HoldReleased | ev.HoldExpired):
            holds.discard(event.hold_type)
    return status, frozenset(holds)
