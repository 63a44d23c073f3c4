"""Hot-path statements: built with SQLAlchemy Core, compiled once per dialect, run on the driver.

SQLAlchemy's execution path (execution context, parameter and result machinery, events) costs
some 30-40 microseconds per statement, many times what SQLite needs to run one; an order's life
sends over a hundred. A :class:`Prepared` statement keeps SQLAlchemy for what it is good at here
(one statement for SQLite and PostgreSQL, the dialect's SQL, the column types' conversions, such
as UTC timestamps and JSON) and hands the compiled SQL with converted parameters straight to the
driver's cursor on the unit of work's own connection, inside its transaction or savepoint.

When the engine (or the connection) has cursor-execute listeners or logs its SQL (``echo``), the
statement goes through SQLAlchemy's normal path instead, so such instrumentation still sees
every statement orderflow sends.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, cast

from sqlalchemy import Connection
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import ClauseElement, Executable
from sqlalchemy.sql.compiler import SQLCompiler

from orderflow.adapters.sql.database import instrumented

Processor = Callable[[Any], Any] | None


class _Compiled:
    """One statement compiled for one dialect: SQL, parameter order and conversions."""

    def __init__(self, statement: Executable, dialect: Dialect, keys: Sequence[str]) -> None:
        compiled = cast(ClauseElement, statement).compile(dialect=dialect, column_keys=list(keys))
        assert isinstance(compiled, SQLCompiler)
        self.sql = compiled.string
        binds = compiled.binds
        self.binds: dict[str, Processor] = {
            name: bind.type.dialect_impl(dialect).bind_processor(dialect)
            for name, bind in binds.items()
        }
        #: the values of the statement's own literals (``reserved + :dr >= 0``)
        self.literals = {
            name: bind.effective_value for name, bind in binds.items() if not bind.required
        }
        self.positional = compiled.positiontup if dialect.positional else None
        columns = self.columns = list(getattr(statement, "exported_columns", ()))
        #: each column's conversion, known at the first run (it depends on the driver's type code)
        self.results: list[Processor] | None = None
        names = [str(getattr(column, "key", None) or "_") for column in columns]
        row_type: Any = namedtuple("PreparedRow", names, rename=True)  # type: ignore[misc]
        self.make_row: Callable[[Any], Any] = row_type._make

    def parameters(self, values: Mapping[str, Any]) -> Any:
        converted = {
            name: value if (proc := self.binds.get(name)) is None else proc(value)
            for name, value in (*self.literals.items(), *values.items())
        }
        if self.positional is None:
            return converted
        return tuple(converted[name] for name in self.positional)

    def rows(self, cursor: Any, dialect: Dialect) -> list[Any]:
        """The cursor's rows, with their columns by position and by name, each converted by its
        type."""
        results = self.results
        if results is None:
            results = self.results = [
                column.type.dialect_impl(dialect).result_processor(dialect, described[1])
                for column, described in zip(self.columns, cursor.description, strict=True)
            ]
        make = self.make_row
        return [
            make(
                value if proc is None or value is None else proc(value)
                for proc, value in zip(results, raw, strict=True)
            )
            for raw in cursor.fetchall()
        ]


class Prepared:
    """A Core statement run on the driver's cursor (see the module's docstring).

    Compiled once per engine's dialect (which carries the driver's paramstyle and the engine's
    JSON serialiser) and set of parameter names (an UPDATE sets the columns it is given, an
    INSERT inserts them). The compiled forms are kept on the dialect, so they go with the engine.
    """

    def __init__(self, statement: Executable) -> None:
        self.statement = statement

    def _compiled(self, dialect: Dialect, values: Mapping[str, Any]) -> _Compiled:
        forms = compiled_forms(dialect)
        key = (self, tuple(values))
        found = forms.get(key)
        if found is None:
            found = forms[key] = _Compiled(self.statement, dialect, key[1])
        return found

    def rows(self, connection: Connection, values: Mapping[str, Any]) -> list[Any]:
        """The rows the statement returns (named tuples, or SQLAlchemy rows when instrumented)."""
        if instrumented(connection):
            return list(connection.execute(self.statement, dict(values)))
        compiled = self._compiled(connection.dialect, values)
        cursor = connection.connection.cursor()
        try:
            with _as_sqlalchemy_error(connection, compiled.sql):
                cursor.execute(compiled.sql, compiled.parameters(values))
                return compiled.rows(cursor, connection.dialect)
        finally:
            cursor.close()

    def first(self, connection: Connection, values: Mapping[str, Any]) -> Any:
        """The first row the statement returns, or None."""
        rows = self.rows(connection, values)
        return rows[0] if rows else None

    def rowcount(self, connection: Connection, values: Mapping[str, Any]) -> int:
        """Run a write; the number of rows it matched."""
        if instrumented(connection):
            return int(connection.execute(self.statement, dict(values)).rowcount)
        compiled = self._compiled(connection.dialect, values)
        cursor = connection.connection.cursor()
        try:
            with _as_sqlalchemy_error(connection, compiled.sql):
                cursor.execute(compiled.sql, compiled.parameters(values))
                return int(cursor.rowcount)
        finally:
            cursor.close()

    def many(self, connection: Connection, values: Sequence[Mapping[str, Any]]) -> None:
        """Run a write once per set of values."""
        if not values:
            return
        if instrumented(connection):
            connection.execute(self.statement, [dict(v) for v in values])
            return
        compiled = self._compiled(connection.dialect, values[0])
        cursor = connection.connection.cursor()
        try:
            with _as_sqlalchemy_error(connection, compiled.sql):
                cursor.executemany(compiled.sql, [compiled.parameters(v) for v in values])
        finally:
            cursor.close()


def compiled_forms(dialect: Dialect) -> dict[tuple[Prepared, tuple[str, ...]], _Compiled]:
    """The statements compiled for ``dialect`` so far (kept in the dialect object itself: its
    conversions refer to it, so a cache beside it would keep every engine's dialect alive)."""
    found: dict[tuple[Prepared, tuple[str, ...]], _Compiled] | None = vars(dialect).get(_FORMS)
    if found is None:
        found = vars(dialect)[_FORMS] = {}
    return found


_FORMS = "_orderflow_prepared"


class ByDialect:
    """A prepared statement that differs by dialect (``ON CONFLICT``, collations), built by
    ``build(dialect name)`` at its first use on each."""

    def __init__(self, build: Callable[[str], Executable]) -> None:
        self._build = build
        self._built: dict[str, Prepared] = {}

    def on(self, connection: Connection) -> Prepared:
        """The statement for the connection's dialect (``sqlite`` or ``postgresql``)."""
        name = connection.dialect.name
        found = self._built.get(name)
        if found is None:
            found = self._built[name] = Prepared(self._build(name))
        return found


@contextmanager
def _as_sqlalchemy_error(connection: Connection, sql: str) -> Iterator[None]:
    """Driver errors as the SQLAlchemy exceptions its normal path raises (IntegrityError...)."""
    dbapi = connection.dialect.loaded_dbapi
    try:
        yield
    except dbapi.Error as error:
        raise DBAPIError.instance(sql, None, error, dbapi.Error) from error
