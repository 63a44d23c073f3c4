"""Engines, transactions and error translation for the SQL adapter (SQLite and PostgreSQL).

:class:`SqlDatabase` wraps what orderflow was given: a URL (orderflow builds and owns the engine), a
host application's :class:`~sqlalchemy.engine.Engine` (orderflow opens its own connections from
it), or a host's :class:`~sqlalchemy.engine.Connection` (orderflow works inside the host's
transaction, each unit of work in a SAVEPOINT, and never commits the host's transaction).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Table, event, exc, make_url
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL, Connection, Engine, create_engine
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.pool import ConnectionPoolEntry

from orderflow.domain.errors import OrderflowError, PersistenceError, ValidationError

#: How long a SQLite writer waits for the write lock before giving up, in seconds.
SQLITE_BUSY_TIMEOUT = 30.0
#: Execution option that makes a SQLite transaction start with a plain (deferred) BEGIN.
READ_ONLY = "orderflow_read_only"

SUPPORTED = ("sqlite", "postgresql")


def normalise_url(url: str | URL) -> URL:
    """``url`` with the driver orderflow uses: ``postgresql://`` means psycopg 3.

    Plain ``sqlite:///path`` uses the standard library's sqlite3. In-memory SQLite is refused:
    each connection would see its own empty database (use ``OrderFlow.in_memory()`` instead).
    """
    try:
        parsed = make_url(url)
    except (exc.ArgumentError, ValueError, TypeError):
        raise ValidationError.single(
            "url", "is not a database URL (expected sqlite:///path or postgresql://user@host/db)"
        ) from None
    backend = parsed.get_backend_name()
    if backend in ("postgres", "postgresql"):
        if parsed.drivername in ("postgres", "postgresql"):
            parsed = parsed.set(drivername="postgresql+psycopg")
    elif backend == "sqlite":
        if parsed.drivername == "sqlite":
            parsed = parsed.set(drivername="sqlite+pysqlite")
        database = parsed.database or ""
        if database in ("", ":memory:") or parsed.query.get("mode") == "memory":
            raise ValidationError.single(
                "url",
                "in-memory SQLite is not supported (every connection would see its own empty "
                "database): use a file such as sqlite:///shop.db, or OrderFlow.in_memory()",
            )
    else:
        raise ValidationError.single(
            "url", f"orderflow supports SQLite and PostgreSQL databases, not {backend!r}"
        )
    return parsed


def create_orderflow_engine(url: str | URL, **engine_options: Any) -> Engine:
    """An engine for ``url`` set up as orderflow needs it (see :func:`configure_sqlite`)."""
    parsed = normalise_url(url)
    options: dict[str, Any] = dict(engine_options)
    if parsed.get_backend_name() == "sqlite":
        connect_args = dict(options.pop("connect_args", {}))
        connect_args.setdefault("timeout", SQLITE_BUSY_TIMEOUT)
        options["connect_args"] = connect_args
    else:
        options.setdefault("pool_pre_ping", True)
    try:
        engine = create_engine(parsed, **options)
    except ModuleNotFoundError as error:
        raise ImportError(
            f"the database driver for {parsed.drivername} is not installed ({error.name}): "
            "pip install 'orderflow[postgres]'"
        ) from error
    except exc.ArgumentError as error:
        raise ValidationError.single("url", str(error)) from None
    if engine.dialect.name == "sqlite":
        configure_sqlite(engine)
    return engine


def configure_sqlite(engine: Engine) -> Engine:
    """Set a SQLite engine up for safe concurrent writers, and return it.

    Every new connection gets WAL journaling (readers never block the writer), a busy timeout of
    :data:`SQLITE_BUSY_TIMEOUT` seconds, and foreign keys; the sqlite3 driver's own transaction
    handling is switched off and every transaction begins with ``BEGIN IMMEDIATE``, taking the
    write lock up front. A writer then waits for the lock (up to the timeout) instead of failing
    with "database is locked" when it upgrades a read lock. Read-only connections (execution
    option ``orderflow_read_only``) begin with a plain ``BEGIN``.

    orderflow calls this on the engines it builds. A host application passing its own SQLite
    engine may call it too; orderflow works without it (it then issues ``BEGIN IMMEDIATE`` itself
    when the driver has not begun a transaction) but savepoints, and so a host *Connection*,
    need it.
    """
    if engine.dialect.name != "sqlite":
        raise ValidationError.single("engine", "configure_sqlite() needs a SQLite engine")
    if not event.contains(engine, "connect", _sqlite_connect):
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
    return engine


def _sqlite_connect(dbapi_connection: DBAPIConnection, record: ConnectionPoolEntry) -> None:
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {int(SQLITE_BUSY_TIMEOUT * 1000)}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
    finally:
        cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    read_only = connection.get_execution_options().get(READ_ONLY, False)
    begin = "BEGIN" if read_only else "BEGIN IMMEDIATE"
    if instrumented(connection):
        connection.exec_driver_sql(begin)
    else:  # straight to the driver: SQLAlchemy's execution path costs more than the BEGIN
        connection.connection.driver_connection.execute(begin)  # type: ignore[union-attr]


def instrumented(connection: Connection) -> bool:
    """Whether something watches the connection's statements (cursor-execute listeners, or
    ``echo``): then they must go through SQLAlchemy's own execution path."""
    dispatch = connection.dispatch
    return bool(
        dispatch.before_cursor_execute
        or dispatch.after_cursor_execute
        or dispatch.before_execute
        or dispatch.after_execute
        or connection.engine.echo
    )


def ensure_sqlite_transaction(connection: Connection, *, read_only: bool = False) -> None:
    """On SQLite, make sure the driver really is in a transaction (and holds the write lock).

    With :func:`configure_sqlite` the begin hook did it already. A host engine in the sqlite3
    driver's legacy mode has not emitted anything yet: issue the BEGIN here, so that reads are
    consistent, savepoints nest inside it, and the write lock is taken first.
    """
    if connection.dialect.name != "sqlite":
        return
    driver = connection.connection.driver_connection
    if isinstance(driver, sqlite3.Connection) and not driver.in_transaction:
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def dialect_insert(connection: Connection | str, table: Table) -> Any:
    """An INSERT of the connection's dialect (or the dialect named), so that ON CONFLICT is
    available."""
    name = connection if isinstance(connection, str) else connection.dialect.name
    if name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def describe_url(url: URL) -> str:
    """The URL for messages, without its password."""
    return url.render_as_string(hide_password=True)


def translate(error: BaseException, action: str, where: str) -> PersistenceError:
    """A PersistenceError for a driver or SQLAlchemy ``error`` raised while doing ``action``."""
    orig = getattr(error, "orig", None) or error
    message = str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
    sqlstate = getattr(orig, "sqlstate", None)
    lowered = message.lower()
    if sqlstate == "42P01" or "no such table: orderflow_" in lowered:
        hint = (
            "orderflow's tables are missing: apply its migrations with OrderFlow.upgrade_schema() "
            "or orderflow.adapters.sql.upgrade(...)"
        )
    elif "database is locked" in lowered or "database table is locked" in lowered:
        hint = (
            f"the SQLite database stayed locked by another writer for more than "
            f"{SQLITE_BUSY_TIMEOUT:g} s"
        )
    elif "unable to open database file" in lowered:
        hint = "cannot open the SQLite database file (does its directory exist, is it writable?)"
    elif "readonly database" in lowered or sqlstate == "25006":
        hint = "the database is read-only"
    elif isinstance(error, exc.OperationalError) and sqlstate is None and "sqlite" not in where:
        hint = "cannot reach the database"
    else:
        hint = "the database refused it"
    return PersistenceError(f"{action} failed: {hint} ({where}): {message}")


@contextmanager
def translated(action: str, where: str) -> Iterator[None]:
    """Run the block, turning every database error into a :class:`PersistenceError`."""
    try:
        yield
    except OrderflowError:
        raise
    except (exc.SQLAlchemyError, sqlite3.Error) as error:
        raise translate(error, action, where) from error
    except Exception as error:
        if _is_driver_error(error):
            raise translate(error, action, where) from error
        raise


def _is_driver_error(error: Exception) -> bool:
    module = type(error).__module__
    return module.startswith(("psycopg", "sqlite3"))
