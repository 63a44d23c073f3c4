"""Configuration errors are clear, driver errors never cross the port, input is always bound."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy

from orderflow import OrderFlow, PersistenceError, ValidationError
from orderflow.adapters.sql import normalise_url, upgrade
from orderflow.bootstrap import DATABASE_URL_VARIABLE
from tests.sql.helpers import PAYLOAD, payload, row_counts, url_of


def only_orderflow_error(error: BaseException) -> None:
    assert type(error) is PersistenceError
    assert not isinstance(error, sqlalchemy.exc.SQLAlchemyError)


def test_missing_directory_is_a_persistence_error(tmp_path: Path) -> None:
    flow = OrderFlow.from_url(f"sqlite:///{tmp_path / 'missing' / 'shop.db'}")
    with pytest.raises(PersistenceError, match="cannot open the SQLite database") as raised:
        flow.upgrade_schema()
    only_orderflow_error(raised.value)
    with pytest.raises(PersistenceError, match="unable to open database file"):
        flow.place_order(PAYLOAD)
    flow.close()


def test_read_only_database_refuses_writes_with_a_persistence_error(tmp_path: Path) -> None:
    path = tmp_path / "shop.db"
    upgrade(f"sqlite:///{path}")
    flow = OrderFlow.from_url(f"sqlite:///file:{path}?mode=ro&uri=true")
    assert flow.find_orders() == []  # reading works
    with pytest.raises(PersistenceError, match="read-only") as raised:
        flow.place_order(PAYLOAD)
    only_orderflow_error(raised.value)
    flow.close()


def test_missing_tables_say_how_to_create_them(sql_url: str) -> None:
    flow = OrderFlow.from_url(sql_url)
    with pytest.raises(PersistenceError, match=r"upgrade_schema\(\)"):
        flow.find_orders()
    with pytest.raises(PersistenceError, match="tables are missing"):
        flow.history("OF-000001")
    flow.close()


def test_unreachable_postgresql_is_a_persistence_error_without_the_password() -> None:
    flow = OrderFlow.from_url("postgresql://shop:s3cret-pw@127.0.0.1:1/shop")
    with pytest.raises(PersistenceError, match="cannot reach the database") as raised:
        flow.place_order(PAYLOAD)
    only_orderflow_error(raised.value)
    assert "s3cret-pw" not in str(raised.value)
    assert "127.0.0.1:1/shop" in str(raised.value)
    flow.close()


HOSTILE = "x'); DROP TABLE orderflow_orders; --"


def test_hostile_input_is_bound_never_spliced(any_flow: OrderFlow) -> None:
    order = any_flow.place_order(
        payload(
            external_reference=HOSTILE,
            customer={"id": "' OR '1'='1", "name": 'Robert"); DROP TABLE x;--'},
            note="100% \\ _ %s %(x)s ? :name",
        )
    )
    loaded = any_flow.get_order(order.number)
    assert loaded.external_reference == HOSTILE
    assert loaded.customer.name == 'Robert"); DROP TABLE x;--'
    assert [n.text for n in loaded.notes] == ["100% \\ _ %s %(x)s ? :name"]
    assert any_flow.find_orders(customer_id="' OR '1'='1")[0].number == order.number
    assert any_flow.find_orders(customer_id="' OR 1=1 --") == []
    assert any_flow.place_order(payload(external_reference=HOSTILE, customer={
        "id": "' OR '1'='1", "name": 'Robert"); DROP TABLE x;--'},
        note="100% \\ _ %s %(x)s ? :name")).number == order.number  # fmt: skip
    with pytest.raises(Exception, match="not found"):
        any_flow.get_order("' OR 1=1 --")
    if any_flow._database is not None:
        assert row_counts(url_of(any_flow))["orderflow_orders"] == 1


KEY_CALLS = [
    ("number", lambda flow, key: flow.get_order(key)),
    ("number", lambda flow, key: flow.cancel_order(key, reason="r", actor="a")),
    ("shipment_id", lambda flow, key: flow.start_picking(key, actor="a")),
    ("return_id", lambda flow, key: flow.receive_return(key, actor="a")),
    ("claim_id", lambda flow, key: flow.resolve_claim(key, "refund", note="n", actor="a")),
    ("inquiry_id", lambda flow, key: flow.get_inquiry(key)),
    ("location", lambda flow, key: flow.adjust_stock("MUG", key, 1, reason="r", actor="a")),
]


@pytest.mark.parametrize("key", [["OF-000001"], 1, None, {"number": "OF-000001"}])
def test_ids_that_are_not_text_are_named_in_a_validation_error(
    any_flow: OrderFlow, key: object
) -> None:
    any_flow.place_order(payload())
    for name, call in KEY_CALLS:
        with pytest.raises(ValidationError) as raised:
            call(any_flow, key)
        assert [p.path for p in raised.value.problems] == [name]
    assert [s.number for s in any_flow.find_orders()] == ["OF-000001"]


def test_no_url_and_no_environment_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(DATABASE_URL_VARIABLE, raising=False)
    with pytest.raises(ValidationError, match=DATABASE_URL_VARIABLE):
        OrderFlow.from_url()


def test_the_environment_variable_is_read_at_call_time(
    monkeypatch: pytest.MonkeyPatch, sqlite_url: str
) -> None:
    upgrade(sqlite_url)
    monkeypatch.setenv(DATABASE_URL_VARIABLE, sqlite_url)
    flow = OrderFlow.from_url()
    number = flow.place_order(PAYLOAD).number
    flow.close()
    other = OrderFlow.from_url(sqlite_url)
    assert other.get_order(number).number == number
    other.close()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://root@localhost/shop", "SQLite and PostgreSQL"),
        ("sqlite://", "in-memory SQLite"),
        ("sqlite:///:memory:", "in-memory SQLite"),
        ("not a url", "not a database URL"),
    ],
)
def test_unsupported_urls_are_refused(url: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        OrderFlow.from_url(url)


def test_urls_get_the_drivers_orderflow_uses() -> None:
    assert normalise_url("postgresql://u@h/db").drivername == "postgresql+psycopg"
    assert normalise_url("postgres://u@h/db").drivername == "postgresql+psycopg"
    assert normalise_url("postgresql+psycopg://u@h/db").drivername == "postgresql+psycopg"
    assert normalise_url("sqlite:///shop.db").drivername == "sqlite+pysqlite"


def test_a_database_needs_an_engine_or_connection() -> None:
    from orderflow.adapters.sql import SqlDatabase

    with pytest.raises(ValidationError, match="Engine or Connection"):
        SqlDatabase("sqlite:///shop.db")  # type: ignore[arg-type]


def test_without_the_sql_extra_import_works_and_from_url_names_the_extra() -> None:
    code = (
        "import sys\n"
        "sys.modules['sqlalchemy'] = None\n"
        "import orderflow\n"
        "flow = orderflow.OrderFlow.in_memory()\n"
        "try:\n"
        "    orderflow.OrderFlow.from_url('sqlite:///x.db')\n"
        "except ImportError as e:\n"
        "    print(e)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "pip install 'orderflow[sql]'" in out.stdout
