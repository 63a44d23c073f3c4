"""``SqlDatabase``: what the SQL adapter runs on, and the factory of its units of work."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

from sqlalchemy import Connection, Engine, Transaction
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import URL

from orderflow.adapters.sql.database import (
    READ_ONLY,
    SUPPORTED,
    create_orderflow_engine,
    describe_url,
    ensure_sqlite_transaction,
    instrumented,
    translated,
)
from orderflow.adapters.sql.repository import SqlQueries, SqlUnitOfWork
from orderflow.domain.errors import ValidationError


class SqlDatabase:
    """A SQLite or PostgreSQL database holding orderflow's tables.

    ``bind`` is an Engine (orderflow opens a connection per unit of work) or a host application's
    Connection. With a Connection every unit of work runs in a SAVEPOINT inside the host's
    transaction: orderflow's ``commit`` releases the savepoint and its ``rollback`` rolls back to
    it, but only the host commits (or rolls back) the transaction itself. A Connection is not
    thread-safe: such a database belongs to the one request or thread that owns the connection.
    """

    def __init__(self, bind: Engine | Connection, *, owns_engine: bool = False) -> None:
        if not isinstance(bind, Engine | Connection):
            raise ValidationError.single(
                "bind", f"expected a SQLAlchemy Engine or Connection, got {type(bind).__name__}"
            )
        self.bind = bind
        self.engine: Engine = bind if isinstance(bind, Engine) else bind.engine
        if self.engine.dialect.name not in SUPPORTED:
            raise ValidationError.single(
                "bind",
                f"orderflow supports SQLite and PostgreSQL databases, "
                f"not {self.engine.dialect.name!r}",
            )
        self.where = describe_url(self.engine.url)
        self._owns_engine = owns_engine

    @classmethod
    def from_url(cls, url: str | URL, **engine_options: Any) -> SqlDatabase:
        """A database on an engine orderflow builds (and disposes of in :meth:`dispose`)."""
        return cls(create_orderflow_engine(url, **engine_options), owns_engine=True)

    @property
    def dialect(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self.engine.dialect.name

    def unit_of_work(self) -> SqlUnitOfWork:
        """A new unit of work (the ``uow`` factory of the services)."""
        return SqlUnitOfWork(self)

    def queries(self) -> SqlQueries:
        """The read side."""
        return SqlQueries(self)

    def begin(self, *, write: bool) -> tuple[Connection, Transaction, bool]:
        """A connection in a new transaction for one unit of work, its transaction, and
        whether the connection is orderflow's to close.

        On SQLite a transaction that only reads so far begins with a plain BEGIN (readers never
        wait); :meth:`begin_writing` moves it to ``BEGIN IMMEDIATE`` when it starts writing.
        """
        if isinstance(self.bind, Connection):
            connection = self.bind
            if not connection.in_transaction():
                connection.begin()  # the host's transaction: the host commits it
            ensure_sqlite_transaction(connection)
            return connection, connection.begin_nested(), False
        connection = self.engine.connect()
        try:
            connection.execution_options(**{READ_ONLY: not write})
            transaction = connection.begin()
            ensure_sqlite_transaction(connection, read_only=not write)
        except BaseException:
            connection.close()
            raise
        return connection, transaction, True

    def begin_writing(self, connection: Connection, transaction: Transaction) -> Transaction:
        """The transaction to write in, after reading in ``transaction`` on ``connection``.

        PostgreSQL (and a host's Connection) keep the transaction. On SQLite a read transaction
        cannot safely become a write transaction (its snapshot may be stale, and SQLite then
        fails at once instead of waiting), so the read transaction ends (it wrote nothing) and a
        new one begins with ``BEGIN IMMEDIATE`` (on the driver, under the same SQLAlchemy
        transaction, which commits or rolls back whatever the driver has open, unless listeners
        watch the statements). What was read stays guarded by the version checks of the writes.
        """
        if self.dialect != "sqlite" or isinstance(self.bind, Connection):
            return transaction
        if instrumented(connection):  # through SQLAlchemy, so that its listeners see it
            transaction.rollback()
            connection.execution_options(**{READ_ONLY: False})
            writing = connection.begin()
            ensure_sqlite_transaction(connection)
            return writing
        driver = connection.connection.driver_connection
        assert driver is not None
        driver.execute("ROLLBACK")
        driver.execute("BEGIN IMMEDIATE")
        return transaction

    @contextmanager
    def reading(self, action: str) -> Iterator[Connection]:
        """A connection for reads only (never takes SQLite's write lock)."""
        with translated(action, self.where):
            if isinstance(self.bind, Connection):
                yield self.bind
                return
            with self.engine.connect() as connection:
                connection.execution_options(**{READ_ONLY: True})
                with connection.begin():
                    ensure_sqlite_transaction(connection, read_only=True)
                    yield connection

    def upgrade(self, revision: str = "head") -> None:
        """Apply orderflow's migrations up to ``revision`` (see :func:`upgrade`)."""
        from orderflow.adapters.sql.migrate import upgrade

        upgrade(self.bind, revision)

    def dispose(self) -> None:
        """Close the pooled connections of an engine orderflow built (a host's is left alone)."""
        if self._owns_engine:
            with suppress(sa_exc.SQLAlchemyError):
                self.engine.dispose()

    def __repr__(self) -> str:
        return f"SqlDatabase({self.where!r})"
