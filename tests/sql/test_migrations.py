"""The shipped migrations create exactly the schema the adapter's metadata describes."""

from __future__ import annotations

from datetime import time
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, Integer, MetaData, create_engine, inspect, select, text

from orderflow import OrderFlow, PersistenceError
from orderflow.adapters.sql import (
    VERSION_TABLE,
    current_revision,
    head_revision,
    metadata,
    normalise_url,
    upgrade,
)
from orderflow.adapters.sql import schema as t
from orderflow.adapters.sql.inventory import location_row
from orderflow.adapters.sql.repository import order_row
from orderflow.adapters.sql.schema import TABLE_PREFIX, include_name
from orderflow.domain.fraud import address_key
from orderflow.domain.inventory import Location
from tests.sql.helpers import PAYLOAD, sqlite_path


def differences(url: str, target: MetaData) -> list[Any]:
    engine = create_engine(normalise_url(url))
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "include_name": include_name}
            )
            return list(compare_metadata(context, target))
    finally:
        engine.dispose()


def test_migrated_schema_matches_the_metadata(sql_url: str) -> None:
    upgrade(sql_url)
    assert differences(sql_url, metadata) == []
    # the comparison is not blind: a column the migrations lack is reported
    changed = MetaData()
    for table in metadata.tables.values():
        table.to_metadata(changed)
    changed.tables["orderflow_orders"].append_column(Column("extra", Integer))
    found = differences(sql_url, changed)
    assert [d[0] for d in found] == ["add_column"]
    assert found[0][3].name == "extra"


def test_asking_a_missing_sqlite_file_its_revision_does_not_create_it(tmp_path: Path) -> None:
    path = tmp_path / "not-yet.db"
    assert current_revision(f"sqlite:///{path}") is None
    assert not path.exists()
    upgrade(f"sqlite:///{path}")
    assert current_revision(f"sqlite:///{path}") == head_revision()


def test_upgrade_records_its_own_version_table_and_is_idempotent(sql_url: str) -> None:
    assert current_revision(sql_url) is None
    upgrade(sql_url)
    upgrade(sql_url)
    assert current_revision(sql_url) == head_revision() == "0004"
    engine = create_engine(normalise_url(sql_url))
    try:
        names = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert VERSION_TABLE in names
    assert "alembic_version" not in names  # a host application's Alembic table stays untouched
    assert {n for n in names if n.startswith(TABLE_PREFIX)} == {
        VERSION_TABLE,
        "orderflow_orders",
        "orderflow_order_holds",
        "orderflow_order_events",
        "orderflow_outbox",
        "orderflow_sequences",
        "orderflow_stock_levels",
        "orderflow_stock_movements",
        "orderflow_locations",
        "orderflow_sku_policies",
        "orderflow_reservations",
        "orderflow_backorders",
        "orderflow_payments",
        "orderflow_shipments",
        "orderflow_claims",
        "orderflow_returns",
        "orderflow_inquiries",
    }


def test_host_tables_and_alembic_history_are_left_alone(sql_url: str) -> None:
    engine = create_engine(normalise_url(sql_url))
    try:
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32))"))
            connection.execute(text("INSERT INTO alembic_version VALUES ('host_rev_9')"))
            connection.execute(text("CREATE TABLE shop_products (id INTEGER PRIMARY KEY)"))
        upgrade(engine)
        with engine.connect() as connection:
            assert connection.execute(text("SELECT version_num FROM alembic_version")).all() == [
                ("host_rev_9",)
            ]
            assert "shop_products" in inspect(connection).get_table_names()
    finally:
        engine.dispose()
    assert differences(sql_url, metadata) == []


def test_nothing_is_created_until_upgrade_is_called(sqlite_url: str) -> None:
    flow = OrderFlow.from_url(sqlite_url)
    try:
        with pytest.raises(PersistenceError, match="upgrade_schema"):
            flow.place_order(PAYLOAD)
        flow.upgrade_schema()
        assert flow.place_order(PAYLOAD).number == "OF-000001"
    finally:
        flow.close()
    assert sqlite_path(sqlite_url).exists()


def test_migrations_ship_inside_the_package() -> None:
    from orderflow.adapters.sql.migrate import MIGRATIONS

    assert (MIGRATIONS / "env.py").is_file()
    assert (MIGRATIONS / "versions" / "0001_initial.py").is_file()
    assert (MIGRATIONS / "versions" / "0002_inventory.py").is_file()
    assert (MIGRATIONS / "versions" / "0003_payments_fulfilment_returns.py").is_file()
    assert (MIGRATIONS / "versions" / "0004_inquiries.py").is_file()
    assert "orderflow" in MIGRATIONS.parts  # under the package directory, so wheels carry it


def test_upgrading_a_0002_database_keeps_its_rows_and_fills_the_new_columns(
    sql_url: str,
) -> None:
    upgrade(sql_url, "0002")
    assert current_revision(sql_url) == "0002"
    order = OrderFlow.in_memory().place_order(PAYLOAD)
    added = {"customer_email", "client_ip", "address_key", "cutoff", "timezone", "handling_days"}
    engine = create_engine(normalise_url(sql_url))
    try:
        with engine.begin() as connection:  # rows as a 0002 database holds them
            row = order_row(order, version=1)
            connection.execute(t.orders.insert(), {k: v for k, v in row.items() if k not in added})
            row = location_row(Location(code="BER", name="Berlin", country="DE"))
            connection.execute(
                t.locations.insert(), {k: v for k, v in row.items() if k not in added | {"address"}}
            )
    finally:
        engine.dispose()

    flow = OrderFlow.from_url(sql_url)
    try:
        flow.upgrade_schema()
        assert current_revision(sql_url) == "0004"
        assert flow.get_order(order.number).customer.email == "ann@example.com"
    finally:
        flow.close()
    engine = create_engine(normalise_url(sql_url))
    try:
        with engine.connect() as connection:
            stored = connection.execute(select(t.orders)).one()
            location = connection.execute(select(t.locations)).one()
        assert (stored.customer_email, stored.address_key) == (
            "ann@example.com",
            address_key(order),
        )
        assert (location.cutoff, location.timezone, location.handling_days) == (time(14), "UTC", 1)
    finally:
        engine.dispose()
    assert differences(sql_url, metadata) == []
