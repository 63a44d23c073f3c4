"""Applying orderflow's Alembic migrations, configured in code (no alembic.ini needed).

The migrations ship inside the package (``orderflow/adapters/sql/migrations``) and keep their own
version table, ``orderflow_alembic_version``, so a host application's Alembic history is not
disturbed. Nothing creates tables implicitly: call :func:`upgrade` (or
``OrderFlow.upgrade_schema()``) at deploy time.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import URL, Connection, Engine, text

from orderflow.adapters.sql.database import (
    create_orderflow_engine,
    describe_url,
    ensure_sqlite_transaction,
    normalise_url,
    translated,
)
from orderflow.adapters.sql.schema import VERSION_TABLE

MIGRATIONS = Path(__file__).with_name("migrations")
#: Key of the PostgreSQL advisory lock that serialises concurrent upgrades.
_UPGRADE_LOCK = 0x6F72_6466_6C6F_77  # "orderflow"


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic Config for orderflow's migrations, running on ``connection``."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("version_table", VERSION_TABLE)
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest migration shipped with this version of orderflow."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "orderflow ships at least one migration"
    return head


def upgrade(bind: Engine | Connection | str, revision: str = "head") -> None:
    """Migrate the database at ``bind`` (an Engine, a Connection or a URL) to ``revision``.

    With an Engine or URL the migration runs in its own transaction and commits. With a host's
    Connection it runs inside the host's transaction: the host commits it.
    """
    engine_built = isinstance(bind, str)
    target: Engine | Connection = create_orderflow_engine(bind) if isinstance(bind, str) else bind
    where = describe_url(target.engine.url)
    try:
        with translated("upgrading orderflow's schema", where):
            if isinstance(target, Connection):
                if not target.in_transaction():
                    target.begin()
                ensure_sqlite_transaction(target)
                _run(target, revision)
            else:
                with target.begin() as connection:
                    ensure_sqlite_transaction(connection)
                    _run(connection, revision)
    finally:
        if engine_built:
            target.engine.dispose()


def current_revision(bind: Engine | Connection | str) -> str | None:
    """The revision the database is at (None before the first upgrade, or for a SQLite file that
    does not exist, which asking does not create)."""
    if isinstance(bind, str) and _missing_sqlite_file(normalise_url(bind)):
        return None
    engine_built = isinstance(bind, str)
    target: Engine | Connection = create_orderflow_engine(bind) if isinstance(bind, str) else bind
    try:
        with translated("reading orderflow's schema revision", describe_url(target.engine.url)):
            if isinstance(target, Connection):
                return _current(target)
            with target.connect() as connection:
                return _current(connection)
    finally:
        if engine_built:
            target.engine.dispose()


def _missing_sqlite_file(url: URL) -> bool:
    """Whether ``url`` names a SQLite file (not a ``file:`` URI) that does not exist yet."""
    return (
        url.get_backend_name() == "sqlite"
        and not url.query.get("uri")
        and not Path(url.database or "").exists()
    )


def _current(connection: Connection) -> str | None:
    context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
    return context.get_current_revision()


def _run(connection: Connection, revision: str) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _UPGRADE_LOCK})
    command.upgrade(alembic_config(connection), revision)
