"""The base of the SQL repositories of versioned aggregates stored as JSON documents.

Semantics mirror ``_VersionedRepository`` of :mod:`orderflow.adapters.memory`, the reference:

* an identity map per unit of work: ``get`` returns the same object until the unit of work ends;
* ``add`` of an id already stored (or already added) raises ``ConcurrencyError(kind, id, 0)``, and
  so does the INSERT at commit if a concurrent unit of work stored that id first;
* ``save`` marks a loaded aggregate changed; at commit it is written with
  ``UPDATE ... WHERE id = :id AND version = :v``, and no matching row raises
  ``ConcurrencyError(kind, id, v)`` with nothing of the unit of work written;
* new and changed aggregates are written at commit in id order (concurrent writers cannot
  deadlock), after which their versions move on.

Each row holds the full state as JSON (``data``: everything but the version, converted by
:mod:`orderflow.adapters.sql.documents`) and the columns the lookups use, derived from that
state at every write.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from sqlalchemy import (
    ColumnElement,
    Connection,
    Row,
    Select,
    Table,
    bindparam,
    exists,
    select,
    update,
)

from orderflow.adapters.sql import documents
from orderflow.adapters.sql.database import dialect_insert, translated
from orderflow.adapters.sql.inventory import _aware, _codepoint, _has_nul, _text
from orderflow.adapters.sql.prepared import ByDialect, Prepared
from orderflow.domain.errors import ConcurrencyError, NotFound, PersistenceError, ValidationError

if TYPE_CHECKING:
    from orderflow.adapters.sql.repository import SqlUnitOfWork
    from orderflow.adapters.sql.store import SqlDatabase


class Versioned(Protocol):
    """An aggregate of an order, with an id and an optimistic version."""

    id: str
    order_number: str
    version: int


V = TypeVar("V", bound=Versioned)

#: The longest id the aggregate tables hold.
MAX_ID = 120


class SqlAggregateRepository(Generic[V]):
    """Aggregates of one type in one :class:`~orderflow.adapters.sql.repository.SqlUnitOfWork`.

    Subclasses give the table, the aggregate's kind and class, the lookup columns of an aggregate
    (:meth:`columns`), and the time it was created (``created``: the column and the attribute,
    which order its lists oldest first, ties by id).
    """

    def __init__(
        self,
        uow: SqlUnitOfWork,
        db: SqlDatabase,
        *,
        table: Table,
        kind: str,
        cls: type[V],
        created: str,
    ) -> None:
        self._uow = uow
        self._where = db.where
        self._table = table
        self.kind = kind
        self._cls = cls
        self._created = created
        self.loaded: dict[str, V] = {}
        self.new: dict[str, V] = {}
        self.dirty: dict[str, V] = {}

    # -- the port -------------------------------------------------------------------------------

    def add(self, item: V) -> None:
        _text(f"{self.kind} id", item.id, MAX_ID)
        if item.id in self.new or self._stored(item.id):
            raise ConcurrencyError(self.kind, item.id, 0)
        self.new[item.id] = self.loaded[item.id] = item

    def get(self, ident: str) -> V:
        if ident in self.loaded:
            return self.loaded[ident]
        row = None
        if not _has_nul(ident):
            with translated(f"loading {self.kind} {ident}", self._where):
                row = _statements(self._table).by_id.first(self._uow.connection(), {"b_id": ident})
        if row is None:
            raise NotFound(self.kind, ident)
        return self._load(row)

    def save(self, item: V) -> None:
        if item.id not in self.new:
            self.dirty[item.id] = item

    def for_order(self, order_number: str) -> list[V]:
        """The order's aggregates, oldest first (ties by id), the ones added here included."""
        found = {i.id: i for i in self.new.values() if i.order_number == order_number}
        if not _has_nul(order_number):
            with translated(f"loading the {self.kind}s of order {order_number}", self._where):
                rows = _statements(self._table).by_order.rows(
                    self._uow.connection(), {"b_order_number": order_number}
                )
                for row in rows:
                    found.setdefault(row.id, self._load(row))
        return sorted(found.values(), key=lambda i: (getattr(i, self._created), i.id))

    # -- for subclasses -------------------------------------------------------------------------

    def columns(self, item: V) -> dict[str, Any]:
        """The lookup columns of ``item`` (besides id, version and data)."""
        raise NotImplementedError

    def ids(self, action: str, *conditions: ColumnElement[bool]) -> list[str]:
        """Ids of the stored aggregates matching ``conditions``, oldest first (ties by id)."""
        c = self._table.c
        connection = self._uow.connection()
        with translated(action, self._where):
            return list(
                connection.execute(
                    select(c.id)
                    .where(*conditions)
                    .order_by(c[self._created], _codepoint(connection, c.id))
                ).scalars()
            )

    # -- writing (called by the unit of work) ---------------------------------------------------

    def has_changes(self) -> bool:
        return bool(self.new or self.dirty)

    def flush(self, connection: Connection) -> None:
        """Insert the new aggregates and update the changed ones, in id order."""
        for ident in sorted(self.new):
            self._insert(connection, self.new[ident])
        for ident in sorted(self.dirty):  # a fixed order: concurrent writers cannot deadlock
            self._update(connection, self.dirty[ident])

    def committed(self) -> None:
        """After the commit: the written aggregates' versions moved on."""
        for item in [*self.new.values(), *self.dirty.values()]:
            item.version += 1
        self.clear()

    def clear(self) -> None:
        self.loaded.clear()
        self.new.clear()
        self.dirty.clear()

    def row(self, item: V, *, version: int) -> dict[str, Any]:
        """The table row of ``item`` at ``version``; ValidationError if it cannot be stored."""
        _text(f"{self.kind} id", item.id, MAX_ID)
        data = documents.dump(item)
        del data["version"]
        documents.refuse_nul(data)
        columns = self.columns(item)
        _aware(self._created, columns[self._created])
        return {"id": item.id, **columns, "version": version, "data": data}

    def from_row(self, row: Row[Any]) -> V:
        """The aggregate stored in ``row``, at its stored version."""
        return load_document(f"{self.kind} {row.id}", row.data, self._cls, version=row.version)

    # -- internals ------------------------------------------------------------------------------

    def _select(self) -> Select[Any]:
        c = self._table.c
        return select(c.id, c.version, c.data)

    def _stored(self, ident: str) -> bool:
        connection = self._uow.connection()
        with translated(f"looking up {self.kind} {ident}", self._where):
            row = _statements(self._table).exists.first(connection, {"b_id": ident})
            return bool(row and row[0])

    def _load(self, row: Row[Any]) -> V:
        if row.id in self.loaded:  # the identity map: one object per aggregate
            return self.loaded[row.id]
        item = self.from_row(row)
        self.loaded[item.id] = item
        return item

    def _insert(self, connection: Connection, item: V) -> None:
        insert = _statements(self._table).insert.on(connection)
        if not insert.rows(connection, self.row(item, version=item.version + 1)):
            # added by a concurrent unit of work
            raise ConcurrencyError(self.kind, item.id, 0)

    def _update(self, connection: Connection, item: V) -> None:
        values = self.row(item, version=item.version + 1)
        del values["id"]
        values["b_id"], values["b_version"] = item.id, item.version
        if _statements(self._table).update.rowcount(connection, values) != 1:
            raise ConcurrencyError(self.kind, item.id, item.version)


class _Statements:
    """The statements of one aggregate table's hot path, built once (see ``_statements``)."""

    def __init__(self, table: Table) -> None:
        c = table.c
        columns: Select[Any] = select(c.id, c.version, c.data)
        self.by_id = Prepared(columns.where(c.id == bindparam("b_id")))
        self.by_order = Prepared(columns.where(c.order_number == bindparam("b_order_number")))
        self.exists = Prepared(select(exists().where(c.id == bindparam("b_id"))))
        self.update = Prepared(
            update(table).where(c.id == bindparam("b_id"), c.version == bindparam("b_version"))
        )
        self.insert = ByDialect(
            lambda dialect: (
                dialect_insert(dialect, table)
                .on_conflict_do_nothing(index_elements=["id"])
                .returning(c.id)
            )
        )


_BUILT: dict[str, _Statements] = {}


def _statements(table: Table) -> _Statements:
    """Prebuilt statements for ``table``: SQLAlchemy then skips building each expression and its
    cache key per call. Bound names start with ``b_``, apart from the columns an UPDATE sets."""
    built = _BUILT.get(table.name)
    if built is None:
        built = _BUILT[table.name] = _Statements(table)
    return built


def load_document(what: str, data: Any, cls: type[V], *, version: int) -> V:
    """The ``cls`` stored as ``data`` at ``version``; PersistenceError naming ``what`` if the
    stored JSON cannot be read."""
    if not isinstance(data, Mapping):
        raise PersistenceError(f"stored {what} cannot be read: its data is not a JSON object")
    try:
        return documents.load({**data, "version": int(version)}, cls)
    except ValidationError as error:
        raise PersistenceError(f"stored {what} cannot be read: {error}") from None
