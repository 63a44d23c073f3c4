"""``OrderFlow``: the facade a host application holds, with every use case as a method."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Unpack

from orderflow import bootstrap
from orderflow.application import (
    digital,
    dispatch,
    documents,
    fulfilment,
    history,
    inquiries,
    inventory,
    notifications,
    orders,
    payments,
    returns,
    tracking,
)
from orderflow.application.commands import PlaceOrder
from orderflow.application.dispatch import DispatchReport, Handler, Subscription
from orderflow.application.history import HistoryEntry
from orderflow.application.inquiries import InquiryStats
from orderflow.application.notifications import (
    EVENT_NOTIFICATIONS,
    NotificationDispatcher,
    PendingNotification,
)
from orderflow.application.services import NotifierChannel, Services
from orderflow.application.tracking import TrackingView
from orderflow.bootstrap import Adapters
from orderflow.domain.checks import E, check_key, parse_enum
from orderflow.domain.claims import Claim, ClaimKind, Resolution
from orderflow.domain.digital import DigitalItem
from orderflow.domain.documents import Invoice, PackingSlip
from orderflow.domain.errors import ValidationError
from orderflow.domain.events import DomainEvent
from orderflow.domain.forecast import Replenishment
from orderflow.domain.holds import HoldType
from orderflow.domain.inquiries import Inquiry, InquiryChannel, InquiryKind
from orderflow.domain.inventory import (
    Location,
    Movement,
    Reservation,
    ShortagePolicy,
    SkuPolicy,
    StockLevel,
)
from orderflow.domain.money import Money
from orderflow.domain.notifications import Audience, NotificationType
from orderflow.domain.order import Order, OrderStatus
from orderflow.domain.payments import Payment
from orderflow.domain.returns import Return
from orderflow.domain.shipping import Package, Scan, Shipment
from orderflow.domain.values import SYSTEM, Actor, ActorKind, Channel, PaymentMethod
from orderflow.ports import OrderQuery, OrderSummary
from orderflow.ports.notifications import Notifier

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine

    from orderflow.adapters.sql import SqlDatabase

ActorLike = Actor | str


class OrderFlow:
    """An order-processing engine over one set of adapters.

    ``actor`` arguments take an :class:`Actor` or a string: ``"alice"`` is the person alice,
    ``"integration:shopify"`` names the kind.
    """

    def __init__(self, services: Services) -> None:
        self.services = services
        self._subscriptions: list[Subscription] = []
        self._database: SqlDatabase | None = None
        self._notifications: NotificationDispatcher | None = None
        if services.notifiers:
            self._enable_notifications()

    @classmethod
    def in_memory(cls, **adapters: Unpack[Adapters]) -> OrderFlow:
        """An engine whose state lives in this process (tests, demos, single-process tools).

        ``adapters`` (``clock``, ``catalog``, ``address_validator``, ``numbers``, ``allocation``)
        replace the defaults: system clock, no catalogue, offline address checks, ``OF-000001``
        numbering, allocation by location priority.
        """
        return cls(bootstrap.in_memory_services(**adapters))

    @classmethod
    def from_url(cls, url: str | None = None, **adapters: Unpack[Adapters]) -> OrderFlow:
        """An engine on a SQL database: ``sqlite:///shop.db`` or ``postgresql://user@host/db``.

        Without ``url`` the environment variable ``ORDERFLOW_DATABASE_URL`` is used. Needs the
        ``sql`` extra. The schema is not created here: call :meth:`upgrade_schema` (at deploy
        time, or once at start-up). ``adapters`` as for :meth:`in_memory`.
        """
        return cls._on(bootstrap.sql_database(url), adapters)

    @classmethod
    def from_engine(cls, bind: Engine | Connection, **adapters: Unpack[Adapters]) -> OrderFlow:
        """An engine on the host application's SQLAlchemy Engine or Connection.

        With an Engine, orderflow opens its own connections and commits its own transactions.
        With a Connection, orderflow's writes happen inside the host's transaction (each use case
        in a SAVEPOINT): they become durable when the host commits and vanish if it rolls back.
        """
        if isinstance(bind, str):
            raise ValidationError.single(
                "bind", "from_engine takes an Engine or Connection; use from_url"
            )
        return cls._on(bootstrap.sql_database(bind), adapters)

    @classmethod
    def _on(cls, database: SqlDatabase, adapters: Adapters) -> OrderFlow:
        flow = cls(bootstrap.sql_services(database, **adapters))
        flow._database = database
        return flow

    def upgrade_schema(self, revision: str = "head") -> None:
        """Create or migrate orderflow's tables (its own Alembic history); in memory, nothing."""
        if self._database is not None:
            self._database.upgrade(revision)

    def close(self) -> None:
        """Close the database connections orderflow opened (a host's engine is left alone)."""
        if self._database is not None:
            self._database.dispose()

    # -- events ---------------------------------------------------------------------------------

    def subscribe(
        self,
        handler: Handler,
        *,
        topics: Iterable[str | type[DomainEvent]] | None = None,
    ) -> Subscription:
        """Have ``handler(message, event)`` called for each outboxed event (all, or ``topics``).

        Handlers run in :meth:`dispatch_pending` (or an :class:`OutboxRelay`), after the change
        committed and outside any transaction; delivery is at least once, so de-duplicate by
        ``message.message_id`` where it matters. A handler that raises is retried later.
        """
        subscription = Subscription(handler, topics)
        self._subscriptions.append(subscription)
        return subscription

    def dispatch_pending(self, limit: int = 100) -> DispatchReport:
        """Deliver up to ``limit`` due outbox messages to this engine's subscribers."""
        return dispatch.dispatch_pending(self.services, list(self._subscriptions), limit)

    # -- notifications --------------------------------------------------------------------------

    def add_notifier(
        self,
        name: str,
        notifier: Notifier,
        *,
        audience: Audience | str = Audience.CUSTOMER,
        recipient: str | None = None,
        types: Iterable[NotificationType | str] | None = None,
    ) -> NotifierChannel:
        """Send notifications through ``notifier`` as the channel ``name``.

        A ``customer`` channel carries the customer's notifications (to the customer's e-mail
        address unless ``recipient`` is given); a ``shop`` channel the shop's alerts, to
        ``recipient``. ``types`` limits it to some notification types. Notifications are queued
        in the outbox and sent by :meth:`dispatch_pending` (or an OutboxRelay): one message per
        notification and channel, with a stable id, retried until the channel accepts it.
        """
        channel = NotifierChannel(
            name=name, notifier=notifier, audience=audience, recipient=recipient, types=types
        )
        if any(c.name == channel.name for c in self.services.notifiers):
            raise ValidationError.single("name", f"a channel {name!r} is already configured")
        self.services.notifiers.append(channel)
        self._enable_notifications()
        return channel

    def _enable_notifications(self) -> None:
        if self._notifications is not None:
            return
        dispatcher = NotificationDispatcher(self.services)
        self._subscriptions.append(Subscription(dispatcher.fan_out, list(EVENT_NOTIFICATIONS)))
        self._subscriptions.append(Subscription(dispatcher.send, ["NotificationRequested"]))
        self._notifications = dispatcher

    def pending_notifications(self, limit: int = 100) -> list[PendingNotification]:
        """Notifications queued and not delivered yet, with their attempts and last error."""
        return notifications.pending_notifications(self.services, limit)

    # -- customer inquiries and tracking --------------------------------------------------------

    def open_inquiry(
        self,
        number: str,
        text: str,
        *,
        kind: InquiryKind | str = InquiryKind.QUESTION,
        channel: InquiryChannel | str = InquiryChannel.EMAIL,
        actor: ActorLike,
        received_at: datetime | None = None,
    ) -> Inquiry:
        """Log a customer's question or complaint about an order."""
        return inquiries.open_inquiry(
            self.services,
            check_key("number", number),
            text,
            kind=kind,
            channel=channel,
            actor=as_actor(actor),
            received_at=received_at,
        )

    def add_inquiry_message(
        self,
        inquiry_id: str,
        text: str,
        *,
        actor: ActorLike,
        channel: InquiryChannel | str | None = None,
    ) -> Inquiry:
        """The customer wrote again on an inquiry (it is open again)."""
        return inquiries.add_message(
            self.services,
            check_key("inquiry_id", inquiry_id),
            text,
            channel=channel,
            actor=as_actor(actor),
        )

    def reply_to_inquiry(
        self,
        inquiry_id: str,
        text: str,
        *,
        actor: ActorLike,
        channel: InquiryChannel | str | None = None,
    ) -> Inquiry:
        """Record the answer given to the customer (by the inquiry's channel by default)."""
        return inquiries.reply(
            self.services,
            check_key("inquiry_id", inquiry_id),
            text,
            channel=channel,
            actor=as_actor(actor),
        )

    def close_inquiry(self, inquiry_id: str, *, reason: str, actor: ActorLike) -> Inquiry:
        """Close an inquiry for good."""
        return inquiries.close_inquiry(
            self.services, check_key("inquiry_id", inquiry_id), reason=reason, actor=as_actor(actor)
        )

    def inquiries(self, number: str) -> list[Inquiry]:
        """The order's inquiries, oldest first."""
        return inquiries.inquiries_of(self.services, check_key("number", number))

    def get_inquiry(self, inquiry_id: str) -> Inquiry:
        """One inquiry by its id."""
        return inquiries.get_inquiry(self.services, check_key("inquiry_id", inquiry_id))

    def open_inquiries(self) -> list[Inquiry]:
        """Every inquiry not closed yet, oldest first."""
        return inquiries.open_inquiries(self.services)

    def inquiry_stats(self, *, since: datetime, until: datetime | None = None) -> InquiryStats:
        """How many inquiries were opened in a period and how fast they were first answered."""
        return inquiries.inquiry_stats(self.services, since=since, until=until)

    def track_order(
        self,
        number: str,
        *,
        email: str | None = None,
        postcode: str | None = None,
        client: str | None = None,
    ) -> TrackingView:
        """The customer's view of an order, given its number and their e-mail or postcode.

        A wrong pair and an unknown order raise the same TrackingRefused; repeated failures
        (per ``client`` and per order number) raise TooManyAttempts.
        """
        return tracking.track_order(
            self.services, number, email=email, postcode=postcode, client=client
        )

    # -- orders ---------------------------------------------------------------------------------

    def place_order(
        self, data: Mapping[str, Any] | PlaceOrder, *, actor: ActorLike = SYSTEM
    ) -> Order:
        """Take in an order from JSON-like data; idempotent on (channel, external_reference)."""
        command = orders.parse_place_order(data)
        return orders.place_order(self.services, command, as_actor(actor))

    def verify_order(self, number: str, *, actor: ActorLike = SYSTEM) -> Order:
        """Run the verification checks: failures place holds, success verifies the order."""
        return orders.verify_order(self.services, check_key("number", number), as_actor(actor))

    def place_hold(
        self,
        number: str,
        hold_type: HoldType | str,
        *,
        reason: str,
        actor: ActorLike,
        expires_at: datetime | None = None,
    ) -> Order:
        """Stop the order from progressing until the hold is released (or expires)."""
        return orders.place_hold(
            self.services,
            check_key("number", number),
            hold_type,
            reason=reason,
            actor=as_actor(actor),
            expires_at=expires_at,
        )

    def release_hold(
        self, number: str, hold_type: HoldType | str, *, reason: str, actor: ActorLike
    ) -> Order:
        """Release a hold; the last release resumes the step the holds stopped."""
        return orders.release_hold(
            self.services,
            check_key("number", number),
            hold_type,
            reason=reason,
            actor=as_actor(actor),
        )

    def sweep_expired_holds(self) -> list[str]:
        """Close holds past their expiry (call it on a schedule); returns the orders touched."""
        return orders.sweep_expired_holds(self.services)

    def cancel_order(self, number: str, *, reason: str, actor: ActorLike) -> Order:
        """Cancel an order that has not shipped."""
        return orders.cancel_order(
            self.services, check_key("number", number), reason=reason, actor=as_actor(actor)
        )

    def add_note(self, number: str, text: str, *, actor: ActorLike) -> Order:
        """Write a note on an order."""
        return orders.add_note(
            self.services, check_key("number", number), text, actor=as_actor(actor)
        )

    def confirm_order(self, number: str, *, actor: ActorLike = SYSTEM) -> Order:
        """Reserve stock (unless reserved already) and confirm; shortages backorder or hold."""
        return orders.confirm_order(
            self.services, check_key("number", number), actor=as_actor(actor)
        )

    def review_fraud(self, number: str, *, approve: bool, reason: str, actor: ActorLike) -> Order:
        """A reviewer's decision on an order held for fraud review: release or cancel it."""
        return orders.review_fraud(
            self.services,
            check_key("number", number),
            approve=approve,
            reason=reason,
            actor=as_actor(actor),
        )

    # -- payments -------------------------------------------------------------------------------

    def add_payment(
        self, number: str, method: PaymentMethod, amount: Money, *, actor: ActorLike = SYSTEM
    ) -> Payment:
        """Pay part of the order with another method (a gift card next to the card)."""
        return payments.add_payment(
            self.services, check_key("number", number), method, amount, actor=as_actor(actor)
        )

    def change_payment_method(
        self, number: str, method: PaymentMethod, *, actor: ActorLike
    ) -> Order:
        """Use another payment method from now on (after a decline, say)."""
        return payments.change_payment_method(
            self.services, check_key("number", number), method, actor=as_actor(actor)
        )

    def capture_payment(
        self, number: str, amount: Money | None = None, *, actor: ActorLike = SYSTEM
    ) -> Money:
        """Capture ``amount`` (everything authorised when None); returns what was captured."""
        return payments.capture_order(
            self.services, check_key("number", number), amount, actor=as_actor(actor)
        )

    def refund_payment(self, number: str, amount: Money, *, reason: str, actor: ActorLike) -> Money:
        """Refund ``amount`` across the captured payments; returns what was refunded."""
        return payments.refund_order(
            self.services, check_key("number", number), amount, actor=as_actor(actor), reason=reason
        )

    def payments(self, number: str) -> list[Payment]:
        """The order's payments with their operations and running totals."""
        return payments.payments_of(self.services, check_key("number", number))

    def resume_payments(self) -> int:
        """Finish gateway operations left pending by a timeout or crash (same keys)."""
        return payments.resume_pending(self.services)

    def deliver_digital(self, number: str, *, actor: ActorLike = SYSTEM) -> list[DigitalItem]:
        """Deliver the paid digital lines not delivered yet (confirmation does this itself)."""
        return digital.deliver_digital(
            self.services, check_key("number", number), actor=as_actor(actor)
        )

    def expire_authorisations(self) -> list[str]:
        """Mark lapsed authorisations expired (call it on a schedule); returns order numbers."""
        return payments.expire_authorisations(self.services)

    # -- fulfilment -----------------------------------------------------------------------------

    def create_shipments(self, number: str, *, actor: ActorLike = SYSTEM) -> list[Shipment]:
        """Plan one shipment per location from the order's reserved, unshipped units."""
        return fulfilment.create_shipments(
            self.services, check_key("number", number), actor=as_actor(actor)
        )

    def pick_list(self, location: str) -> list[fulfilment.PickRow]:
        """What to pick at a location, batched across orders, sorted by bin."""
        return fulfilment.pick_list(self.services, location)

    def start_picking(self, shipment_id: str, *, actor: ActorLike) -> Shipment:
        """A picker takes a shipment."""
        return fulfilment.start_picking(
            self.services, check_key("shipment_id", shipment_id), actor=as_actor(actor)
        )

    def scan_item(self, shipment_id: str, code: str, *, actor: ActorLike) -> Scan:
        """Check a scanned sku or barcode; a refused scan is recorded and returned, not raised."""
        return fulfilment.scan_item(
            self.services, check_key("shipment_id", shipment_id), code, actor=as_actor(actor)
        )

    def pack_shipment(
        self, shipment_id: str, packages: Sequence[Package], *, actor: ActorLike
    ) -> Shipment:
        """Close the parcels; refused unless the scans match the shipment exactly."""
        return fulfilment.pack_shipment(
            self.services, check_key("shipment_id", shipment_id), packages, actor=as_actor(actor)
        )

    def ship_shipment(
        self, shipment_id: str, *, actor: ActorLike, option: str | None = None
    ) -> Shipment:
        """Buy the label, ship, commit the stock, capture (on shipment) and move the order on."""
        return fulfilment.ship_shipment(
            self.services,
            check_key("shipment_id", shipment_id),
            actor=as_actor(actor),
            option=option,
        )

    def refresh_tracking(self) -> int:
        """Pull carrier tracking for parcels on their way (call it on a schedule)."""
        return fulfilment.refresh_tracking(self.services)

    def confirm_delivery(self, number: str, *, actor: ActorLike) -> Order:
        """Record delivery by hand."""
        return fulfilment.confirm_delivery(
            self.services, check_key("number", number), actor=as_actor(actor)
        )

    def open_claim(
        self,
        number: str,
        kind: ClaimKind | str,
        lines: dict[str, int],
        *,
        description: str,
        actor: ActorLike,
    ) -> Claim:
        """The customer reports damaged, wrong or missing items (sku -> units)."""
        return fulfilment.open_claim(
            self.services,
            check_key("number", number),
            kind,
            lines,
            description=description,
            actor=as_actor(actor),
        )

    def resolve_claim(
        self, claim_id: str, resolution: Resolution | str, *, note: str, actor: ActorLike
    ) -> Claim:
        """Settle a claim by ``replacement`` or ``refund``."""
        return fulfilment.resolve_claim(
            self.services,
            check_key("claim_id", claim_id),
            resolution,
            note=note,
            actor=as_actor(actor),
        )

    def complete_order(self, number: str, *, actor: ActorLike = SYSTEM) -> Order:
        """Close a delivered order with no open claim."""
        return fulfilment.complete_order(
            self.services, check_key("number", number), actor=as_actor(actor)
        )

    def flag_late_orders(self) -> list[fulfilment.LateOrder]:
        """Orders past their ship-by or deliver-by date (each flagged once in its history)."""
        return fulfilment.flag_late_orders(self.services)

    def packing_slip(self, shipment_id: str) -> PackingSlip:
        """The shipment's packing slip (``.text()``, ``.html()``)."""
        return documents.packing_slip(self.services, check_key("shipment_id", shipment_id))

    def invoice(self, shipment_id: str) -> Invoice:
        """The invoice of a shipment (``.text()``, ``.html()``); replacements have none."""
        return documents.invoice(self.services, check_key("shipment_id", shipment_id))

    def shipments(self, number: str) -> list[Shipment]:
        """The order's shipments."""
        return fulfilment.shipments_of(self.services, check_key("number", number))

    def claims(self, number: str) -> list[Claim]:
        """The order's claims."""
        return fulfilment.claims_of(self.services, check_key("number", number))

    # -- returns --------------------------------------------------------------------------------

    def request_return(
        self, number: str, lines: Sequence[Mapping[str, Any]], *, actor: ActorLike
    ) -> Return:
        """Open an RMA: lines of ``{"sku", "quantity", "reason"}`` within the return policy."""
        return returns.request_return(
            self.services, check_key("number", number), lines, actor=as_actor(actor)
        )

    def approve_return(self, return_id: str, *, location: str, actor: ActorLike) -> Return:
        """Accept the return to ``location`` (with a label when the shop pays shipping)."""
        return returns.approve_return(
            self.services,
            check_key("return_id", return_id),
            location=location,
            actor=as_actor(actor),
        )

    def reject_return(self, return_id: str, *, reason: str, actor: ActorLike) -> Return:
        """Refuse the return, with a reason."""
        return returns.reject_return(
            self.services, check_key("return_id", return_id), reason=reason, actor=as_actor(actor)
        )

    def ship_back_return(self, return_id: str, *, actor: ActorLike) -> Return:
        """The customer handed the approved return to the carrier: it is in transit."""
        return returns.ship_back_return(
            self.services, check_key("return_id", return_id), actor=as_actor(actor)
        )

    def receive_return(self, return_id: str, *, actor: ActorLike) -> Return:
        """The returned parcel arrived."""
        return returns.receive_return(
            self.services, check_key("return_id", return_id), actor=as_actor(actor)
        )

    def inspect_return(
        self, return_id: str, findings: Mapping[str, tuple[int, int]], *, actor: ActorLike
    ) -> Return:
        """Per sku ``(resellable, damaged)`` units: restocked or written off."""
        return returns.inspect_return(
            self.services, check_key("return_id", return_id), findings, actor=as_actor(actor)
        )

    def refund_return(self, return_id: str, *, actor: ActorLike) -> Return:
        """Refund the inspected return (policy fees applied) and close it."""
        return returns.refund_return(
            self.services, check_key("return_id", return_id), actor=as_actor(actor)
        )

    def exchange_return(
        self, return_id: str, items: Mapping[str, int], *, actor: ActorLike
    ) -> Return:
        """Ship ``items`` instead of a refund; a lower price difference is refunded."""
        return returns.exchange_return(
            self.services, check_key("return_id", return_id), items, actor=as_actor(actor)
        )

    def returns(self, number: str) -> list[Return]:
        """The order's returns."""
        return returns.returns_of(self.services, check_key("number", number))

    # -- inventory ------------------------------------------------------------------------------

    def add_location(self, location: Location) -> None:
        """Add or replace a stock location."""
        inventory.add_location(self.services, location)

    def set_sku_policy(
        self,
        sku: str,
        *,
        shortage: ShortagePolicy | str = ShortagePolicy.HOLD,
        preorder_until: datetime | None = None,
        lead_time_days: int = 7,
    ) -> None:
        """How a sku is stocked: ``hold`` or ``backorder`` on shortage, preorders, lead time."""
        policy = SkuPolicy(
            sku=sku,
            shortage=parse_enum("shortage", ShortagePolicy, shortage),
            preorder_until=preorder_until,
            lead_time_days=lead_time_days,
        )
        inventory.set_policy(self.services, policy)

    def set_reorder(self, sku: str, location: str, *, point: int, quantity: int) -> None:
        """Reorder point and quantity of (sku, location), for alerts and suggestions."""
        inventory.set_reorder(
            self.services,
            *_stock_key(sku, location),
            point=point,
            quantity=quantity,
        )

    def receive_stock(
        self,
        sku: str,
        location: str,
        quantity: int,
        *,
        unit_cost: Money | None = None,
        actor: ActorLike = SYSTEM,
        reference: str | None = None,
    ) -> StockLevel:
        """Book incoming stock; it fills the oldest backorders first and releases their holds."""
        return inventory.receive_stock(
            self.services,
            *_stock_key(sku, location),
            quantity,
            unit_cost=unit_cost,
            actor=as_actor(actor),
            reference=reference,
        )

    def adjust_stock(
        self, sku: str, location: str, delta: int, *, reason: str, actor: ActorLike
    ) -> StockLevel:
        """Correct on-hand stock by ``delta`` (never below what is reserved)."""
        return inventory.adjust_stock(
            self.services,
            *_stock_key(sku, location),
            delta,
            reason=reason,
            actor=as_actor(actor),
        )

    def count_stock(
        self, sku: str, location: str, counted: int, *, actor: ActorLike
    ) -> inventory.CountResult:
        """Record a cycle count; the discrepancy goes into the ledger."""
        return inventory.count_stock(
            self.services,
            *_stock_key(sku, location),
            counted,
            actor=as_actor(actor),
        )

    def transfer_stock(
        self, sku: str, source: str, target: str, quantity: int, *, actor: ActorLike
    ) -> None:
        """Move units from one location to another."""
        inventory.transfer_stock(
            self.services,
            check_key("sku", sku),
            check_key("source", source),
            check_key("target", target),
            quantity,
            actor=as_actor(actor),
        )

    def write_off(
        self, sku: str, location: str, quantity: int, *, reason: str, actor: ActorLike
    ) -> StockLevel:
        """Remove damaged or lost units."""
        return inventory.write_off(
            self.services,
            *_stock_key(sku, location),
            quantity,
            reason=reason,
            actor=as_actor(actor),
        )

    def reserve_stock(
        self, number: str, *, actor: ActorLike = SYSTEM, expires_at: datetime | None = None
    ) -> Reservation:
        """Reserve an order's stock now; with ``expires_at`` it is a checkout hold."""
        return orders.reserve_stock(
            self.services, check_key("number", number), actor=as_actor(actor), expires_at=expires_at
        )

    def extend_reservation(
        self, number: str, until: datetime, *, actor: ActorLike = SYSTEM
    ) -> Reservation:
        """Keep a checkout hold longer."""
        return inventory.extend_reservation(
            self.services, check_key("number", number), until, actor=as_actor(actor)
        )

    def expire_reservations(self) -> list[str]:
        """Free reservations past their expiry (call it on a schedule); returns order numbers."""
        return inventory.expire_reservations(self.services)

    def get_reservation(self, number: str) -> Reservation:
        """The order's stock reservation."""
        return inventory.get_reservation(self.services, check_key("number", number))

    def stock_levels(self, skus: list[str] | None = None) -> list[StockLevel]:
        """Levels per (sku, location): on hand, reserved, available, cost, reorder settings."""
        return inventory.stock_levels(self.services, skus)

    def stock_ledger(
        self, *, sku: str | None = None, location: str | None = None, reference: str | None = None
    ) -> list[Movement]:
        """The append-only stock ledger, oldest first."""
        return inventory.ledger(self.services, sku=sku, location=location, reference=reference)

    def replenishment(self) -> list[Replenishment]:
        """Reorder suggestions and run-out dates from recent demand."""
        return inventory.replenishment(self.services)

    # -- reading --------------------------------------------------------------------------------

    def get_order(self, number: str) -> Order:
        """The order with ``number``; OrderNotFound if there is none."""
        return orders.get_order(self.services, check_key("number", number))

    def find_orders(
        self,
        *,
        status: OrderStatus | str | None = None,
        customer_id: str | None = None,
        channel: Channel | str | None = None,
        hold_type: HoldType | str | None = None,
        placed_from: datetime | None = None,
        placed_to: datetime | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[OrderSummary]:
        """Orders matching every given filter, oldest first."""
        query = OrderQuery(
            status=_enum("status", OrderStatus, status),
            customer_id=customer_id,
            channel=_enum("channel", Channel, channel),
            hold_type=_enum("hold_type", HoldType, hold_type),
            placed_from=placed_from,
            placed_to=placed_to,
            limit=limit,
            offset=offset,
        )
        return history.find_orders(self.services, query)

    def history(self, number: str) -> list[HistoryEntry]:
        """The audit trail of one order: every change with actor, reason and time, in order."""
        return history.order_history(self.services, check_key("number", number))


def as_actor(value: ActorLike) -> Actor:
    """An Actor from an Actor or a string such as ``"alice"`` or ``"integration:shopify"``."""
    if isinstance(value, Actor):
        return value
    if not isinstance(value, str):
        raise ValidationError.single("actor", f"expected an Actor or a string, got {value!r}")
    kind, sep, ident = value.partition(":")
    if not sep:
        return Actor.person(value)
    return Actor(parse_enum("actor", ActorKind, kind), ident)


def _stock_key(sku: str, location: str) -> tuple[str, str]:
    """``(sku, location)``, each refused unless it is text."""
    return check_key("sku", sku), check_key("location", location)


def _enum(name: str, cls: type[E], value: E | str | None) -> E | None:
    return None if value is None else parse_enum(name, cls, value)
