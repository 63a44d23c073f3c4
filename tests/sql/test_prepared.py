"""Prepared statements: the driver's cursor gives what SQLAlchemy's own path gives, errors alike,
and instrumentation on the engine still sees every statement."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, bindparam, event, exc, select

from orderflow import OrderFlow
from orderflow.adapters.sql import create_orderflow_engine, upgrade
from orderflow.adapters.sql import schema as t
from orderflow.adapters.sql.prepared import Prepared, compiled_forms
from tests.sql.helpers import payload

_M = t.outbox.c
INSERT = Prepared(t.outbox.insert())
BY_ID = Prepared(select(t.outbox).where(_M.message_id == bindparam("b_id")))

TEXT = st.text(st.characters(exclude_characters="\x00"), max_size=8)  # PostgreSQL refuses NUL
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=10,
)
MOMENTS = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)


@pytest.fixture
def engine(sql_url: str) -> Iterator[Engine]:
    made = create_orderflow_engine(sql_url)
    upgrade(made)
    yield made
    made.dispose()


def message(ident: str, body: Any, at: datetime) -> dict[str, Any]:
    return {
        "message_id": ident,
        "topic": "OrderPlaced",
        "payload": body,
        "created_at": at,
        "attempts": 0,
        "next_attempt_at": at + timedelta(seconds=1),
    }


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=st.dictionaries(TEXT, JSON_VALUES, max_size=4), at=MOMENTS)
def test_rows_written_and_read_either_way_are_the_same(
    engine: Engine, body: dict[str, Any], at: datetime
) -> None:
    with engine.connect() as connection, connection.begin() as transaction:
        INSERT.many(connection, [message("fast", body, at)])
        connection.execute(t.outbox.insert(), message("core", body, at))
        fast = BY_ID.first(connection, {"b_id": "core"})
        core = connection.execute(BY_ID.statement, {"b_id": "fast"}).first()
        assert fast is not None
        assert core is not None
        assert fast.payload == core.payload == body
        assert fast.created_at == core.created_at == at
        assert fast.next_attempt_at == at + timedelta(seconds=1)
        assert _without_id(fast._asdict()) == _without_id(core._asdict())
        transaction.rollback()


def _without_id(row: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in row.items() if name not in ("id", "message_id")}


def test_a_driver_error_is_sqlalchemys_error(engine: Engine) -> None:
    at = datetime(2026, 1, 5, tzinfo=UTC)
    with engine.connect() as connection, connection.begin():
        INSERT.many(connection, [message("m-1", {}, at)])
        with pytest.raises(exc.IntegrityError):
            INSERT.many(connection, [message("m-1", {}, at)])


def test_instrumentation_on_the_engine_sees_every_statement(sql_url: str) -> None:
    engine = create_orderflow_engine(sql_url)
    upgrade(engine)
    flow = OrderFlow.from_engine(engine)
    seen: list[str] = []
    number = flow.place_order(payload()).number

    def watch(conn: Any, cursor: Any, statement: str, *rest: Any) -> None:
        seen.append(" ".join(statement.split()))

    event.listen(engine, "before_cursor_execute", watch)
    try:
        verified = flow.verify_order(number)
    finally:
        event.remove(engine, "before_cursor_execute", watch)
    assert verified.status.value == "verified"
    assert any(s.startswith("UPDATE orderflow_orders SET") for s in seen)
    assert any(s.startswith("INSERT INTO orderflow_order_events") for s in seen)
    assert any(s.startswith("SELECT orderflow_orders.version") for s in seen)
    flow.close()
    engine.dispose()


def test_compiled_forms_go_with_their_engine(tmp_path: Any) -> None:
    dialects = []
    for index in range(3):
        engine = create_orderflow_engine(f"sqlite:///{tmp_path / f'{index}.db'}")
        upgrade(engine)
        with engine.connect() as connection:
            assert BY_ID.first(connection, {"b_id": "none"}) is None
        assert compiled_forms(engine.dialect)
        dialects.append(weakref.ref(engine.dialect))
        engine.dispose()
        del engine, connection
    gc.collect()
    assert [ref() for ref in dialects] == [None, None, None]
