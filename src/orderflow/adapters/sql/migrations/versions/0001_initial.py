"""Orders, holds, the audit trail, the outbox and sequences.

Revision ID: 0001
Revises:
Create Date: 2026-01-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from orderflow.adapters.sql.types import UtcDateTime, json_type

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "orderflow_orders",
        sa.Column("number", sa.String(64), nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("external_reference", sa.String(100)),
        sa.Column("customer_id", sa.String(100)),
        sa.Column("customer_name", sa.String(200)),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("placed_at", UtcDateTime(), nullable=False),
        sa.Column("total_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("data", json_type(), nullable=False),
        sa.PrimaryKeyConstraint("number", name="pk_orderflow_orders"),
        sa.UniqueConstraint(
            "channel",
            "external_reference",
            name="uq_orderflow_orders_channel_external_reference",
        ),
    )
    op.create_index("ix_orderflow_orders_status", "orderflow_orders", ["status"])
    op.create_index("ix_orderflow_orders_customer_id", "orderflow_orders", ["customer_id"])
    op.create_index("ix_orderflow_orders_placed_at", "orderflow_orders", ["placed_at", "number"])

    op.create_table(
        "orderflow_order_holds",
        sa.Column("order_number", sa.String(64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("placed_at", UtcDateTime(), nullable=False),
        sa.Column("expires_at", UtcDateTime()),
        sa.Column("released_at", UtcDateTime()),
        sa.PrimaryKeyConstraint("order_number", "position", name="pk_orderflow_order_holds"),
        sa.ForeignKeyConstraint(
            ["order_number"],
            ["orderflow_orders.number"],
            name="fk_orderflow_order_holds_order_number_orderflow_orders",
            ondelete="CASCADE",
        ),
    )
    open_hold = sa.text("released_at IS NULL")
    op.create_index(
        "ix_orderflow_order_holds_open_type",
        "orderflow_order_holds",
        ["type", "order_number"],
        sqlite_where=open_hold,
        postgresql_where=open_hold,
    )
    open_expiry = sa.text("released_at IS NULL AND expires_at IS NOT NULL")
    op.create_index(
        "ix_orderflow_order_holds_open_expiry",
        "orderflow_order_holds",
        ["expires_at"],
        sqlite_where=open_expiry,
        postgresql_where=open_expiry,
    )

    op.create_table(
        "orderflow_order_events",
        sa.Column("order_number", sa.String(64), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(64), nullable=False),
        sa.Column("occurred_at", UtcDateTime(), nullable=False),
        sa.Column("actor", sa.String(120), nullable=False),
        sa.Column("reason", sa.Text()),
        sa.Column("data", json_type(), nullable=False),
        sa.PrimaryKeyConstraint("order_number", "seq", name="pk_orderflow_order_events"),
        sa.ForeignKeyConstraint(
            ["order_number"],
            ["orderflow_orders.number"],
            name="fk_orderflow_order_events_order_number_orderflow_orders",
        ),
    )

    op.create_table(
        "orderflow_outbox",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("message_id", sa.String(120), nullable=False),
        sa.Column("topic", sa.String(64), nullable=False),
        sa.Column("payload", json_type(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("next_attempt_at", UtcDateTime(), nullable=False),
        sa.Column("claimed_until", UtcDateTime()),
        sa.Column("last_error", sa.Text()),
        sa.Column("sent_at", UtcDateTime()),
        sa.PrimaryKeyConstraint("id", name="pk_orderflow_outbox"),
        sa.UniqueConstraint("message_id", name="uq_orderflow_outbox_message_id"),
    )
    unsent = sa.text("sent_at IS NULL")
    op.create_index(
        "ix_orderflow_outbox_due",
        "orderflow_outbox",
        ["next_attempt_at", "id"],
        sqlite_where=unsent,
        postgresql_where=unsent,
    )

    op.create_table(
        "orderflow_sequences",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_orderflow_sequences"),
    )


def downgrade() -> None:
    op.drop_table("orderflow_sequences")
    op.drop_index("ix_orderflow_outbox_due", table_name="orderflow_outbox")
    op.drop_table("orderflow_outbox")
    op.drop_table("orderflow_order_events")
    op.drop_index("ix_orderflow_order_holds_open_expiry", table_name="orderflow_order_holds")
    op.drop_index("ix_orderflow_order_holds_open_type", table_name="orderflow_order_holds")
    op.drop_table("orderflow_order_holds")
    op.drop_index("ix_orderflow_orders_placed_at", table_name="orderflow_orders")
    op.drop_index("ix_orderflow_orders_customer_id", table_name="orderflow_orders")
    op.drop_index("ix_orderflow_orders_status", table_name="orderflow_orders")
    op.drop_table("orderflow_orders")
