"""Stock and reservations in SQL (SQLAlchemy Core): the StockStore and ReservationRepository ports.

Semantics mirror :mod:`orderflow.adapters.memory`, the reference. Stock writes go straight to the
unit of work's transaction (they commit or roll back with it):

* :meth:`SqlStockStore.apply` is ONE conditional ``UPDATE`` of the level (the deltas are added
  only where the result keeps ``0 <= reserved <= on_hand``), followed by the movement's ledger
  row only if that UPDATE changed the row. There is no read before the write, so two processes
  reserving the last units cannot both succeed: on PostgreSQL the second UPDATE waits for the
  first's row lock and re-checks its condition on the committed row; on SQLite writers hold the
  database write lock. CHECK constraints on the table are the last line of defence.
* Reservations are an identity map per unit of work, written at commit like orders, each change
  guarded by its version.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, time
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import ColumnElement, Connection, Row, bindparam, delete, exists, select, update
from sqlalchemy import exc as sa_exc

from orderflow.adapters.sql import documents
from orderflow.adapters.sql import schema as t
from orderflow.adapters.sql.database import dialect_insert, translated
from orderflow.adapters.sql.prepared import ByDialect, Prepared
from orderflow.domain.errors import (
    ConcurrencyError,
    NotFound,
    OrderflowError,
    PersistenceError,
    ValidationError,
)
from orderflow.domain.inventory import (
    BackorderLine,
    Location,
    Movement,
    MovementKind,
    Reservation,
    ReservationStatus,
    ReservedLine,
    ShortagePolicy,
    SkuPolicy,
    StockLevel,
)
from orderflow.domain.money import Money
from orderflow.domain.values import Actor, ActorKind, Address

if TYPE_CHECKING:
    from orderflow.adapters.sql.repository import SqlUnitOfWork
    from orderflow.adapters.sql.store import SqlDatabase

T = TypeVar("T")

#: The largest stock quantity (or delta) the tables hold: well inside a signed 64-bit integer.
MAX_QUANTITY = 2**62


_S = t.stock_levels.c
#: ``StockStore.apply``'s one conditional statement, built once (no expression building and cache
#: key per movement): nothing is read first, the row lock or write lock orders concurrent movers.
_APPLY = Prepared(
    update(t.stock_levels)
    .where(
        _S.sku == bindparam("b_sku"),
        _S.location == bindparam("b_location"),
        _S.reserved + bindparam("b_dr") >= 0,
        _S.on_hand + bindparam("b_dh") >= _S.reserved + bindparam("b_dr"),
    )
    .values(on_hand=_S.on_hand + bindparam("b_dh"), reserved=_S.reserved + bindparam("b_dr"))
)
_INSERT_MOVEMENT = Prepared(t.stock_movements.insert())
_LEVEL = Prepared(
    select(t.stock_levels).where(
        _S.sku == bindparam("b_sku"), _S.location == bindparam("b_location")
    )
)
_LOCATIONS = Prepared(select(t.locations))
_R = t.reservations.c
_RESERVATION = Prepared(select(t.reservations).where(_R.id == bindparam("b_id")))
_RESERVATION_STORED = Prepared(select(exists().where(_R.id == bindparam("b_id"))))
_INSERT_RESERVATION = ByDialect(
    lambda dialect: (
        dialect_insert(dialect, t.reservations)
        .on_conflict_do_nothing(index_elements=["id"])
        .returning(_R.id)
    )
)
_UPDATE_RESERVATION = Prepared(
    update(t.reservations).where(_R.id == bindparam("b_id"), _R.version == bindparam("b_version"))
)
_DELETE_BACKORDERS = Prepared(
    delete(t.backorders).where(t.backorders.c.reservation_id == bindparam("b_id"))
)
_INSERT_BACKORDERS = Prepared(t.backorders.insert())
#: the newest reservation of an order, ties by id compared by code point (per dialect)
_RESERVATION_OF_ORDER = {
    dialect: Prepared(
        select(t.reservations)
        .where(_R.order_number == bindparam("b_order_number"))
        .order_by(_R.created_at.desc(), (_R.id.collate("C") if collate else _R.id).desc())
        .limit(1)
    )
    for dialect, collate in (("postgresql", True), ("sqlite", False))
}


class SqlStockStore:
    """Stock of one :class:`~orderflow.adapters.sql.repository.SqlUnitOfWork`.

    Levels, movements, locations and policies are written at once, inside the unit of work's
    transaction; reads see this transaction's own writes.
    """

    def __init__(self, uow: SqlUnitOfWork, db: SqlDatabase) -> None:
        self._uow = uow
        self._where = db.where
        self._applied: list[Movement] = []

    # -- levels ---------------------------------------------------------------------------------

    def apply(self, movement: Movement) -> bool:
        row = movement_row(movement)
        dh, dr = movement.on_hand_delta, movement.reserved_delta
        change = {"b_sku": movement.sku, "b_location": movement.location, "b_dh": dh, "b_dr": dr}
        where = f"{movement.sku}@{movement.location}"
        connection = self._uow.write_connection()
        with translated(f"applying a {movement.kind} movement to {where}", self._where):
            try:
                changed = _APPLY.rowcount(connection, change) == 1
            except sa_exc.IntegrityError as error:  # the CHECK constraints: never expected
                raise PersistenceError(
                    f"stock level {where} would break its constraints "
                    f"(0 <= reserved <= on hand) with {movement.kind} "
                    f"{dh:+d} on hand, {dr:+d} reserved ({self._where}): {error.orig}"
                ) from error
            if not changed:
                return False
            _INSERT_MOVEMENT.many(connection, [row])
        self._applied.append(movement)
        return True

    def applied(self) -> list[Movement]:
        return list(self._applied)

    def level(self, sku: str, location: str) -> StockLevel | None:
        if _has_nul(sku, location):
            return None
        connection = self._uow.connection()
        with translated(f"reading stock of {sku}@{location}", self._where):
            row = _LEVEL.first(connection, {"b_sku": sku, "b_location": location})
        return None if row is None else level_from_row(row)

    def levels(self, skus: Iterable[str] | None = None) -> list[StockLevel]:
        statement = select(t.stock_levels)
        if skus is not None:
            wanted = sorted({sku for sku in skus if not _has_nul(sku)})
            if not wanted:
                return []
            statement = statement.where(t.stock_levels.c.sku.in_(wanted))
        connection = self._uow.connection()
        with translated("reading stock levels", self._where):
            rows = connection.execute(statement).all()
        # sorted here, by code point as the reference does (database collations differ)
        return sorted((level_from_row(r) for r in rows), key=lambda lv: lv.key)

    def stock(self, sku: str, location: str) -> None:
        _text("sku", sku, 64)
        _text("location", location, 32)
        connection = self._uow.write_connection()
        insert = dialect_insert(connection, t.stock_levels).values(
            sku=sku,
            location=location,
            on_hand=0,
            reserved=0,
            reorder_point=0,
            reorder_quantity=0,
        )
        with translated(f"stocking {sku}@{location}", self._where):
            connection.execute(insert.on_conflict_do_nothing(index_elements=["sku", "location"]))

    def set_average_cost(self, sku: str, location: str, cost: Money | None) -> None:
        self._change_level(
            sku,
            location,
            average_cost_minor=None if cost is None else _quantity("cost", cost.minor),
            average_cost_currency=None if cost is None else cost.currency,
        )

    def set_reorder(self, sku: str, location: str, *, point: int, quantity: int) -> None:
        self._change_level(
            sku,
            location,
            reorder_point=_quantity("point", point),
            reorder_quantity=_quantity("quantity", quantity),
        )

    def _change_level(self, sku: str, location: str, **values: Any) -> None:
        if _has_nul(sku, location):
            raise NotFound("stock level", f"{sku}@{location}")
        s = t.stock_levels.c
        connection = self._uow.write_connection()
        with translated(f"changing stock level {sku}@{location}", self._where):
            result = connection.execute(
                update(t.stock_levels).where(s.sku == sku, s.location == location).values(**values)
            )
        if result.rowcount != 1:
            raise NotFound("stock level", f"{sku}@{location}")

    # -- the ledger -----------------------------------------------------------------------------

    def movements(
        self,
        *,
        sku: str | None = None,
        location: str | None = None,
        reference: str | None = None,
        since: datetime | None = None,
    ) -> list[Movement]:
        if _has_nul(sku, location, reference):
            return []
        m = t.stock_movements.c
        conditions: list[ColumnElement[bool]] = []
        if sku is not None:
            conditions.append(m.sku == sku)
        if location is not None:
            conditions.append(m.location == location)
        if reference is not None:
            conditions.append(m.reference == reference)
        if since is not None:
            _aware("since", since)
            conditions.append(m.occurred_at >= since)
        connection = self._uow.connection()
        with translated("reading the stock ledger", self._where):
            rows = connection.execute(
                select(t.stock_movements).where(*conditions).order_by(m.id)
            ).all()
        return [movement_from_row(r) for r in rows]

    # -- locations and policies -----------------------------------------------------------------

    def locations(self) -> list[Location]:
        connection = self._uow.connection()
        with translated("reading locations", self._where):
            rows = _LOCATIONS.rows(connection, {})
        return sorted((location_from_row(r) for r in rows), key=lambda loc: loc.code)

    def put_location(self, location: Location) -> None:
        row = location_row(location)
        connection = self._uow.write_connection()
        upsert = dialect_insert(connection, t.locations).values(row)
        changes = {k: v for k, v in row.items() if k != "code"}
        with translated(f"storing location {location.code}", self._where):
            connection.execute(upsert.on_conflict_do_update(index_elements=["code"], set_=changes))

    def policy(self, sku: str) -> SkuPolicy:
        if _has_nul(sku):
            return SkuPolicy(sku=sku)  # refuses it, as the reference does
        connection = self._uow.connection()
        with translated(f"reading the policy of {sku}", self._where):
            row = connection.execute(
                select(t.sku_policies).where(t.sku_policies.c.sku == sku)
            ).first()
        return SkuPolicy(sku=sku) if row is None else policy_from_row(row)

    def put_policy(self, policy: SkuPolicy) -> None:
        row = policy_row(policy)
        connection = self._uow.write_connection()
        upsert = dialect_insert(connection, t.sku_policies).values(row)
        changes = {k: v for k, v in row.items() if k != "sku"}
        with translated(f"storing the policy of {policy.sku}", self._where):
            connection.execute(upsert.on_conflict_do_update(index_elements=["sku"], set_=changes))

    def clear(self) -> None:
        """Forget the movements of the ended transaction (called at commit and rollback)."""
        self._applied.clear()


class SqlReservationRepository:
    """Reservations of one unit of work: an identity map, written at commit (or flush)."""

    def __init__(self, uow: SqlUnitOfWork, db: SqlDatabase) -> None:
        self._uow = uow
        self._where = db.where
        self.loaded: dict[str, Reservation] = {}
        self.new: dict[str, Reservation] = {}
        self.dirty: dict[str, Reservation] = {}

    def add(self, reservation: Reservation) -> None:
        _text("reservation id", reservation.id, 120)
        if reservation.id in self.new or self._stored(reservation.id):
            raise ConcurrencyError("reservation", reservation.id, 0)
        self.new[reservation.id] = self.loaded[reservation.id] = reservation

    def get(self, reservation_id: str) -> Reservation:
        if reservation_id in self.loaded:
            return self.loaded[reservation_id]
        row = None
        if not _has_nul(reservation_id):
            connection = self._uow.connection()
            with translated(f"loading reservation {reservation_id}", self._where):
                row = _RESERVATION.first(connection, {"b_id": reservation_id})
        if row is None:
            raise NotFound("reservation", reservation_id)
        return self._load(row)

    def for_order(self, order_number: str) -> Reservation | None:
        staged = [r for r in self.new.values() if r.order_number == order_number]
        if staged:
            return staged[-1]
        if _has_nul(order_number):
            return None
        connection = self._uow.connection()
        newest = _RESERVATION_OF_ORDER[connection.dialect.name]
        with translated(f"loading the reservation of order {order_number}", self._where):
            row = newest.first(connection, {"b_order_number": order_number})
        return None if row is None else self._load(row)

    def save(self, reservation: Reservation) -> None:
        if reservation.id not in self.new:
            self.dirty[reservation.id] = reservation

    def expired(self, now: datetime) -> Sequence[str]:
        _aware("now", now)
        r = t.reservations.c
        connection = self._uow.connection()
        with translated("finding expired reservations", self._where):
            return list(
                connection.execute(
                    select(r.id)
                    .where(
                        r.status == str(ReservationStatus.ACTIVE),
                        r.expires_at.is_not(None),
                        r.expires_at <= now,
                    )
                    .order_by(r.created_at, _codepoint(connection, r.id))
                ).scalars()
            )

    def backordered(self, sku: str) -> Sequence[str]:
        if _has_nul(sku):
            return []
        b = t.backorders.c
        connection = self._uow.connection()
        with translated(f"finding backorders of {sku}", self._where):
            return list(
                connection.execute(
                    select(b.reservation_id)
                    .where(b.sku == sku)
                    .order_by(b.created_at, _codepoint(connection, b.reservation_id))
                ).scalars()
            )

    # -- writing (called by the unit of work) ---------------------------------------------------

    def has_changes(self) -> bool:
        return bool(self.new or self.dirty)

    def flush(self, connection: Connection) -> None:
        """Insert the new reservations and update the changed ones, in id order."""
        for rid in sorted(self.new):
            self._insert(connection, self.new[rid])
        for rid in sorted(self.dirty):  # a fixed order: concurrent writers cannot deadlock
            self._update(connection, self.dirty[rid])

    def committed(self) -> None:
        """After the commit: the written reservations' versions moved on."""
        for reservation in [*self.new.values(), *self.dirty.values()]:
            reservation.version += 1
        self.clear()

    def clear(self) -> None:
        self.loaded.clear()
        self.new.clear()
        self.dirty.clear()

    def _stored(self, reservation_id: str) -> bool:
        connection = self._uow.connection()
        with translated(f"looking up reservation {reservation_id}", self._where):
            row = _RESERVATION_STORED.first(connection, {"b_id": reservation_id})
            return bool(row and row[0])

    def _load(self, row: Row[Any]) -> Reservation:
        if row.id in self.loaded:  # the identity map: one object per reservation
            return self.loaded[row.id]
        reservation = reservation_from_row(row)
        self.loaded[reservation.id] = reservation
        return reservation

    def _insert(self, connection: Connection, reservation: Reservation) -> None:
        row = reservation_row(reservation, version=reservation.version + 1)
        if not _INSERT_RESERVATION.on(connection).rows(connection, row):
            # added by a concurrent unit of work
            raise ConcurrencyError("reservation", reservation.id, 0)
        self._write_backorders(connection, reservation, new=True)

    def _update(self, connection: Connection, reservation: Reservation) -> None:
        row = reservation_row(reservation, version=reservation.version + 1)
        del row["id"]
        row["b_id"], row["b_version"] = reservation.id, reservation.version
        if _UPDATE_RESERVATION.rowcount(connection, row) != 1:
            raise ConcurrencyError("reservation", reservation.id, reservation.version)
        self._write_backorders(connection, reservation, new=False)

    def _write_backorders(
        self, connection: Connection, reservation: Reservation, *, new: bool
    ) -> None:
        if not new:
            _DELETE_BACKORDERS.rowcount(connection, {"b_id": reservation.id})
        _INSERT_BACKORDERS.many(connection, backorder_rows(reservation))


# -- rows -----------------------------------------------------------------------------------------


def movement_row(movement: Movement) -> dict[str, Any]:
    """The ``orderflow_stock_movements`` row of ``movement`` (ValidationError if unstorable)."""
    _text("sku", movement.sku, 64)
    _text("location", movement.location, 32)
    _text("reason", movement.reason)
    _text("reference", movement.reference, 120)
    _quantity("on_hand_delta", movement.on_hand_delta)
    _quantity("reserved_delta", movement.reserved_delta)
    _aware("occurred_at", movement.occurred_at)
    cost = movement.unit_cost
    return {
        "sku": movement.sku,
        "location": movement.location,
        "kind": str(movement.kind),
        "on_hand_delta": movement.on_hand_delta,
        "reserved_delta": movement.reserved_delta,
        "reason": movement.reason,
        "actor_kind": str(movement.actor.kind),
        "actor_id": movement.actor.id,
        "reference": movement.reference,
        "unit_cost_minor": None if cost is None else _quantity("unit_cost", cost.minor),
        "unit_cost_currency": None if cost is None else cost.currency,
        "occurred_at": movement.occurred_at,
    }


def movement_from_row(row: Row[Any]) -> Movement:
    """The ledger entry stored in ``row``."""
    return _read(
        f"stock movement {row.id}",
        lambda: Movement(
            sku=row.sku,
            location=row.location,
            kind=MovementKind(row.kind),
            on_hand_delta=int(row.on_hand_delta),
            reserved_delta=int(row.reserved_delta),
            reason=row.reason,
            actor=Actor(ActorKind(row.actor_kind), row.actor_id),
            reference=row.reference,
            unit_cost=_money(row.unit_cost_minor, row.unit_cost_currency),
            occurred_at=row.occurred_at,
        ),
    )


def level_from_row(row: Row[Any]) -> StockLevel:
    """The stock level stored in ``row``."""
    return StockLevel(
        sku=row.sku,
        location=row.location,
        on_hand=int(row.on_hand),
        reserved=int(row.reserved),
        average_cost=_read(
            f"the average cost of {row.sku}@{row.location}",
            lambda: _money(row.average_cost_minor, row.average_cost_currency),
        ),
        reorder_point=int(row.reorder_point),
        reorder_quantity=int(row.reorder_quantity),
    )


def location_row(location: Location) -> dict[str, Any]:
    """The ``orderflow_locations`` row of ``location``."""
    _text("region", location.region, 100)
    for i, target in enumerate(location.ships_to):
        _text(f"ships_to[{i}]", target, 100)
    _quantity("priority", location.priority)
    if not isinstance(location.cutoff, time) or location.cutoff.tzinfo is not None:
        raise ValidationError.single(
            "cutoff", f"must be a local time without a zone (see timezone), got {location.cutoff!r}"
        )
    _text("timezone", location.timezone, 64)
    if type(location.handling_days) is not int or not 0 <= location.handling_days < 2**31:
        raise ValidationError.single(
            "handling_days", f"must be a whole number of days, got {location.handling_days!r}"
        )
    address = None if location.address is None else documents.dump(location.address)
    documents.refuse_nul(address, "address")
    return {
        "code": location.code,
        "name": location.name,
        "country": location.country,
        "region": location.region,
        "priority": location.priority,
        "ships_to": list(location.ships_to),
        "latitude": location.latitude,
        "longitude": location.longitude,
        "cutoff": location.cutoff,
        "timezone": location.timezone,
        "handling_days": location.handling_days,
        "address": address,
    }


def location_from_row(row: Row[Any]) -> Location:
    """The location stored in ``row``."""
    return _read(
        f"location {row.code}",
        lambda: Location(
            code=row.code,
            name=row.name,
            country=row.country,
            region=row.region,
            priority=int(row.priority),
            ships_to=tuple(row.ships_to),
            latitude=row.latitude,
            longitude=row.longitude,
            cutoff=row.cutoff,
            timezone=row.timezone,
            handling_days=int(row.handling_days),
            address=None if row.address is None else documents.load(row.address, Address),
        ),
    )


def policy_row(policy: SkuPolicy) -> dict[str, Any]:
    """The ``orderflow_sku_policies`` row of ``policy``."""
    if policy.preorder_until is not None:
        _aware("preorder_until", policy.preorder_until)
    _quantity("lead_time_days", policy.lead_time_days)
    return {
        "sku": policy.sku,
        "shortage": str(policy.shortage),
        "preorder_until": policy.preorder_until,
        "lead_time_days": policy.lead_time_days,
    }


def policy_from_row(row: Row[Any]) -> SkuPolicy:
    """The sku policy stored in ``row``."""
    return _read(
        f"the policy of {row.sku}",
        lambda: SkuPolicy(
            sku=row.sku,
            shortage=ShortagePolicy(row.shortage),
            preorder_until=row.preorder_until,
            lead_time_days=int(row.lead_time_days),
        ),
    )


def reservation_row(reservation: Reservation, *, version: int) -> dict[str, Any]:
    """The ``orderflow_reservations`` row of ``reservation`` (its full state)."""
    _text("reservation id", reservation.id, 120)
    _text("order_number", reservation.order_number, 64)
    _aware("created_at", reservation.created_at)
    if reservation.expires_at is not None:
        _aware("expires_at", reservation.expires_at)
    for i, line in enumerate(reservation.lines):
        _text(f"lines[{i}].sku", line.sku, 64)
        _text(f"lines[{i}].location", line.location, 32)
    for i, b in enumerate(reservation.backorders):
        _text(f"backorders[{i}].sku", b.sku, 64)
    return {
        "id": reservation.id,
        "order_number": reservation.order_number,
        "status": str(reservation.status),
        "created_at": reservation.created_at,
        "expires_at": reservation.expires_at,
        "version": version,
        "lines": [
            {
                "sku": line.sku,
                "location": line.location,
                "quantity": line.quantity,
                "committed": line.committed,
            }
            for line in reservation.lines
        ],
        "backorders": [
            {"sku": b.sku, "quantity": b.quantity, "filled": b.filled}
            for b in reservation.backorders
        ],
    }


def backorder_rows(reservation: Reservation) -> list[dict[str, Any]]:
    """The ``orderflow_backorders`` rows: what an active reservation still waits for, per sku."""
    if not reservation.is_active:
        return []
    return [
        {
            "reservation_id": reservation.id,
            "sku": sku,
            "created_at": reservation.created_at,
            "outstanding": units,
        }
        for sku, units in sorted(reservation.outstanding().items())
    ]


def reservation_from_row(row: Row[Any]) -> Reservation:
    """The reservation stored in ``row``, at its stored version."""

    def build() -> Reservation:
        return Reservation(
            id=row.id,
            order_number=row.order_number,
            lines=[
                ReservedLine(
                    sku=_str(line, "sku"),
                    location=_str(line, "location"),
                    quantity=_int(line, "quantity"),
                    committed=_int(line, "committed"),
                )
                for line in row.lines
            ],
            backorders=[
                BackorderLine(
                    sku=_str(b, "sku"), quantity=_int(b, "quantity"), filled=_int(b, "filled")
                )
                for b in row.backorders
            ],
            status=ReservationStatus(row.status),
            created_at=row.created_at,
            expires_at=row.expires_at,
            version=int(row.version),
        )

    return _read(f"reservation {row.id}", build)


# -- helpers --------------------------------------------------------------------------------------


def _codepoint(connection: Connection, column: Any) -> Any:
    """``column`` compared by code point, as Python (and the reference adapter) compares text."""
    return column.collate("C") if connection.dialect.name == "postgresql" else column


def _has_nul(*values: str | None) -> bool:
    """Whether a lookup key holds NUL: nothing stored can match it (PostgreSQL refuses it)."""
    return any(isinstance(v, str) and "\x00" in v for v in values)


def _text(name: str, value: str | None, limit: int | None = None) -> None:
    """ValidationError unless ``value`` is None or text the tables can hold."""
    if value is None:
        return
    if not isinstance(value, str):
        raise ValidationError.single(name, f"must be text, got {value!r}")
    if "\x00" in value:
        raise ValidationError.single(name, "must not contain NUL characters")
    if limit is not None and len(value) > limit:
        raise ValidationError.single(name, f"must be at most {limit} characters")


def _quantity(name: str, value: int) -> int:
    if type(value) is not int or not -MAX_QUANTITY <= value <= MAX_QUANTITY:
        raise ValidationError.single(name, f"must be a whole number within ±2**62, got {value!r}")
    return value


def _aware(name: str, value: object) -> None:
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise ValidationError.single(name, f"must be a timezone-aware datetime, got {value!r}")


def _money(minor: int | None, currency: str | None) -> Money | None:
    return None if minor is None or currency is None else Money(int(minor), currency)


def _str(data: Mapping[str, Any], key: str) -> str:
    value = data[key]
    if not isinstance(value, str):
        raise ValueError(f"{key} is {value!r}, not text")
    return value


def _int(data: Mapping[str, Any], key: str) -> int:
    value = data[key]
    if type(value) is not int:
        raise ValueError(f"{key} is {value!r}, not a whole number")
    return value


def _read(what: str, build: Callable[[], T]) -> T:
    """``build()``, with a PersistenceError naming ``what`` if the stored data is unreadable."""
    try:
        return build()
    except OrderflowError as error:
        raise PersistenceError(f"stored {what} cannot be read: {error}") from None
    except (KeyError, TypeError, ValueError) as error:
        raise PersistenceError(f"stored {what} cannot be read: {error!r}") from None
