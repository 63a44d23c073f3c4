"""The SQL adapter: SQLAlchemy 2 Core on SQLite (a file, the embedded default) and PostgreSQL.

Needs the ``sql`` extra (``pip install 'orderflow[sql]'``; PostgreSQL also ``orderflow[postgres]``).

>>> from orderflow.adapters.sql import SqlDatabase, upgrade   # doctest: +SKIP
>>> db = SqlDatabase.from_url("sqlite:///shop.db")             # doctest: +SKIP
>>> db.upgrade()                                               # doctest: +SKIP
"""

from orderflow.adapters.sql.database import (
    SQLITE_BUSY_TIMEOUT,
    configure_sqlite,
    create_orderflow_engine,
    normalise_url,
)
from orderflow.adapters.sql.inventory import SqlReservationRepository, SqlStockStore
from orderflow.adapters.sql.migrate import current_revision, head_revision, upgrade
from orderflow.adapters.sql.repository import (
    SqlOrderRepository,
    SqlOutbox,
    SqlQueries,
    SqlUnitOfWork,
)
from orderflow.adapters.sql.schema import VERSION_TABLE, metadata
from orderflow.adapters.sql.store import SqlDatabase

__all__ = [
    "SQLITE_BUSY_TIMEOUT",
    "VERSION_TABLE",
    "SqlDatabase",
    "SqlOrderRepository",
    "SqlOutbox",
    "SqlQueries",
    "SqlReservationRepository",
    "SqlStockStore",
    "SqlUnitOfWork",
    "configure_sqlite",
    "create_orderflow_engine",
    "current_revision",
    "head_revision",
    "metadata",
    "normalise_url",
    "upgrade",
]
