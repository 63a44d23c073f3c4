"""Backends for the SQL tests: memory (the reference), a SQLite file, and PostgreSQL.

PostgreSQL tests need ``ORDERFLOW_TEST_DATABASE_URL``; without it they skip. Each PostgreSQL test
gets a schema of its own (found through ``search_path``), dropped afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from orderflow import ManualClock, OrderFlow
from orderflow.adapters.sql import normalise_url, upgrade
from orderflow.ports import Catalog

PG_VARIABLE = "ORDERFLOW_TEST_DATABASE_URL"
PG_SKIP = f"PostgreSQL tests skipped: set {PG_VARIABLE}=postgresql+psycopg://user@host/db"

MakeFlow = Callable[..., OrderFlow]


def pg_base_url() -> str:
    url = os.environ.get(PG_VARIABLE, "").strip()
    if not url:
        pytest.skip(PG_SKIP)
    return url


@pytest.fixture
def pg_url() -> Iterator[str]:
    """The URL of a fresh, empty PostgreSQL schema (dropped after the test)."""
    base = normalise_url(pg_base_url())
    schema = f"of_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = base.update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """The URL of a SQLite file that does not exist yet."""
    return f"sqlite:///{tmp_path / 'orderflow.db'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def sql_url(request: pytest.FixtureRequest) -> str:
    """Each SQL backend in turn (PostgreSQL skips without its URL)."""
    name = "pg_url" if request.param == "postgresql" else "sqlite_url"
    url: str = request.getfixturevalue(name)
    return url


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def make_flow(sql_url: str) -> Iterator[MakeFlow]:
    """Engines on one migrated database of each SQL backend, closed after the test."""
    made: list[OrderFlow] = []
    upgrade(sql_url)

    def make(*, clock: ManualClock | None = None, catalog: Catalog | None = None) -> OrderFlow:
        flow = OrderFlow.from_url(sql_url, clock=clock or ManualClock(), catalog=catalog)
        made.append(flow)
        return flow

    yield make
    for flow in made:
        flow.close()


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def any_flow(request: pytest.FixtureRequest, clock: ManualClock) -> Iterator[OrderFlow]:
    """One engine per backend, the in-memory reference included, on the shared ``clock``."""
    if request.param == "memory":
        yield OrderFlow.in_memory(clock=clock)
        return
    url = request.getfixturevalue("pg_url" if request.param == "postgresql" else "sqlite_url")
    flow = OrderFlow.from_url(url, clock=clock)
    flow.upgrade_schema()
    yield flow
    flow.close()
