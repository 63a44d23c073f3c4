"""In-memory persistence: the default adapter, thread-safe, and the reference for other backends.

Units of work read copies and stage their changes; ``commit`` checks every version and reference
under one lock and then applies everything at once, so a use case that raises leaves no trace.
"""

from __future__ import annotations

import copy
import itertools
import threading
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from types import TracebackType
from typing import Any, Generic, Protocol, Self, TypeVar

from attrs import evolve

from orderflow import codec
from orderflow.adapters.copies import clone
from orderflow.domain.claims import Claim
from orderflow.domain.errors import ConcurrencyError, DuplicateOrder, NotFound, OrderNotFound
from orderflow.domain.events import DomainEvent
from orderflow.domain.fraud import address_key
from orderflow.domain.inquiries import Inquiry
from orderflow.domain.inventory import Location, Movement, Reservation, SkuPolicy, StockLevel
from orderflow.domain.money import Money
from orderflow.domain.order import Order
from orderflow.domain.payments import Payment
from orderflow.domain.returns import Return
from orderflow.domain.shipping import Shipment, ShipmentStatus
from orderflow.domain.values import Channel
from orderflow.ports import OrderQuery, OrderSummary, OutboxMessage, RecordedEvent


class InMemoryStore:
    """The committed state that every unit of work of one engine shares."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.orders: dict[str, Order] = {}
        self.references: dict[tuple[Channel, str], str] = {}
        self.journal: dict[str, list[RecordedEvent]] = {}
        self.outbox_messages: dict[str, OutboxMessage] = {}
        self.stock_levels: dict[tuple[str, str], StockLevel] = {}
        self.movements: list[Movement] = []
        self.locations: dict[str, Location] = {}
        self.policies: dict[str, SkuPolicy] = {}
        self.reservations: dict[str, Reservation] = {}
        self.payments: dict[str, Payment] = {}
        self.shipments: dict[str, Shipment] = {}
        self.claims: dict[str, Claim] = {}
        self.returns: dict[str, Return] = {}
        self.inquiries: dict[str, Inquiry] = {}
        #: per kind of aggregate: the ids stored for each order number, oldest first
        self.by_order: dict[str, dict[str, list[str]]] = {
            kind: {}
            for kind in ("reservations", "payments", "shipments", "claims", "returns", "inquiries")
        }
        self._sequence = itertools.count(1)

    def next_sequence(self) -> int:
        """The next order sequence number (numbers of rolled-back orders are not reused)."""
        with self.lock:
            return next(self._sequence)

    def unit_of_work(self) -> InMemoryUnitOfWork:
        """A new unit of work over this store."""
        return InMemoryUnitOfWork(self)


class InMemoryOrderRepository:
    """Orders of one in-memory unit of work (an identity map of copies)."""

    def __init__(self, store: InMemoryStore) -> None:
        self._store = store
        self.loaded: dict[str, Order] = {}
        self.new: dict[str, Order] = {}
        self.dirty: dict[str, Order] = {}

    def next_sequence(self) -> int:
        return self._store.next_sequence()

    def add(self, order: Order) -> None:
        self.new[order.number] = order
        self.loaded[order.number] = order

    def get(self, number: str) -> Order:
        if number in self.loaded:
            return self.loaded[number]
        with self._store.lock:
            stored = self._store.orders.get(number)
            if stored is None:
                raise OrderNotFound(number)
            order = clone(stored)
        self.loaded[number] = order
        return order

    def get_by_reference(self, channel: Channel, reference: str) -> Order | None:
        with self._store.lock:
            number = self._store.references.get((channel, reference))
        return None if number is None else self.get(number)

    def save(self, order: Order) -> None:
        if order.number not in self.new:
            self.dirty[order.number] = order

    def with_expired_holds(self, now: datetime) -> Sequence[str]:
        with self._store.lock:
            return [
                o.number
                for o in self._store.orders.values()
                if any(h.released_at is None and not h.is_active(now) for h in o.holds)
            ]

    def clear(self) -> None:
        self.loaded.clear()
        self.new.clear()
        self.dirty.clear()


class InMemoryStockStore:
    """Stock of one in-memory unit of work: changed levels and new movements are staged.

    The unit of work holds the store's lock from start to end, so the checks in :meth:`apply`
    see every committed change and no other writer: a reservation cannot oversell.
    """

    def __init__(self, store: InMemoryStore) -> None:
        self._store = store
        self.levels_changed: dict[tuple[str, str], StockLevel] = {}
        self.new_movements: list[Movement] = []
        self.locations_changed: dict[str, Location] = {}
        self.policies_changed: dict[str, SkuPolicy] = {}

    def _working(self, sku: str, location: str) -> StockLevel | None:
        key = (sku, location)
        if key not in self.levels_changed:
            stored = self._store.stock_levels.get(key)
            if stored is None:
                return None
            self.levels_changed[key] = copy.copy(stored)
        return self.levels_changed[key]

    def apply(self, movement: Movement) -> bool:
        level = self._working(movement.sku, movement.location)
        if level is None:
            return False
        on_hand = level.on_hand + movement.on_hand_delta
        reserved = level.reserved + movement.reserved_delta
        if not 0 <= reserved <= on_hand:
            return False
        level.on_hand, level.reserved = on_hand, reserved
        self.new_movements.append(movement)
        return True

    def applied(self) -> list[Movement]:
        return list(self.new_movements)

    def level(self, sku: str, location: str) -> StockLevel | None:
        level = self.levels_changed.get((sku, location)) or self._store.stock_levels.get(
            (sku, location)
        )
        return None if level is None else copy.copy(level)

    def levels(self, skus: Iterable[str] | None = None) -> list[StockLevel]:
        wanted = None if skus is None else set(skus)
        merged = {**self._store.stock_levels, **self.levels_changed}
        return sorted(
            (copy.copy(lv) for key, lv in merged.items() if wanted is None or key[0] in wanted),
            key=lambda lv: lv.key,
        )

    def stock(self, sku: str, location: str) -> None:
        if self._working(sku, location) is None:
            self.levels_changed[sku, location] = StockLevel(sku=sku, location=location)

    def set_average_cost(self, sku: str, location: str, cost: Money | None) -> None:
        self._existing(sku, location).average_cost = cost

    def set_reorder(self, sku: str, location: str, *, point: int, quantity: int) -> None:
        level = self._existing(sku, location)
        level.reorder_point, level.reorder_quantity = point, quantity

    def _existing(self, sku: str, location: str) -> StockLevel:
        level = self._working(sku, location)
        if level is None:
            raise NotFound("stock level", f"{sku}@{location}")
        return level

    def movements(
        self,
        *,
        sku: str | None = None,
        location: str | None = None,
        reference: str | None = None,
        since: datetime | None = None,
    ) -> list[Movement]:
        return [
            m
            for m in [*self._store.movements, *self.new_movements]
            if (sku is None or m.sku == sku)
            and (location is None or m.location == location)
            and (reference is None or m.reference == reference)
            and (since is None or m.occurred_at >= since)
        ]

    def locations(self) -> list[Location]:
        merged = {**self._store.locations, **self.locations_changed}
        return [merged[code] for code in sorted(merged)]

    def put_location(self, location: Location) -> None:
        self.locations_changed[location.code] = location

    def policy(self, sku: str) -> SkuPolicy:
        found = self.policies_changed.get(sku) or self._store.policies.get(sku)
        return found or SkuPolicy(sku=sku)

    def put_policy(self, policy: SkuPolicy) -> None:
        self.policies_changed[policy.sku] = policy

    def publish(self) -> None:
        """Make the staged changes the store's (called by commit, under the lock)."""
        store = self._store
        store.stock_levels.update(self.levels_changed)
        store.movements.extend(self.new_movements)
        store.locations.update(self.locations_changed)
        store.policies.update(self.policies_changed)
        self.clear()

    def clear(self) -> None:
        self.levels_changed.clear()
        self.new_movements.clear()
        self.locations_changed.clear()
        self.policies_changed.clear()


class Versioned(Protocol):
    """An aggregate kept by :class:`_VersionedRepository`."""

    id: str
    order_number: str
    version: int


V = TypeVar("V", bound=Versioned)


class _VersionedRepository(Generic[V]):
    """An identity map of copies over one dict of the store, with optimistic versions."""

    kind = "aggregate"

    def __init__(self, stored: dict[str, V], by_order: dict[str, list[str]]) -> None:
        self._stored = stored
        self._by_order = by_order  # order number -> ids stored, oldest first
        self.loaded: dict[str, V] = {}
        self.new: dict[str, V] = {}
        self.dirty: dict[str, V] = {}

    def add(self, item: V) -> None:
        if item.id in self._stored or item.id in self.new:
            raise ConcurrencyError(self.kind, item.id, 0)
        self.new[item.id] = self.loaded[item.id] = item

    def get(self, ident: str) -> V:
        if ident not in self.loaded:
            stored = self._stored.get(ident)
            if stored is None:
                raise NotFound(self.kind, ident)
            self.loaded[ident] = clone(stored)
        return self.loaded[ident]

    def save(self, item: V) -> None:
        if item.id not in self.new:
            self.dirty[item.id] = item

    def _of_order(self, order_number: str) -> list[V]:
        """The order's stored and newly added items (committed state, not this unit's changes)."""
        stored = [self._stored[ident] for ident in self._by_order.get(order_number, ())]
        return stored + [i for i in self.new.values() if i.order_number == order_number]

    def check(self) -> None:
        """ConcurrencyError if a changed item was changed by another unit of work."""
        for item in self.dirty.values():
            if self._stored[item.id].version != item.version:
                raise ConcurrencyError(self.kind, item.id, item.version)

    def publish(self) -> None:
        """Write the staged items to the store."""
        for item in self.new.values():
            self._by_order.setdefault(item.order_number, []).append(item.id)
        for item in [*self.new.values(), *self.dirty.values()]:
            item.version += 1
            self._stored[item.id] = clone(item)
        self.clear()

    def clear(self) -> None:
        self.loaded.clear()
        self.new.clear()
        self.dirty.clear()


class InMemoryReservationRepository(_VersionedRepository[Reservation]):
    """Reservations of one in-memory unit of work."""

    kind = "reservation"

    def for_order(self, order_number: str) -> Reservation | None:
        found = [r.id for r in self._of_order(order_number)]
        return self.get(found[-1]) if found else None

    def expired(self, now: datetime) -> Sequence[str]:
        return [r.id for r in self._stored.values() if r.is_expired(now)]

    def backordered(self, sku: str) -> Sequence[str]:
        waiting = [r for r in self._stored.values() if r.is_active and sku in r.outstanding()]
        return [r.id for r in sorted(waiting, key=lambda r: (r.created_at, r.id))]


class InMemoryPaymentRepository(_VersionedRepository[Payment]):
    """Payments of one in-memory unit of work."""

    kind = "payment"

    def for_order(self, order_number: str) -> list[Payment]:
        found = self._of_order(order_number)
        return [self.get(p.id) for p in sorted(found, key=lambda p: (p.created_at, p.id))]

    def with_pending(self) -> Sequence[str]:
        return [p.id for p in self._stored.values() if p.pending() is not None]

    def expiring(self, now: datetime) -> Sequence[str]:
        return [p.id for p in self._stored.values() if p.is_expired(now)]


class InMemoryShipmentRepository(_VersionedRepository[Shipment]):
    """Shipments of one in-memory unit of work."""

    kind = "shipment"

    def for_order(self, order_number: str) -> list[Shipment]:
        found = self._of_order(order_number)
        return [self.get(s.id) for s in sorted(found, key=lambda s: (s.created_at, s.id))]

    def with_status(
        self, statuses: Sequence[ShipmentStatus], location: str | None = None
    ) -> Sequence[str]:
        found = [
            s
            for s in self._stored.values()
            if s.status in statuses and (location is None or s.location == location)
        ]
        return [s.id for s in sorted(found, key=lambda s: (s.created_at, s.id))]


class InMemoryClaimRepository(_VersionedRepository[Claim]):
    """Claims of one in-memory unit of work."""

    kind = "claim"

    def for_order(self, order_number: str) -> list[Claim]:
        found = self._of_order(order_number)
        return [self.get(c.id) for c in sorted(found, key=lambda c: (c.opened_at, c.id))]


class InMemoryReturnRepository(_VersionedRepository[Return]):
    """Returns of one in-memory unit of work."""

    kind = "return"

    def for_order(self, order_number: str) -> list[Return]:
        found = self._of_order(order_number)
        return [self.get(r.id) for r in sorted(found, key=lambda r: (r.requested_at, r.id))]


class InMemoryInquiryRepository(_VersionedRepository[Inquiry]):
    """Customer inquiries of one in-memory unit of work."""

    kind = "inquiry"

    def for_order(self, order_number: str) -> list[Inquiry]:
        found = self._of_order(order_number)
        return [self.get(i.id) for i in sorted(found, key=lambda i: (i.opened_at, i.id))]

    def open_ids(self) -> Sequence[str]:
        found = [i for i in self._stored.values() if i.is_open]
        return [i.id for i in sorted(found, key=lambda i: (i.opened_at, i.id))]

    def opened_ids(self, since: datetime, until: datetime | None = None) -> Sequence[str]:
        found = [
            i
            for i in self._stored.values()
            if i.opened_at >= since and (until is None or i.opened_at < until)
        ]
        return [i.id for i in sorted(found, key=lambda i: (i.opened_at, i.id))]


class InMemoryUnitOfWork:
    """One all-or-nothing transaction over an :class:`InMemoryStore`.

    It holds the store's (re-entrant) lock from ``__enter__`` to ``__exit__``: in-memory units
    of work run one at a time, like SQLite's write transactions.
    """

    def __init__(self, store: InMemoryStore) -> None:
        self._store = store
        self.orders = InMemoryOrderRepository(store)
        self.outbox = InMemoryOutbox(store)
        self.stock = InMemoryStockStore(store)
        self.reservations = InMemoryReservationRepository(
            store.reservations, store.by_order["reservations"]
        )
        self.payments = InMemoryPaymentRepository(store.payments, store.by_order["payments"])
        self.shipments = InMemoryShipmentRepository(store.shipments, store.by_order["shipments"])
        self.claims = InMemoryClaimRepository(store.claims, store.by_order["claims"])
        self.returns = InMemoryReturnRepository(store.returns, store.by_order["returns"])
        self.inquiries = InMemoryInquiryRepository(store.inquiries, store.by_order["inquiries"])
        self._versioned: tuple[_VersionedRepository[Any], ...] = (
            self.reservations,
            self.payments,
            self.shipments,
            self.claims,
            self.returns,
            self.inquiries,
        )

    def __enter__(self) -> Self:
        self._store.lock.acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            self.rollback()
        finally:
            self._store.lock.release()

    def commit(self) -> None:
        store, repo = self._store, self.orders
        with store.lock:
            for order in repo.new.values():
                key = _reference(order)
                if key is not None and key in store.references:
                    raise DuplicateOrder(*key)
            for order in repo.dirty.values():
                if store.orders[order.number].version != order.version:
                    raise ConcurrencyError("order", order.number, order.version)
            for repository in self._versioned:
                repository.check()
            for order in [*repo.new.values(), *repo.dirty.values()]:
                self._write(order)
            self.stock.publish()
            for repository in self._versioned:
                repository.publish()
            self.outbox.publish()
        repo.clear()

    def _write(self, order: Order) -> None:
        store = self._store
        stream = store.journal.setdefault(order.number, [])
        first = len(stream) + 1
        stream.extend(
            RecordedEvent(seq=seq, event=event) for seq, event in enumerate(order.events, first)
        )
        for recorded in stream[first - 1 :]:
            message = outbox_message(recorded.message_id, recorded.event)
            store.outbox_messages[message.message_id] = message
        order.events.clear()
        order.version += 1
        store.orders[order.number] = clone(order)
        key = _reference(order)
        if key is not None:
            store.references[key] = order.number

    def rollback(self) -> None:
        self.orders.clear()
        self.stock.clear()
        for repository in self._versioned:
            repository.clear()
        self.outbox.added.clear()


def _reference(order: Order) -> tuple[Channel, str] | None:
    if order.external_reference is None:
        return None
    return order.channel, order.external_reference


class InMemoryQueries:
    """The read side over an :class:`InMemoryStore`."""

    def __init__(self, store: InMemoryStore) -> None:
        self._store = store

    def find(self, query: OrderQuery, now: datetime) -> list[OrderSummary]:
        with self._store.lock:
            orders = list(self._store.orders.values())
        rows = [summary(o, now) for o in orders if _matches(o, query, now)]
        rows.sort(key=lambda r: (r.placed_at, r.number))
        return rows[query.offset : query.offset + query.limit]

    def history(self, number: str) -> list[RecordedEvent]:
        with self._store.lock:
            if number not in self._store.journal:
                raise OrderNotFound(number)
            return list(self._store.journal[number])


def summary(order: Order, now: datetime) -> OrderSummary:
    """The list row of ``order``, its holds judged at ``now``."""
    return OrderSummary(
        number=order.number,
        status=order.status,
        channel=order.channel,
        external_reference=order.external_reference,
        customer_id=order.customer.id,
        customer_name=order.customer.name,
        placed_at=order.placed_at,
        total=order.totals.total,
        hold_types=tuple(h.type for h in order.active_holds(now)),
    )


def _matches(order: Order, q: OrderQuery, now: datetime) -> bool:
    return (
        (q.status is None or order.status == q.status)
        and (q.customer_id is None or order.customer.id == q.customer_id)
        and (q.channel is None or order.channel == q.channel)
        and (q.hold_type is None or any(h.type == q.hold_type for h in order.active_holds(now)))
        and (q.placed_from is None or order.placed_at >= q.placed_from)
        and (q.placed_to is None or order.placed_at < q.placed_to)
        and (q.email is None or order.customer.email == q.email)
        and (q.client_ip is None or order.client_ip == q.client_ip)
        and (q.address_key is None or address_key(order) == q.address_key)
    )


def outbox_message(message_id: str, event: DomainEvent) -> OutboxMessage:
    """The outbox message announcing ``event``: due at once, keyed by ``message_id``."""
    topic, payload = codec.event_to_json(event)
    at = event.occurred_at
    return OutboxMessage(
        message_id=message_id, topic=topic, payload=payload, created_at=at, next_attempt_at=at
    )


class InMemoryOutbox:
    """The outbox of an :class:`InMemoryStore`.

    Messages are added by the unit of work's commit, with the events they announce. Claims and
    marks apply at once, under the store's lock (there is nothing to roll back: an abandoned claim
    simply runs out at the end of its lease, as with the SQL outbox).
    """

    def __init__(self, store: InMemoryStore) -> None:
        self._store = store
        self.added: list[OutboxMessage] = []

    def add(self, message_id: str, event: DomainEvent) -> None:
        self.added.append(outbox_message(message_id, event))

    def publish(self) -> None:
        """Make the messages added in this unit of work the store's (called by commit)."""
        for message in self.added:
            self._store.outbox_messages.setdefault(message.message_id, message)
        self.added.clear()

    def claim(self, now: datetime, *, limit: int, lease: timedelta) -> list[OutboxMessage]:
        messages = self._store.outbox_messages
        with self._store.lock:
            due = [
                m
                for m in messages.values()
                if m.sent_at is None
                and m.next_attempt_at <= now
                and (m.claimed_until is None or m.claimed_until <= now)
            ][: max(limit, 0)]
            claimed = [evolve(m, claimed_until=now + lease) for m in due]
            for message in claimed:
                messages[message.message_id] = message
        return claimed

    def mark_sent(self, message_id: str, now: datetime) -> None:
        with self._store.lock:
            message = self._find(message_id)
            if message.sent_at is None:
                self._put(evolve(message, sent_at=now, claimed_until=None))

    def mark_failed(self, message_id: str, *, error: str, next_attempt_at: datetime) -> None:
        with self._store.lock:
            message = self._find(message_id)
            if message.sent_at is None:
                self._put(
                    evolve(
                        message,
                        attempts=message.attempts + 1,
                        last_error=error,
                        next_attempt_at=next_attempt_at,
                        claimed_until=None,
                    )
                )

    def get(self, message_id: str) -> OutboxMessage:
        with self._store.lock:
            return self._find(message_id)

    def pending(self, *, limit: int = 100) -> list[OutboxMessage]:
        with self._store.lock:
            unsent = [m for m in self._store.outbox_messages.values() if m.sent_at is None]
        return unsent[: max(limit, 0)]

    def _find(self, message_id: str) -> OutboxMessage:
        try:
            return self._store.outbox_messages[message_id]
        except KeyError:
            raise NotFound("outbox message", message_id) from None

    def _put(self, message: OutboxMessage) -> None:
        self._store.outbox_messages[message.message_id] = message
