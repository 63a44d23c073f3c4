"""Every contract suite (orderflow.testing) on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from orderflow.adapters.clock import ManualClock
from orderflow.adapters.sql import SqlDatabase, upgrade
from orderflow.application.services import Services
from orderflow.bootstrap import sql_services
from orderflow.ports import Catalog
from orderflow.testing.contract import MakeServices
from orderflow.testing.suites import contract_classes


def _services(url: str) -> Iterator[MakeServices]:
    databases: list[SqlDatabase] = []
    upgrade(url)

    def make(*, clock: ManualClock, catalog: Catalog | None = None) -> Services:
        database = SqlDatabase.from_url(url)
        databases.append(database)
        return sql_services(database, clock=clock, catalog=catalog)

    yield make
    for database in databases:
        database.dispose()


class SQLite:
    @pytest.fixture
    def make_services(self, sqlite_url: str) -> Iterator[MakeServices]:
        yield from _services(sqlite_url)


class PostgreSQL:
    pytestmark = pytest.mark.postgres

    @pytest.fixture
    def make_services(self, pg_url: str) -> Iterator[MakeServices]:
        yield from _services(pg_url)


globals().update(contract_classes(SQLite, "SQLite"))
globals().update(contract_classes(PostgreSQL, "PostgreSQL"))
