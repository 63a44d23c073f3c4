"""Column types whose stored form is part of the schema contract (migrations import them).

Never change what these store: a migration has to convert existing rows if they do.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.types import DateTime, TypeDecorator, TypeEngine

_SQLITE_FORMAT = "%Y-%m-%dT%H:%M:%S.%f+00:00"


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware instant, always read back as an aware UTC datetime.

    PostgreSQL stores ``timestamp with time zone``. SQLite has no date type: it stores fixed-width
    UTC text (``2026-01-05T09:00:00.000000+00:00``), so text order is time order and comparisons
    and indexes work. Naive datetimes are refused (they are ambiguous).
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(32))
        return dialect.type_descriptor(DateTime(timezone=True))

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if not isinstance(value, datetime) or value.utcoffset() is None:
            raise ValueError(f"expected a timezone-aware datetime, got {value!r}")
        utc = value.astimezone(UTC)
        return utc.strftime(_SQLITE_FORMAT) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        if not isinstance(value, datetime):
            raise TypeError(f"unexpected stored timestamp {value!r}")
        moment: datetime = value
        if moment.utcoffset() is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.astimezone(UTC)


def json_type() -> TypeEngine[Any]:
    """JSON: ``jsonb`` on PostgreSQL, JSON text elsewhere. SQL NULL for None."""
    return JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")
