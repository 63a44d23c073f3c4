"""Payments, shipments, claims and returns; fraud lookup columns on orders; shipping times of
locations.

Existing orders get their ``customer_email``, ``client_ip`` and ``address_key`` from their stored
JSON (so fraud velocity counts see them); existing locations get a 14:00 cut-off in UTC and one
handling day.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from alembic import op

from orderflow.adapters.sql.types import UtcDateTime, json_type

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_ORDER_LOOKUPS = (
    ("customer_email", ["customer_email", "placed_at", "number"]),
    ("client_ip", ["client_ip", "placed_at", "number"]),
    ("address_key", ["address_key", "placed_at", "number"]),
)


def upgrade() -> None:
    with op.batch_alter_table("orderflow_orders") as batch:
        batch.add_column(sa.Column("customer_email", sa.String(320)))
        batch.add_column(sa.Column("client_ip", sa.String(100)))
        batch.add_column(sa.Column("address_key", sa.Text()))
    _backfill_order_lookups()
    for column, columns in _ORDER_LOOKUPS:
        op.create_index(f"ix_orderflow_orders_{column}", "orderflow_orders", columns)

    with op.batch_alter_table("orderflow_locations") as batch:
        batch.add_column(
            sa.Column("cutoff", sa.Time(), nullable=False, server_default=sa.text("'14:00:00'"))
        )
        batch.add_column(
            sa.Column("timezone", sa.String(64), nullable=False, server_default=sa.text("'UTC'"))
        )
        batch.add_column(
            sa.Column("handling_days", sa.Integer(), nullable=False, server_default=sa.text("1"))
        )
        batch.add_column(sa.Column("address", json_type()))
    with op.batch_alter_table("orderflow_locations") as batch:  # defaults were for old rows only
        for column in ("cutoff", "timezone", "handling_days"):
            batch.alter_column(column, server_default=None)

    _aggregate_table(
        "orderflow_payments",
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("authorised_until", UtcDateTime()),
        sa.Column("pending_operation", sa.String(20)),
    )
    op.create_index(
        "ix_orderflow_payments_order_number", "orderflow_payments", ["order_number", "created_at"]
    )
    op.create_index(
        "ix_orderflow_payments_expiry", "orderflow_payments", ["status", "authorised_until"]
    )
    op.create_index(
        "ix_orderflow_payments_pending",
        "orderflow_payments",
        ["created_at", "id"],
        sqlite_where=sa.text("pending_operation IS NOT NULL"),
        postgresql_where=sa.text("pending_operation IS NOT NULL"),
    )

    _aggregate_table(
        "orderflow_shipments",
        sa.Column("location", sa.String(32), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
    )
    op.create_index(
        "ix_orderflow_shipments_order_number", "orderflow_shipments", ["order_number", "created_at"]
    )
    op.create_index(
        "ix_orderflow_shipments_status", "orderflow_shipments", ["status", "created_at", "id"]
    )
    op.create_index(
        "ix_orderflow_shipments_location",
        "orderflow_shipments",
        ["location", "status", "created_at", "id"],
    )

    _aggregate_table(
        "orderflow_claims",
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("opened_at", UtcDateTime(), nullable=False),
    )
    op.create_index(
        "ix_orderflow_claims_order_number", "orderflow_claims", ["order_number", "opened_at"]
    )

    _aggregate_table(
        "orderflow_returns",
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("requested_at", UtcDateTime(), nullable=False),
    )
    op.create_index(
        "ix_orderflow_returns_order_number", "orderflow_returns", ["order_number", "requested_at"]
    )


def downgrade() -> None:
    for table in ("returns", "claims", "shipments", "payments"):
        op.drop_table(f"orderflow_{table}")  # its indexes go with it
    with op.batch_alter_table("orderflow_locations") as batch:
        for column in ("address", "handling_days", "timezone", "cutoff"):
            batch.drop_column(column)
    for column, _ in _ORDER_LOOKUPS:
        op.drop_index(f"ix_orderflow_orders_{column}", table_name="orderflow_orders")
    with op.batch_alter_table("orderflow_orders") as batch:
        for column, _ in _ORDER_LOOKUPS:
            batch.drop_column(column)


def _aggregate_table(name: str, *columns: sa.Column[Any]) -> None:
    """A table of versioned aggregates of an order, stored as JSON documents."""
    op.create_table(
        name,
        sa.Column("id", sa.String(120), nullable=False),
        sa.Column("order_number", sa.String(64), nullable=False),
        *columns,
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("data", json_type(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=f"pk_{name}"),
    )


def _backfill_order_lookups() -> None:
    orders = sa.table(
        "orderflow_orders",
        sa.column("number", sa.String()),
        sa.column("data", json_type()),
        sa.column("customer_email", sa.String()),
        sa.column("client_ip", sa.String()),
        sa.column("address_key", sa.Text()),
    )
    connection = op.get_bind()
    for number, data in connection.execute(sa.select(orders.c.number, orders.c.data)):
        if isinstance(data, str):  # a JSON text column on a dialect without JSON decoding
            data = json.loads(data)
        connection.execute(
            orders.update()
            .where(orders.c.number == number)
            .values(
                customer_email=(data.get("customer") or {}).get("email"),
                client_ip=data.get("client_ip"),
                address_key=_address_key(data.get("shipping_address")),
            )
        )


def _address_key(address: dict[str, Any] | None) -> str | None:
    """orderflow.domain.fraud.address_key as of this revision (migrations never change later)."""
    if address is None:
        return None
    parts = (address["country"], address.get("postal_code") or "", address["line1"])
    return "|".join(" ".join(str(p).lower().split()) for p in parts)
