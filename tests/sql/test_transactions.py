"""All or nothing: rolled-back units of work leave no trace; a host's transaction rules."""

from __future__ import annotations

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, func, select

from orderflow import Actor, ConcurrencyError, HoldError, HoldType, OrderFlow, OrderNotFound
from orderflow.adapters.sql import create_orderflow_engine, normalise_url, upgrade
from tests.sql.helpers import payload, row_counts, url_of

ALICE = Actor.person("alice")
host_metadata = MetaData()
payments = Table(
    "shop_payments",
    host_metadata,
    Column("id", Integer, primary_key=True),
    Column("order_number", String(64), nullable=False),
)


def test_unit_of_work_without_commit_leaves_nothing(any_flow: OrderFlow) -> None:
    kept = any_flow.place_order(payload(external_reference="KEEP")).number

    def use_case_that_fails() -> None:
        with any_flow.services.uow() as uow:
            sequence = uow.orders.next_sequence()
            new = any_flow.get_order(kept)  # a copy, added under another number and reference
            new.number, new.external_reference = f"NEW-{sequence}", "NEW"
            new.mark_placed(ALICE)
            uow.orders.add(new)
            loaded = uow.orders.get(kept)
            loaded.place_hold(HoldType.MANUAL, reason="never", actor=ALICE, now=loaded.placed_at)
            uow.orders.save(loaded)
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        use_case_that_fails()
    assert [s.number for s in any_flow.find_orders()] == [kept]
    assert any_flow.get_order(kept).holds == []
    assert [e.event for e in any_flow.history(kept)] == ["OrderPlaced"]
    with any_flow.services.uow() as uow:
        assert uow.outbox.pending() == [uow.outbox.get(f"{kept}:1")]
    if any_flow._database is not None:
        assert row_counts(url_of(any_flow)) == {
            "orderflow_orders": 1,
            "orderflow_order_holds": 0,
            "orderflow_order_events": 1,
            "orderflow_outbox": 1,
        }


def test_failed_commit_leaves_nothing_either(any_flow: OrderFlow) -> None:
    other = any_flow.place_order(payload(external_reference="B")).number
    number = any_flow.place_order(payload(external_reference="A")).number
    assert other < number  # the stale unit of work writes ``other`` first, then fails
    with any_flow.services.uow() as stale, any_flow.services.uow() as fresh:
        old, old_other = stale.orders.get(other), stale.orders.get(number)
        new = fresh.orders.get(number)
        new.add_note("wins", actor=ALICE, now=new.placed_at)
        fresh.orders.save(new)
        fresh.commit()
        old.add_note("loses", actor=ALICE, now=old.placed_at)  # written first...
        old_other.place_hold(HoldType.MANUAL, reason="loses", actor=ALICE, now=old.placed_at)
        stale.orders.save(old)
        stale.orders.save(old_other)
        with pytest.raises(ConcurrencyError, match=number):  # ...but this one is stale
            stale.commit()
    assert any_flow.get_order(number).holds == []
    assert [n.text for n in any_flow.get_order(number).notes] == ["wins"]
    assert any_flow.get_order(other).notes == []
    assert [e.event for e in any_flow.history(other)] == ["OrderPlaced"]
    with any_flow.services.uow() as uow:
        assert [m.message_id for m in uow.outbox.pending()] == [
            f"{other}:1", f"{number}:1", f"{number}:2"
        ]  # fmt: skip


def test_host_connection_commits_with_the_host_transaction(sql_url: str) -> None:
    upgrade(sql_url)
    engine = create_orderflow_engine(sql_url)
    try:
        host_metadata.create_all(engine)
        with engine.connect() as connection:
            flow = OrderFlow.from_engine(connection)
            with connection.begin():
                order = flow.place_order(payload())
                connection.execute(payments.insert().values(order_number=order.number))
                flow.add_note(order.number, "inside the host transaction", actor="alice")
                # not visible to anyone else before the host commits
                assert row_counts(sql_url)["orderflow_orders"] == 0
            assert row_counts(sql_url)["orderflow_orders"] == 1
        reader = OrderFlow.from_url(sql_url)
        assert [n.text for n in reader.get_order(order.number).notes] == [
            "inside the host transaction"
        ]
        assert [e.event for e in reader.history(order.number)] == ["OrderPlaced", "NoteAdded"]
        reader.close()
        with engine.connect() as connection:
            assert connection.execute(select(func.count()).select_from(payments)).scalar() == 1
    finally:
        engine.dispose()


def test_host_connection_rolls_back_with_the_host_transaction(sql_url: str) -> None:
    upgrade(sql_url)
    engine = create_orderflow_engine(sql_url)
    try:
        host_metadata.create_all(engine)
        with engine.connect() as connection:
            flow = OrderFlow.from_engine(connection)
            transaction = connection.begin()
            number = flow.place_order(payload()).number
            connection.execute(payments.insert().values(order_number=number))
            assert flow.get_order(number).number == number  # visible inside the transaction
            transaction.rollback()
            with pytest.raises(OrderNotFound):
                flow.get_order(number)
        assert row_counts(sql_url) == dict.fromkeys(row_counts(sql_url), 0)
        with engine.connect() as connection:
            assert connection.execute(select(func.count()).select_from(payments)).scalar() == 0
    finally:
        engine.dispose()


def test_failing_use_case_undoes_only_its_savepoint(sql_url: str) -> None:
    upgrade(sql_url)
    engine = create_orderflow_engine(sql_url)
    try:
        host_metadata.create_all(engine)
        with engine.connect() as connection:
            flow = OrderFlow.from_engine(connection)
            with connection.begin():
                connection.execute(payments.insert().values(order_number="host-row"))
                first = flow.place_order(payload(external_reference="A")).number
                with pytest.raises(RuntimeError):
                    take_a_number_and_fail(flow, expected=2)
                with pytest.raises(HoldError):
                    flow.release_hold(first, "manual", reason="none held", actor="alice")
                second = flow.place_order(payload(external_reference="B")).number
        assert (first, second) == ("OF-000001", "OF-000002")
        assert row_counts(sql_url)["orderflow_orders"] == 2
        with engine.connect() as connection:
            assert connection.execute(select(func.count()).select_from(payments)).scalar() == 1
    finally:
        engine.dispose()


@pytest.mark.parametrize("bind", ["engine", "connection"])
def test_plain_sqlite_engine_of_a_host_works_too(sqlite_url: str, bind: str) -> None:
    """A host's SQLite engine in the driver's default (legacy) transaction mode."""
    upgrade(sqlite_url)
    engine = create_engine(normalise_url(sqlite_url))
    try:
        if bind == "engine":
            flow = OrderFlow.from_engine(engine)
            number = flow.place_order(payload()).number
            flow.add_note(number, "one", actor="alice")
            with pytest.raises(RuntimeError):
                take_a_number_and_fail(flow, expected=2, touch=number)
        else:
            with engine.connect() as connection:
                flow = OrderFlow.from_engine(connection)
                with connection.begin():
                    number = flow.place_order(payload()).number
                    flow.add_note(number, "one", actor="alice")
                rolled = connection.begin()
                flow.add_note(number, "rolled back", actor="alice")
                rolled.rollback()
        reader = OrderFlow.from_url(sqlite_url)
        assert [n.text for n in reader.get_order(number).notes] == ["one"]
        assert reader.get_order(number).version == 2
        reader.close()
    finally:
        engine.dispose()


def take_a_number_and_fail(flow: OrderFlow, *, expected: int, touch: str | None = None) -> None:
    """A use case that writes (a sequence number, maybe an order) and then fails."""
    with flow.services.uow() as uow:
        if touch is not None:
            uow.orders.save(uow.orders.get(touch))
        assert uow.orders.next_sequence() == expected  # written, then rolled back
        raise RuntimeError("the use case fails")
