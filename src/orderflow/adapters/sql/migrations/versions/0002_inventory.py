"""Inventory: stock levels and their ledger, locations, sku policies, reservations.

Revision ID: 0002
Revises: 0001
Create Date: 2026-01-12
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from orderflow.adapters.sql.types import UtcDateTime, json_type

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "orderflow_stock_levels",
        sa.Column("sku", sa.String(64), nullable=False),
        sa.Column("location", sa.String(32), nullable=False),
        sa.Column("on_hand", sa.BigInteger(), nullable=False),
        sa.Column("reserved", sa.BigInteger(), nullable=False),
        sa.Column("average_cost_minor", sa.BigInteger()),
        sa.Column("average_cost_currency", sa.String(3)),
        sa.Column("reorder_point", sa.BigInteger(), nullable=False),
        sa.Column("reorder_quantity", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("sku", "location", name="pk_orderflow_stock_levels"),
        sa.CheckConstraint(
            "reserved >= 0", name=op.f("ck_orderflow_stock_levels_reserved_not_negative")
        ),
        sa.CheckConstraint(
            "on_hand >= reserved", name=op.f("ck_orderflow_stock_levels_reserved_within_on_hand")
        ),
    )

    op.create_table(
        "orderflow_stock_movements",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("sku", sa.String(64), nullable=False),
        sa.Column("location", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("on_hand_delta", sa.BigInteger(), nullable=False),
        sa.Column("reserved_delta", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.Text()),
        sa.Column("actor_kind", sa.String(20), nullable=False),
        sa.Column("actor_id", sa.String(100), nullable=False),
        sa.Column("reference", sa.String(120)),
        sa.Column("unit_cost_minor", sa.BigInteger()),
        sa.Column("unit_cost_currency", sa.String(3)),
        sa.Column("occurred_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_orderflow_stock_movements"),
        sa.ForeignKeyConstraint(
            ["sku", "location"],
            ["orderflow_stock_levels.sku", "orderflow_stock_levels.location"],
            name="fk_orderflow_stock_movements_sku_orderflow_stock_levels",
        ),
    )
    op.create_index(
        "ix_orderflow_stock_movements_level",
        "orderflow_stock_movements",
        ["sku", "location", "id"],
    )
    op.create_index(
        "ix_orderflow_stock_movements_reference", "orderflow_stock_movements", ["reference"]
    )
    op.create_index(
        "ix_orderflow_stock_movements_occurred_at", "orderflow_stock_movements", ["occurred_at"]
    )

    op.create_table(
        "orderflow_locations",
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("country", sa.String(2), nullable=False),
        sa.Column("region", sa.String(100)),
        sa.Column("priority", sa.BigInteger(), nullable=False),
        sa.Column("ships_to", json_type(), nullable=False),
        sa.Column("latitude", sa.Float()),
        sa.Column("longitude", sa.Float()),
        sa.PrimaryKeyConstraint("code", name="pk_orderflow_locations"),
    )

    op.create_table(
        "orderflow_sku_policies",
        sa.Column("sku", sa.String(64), nullable=False),
        sa.Column("shortage", sa.String(20), nullable=False),
        sa.Column("preorder_until", UtcDateTime()),
        sa.Column("lead_time_days", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("sku", name="pk_orderflow_sku_policies"),
    )

    op.create_table(
        "orderflow_reservations",
        sa.Column("id", sa.String(120), nullable=False),
        sa.Column("order_number", sa.String(64), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("expires_at", UtcDateTime()),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("lines", json_type(), nullable=False),
        sa.Column("backorders", json_type(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_orderflow_reservations"),
    )
    op.create_index(
        "ix_orderflow_reservations_order_number",
        "orderflow_reservations",
        ["order_number", "created_at"],
    )
    op.create_index(
        "ix_orderflow_reservations_status_expiry",
        "orderflow_reservations",
        ["status", "expires_at"],
    )

    op.create_table(
        "orderflow_backorders",
        sa.Column("reservation_id", sa.String(120), nullable=False),
        sa.Column("sku", sa.String(64), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("outstanding", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("reservation_id", "sku", name="pk_orderflow_backorders"),
        sa.ForeignKeyConstraint(
            ["reservation_id"],
            ["orderflow_reservations.id"],
            name="fk_orderflow_backorders_reservation_id_orderflow_reservations",
            ondelete="CASCADE",
        ),
    )
    op.create_index(
        "ix_orderflow_backorders_sku",
        "orderflow_backorders",
        ["sku", "created_at", "reservation_id"],
    )


def downgrade() -> None:
    op.drop_index("ix_orderflow_backorders_sku", table_name="orderflow_backorders")
    op.drop_table("orderflow_backorders")
    op.drop_index("ix_orderflow_reservations_status_expiry", table_name="orderflow_reservations")
    op.drop_index("ix_orderflow_reservations_order_number", table_name="orderflow_reservations")
    op.drop_table("orderflow_reservations")
    op.drop_table("orderflow_sku_policies")
    op.drop_table("orderflow_locations")
    op.drop_index(
        "ix_orderflow_stock_movements_occurred_at", table_name="orderflow_stock_movements"
    )
    op.drop_index("ix_orderflow_stock_movements_reference", table_name="orderflow_stock_movements")
    op.drop_index("ix_orderflow_stock_movements_level", table_name="orderflow_stock_movements")
    op.drop_table("orderflow_stock_movements")
    op.drop_table("orderflow_stock_levels")
