"""Customer inquiries (questions and complaints about orders).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from orderflow.adapters.sql.types import UtcDateTime, json_type

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "orderflow_inquiries",
        sa.Column("id", sa.String(120), nullable=False),
        sa.Column("order_number", sa.String(64), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("opened_at", UtcDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("data", json_type(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_orderflow_inquiries"),
    )
    op.create_index(
        "ix_orderflow_inquiries_order_number", "orderflow_inquiries", ["order_number", "opened_at"]
    )
    op.create_index(
        "ix_orderflow_inquiries_status", "orderflow_inquiries", ["status", "opened_at", "id"]
    )
    op.create_index("ix_orderflow_inquiries_opened_at", "orderflow_inquiries", ["opened_at", "id"])


def downgrade() -> None:
    op.drop_table("orderflow_inquiries")  # its indexes go with it
