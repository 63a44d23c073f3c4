"""The SQL unit of work, order repository, outbox and read side (SQLAlchemy Core only).

Semantics mirror :mod:`orderflow.adapters.memory`, the reference: an identity map per unit of
work; new and changed orders are written at ``commit``, each change guarded by its version; every
event an order recorded is appended to its audit trail and to the outbox in the same transaction.
Nothing is committed unless ``commit`` is called: leaving the unit of work rolls back.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from contextlib import suppress
from datetime import datetime, timedelta
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

from sqlalchemy import (
    ColumnElement,
    Connection,
    Insert,
    Row,
    Transaction,
    and_,
    bindparam,
    delete,
    exists,
    func,
    or_,
    select,
    update,
)
from sqlalchemy import exc as sa_exc

from orderflow.adapters.sql import documents
from orderflow.adapters.sql import schema as t
from orderflow.adapters.sql.database import dialect_insert, translated
from orderflow.adapters.sql.documents import refuse_nul
from orderflow.adapters.sql.fulfilment import SqlClaimRepository, SqlShipmentRepository
from orderflow.adapters.sql.inquiries import SqlInquiryRepository
from orderflow.adapters.sql.inventory import SqlReservationRepository, SqlStockStore, _has_nul
from orderflow.adapters.sql.payments import SqlPaymentRepository
from orderflow.adapters.sql.prepared import ByDialect, Prepared
from orderflow.adapters.sql.returns import SqlReturnRepository
from orderflow.domain.errors import (
    ConcurrencyError,
    DuplicateOrder,
    NotFound,
    OrderNotFound,
    PersistenceError,
    ValidationError,
)
from orderflow.domain.events import DomainEvent
from orderflow.domain.fraud import address_key
from orderflow.domain.holds import HoldType
from orderflow.domain.money import Money
from orderflow.domain.order import Order, OrderStatus
from orderflow.domain.values import Channel
from orderflow.ports import OrderQuery, OrderSummary, OutboxMessage, RecordedEvent

if TYPE_CHECKING:
    from orderflow.adapters.sql.store import SqlDatabase

#: The name of the order number sequence in ``orderflow_sequences``.
ORDER_SEQUENCE = "order"

# Statements of the hot path, built once and run on the driver's cursor (see ``prepared``).
# Bound names start with ``b_`` so they never collide with the columns an UPDATE sets.
_O = t.orders.c
_ORDER_BY_NUMBER = Prepared(select(_O.version, _O.data).where(_O.number == bindparam("b_number")))
_UPDATE_ORDER = Prepared(
    update(t.orders).where(_O.number == bindparam("b_number"), _O.version == bindparam("b_version"))
)
_LAST_SEQ = Prepared(
    select(func.coalesce(func.max(t.order_events.c.seq), 0)).where(
        t.order_events.c.order_number == bindparam("b_number")
    )
)
_DELETE_HOLDS = Prepared(
    delete(t.order_holds).where(t.order_holds.c.order_number == bindparam("b_number"))
)
_INSERT_ORDER = ByDialect(
    lambda dialect: (
        dialect_insert(dialect, t.orders)
        .on_conflict_do_nothing(index_elements=["channel", "external_reference"])
        .returning(_O.number)
    )
)
_INSERT_HOLDS = Prepared(t.order_holds.insert())
_INSERT_EVENTS = Prepared(t.order_events.insert())
_INSERT_MESSAGES = Prepared(t.outbox.insert())


class SqlUnitOfWork:
    """One transaction: a database transaction of its own, or a SAVEPOINT in a host's.

    The transaction begins at the first database access and ends at ``commit`` or ``rollback``;
    the unit of work can be used again afterwards (a new transaction begins). Reads need no
    lock: the writes at commit are guarded by version checks and unique keys. On SQLite the
    write lock is taken (``BEGIN IMMEDIATE``) when the unit of work first writes, so two units of
    work may read side by side and the loser of a race gets a ConcurrencyError.
    """

    def __init__(self, db: SqlDatabase) -> None:
        self._db = db
        self._connection: Connection | None = None
        self._transaction: Transaction | None = None
        self._owns_connection = False
        self._writing = False
        self.orders = SqlOrderRepository(self, db)
        self.outbox = SqlOutbox(self, db)
        self.stock = SqlStockStore(self, db)
        self.reservations = SqlReservationRepository(self, db)
        self.payments = SqlPaymentRepository(self, db)
        self.shipments = SqlShipmentRepository(self, db)
        self.claims = SqlClaimRepository(self, db)
        self.returns = SqlReturnRepository(self, db)
        self.inquiries = SqlInquiryRepository(self, db)
        # written at commit after the orders, each table in id order (no deadlocks)
        self._versioned = (
            self.reservations,
            self.payments,
            self.shipments,
            self.claims,
            self.returns,
            self.inquiries,
        )

    def connection(self) -> Connection:
        """The connection of the current transaction (for reading), beginning one if needed."""
        if self._connection is None:
            self._begin(write=False)
        assert self._connection is not None
        return self._connection

    def write_connection(self) -> Connection:
        """The connection of the current transaction, ready to write (SQLite: write-locked)."""
        if self._connection is None:
            self._begin(write=True)
        elif not self._writing:
            assert self._transaction is not None
            with translated("beginning to write", self._db.where):
                self._transaction = self._db.begin_writing(self._connection, self._transaction)
            self._writing = True
        assert self._connection is not None
        return self._connection

    def _begin(self, *, write: bool) -> None:
        with translated("beginning a transaction", self._db.where):
            self._connection, self._transaction, self._owns_connection = self._db.begin(write=write)
        self._writing = write

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.rollback()

    def commit(self) -> None:
        repo, versioned = self.orders, self._versioned
        with translated("committing the unit of work", self._db.where):
            try:
                if (
                    repo.has_changes()
                    or any(r.has_changes() for r in versioned)
                    or self.outbox.has_changes()
                ):
                    connection = self.write_connection()
                    repo.flush(connection)
                    for repository in versioned:
                        repository.flush(connection)
                    self.outbox.flush(connection)
                if self._transaction is not None:
                    self._transaction.commit()
            except BaseException:
                self._abort()
                raise
        self._release()
        repo.committed()
        for repository in versioned:
            repository.committed()
        self.stock.clear()

    def rollback(self) -> None:
        self.orders.clear()
        for repository in self._versioned:
            repository.clear()
        self.stock.clear()
        self.outbox.clear()
        self._abort()

    def _abort(self) -> None:
        transaction, self._transaction = self._transaction, None
        try:
            if transaction is not None and transaction.is_active:
                transaction.rollback()
        except sa_exc.SQLAlchemyError:
            pass  # the connection is gone: the database rolls the transaction back itself
        finally:
            self._release()

    def _release(self) -> None:
        connection, self._connection = self._connection, None
        self._transaction = None
        self._writing = False
        if connection is not None and self._owns_connection:
            with suppress(sa_exc.SQLAlchemyError):
                connection.close()


class SqlOrderRepository:
    """Orders of one :class:`SqlUnitOfWork` (an identity map; written at commit)."""

    def __init__(self, uow: SqlUnitOfWork, db: SqlDatabase) -> None:
        self._uow = uow
        self._where = db.where
        self.loaded: dict[str, Order] = {}
        self.new: dict[str, Order] = {}
        self.dirty: dict[str, Order] = {}
        # orders loaded here whose stored version has no hold rows (nothing to DELETE at save)
        self._without_holds: set[str] = set()

    def next_sequence(self) -> int:
        connection = self._uow.write_connection()
        with translated("taking the next order number", self._where):
            return next_value(connection, ORDER_SEQUENCE)

    def add(self, order: Order) -> None:
        self.new[order.number] = order
        self.loaded[order.number] = order

    def get(self, number: str) -> Order:
        if number in self.loaded:
            return self.loaded[number]
        connection = self._uow.connection()
        with translated(f"loading order {number}", self._where):
            row = _ORDER_BY_NUMBER.first(connection, {"b_number": number})
        if row is None:
            raise OrderNotFound(number)
        version, data = row
        order = order_from_row(number, version, data)
        if not order.holds:
            self._without_holds.add(number)
        self.loaded[number] = order
        return order

    def get_by_reference(self, channel: Channel, reference: str) -> Order | None:
        connection = self._uow.connection()
        with translated("looking up an order by reference", self._where):
            number = connection.execute(
                select(t.orders.c.number).where(
                    t.orders.c.channel == str(channel),
                    t.orders.c.external_reference == reference,
                )
            ).scalar()
        return None if number is None else self.get(number)

    def save(self, order: Order) -> None:
        if order.number not in self.new:
            self.dirty[order.number] = order

    def with_expired_holds(self, now: datetime) -> Sequence[str]:
        h = t.order_holds.c
        connection = self._uow.connection()
        with translated("finding expired holds", self._where):
            return list(
                connection.execute(
                    select(h.order_number)
                    .where(h.released_at.is_(None), h.expires_at.is_not(None), h.expires_at <= now)
                    .distinct()
                    .order_by(h.order_number)
                ).scalars()
            )

    # -- writing (called by the unit of work) ---------------------------------------------------

    def has_changes(self) -> bool:
        return bool(self.new or self.dirty)

    def flush(self, connection: Connection) -> None:
        """Write every new and changed order, its holds, events and outbox messages."""
        for order in self.new.values():
            self._insert(connection, order)
        for number in sorted(self.dirty):  # a fixed order: concurrent writers cannot deadlock
            self._update(connection, self.dirty[number])

    def committed(self) -> None:
        """After the commit: the orders' events are recorded and their versions moved on."""
        for order in [*self.new.values(), *self.dirty.values()]:
            order.events.clear()
            order.version += 1
        self.clear()

    def clear(self) -> None:
        self.loaded.clear()
        self.new.clear()
        self.dirty.clear()
        self._without_holds.clear()

    def _insert(self, connection: Connection, order: Order) -> None:
        row = order_row(order, version=order.version + 1)
        try:
            inserted = _INSERT_ORDER.on(connection).rows(connection, row)
        except sa_exc.IntegrityError as error:
            raise PersistenceError(
                f"order number {order.number} is already taken ({self._where}): {error.orig}"
            ) from error
        if not inserted:
            assert order.external_reference is not None, "only a reference can conflict"
            raise DuplicateOrder(str(order.channel), order.external_reference)
        self._write_children(connection, order, first_seq=1, new=True)

    def _update(self, connection: Connection, order: Order) -> None:
        row = order_row(order, version=order.version + 1)
        del row["number"]
        row["b_number"], row["b_version"] = order.number, order.version
        if _UPDATE_ORDER.rowcount(connection, row) != 1:
            raise ConcurrencyError("order", order.number, order.version)
        last = 0
        if order.events:  # the audit trail continues after the last stored event
            found = _LAST_SEQ.first(connection, {"b_number": order.number})
            last = found[0] if found else 0
        self._write_children(connection, order, first_seq=int(last) + 1, new=False)

    def _write_children(
        self, connection: Connection, order: Order, *, first_seq: int, new: bool
    ) -> None:
        if not new and (order.holds or order.number not in self._without_holds):
            # the stored hold rows are those of the version the UPDATE just checked: none to
            # delete when that version, loaded in this unit of work (``get``), had none
            _DELETE_HOLDS.rowcount(connection, {"b_number": order.number})
        _INSERT_HOLDS.many(connection, hold_rows(order))
        recorded = [
            RecordedEvent(seq=seq, event=event) for seq, event in enumerate(order.events, first_seq)
        ]
        if recorded:
            events, messages = event_rows(recorded)
            _INSERT_EVENTS.many(connection, events)
            _INSERT_MESSAGES.many(connection, messages)


class SqlOutbox:
    """The outbox of one :class:`SqlUnitOfWork`.

    ``claim`` locks the due rows with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL (rows another relay
    is claiming at that moment are skipped, not waited for) and leases them; on SQLite the write
    lock taken at BEGIN serialises claims.
    """

    def __init__(self, uow: SqlUnitOfWork, db: SqlDatabase) -> None:
        self._uow = uow
        self._where = db.where
        self.added: list[dict[str, Any]] = []

    def add(self, message_id: str, event: DomainEvent) -> None:
        self.added.append(message_row(message_id, event))

    def has_changes(self) -> bool:
        return bool(self.added)

    def flush(self, connection: Connection) -> None:
        """Write the messages added in this unit of work; an id already stored is kept as it is."""
        for row in self.added:
            insert = dialect_insert(connection, t.outbox).values(row)
            connection.execute(insert.on_conflict_do_nothing(index_elements=["message_id"]))
        self.added.clear()

    def clear(self) -> None:
        self.added.clear()

    def claim(self, now: datetime, *, limit: int, lease: timedelta) -> list[OutboxMessage]:
        if limit <= 0:
            return []
        o = t.outbox.c
        connection = self._uow.write_connection()
        with translated("claiming outbox messages", self._where):
            rows = connection.execute(
                select(t.outbox)
                .where(
                    o.sent_at.is_(None),
                    o.next_attempt_at <= now,
                    or_(o.claimed_until.is_(None), o.claimed_until <= now),
                )
                .order_by(o.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            ).all()
            if not rows:
                return []
            until = now + lease
            connection.execute(
                update(t.outbox).where(o.id.in_([r.id for r in rows])).values(claimed_until=until)
            )
        return [message_from_row(r, claimed_until=until) for r in rows]

    def mark_sent(self, message_id: str, now: datetime) -> None:
        o = t.outbox.c
        self._mark(
            message_id,
            update(t.outbox)
            .where(o.message_id == message_id, o.sent_at.is_(None))
            .values(sent_at=now, claimed_until=None),
        )

    def mark_failed(self, message_id: str, *, error: str, next_attempt_at: datetime) -> None:
        o = t.outbox.c
        self._mark(
            message_id,
            update(t.outbox)
            .where(o.message_id == message_id, o.sent_at.is_(None))
            .values(
                attempts=o.attempts + 1,
                last_error=error,
                next_attempt_at=next_attempt_at,
                claimed_until=None,
            ),
        )

    def get(self, message_id: str) -> OutboxMessage:
        connection = self._uow.connection()
        with translated("reading an outbox message", self._where):
            row = connection.execute(
                select(t.outbox).where(t.outbox.c.message_id == message_id)
            ).first()
        if row is None:
            raise NotFound("outbox message", message_id)
        return message_from_row(row)

    def pending(self, *, limit: int = 100) -> list[OutboxMessage]:
        if limit <= 0:
            return []
        connection = self._uow.connection()
        with translated("listing outbox messages", self._where):
            rows = connection.execute(
                select(t.outbox)
                .where(t.outbox.c.sent_at.is_(None))
                .order_by(t.outbox.c.id)
                .limit(limit)
            ).all()
        return [message_from_row(r) for r in rows]

    def _mark(self, message_id: str, statement: Any) -> None:
        connection = self._uow.write_connection()
        with translated("recording an outbox delivery", self._where):
            if connection.execute(statement).rowcount:
                return
            found = connection.execute(
                select(t.outbox.c.id).where(t.outbox.c.message_id == message_id)
            ).first()
        if found is None:
            raise NotFound("outbox message", message_id)


class SqlQueries:
    """The read side: order lists and audit trails straight from the tables."""

    def __init__(self, db: SqlDatabase) -> None:
        self._db = db

    def find(self, query: OrderQuery, now: datetime) -> list[OrderSummary]:
        _aware("now", now)
        for name in ("placed_from", "placed_to"):
            value = getattr(query, name)
            if value is not None:
                _aware(name, value)
        if query.limit <= 0:
            return []
        keys = (query.customer_id, query.email, query.client_ip, query.address_key)
        if _has_nul(*keys):
            return []  # nothing stored holds NUL (and PostgreSQL refuses it as a parameter)
        o = t.orders.c
        conditions: list[ColumnElement[bool]] = []
        if query.status is not None:
            conditions.append(o.status == str(query.status))
        if query.customer_id is not None:
            conditions.append(o.customer_id == query.customer_id)
        if query.channel is not None:
            conditions.append(o.channel == str(query.channel))
        if query.hold_type is not None:
            h = t.order_holds.c
            conditions.append(
                exists().where(
                    h.order_number == o.number, h.type == str(query.hold_type), _active(now)
                )
            )
        if query.placed_from is not None:
            conditions.append(o.placed_at >= query.placed_from)
        if query.placed_to is not None:
            conditions.append(o.placed_at < query.placed_to)
        if query.email is not None:
            conditions.append(o.customer_email == query.email)
        if query.client_ip is not None:
            conditions.append(o.client_ip == query.client_ip)
        if query.address_key is not None:
            conditions.append(o.address_key == query.address_key)
        statement = (
            select(
                o.number,
                o.status,
                o.channel,
                o.external_reference,
                o.customer_id,
                o.customer_name,
                o.placed_at,
                o.total_minor,
                o.currency,
            )
            .where(*conditions)
            .order_by(o.placed_at, o.number)
            .limit(query.limit)
            .offset(max(query.offset, 0))
        )
        with self._db.reading("finding orders") as connection:
            rows = connection.execute(statement).all()
            holds = self._active_holds(connection, [r.number for r in rows], now)
        return [
            OrderSummary(
                number=r.number,
                status=OrderStatus(r.status),
                channel=Channel(r.channel),
                external_reference=r.external_reference,
                customer_id=r.customer_id,
                customer_name=r.customer_name,
                placed_at=r.placed_at,
                total=Money(int(r.total_minor), r.currency),
                hold_types=tuple(holds.get(r.number, ())),
            )
            for r in rows
        ]

    def history(self, number: str) -> list[RecordedEvent]:
        e = t.order_events.c
        with self._db.reading(f"reading the history of order {number}") as connection:
            rows = connection.execute(
                select(e.seq, e.type, e.data).where(e.order_number == number).order_by(e.seq)
            ).all()
        if not rows:
            raise OrderNotFound(number)
        return [
            RecordedEvent(seq=r.seq, event=_stored(f"event {number}:{r.seq}", r.type, r.data))
            for r in rows
        ]

    def _active_holds(
        self, connection: Connection, numbers: list[str], now: datetime
    ) -> dict[str, list[HoldType]]:
        if not numbers:
            return {}
        h = t.order_holds.c
        found: dict[str, list[HoldType]] = {}
        for row in connection.execute(
            select(h.order_number, h.type)
            .where(h.order_number.in_(numbers), _active(now))
            .order_by(h.order_number, h.position)
        ):
            found.setdefault(row.order_number, []).append(HoldType(row.type))
        return found


# -- rows -----------------------------------------------------------------------------------------


def next_value(connection: Connection, name: str) -> int:
    """Increment the named sequence inside the current transaction and return its new value."""
    s = t.sequences.c
    bump = update(t.sequences).where(s.name == name).values(value=s.value + 1).returning(s.value)
    value = connection.execute(bump).scalar()
    if value is None:
        create: Insert = dialect_insert(connection, t.sequences).values(name=name, value=0)
        connection.execute(create.on_conflict_do_nothing(index_elements=["name"]))  # type: ignore[attr-defined]
        value = connection.execute(bump).scalar_one()
    return int(value)


#: The longest e-mail address and client IP address the orders table holds.
MAX_EMAIL, MAX_CLIENT_IP = 320, 100


def order_row(order: Order, *, version: int) -> dict[str, Any]:
    """The ``orderflow_orders`` row of ``order`` (its full state in ``data``)."""
    data = documents.dump(order)
    del data["events"], data["version"]
    refuse_nul(data)
    email, client_ip = order.customer.email, order.client_ip
    if email is not None and len(email) > MAX_EMAIL:
        raise ValidationError.single("customer.email", f"must be at most {MAX_EMAIL} characters")
    if client_ip is not None and len(client_ip) > MAX_CLIENT_IP:
        raise ValidationError.single("client_ip", f"must be at most {MAX_CLIENT_IP} characters")
    return {
        "number": order.number,
        "channel": str(order.channel),
        "external_reference": order.external_reference,
        "customer_id": order.customer.id,
        "customer_name": order.customer.name,
        "status": str(order.status),
        "placed_at": order.placed_at,
        "total_minor": order.totals.total.minor,
        "currency": order.currency,
        "version": version,
        "data": data,
        "customer_email": email,
        "client_ip": client_ip,
        "address_key": address_key(order),
    }


def order_from_row(number: str, version: int, data: Mapping[str, Any]) -> Order:
    """The order stored as ``data`` at ``version``."""
    try:
        return documents.load({**data, "version": int(version)}, Order)
    except ValidationError as error:
        raise PersistenceError(f"stored order {number} cannot be read: {error}") from None


def hold_rows(order: Order) -> list[dict[str, Any]]:
    """The ``orderflow_order_holds`` rows of ``order``, in the order of its holds."""
    return [
        {
            "order_number": order.number,
            "position": position,
            "type": str(hold.type),
            "placed_at": hold.placed_at,
            "expires_at": hold.expires_at,
            "released_at": hold.released_at,
        }
        for position, hold in enumerate(order.holds)
    ]


def event_rows(
    recorded: Iterable[RecordedEvent],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The audit trail rows and the outbox rows for newly recorded events."""
    events: list[dict[str, Any]] = []
    messages: list[dict[str, Any]] = []
    for item in recorded:
        event = item.event
        topic, data = documents.event_to_json(event)
        refuse_nul(data)
        events.append(
            {
                "order_number": event.order_number,
                "seq": item.seq,
                "type": topic,
                "occurred_at": event.occurred_at,
                "actor": str(event.actor),
                "reason": event.reason,
                "data": data,
            }
        )
        messages.append(
            {
                "message_id": item.message_id,
                "topic": topic,
                "payload": data,
                "created_at": event.occurred_at,
                "attempts": 0,
                "next_attempt_at": event.occurred_at,
            }
        )
    return events, messages


def message_row(message_id: str, event: DomainEvent) -> dict[str, Any]:
    """The outbox row announcing ``event`` (one that belongs to no order), due at once."""
    if not isinstance(message_id, str) or not message_id or len(message_id) > 120:
        raise ValidationError.single("message_id", "must be text of 1 to 120 characters")
    topic, data = documents.event_to_json(event)
    refuse_nul({"message_id": message_id, **data})
    return {
        "message_id": message_id,
        "topic": topic,
        "payload": data,
        "created_at": event.occurred_at,
        "attempts": 0,
        "next_attempt_at": event.occurred_at,
    }


def message_from_row(row: Row[Any], *, claimed_until: datetime | None = None) -> OutboxMessage:
    """The outbox message of a row (``claimed_until`` overrides the row's lease)."""
    return OutboxMessage(
        message_id=row.message_id,
        topic=row.topic,
        payload=dict(row.payload),
        created_at=row.created_at,
        next_attempt_at=row.next_attempt_at,
        attempts=int(row.attempts),
        last_error=row.last_error,
        sent_at=row.sent_at,
        claimed_until=claimed_until if claimed_until is not None else row.claimed_until,
    )


def _stored(what: str, type_name: str, data: Mapping[str, Any]) -> Any:
    try:
        return documents.event_from_json(type_name, data)
    except ValidationError as error:
        raise PersistenceError(f"stored {what} cannot be read: {error}") from None


def _active(now: datetime) -> ColumnElement[bool]:
    h = t.order_holds.c
    return and_(h.released_at.is_(None), or_(h.expires_at.is_(None), h.expires_at > now))


def _aware(name: str, value: datetime) -> None:
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise ValidationError.single(name, f"must be a timezone-aware datetime, got {value!r}")
