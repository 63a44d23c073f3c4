"""Shared data and small helpers of the SQL tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, select

from orderflow import OrderFlow
from orderflow.adapters.sql import normalise_url
from orderflow.adapters.sql import schema as t

ADDRESS = {
    "name": "Ann Lee",
    "line1": "Hauptstr. 5",
    "city": "Berlin",
    "postal_code": "10115",
    "country": "DE",
}

PAYLOAD: dict[str, Any] = {
    "channel": "web",
    "currency": "EUR",
    "external_reference": "WEB-1",
    "customer": {"id": "c-1", "name": "Ann Lee", "email": "ann@example.com"},
    "shipping_address": ADDRESS,
    "lines": [{"sku": "MUG", "name": "Mug", "quantity": 2, "unit_price": "9.50"}],
    "payment_method": {"token": "tok_1", "brand": "visa", "last4": "4242"},
}


def payload(**overrides: Any) -> dict[str, Any]:
    return {**PAYLOAD, **overrides}


def url_of(flow: OrderFlow) -> str:
    """The database URL of a SQL engine."""
    database = flow._database
    assert database is not None, "an SQL engine"
    return database.engine.url.render_as_string(hide_password=False)


def sqlite_path(url: str) -> Path:
    return Path(normalise_url(url).database or "")


def row_counts(url: str) -> dict[str, int]:
    """Rows in each orderflow table, read on a connection of its own."""
    engine = create_engine(normalise_url(url))
    try:
        with engine.connect() as connection:
            return {
                table.name: connection.execute(select(func.count()).select_from(table)).scalar_one()
                for table in (t.orders, t.order_holds, t.order_events, t.outbox)
            }
    finally:
        engine.dispose()
