"""orderflow's tables, as SQLAlchemy Core metadata (the migrations create exactly this).

Every table name starts with ``orderflow_`` so that orderflow can live in a host application's
database beside its own tables. Money is integer minor units plus a currency column; times are
timezone-aware (see :class:`~orderflow.adapters.sql.types.UtcDateTime`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    Time,
    UniqueConstraint,
    text,
)

from orderflow.adapters.sql.types import UtcDateTime, json_type

#: The prefix of every orderflow table (and of the Alembic version table).
TABLE_PREFIX = "orderflow_"
#: Alembic's version table for orderflow's own migration history.
VERSION_TABLE = "orderflow_alembic_version"

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_N_label)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

orders = Table(
    "orderflow_orders",
    metadata,
    Column("number", String(64), primary_key=True),
    Column("channel", String(20), nullable=False),
    Column("external_reference", String(100)),
    Column("customer_id", String(100)),
    Column("customer_name", String(200)),
    Column("status", String(32), nullable=False),
    Column("placed_at", UtcDateTime(), nullable=False),
    Column("total_minor", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("version", Integer, nullable=False),
    Column("data", json_type(), nullable=False),
    # Since 0003, for fraud screening's velocity counts (derived from data at every write).
    Column("customer_email", String(320)),
    Column("client_ip", String(100)),
    Column("address_key", Text),  # orderflow.domain.fraud.address_key(order)
    # (channel, external_reference): the idempotency key of intake; NULL references never clash.
    UniqueConstraint("channel", "external_reference"),
    Index("ix_orderflow_orders_status", "status"),
    Index("ix_orderflow_orders_customer_id", "customer_id"),
    Index("ix_orderflow_orders_placed_at", "placed_at", "number"),
    # find(email= / client_ip= / address_key=, placed_from=): equal key, then in time order.
    Index("ix_orderflow_orders_customer_email", "customer_email", "placed_at", "number"),
    Index("ix_orderflow_orders_client_ip", "client_ip", "placed_at", "number"),
    Index("ix_orderflow_orders_address_key", "address_key", "placed_at", "number"),
)

order_holds = Table(
    "orderflow_order_holds",
    metadata,
    Column(
        "order_number",
        String(64),
        ForeignKey("orderflow_orders.number", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("position", Integer, nullable=False),
    Column("type", String(32), nullable=False),
    Column("placed_at", UtcDateTime(), nullable=False),
    Column("expires_at", UtcDateTime()),
    Column("released_at", UtcDateTime()),
    PrimaryKeyConstraint("order_number", "position"),
    # find(hold_type=...): unreleased holds by type.
    Index(
        "ix_orderflow_order_holds_open_type",
        "type",
        "order_number",
        sqlite_where=text("released_at IS NULL"),
        postgresql_where=text("released_at IS NULL"),
    ),
    # with_expired_holds(now): unreleased holds by expiry.
    Index(
        "ix_orderflow_order_holds_open_expiry",
        "expires_at",
        sqlite_where=text("released_at IS NULL AND expires_at IS NOT NULL"),
        postgresql_where=text("released_at IS NULL AND expires_at IS NOT NULL"),
    ),
)

order_events = Table(
    "orderflow_order_events",
    metadata,
    Column("order_number", String(64), ForeignKey("orderflow_orders.number"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("type", String(64), nullable=False),
    Column("occurred_at", UtcDateTime(), nullable=False),
    Column("actor", String(120), nullable=False),
    Column("reason", Text),
    Column("data", json_type(), nullable=False),
    PrimaryKeyConstraint("order_number", "seq"),
)

outbox = Table(
    "orderflow_outbox",
    metadata,
    # Insertion order: messages are claimed oldest first.
    Column(
        "id",
        BigInteger().with_variant(Integer(), "sqlite"),
        primary_key=True,
        autoincrement=True,
    ),
    Column("message_id", String(120), nullable=False, unique=True),
    Column("topic", String(64), nullable=False),
    Column("payload", json_type(), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column("next_attempt_at", UtcDateTime(), nullable=False),
    Column("claimed_until", UtcDateTime()),
    Column("last_error", Text),
    Column("sent_at", UtcDateTime()),
    # claim(now): unsent messages by due time.
    Index(
        "ix_orderflow_outbox_due",
        "next_attempt_at",
        "id",
        sqlite_where=text("sent_at IS NULL"),
        postgresql_where=text("sent_at IS NULL"),
    ),
)

sequences = Table(
    "orderflow_sequences",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("value", BigInteger, nullable=False),
)


# -- inventory (migration 0002) -------------------------------------------------------------------

#: An autoincrementing 64-bit key (SQLite needs INTEGER for its rowid alias).
_SERIAL = BigInteger().with_variant(Integer(), "sqlite")

stock_levels = Table(
    "orderflow_stock_levels",
    metadata,
    Column("sku", String(64), nullable=False),
    Column("location", String(32), nullable=False),
    Column("on_hand", BigInteger, nullable=False),
    Column("reserved", BigInteger, nullable=False),
    Column("average_cost_minor", BigInteger),
    Column("average_cost_currency", String(3)),
    Column("reorder_point", BigInteger, nullable=False),
    Column("reorder_quantity", BigInteger, nullable=False),
    PrimaryKeyConstraint("sku", "location"),
    # The last line of defence: StockStore.apply's conditional UPDATE never gets this far.
    CheckConstraint("reserved >= 0", name="reserved_not_negative"),
    CheckConstraint("on_hand >= reserved", name="reserved_within_on_hand"),
)

stock_movements = Table(
    "orderflow_stock_movements",
    metadata,
    # Insertion order is ledger order.
    Column("id", _SERIAL, primary_key=True, autoincrement=True),
    Column("sku", String(64), nullable=False),
    Column("location", String(32), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("on_hand_delta", BigInteger, nullable=False),
    Column("reserved_delta", BigInteger, nullable=False),
    Column("reason", Text),
    Column("actor_kind", String(20), nullable=False),
    Column("actor_id", String(100), nullable=False),
    Column("reference", String(120)),
    Column("unit_cost_minor", BigInteger),
    Column("unit_cost_currency", String(3)),
    Column("occurred_at", UtcDateTime(), nullable=False),
    # A movement is written only after its level changed: it always has a level.
    ForeignKeyConstraint(
        ["sku", "location"], ["orderflow_stock_levels.sku", "orderflow_stock_levels.location"]
    ),
    # movements(sku=, location=): one level's ledger in order.
    Index("ix_orderflow_stock_movements_level", "sku", "location", "id"),
    # movements(reference=): an order's (or a transfer's) movements.
    Index("ix_orderflow_stock_movements_reference", "reference"),
    # movements(since=): recent demand for replenishment.
    Index("ix_orderflow_stock_movements_occurred_at", "occurred_at"),
)

locations = Table(
    "orderflow_locations",
    metadata,
    Column("code", String(32), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("country", String(2), nullable=False),
    Column("region", String(100)),
    Column("priority", BigInteger, nullable=False),
    Column("ships_to", json_type(), nullable=False),
    Column("latitude", Float),
    Column("longitude", Float),
    # Since 0003 (existing rows got the defaults: 14:00, UTC, 1 day, no address).
    Column("cutoff", Time, nullable=False),  # local time in `timezone`, without a zone
    Column("timezone", String(64), nullable=False),
    Column("handling_days", Integer, nullable=False),
    Column("address", json_type()),
)

sku_policies = Table(
    "orderflow_sku_policies",
    metadata,
    Column("sku", String(64), primary_key=True),
    Column("shortage", String(20), nullable=False),
    Column("preorder_until", UtcDateTime()),
    Column("lead_time_days", BigInteger, nullable=False),
)

reservations = Table(
    "orderflow_reservations",
    metadata,
    Column("id", String(120), primary_key=True),
    Column("order_number", String(64), nullable=False),
    Column("status", String(20), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("expires_at", UtcDateTime()),
    Column("version", Integer, nullable=False),
    # The full state: reserved lines per location, and backordered skus.
    Column("lines", json_type(), nullable=False),
    Column("backorders", json_type(), nullable=False),
    # for_order(number): the order's latest reservation.
    Index("ix_orderflow_reservations_order_number", "order_number", "created_at"),
    # expired(now): active reservations by expiry.
    Index("ix_orderflow_reservations_status_expiry", "status", "expires_at"),
)

backorders = Table(
    "orderflow_backorders",
    metadata,
    # Derived from orderflow_reservations.backorders on every write of a reservation: one row per
    # (active reservation, sku) still waiting for stock, gone once filled or no longer active.
    Column(
        "reservation_id",
        String(120),
        ForeignKey("orderflow_reservations.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("sku", String(64), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),  # the reservation's, for the order
    Column("outstanding", BigInteger, nullable=False),
    PrimaryKeyConstraint("reservation_id", "sku"),
    # backordered(sku): oldest first, straight from the index.
    Index("ix_orderflow_backorders_sku", "sku", "created_at", "reservation_id"),
)


# -- payments, shipments, claims and returns (migration 0003) ----------------------------------
# Each row holds the aggregate's full state as JSON in `data` (everything but its version), plus
# the columns its lookups need, rewritten from that state at every write.


def _aggregate_table(name: str, *columns: Column[Any] | Index) -> Table:
    """A table of one kind of versioned aggregate of an order: its id, its order, the lookup
    ``columns`` (and indexes), its version, and its full state as JSON in ``data``."""
    return Table(
        name,
        metadata,
        Column("id", String(120), primary_key=True),
        Column("order_number", String(64), nullable=False),
        *columns,
        Column("version", Integer, nullable=False),
        Column("data", json_type(), nullable=False),
    )


payments = _aggregate_table(
    "orderflow_payments",
    Column("status", String(32), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("authorised_until", UtcDateTime()),
    # The kind of the operation recorded but not yet answered (NULL: none pending).
    Column("pending_operation", String(20)),
    # for_order(number): oldest first.
    Index("ix_orderflow_payments_order_number", "order_number", "created_at"),
    # expiring(now): authorised payments by the end of their authorisation.
    Index("ix_orderflow_payments_expiry", "status", "authorised_until"),
    # with_pending(): only the few payments with a gateway call in flight.
    Index(
        "ix_orderflow_payments_pending",
        "created_at",
        "id",
        sqlite_where=text("pending_operation IS NOT NULL"),
        postgresql_where=text("pending_operation IS NOT NULL"),
    ),
)

shipments = _aggregate_table(
    "orderflow_shipments",
    Column("location", String(32), nullable=False),
    Column("status", String(32), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    # for_order(number): oldest first.
    Index("ix_orderflow_shipments_order_number", "order_number", "created_at"),
    # with_status(statuses): oldest first.
    Index("ix_orderflow_shipments_status", "status", "created_at", "id"),
    # with_status(statuses, location): a location's pick queue, oldest first.
    Index("ix_orderflow_shipments_location", "location", "status", "created_at", "id"),
)

claims = _aggregate_table(
    "orderflow_claims",
    Column("status", String(20), nullable=False),
    Column("opened_at", UtcDateTime(), nullable=False),
    # for_order(number): oldest first.
    Index("ix_orderflow_claims_order_number", "order_number", "opened_at"),
)

returns = _aggregate_table(
    "orderflow_returns",  # id: the RMA number
    Column("status", String(20), nullable=False),
    Column("requested_at", UtcDateTime(), nullable=False),
    # for_order(number): oldest first.
    Index("ix_orderflow_returns_order_number", "order_number", "requested_at"),
)

inquiries = _aggregate_table(
    "orderflow_inquiries",
    Column("status", String(20), nullable=False),
    Column("opened_at", UtcDateTime(), nullable=False),
    # for_order(number): oldest first.
    Index("ix_orderflow_inquiries_order_number", "order_number", "opened_at"),
    # open_ids(): the inquiries not closed, oldest first.
    Index("ix_orderflow_inquiries_status", "status", "opened_at", "id"),
    # opened_ids(since, until): response times over a period.
    Index("ix_orderflow_inquiries_opened_at", "opened_at", "id"),
)


def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    """Alembic's filter: only orderflow's tables (and their indexes and constraints) count."""
    if type_ == "table":
        return bool(name) and str(name).startswith(TABLE_PREFIX) and name != VERSION_TABLE
    return True
