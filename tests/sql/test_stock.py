"""The SQL stock store and reservation repository behave like the in-memory reference.

Most cases run on memory, SQLite and PostgreSQL (``any_flow``) with the same expectations; the
ones about statements and constraints run on the SQL databases only.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
import pytest
from sqlalchemy import Engine, create_engine, event, exc, select, text

from orderflow import ConcurrencyError, ManualClock, OrderFlow, PersistenceError
from orderflow.adapters.sql import create_orderflow_engine, normalise_url, upgrade
from orderflow.adapters.sql import schema as t
from orderflow.domain.errors import InsufficientStock, NotFound, ValidationError
from orderflow.domain.inventory import (
    BackorderLine,
    Location,
    Movement,
    MovementKind,
    Reservation,
    ReservationStatus,
    ReservedLine,
    ShortagePolicy,
    SkuPolicy,
    StockLevel,
    replay_levels,
)
from orderflow.domain.money import Money
from orderflow.domain.values import Actor
from tests.sql.helpers import url_of

OPS = Actor.person("ops")
BER = Location(code="BER", name="Berlin DC", country="DE", priority=1)
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def movement(
    kind: MovementKind,
    *,
    on_hand: int = 0,
    reserved: int = 0,
    sku: str = "MUG",
    location: str = "BER",
    reference: str | None = None,
    at: datetime = T0,
) -> Movement:
    return Movement(
        sku=sku,
        location=location,
        kind=kind,
        on_hand_delta=on_hand,
        reserved_delta=reserved,
        actor=OPS,
        reference=reference,
        occurred_at=at,
    )


def stocked(flow: OrderFlow, on_hand: int = 10, reserved: int = 4) -> None:
    """MUG at BER with ``on_hand`` units, ``reserved`` of them reserved."""
    flow.add_location(BER)
    with flow.services.uow() as uow:
        uow.stock.stock("MUG", "BER")
        assert uow.stock.apply(movement(MovementKind.RECEIPT, on_hand=on_hand))
        if reserved:
            assert uow.stock.apply(movement(MovementKind.RESERVATION, reserved=reserved))
        uow.commit()


def level_of(flow: OrderFlow, sku: str = "MUG") -> tuple[int, int]:
    (level,) = flow.stock_levels([sku])
    return level.on_hand, level.reserved


# -- apply ----------------------------------------------------------------------------------------

REFUSED = {
    "reserve more than available": movement(MovementKind.RESERVATION, reserved=7),
    "release more than reserved": movement(MovementKind.RELEASE, reserved=-5),
    "on hand below zero": movement(MovementKind.WRITE_OFF, on_hand=-11),
    "on hand below reserved": movement(MovementKind.ADJUSTMENT, on_hand=-7),
    "commit more than reserved": movement(MovementKind.COMMIT, on_hand=-5, reserved=-5),
    "a level never stocked": movement(MovementKind.RECEIPT, on_hand=5, sku="TEE"),
    "a location never stocked": movement(MovementKind.RECEIPT, on_hand=5, location="MUC"),
}


@pytest.mark.parametrize("refused", REFUSED.values(), ids=REFUSED.keys())
def test_apply_refuses_a_movement_that_would_break_the_level(
    any_flow: OrderFlow, refused: Movement
) -> None:
    stocked(any_flow, on_hand=10, reserved=4)
    ledger = any_flow.stock_ledger()
    with any_flow.services.uow() as uow:
        assert uow.stock.apply(refused) is False
        assert uow.stock.applied() == []
        assert uow.stock.movements() == ledger
        level = uow.stock.level("MUG", "BER")
        assert level is not None
        assert (level.on_hand, level.reserved) == (10, 4)
        # the transaction is still usable: a movement that fits goes through
        assert uow.stock.apply(movement(MovementKind.RESERVATION, reserved=6))
        uow.commit()
    assert level_of(any_flow) == (10, 10)
    assert any_flow.stock_ledger() == [*ledger, movement(MovementKind.RESERVATION, reserved=6)]
    assert any_flow.stock_levels(["TEE"]) == []


ACCEPTED = {
    "reserve all that is available": (movement(MovementKind.RESERVATION, reserved=6), (10, 10)),
    "release all that is reserved": (movement(MovementKind.RELEASE, reserved=-4), (10, 0)),
    "on hand down to reserved": (movement(MovementKind.ADJUSTMENT, on_hand=-6), (4, 4)),
    "commit all that is reserved": (
        movement(MovementKind.COMMIT, on_hand=-4, reserved=-4),
        (6, 0),
    ),
    "a count without a change": (movement(MovementKind.COUNT), (10, 4)),
}


@pytest.mark.parametrize(("accepted", "after"), ACCEPTED.values(), ids=ACCEPTED.keys())
def test_apply_accepts_a_movement_up_to_the_limits(
    any_flow: OrderFlow, accepted: Movement, after: tuple[int, int]
) -> None:
    stocked(any_flow, on_hand=10, reserved=4)
    with any_flow.services.uow() as uow:
        assert uow.stock.apply(accepted) is True
        assert uow.stock.applied() == [accepted]
        uow.commit()
        assert uow.stock.applied() == []  # a committed unit of work starts afresh
    assert level_of(any_flow) == after
    assert any_flow.stock_ledger()[-1] == accepted
    assert replay_levels(any_flow.stock_ledger()) == {("MUG", "BER"): after}


def test_rolled_back_movements_leave_no_trace(any_flow: OrderFlow) -> None:
    stocked(any_flow)
    ledger = any_flow.stock_ledger()
    with any_flow.services.uow() as uow:
        assert uow.stock.apply(movement(MovementKind.RESERVATION, reserved=3))
        uow.stock.set_reorder("MUG", "BER", point=5, quantity=20)
        assert uow.stock.level("MUG", "BER") == StockLevel(
            sku="MUG", location="BER", on_hand=10, reserved=7, reorder_point=5, reorder_quantity=20
        )
    assert level_of(any_flow) == (10, 4)
    assert any_flow.stock_levels()[0].reorder_point == 0
    assert any_flow.stock_ledger() == ledger


def _statements(flow: OrderFlow) -> tuple[Engine, list[str]]:
    database = flow._database
    assert database is not None
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(" ".join(statement.split()))

    event.listen(database.engine, "before_cursor_execute", record)
    return database.engine, seen


def test_apply_is_one_conditional_update_then_the_ledger_row(sql_url: str) -> None:
    upgrade(sql_url)
    flow = OrderFlow.from_url(sql_url)
    try:
        stocked(flow, on_hand=5, reserved=0)
        _, seen = _statements(flow)
        with flow.services.uow() as uow:
            seen.clear()
            assert uow.stock.apply(movement(MovementKind.RESERVATION, reserved=5))
            accepted = [s for s in seen if "orderflow_" in s]
            seen.clear()
            assert not uow.stock.apply(movement(MovementKind.RESERVATION, reserved=1))
            refused = [s for s in seen if "orderflow_" in s]
            uow.commit()
    finally:
        flow.close()
    assert [s.split()[0] for s in accepted] == ["UPDATE", "INSERT"]
    update, insert = accepted
    assert update.startswith("UPDATE orderflow_stock_levels SET on_hand=(orderflow_stock_levels")
    assert "WHERE orderflow_stock_levels.sku = " in update
    assert "orderflow_stock_levels.reserved + " in update.split("WHERE")[1]
    assert insert.startswith("INSERT INTO orderflow_stock_movements")
    assert [s.split()[0] for s in refused] == ["UPDATE"]  # no read first, no ledger row after
    assert "5" not in update.split("WHERE")[1]  # quantities are bound, never spliced


def test_check_constraints_are_the_last_line_of_defence(sql_url: str) -> None:
    upgrade(sql_url)
    flow = OrderFlow.from_url(sql_url)
    try:
        stocked(flow, on_hand=3, reserved=1)
    finally:
        flow.close()
    engine = create_engine(normalise_url(sql_url))
    try:
        for assignment in ("reserved = 4", "reserved = -1", "on_hand = 0"):
            with pytest.raises(exc.IntegrityError), engine.begin() as connection:
                connection.execute(text(f"UPDATE orderflow_stock_levels SET {assignment}"))
        with engine.connect() as connection:
            row = connection.execute(select(t.stock_levels.c.on_hand, t.stock_levels.c.reserved))
            assert row.all() == [(3, 1)]
    finally:
        engine.dispose()


def test_apply_refuses_unstorable_text_before_any_sql(sql_url: str) -> None:
    upgrade(sql_url)
    flow = OrderFlow.from_url(sql_url)
    try:
        stocked(flow)
        with flow.services.uow() as uow:
            with (
                attrs.validators.disabled()
            ):  # the domain refuses it too; the adapter must not rely on that
                bad = attrs.evolve(
                    movement(MovementKind.RESERVATION, reserved=1), reference="x" * 121
                )
            with pytest.raises(ValidationError, match="reference: must be at most 120"):
                uow.stock.apply(bad)
            with attrs.validators.disabled():
                naive = attrs.evolve(bad, reference=None, occurred_at=T0.replace(tzinfo=None))
            with pytest.raises(ValidationError, match="occurred_at: must be a timezone-aware"):
                uow.stock.apply(naive)
            assert uow.stock.applied() == []
        assert level_of(flow) == (10, 4)
    finally:
        flow.close()


# -- levels, locations, policies ------------------------------------------------------------------


def test_stock_inserts_a_level_once_and_keeps_what_it_holds(any_flow: OrderFlow) -> None:
    stocked(any_flow)
    with any_flow.services.uow() as uow:
        uow.stock.stock("MUG", "BER")
        uow.stock.stock("CUP", "BER")
        uow.stock.set_average_cost("MUG", "BER", Money.of("2.50", "EUR"))
        with pytest.raises(NotFound, match="TEE@BER"):
            uow.stock.set_average_cost("TEE", "BER", None)
        with pytest.raises(NotFound, match="TEE@BER"):
            uow.stock.set_reorder("TEE", "BER", point=1, quantity=1)
        uow.commit()
    assert any_flow.stock_levels() == [
        StockLevel(sku="CUP", location="BER"),
        StockLevel(
            sku="MUG",
            location="BER",
            on_hand=10,
            reserved=4,
            average_cost=Money.of("2.50", "EUR"),
        ),
    ]
    assert any_flow.stock_levels(["MUG", "NOPE"]) == any_flow.stock_levels()[1:]
    assert any_flow.stock_levels([]) == []


def test_concurrent_first_receipts_of_a_new_sku_all_count(any_flow: OrderFlow) -> None:
    any_flow.add_location(BER)
    workers = 6
    barrier = threading.Barrier(workers)
    errors: list[BaseException] = []

    def receive() -> None:
        try:
            barrier.wait()
            any_flow.receive_stock("NEW", "BER", 2, actor=OPS)
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=receive) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert level_of(any_flow, "NEW") == (2 * workers, 0)
    assert len(any_flow.stock_ledger(sku="NEW")) == workers


def test_levels_and_locations_sort_by_code_point(any_flow: OrderFlow) -> None:
    codes = ["b", "B", "a-2", "a1", "Z"]
    for code in codes:
        any_flow.add_location(Location(code=code, name=f"DC {code}", country="DE"))
    with any_flow.services.uow() as uow:
        for sku in ("mug", "MUG", "Mug-2"):
            for code in codes:
                uow.stock.stock(sku, code)
        uow.commit()
        assert [loc.code for loc in uow.stock.locations()] == sorted(codes)
        assert [lv.key for lv in uow.stock.levels()] == sorted(
            (sku, code) for sku in ("mug", "MUG", "Mug-2") for code in codes
        )


def test_locations_and_policies_round_trip_and_are_replaced(any_flow: OrderFlow) -> None:
    far = Location(
        code="FAR",
        name="Far DC",
        country="AT",
        region="AT-9",
        priority=7,
        ships_to=("AT", "DE-BY"),
        latitude=48.2081743,
        longitude=16.3738189,
    )
    any_flow.add_location(far)
    any_flow.add_location(BER)
    moved = attrs.evolve(far, name="Farther DC", ships_to=(), latitude=None, longitude=None)
    any_flow.add_location(moved)
    until = datetime(2026, 3, 1, 12, 30, 15, 123456, tzinfo=UTC)
    any_flow.set_sku_policy("PRE", preorder_until=until, lead_time_days=21)
    any_flow.set_sku_policy("BACK", shortage="backorder")
    any_flow.set_sku_policy("BACK", shortage="hold", lead_time_days=3)
    with any_flow.services.uow() as uow:
        assert uow.stock.locations() == [BER, moved]
        assert uow.stock.policy("PRE") == SkuPolicy(
            sku="PRE", preorder_until=until, lead_time_days=21
        )
        assert uow.stock.policy("PRE").allows_backorder
        assert uow.stock.policy("BACK") == SkuPolicy(
            sku="BACK", shortage=ShortagePolicy.HOLD, lead_time_days=3
        )
        assert uow.stock.policy("NONE") == SkuPolicy(sku="NONE")  # the default: hold


def test_ledger_filters_and_order(any_flow: OrderFlow, clock: ManualClock) -> None:
    any_flow.add_location(BER)
    any_flow.add_location(Location(code="MUC", name="Munich DC", country="DE"))
    any_flow.receive_stock("MUG", "BER", 5, unit_cost=Money.of("1.99", "EUR"), actor=OPS)
    clock.advance(timedelta(hours=1))
    since = clock.now()
    any_flow.transfer_stock("MUG", "BER", "MUC", 2, actor=OPS)
    any_flow.adjust_stock("MUG", "MUC", -1, reason="dented", actor="bob")
    ledger = any_flow.stock_ledger()
    assert [(m.kind, m.location, m.on_hand_delta) for m in ledger] == [
        (MovementKind.RECEIPT, "BER", 5),
        (MovementKind.TRANSFER_OUT, "BER", -2),
        (MovementKind.TRANSFER_IN, "MUC", 2),
        (MovementKind.ADJUSTMENT, "MUC", -1),
    ]
    assert ledger[0].unit_cost == Money.of("1.99", "EUR")
    assert ledger[2].unit_cost == Money.of("1.99", "EUR")
    assert ledger[3].reason == "dented"
    assert ledger[3].actor == Actor.person("bob")
    assert any_flow.stock_ledger(location="MUC") == ledger[2:]
    assert any_flow.stock_ledger(reference="transfer BER->MUC") == ledger[1:3]
    with any_flow.services.uow() as uow:
        assert uow.stock.movements(since=since) == ledger[1:]
        assert uow.stock.movements(sku="MUG", location="BER", since=since) == ledger[1:2]
        assert uow.stock.movements(sku="M\x00G") == []
        assert uow.stock.level("M\x00G", "BER") is None


# -- reservations ---------------------------------------------------------------------------------


def reservation(
    rid: str,
    order: str,
    *,
    created: datetime = T0,
    expires: datetime | None = None,
    waits: dict[str, int] | None = None,
) -> Reservation:
    return Reservation(
        id=rid,
        order_number=order,
        lines=[ReservedLine(sku="MUG", location="BER", quantity=2, committed=1)],
        backorders=[BackorderLine(sku=s, quantity=q) for s, q in sorted((waits or {}).items())],
        created_at=created,
        expires_at=expires,
    )


def as_data(r: Reservation | None) -> dict[str, Any] | None:
    return None if r is None else attrs.asdict(r)


def test_reservations_round_trip_with_versions(any_flow: OrderFlow) -> None:
    new = reservation("R1", "OF-1", expires=T0 + timedelta(minutes=15), waits={"TEE": 3})
    with any_flow.services.uow() as uow:
        uow.reservations.add(new)
        assert uow.reservations.get("R1") is new
        assert uow.reservations.for_order("OF-1") is new
        uow.commit()
    assert new.version == 1
    with any_flow.services.uow() as uow:
        loaded = uow.reservations.get("R1")
        assert uow.reservations.for_order("OF-1") is loaded  # one object per reservation
        assert as_data(loaded) == as_data(new)
        assert uow.reservations.for_order("OF-2") is None
        with pytest.raises(NotFound, match="R9"):
            uow.reservations.get("R9")
        loaded.fill("TEE", "BER", 1)
        uow.reservations.save(loaded)
        uow.commit()
    assert loaded.version == 2
    with any_flow.services.uow() as uow:
        again = uow.reservations.get("R1")
        assert again.version == 2
        assert again.outstanding() == {"TEE": 2}
        assert [(r.sku, r.location, r.quantity) for r in again.lines] == [
            ("MUG", "BER", 2),
            ("TEE", "BER", 1),
        ]


def test_adding_a_taken_reservation_id_is_a_concurrency_error(any_flow: OrderFlow) -> None:
    with any_flow.services.uow() as uow:
        uow.reservations.add(reservation("R1", "OF-1"))
        with pytest.raises(ConcurrencyError) as staged:
            uow.reservations.add(reservation("R1", "OF-2"))
        uow.commit()
    with any_flow.services.uow() as uow, pytest.raises(ConcurrencyError) as stored:
        uow.reservations.add(reservation("R1", "OF-3"))
    for raised in (staged, stored):
        error = raised.value
        assert (error.aggregate, error.ident, error.expected_version) == ("reservation", "R1", 0)
    with any_flow.services.uow() as uow:
        assert uow.reservations.get("R1").order_number == "OF-1"


def test_a_lost_update_of_a_reservation_is_refused(any_flow: OrderFlow) -> None:
    with any_flow.services.uow() as uow:
        uow.reservations.add(reservation("R1", "OF-1"))
        uow.commit()
    first, second = any_flow.services.uow(), any_flow.services.uow()
    with first, second:
        a, b = first.reservations.get("R1"), second.reservations.get("R1")
        a.release()
        first.reservations.save(a)
        first.commit()
        b.expire()
        second.reservations.save(b)
        with pytest.raises(ConcurrencyError) as raised:
            second.commit()
    error = raised.value
    assert (error.aggregate, error.ident, error.expected_version) == ("reservation", "R1", 1)
    with any_flow.services.uow() as uow:
        stored = uow.reservations.get("R1")
        assert (stored.status, stored.version) == (ReservationStatus.RELEASED, 2)


def test_for_order_gives_the_latest_reservation(any_flow: OrderFlow) -> None:
    with any_flow.services.uow() as uow:
        uow.reservations.add(reservation("R-b", "OF-1", created=T0))
        uow.reservations.add(reservation("R-a", "OF-1", created=T0 + timedelta(seconds=1)))
        uow.reservations.add(reservation("R-c", "OF-2", created=T0 + timedelta(seconds=2)))
        uow.commit()
    with any_flow.services.uow() as uow:
        found = uow.reservations.for_order("OF-1")
        assert found is not None
        assert found.id == "R-a"
        uow.reservations.add(reservation("R-z", "OF-1", created=T0))
        staged = uow.reservations.for_order("OF-1")
        assert staged is not None
        assert staged.id == "R-z"


def test_expired_finds_active_reservations_due_by_then(any_flow: OrderFlow) -> None:
    soon, later = T0 + timedelta(minutes=15), T0 + timedelta(hours=1)
    with any_flow.services.uow() as uow:
        uow.reservations.add(reservation("R1", "OF-1", created=T0, expires=later))
        uow.reservations.add(reservation("R2", "OF-2", created=T0 + timedelta(1), expires=soon))
        uow.reservations.add(reservation("R3", "OF-3", created=T0, expires=None))
        gone = reservation("R4", "OF-4", created=T0, expires=soon)
        gone.release()
        uow.reservations.add(gone)
        uow.commit()
    with any_flow.services.uow() as uow:
        assert list(uow.reservations.expired(soon - timedelta(microseconds=1))) == []
        assert list(uow.reservations.expired(soon)) == ["R2"]
        assert list(uow.reservations.expired(later + timedelta(days=1))) == ["R1", "R2"]


def test_backordered_lists_waiting_reservations_oldest_first(any_flow: OrderFlow) -> None:
    with any_flow.services.uow() as uow:
        uow.reservations.add(
            reservation("R-new", "OF-3", created=T0 + timedelta(2), waits={"TEE": 1})
        )
        uow.reservations.add(reservation("R-old", "OF-1", created=T0, waits={"TEE": 2, "CUP": 1}))
        uow.reservations.add(
            reservation("R-mid", "OF-2", created=T0 + timedelta(1), waits={"CUP": 4})
        )
        uow.reservations.add(reservation("R-tie", "OF-0", created=T0, waits={"TEE": 5}))
        uow.reservations.add(reservation("R-none", "OF-4", created=T0))
        uow.commit()
    with any_flow.services.uow() as uow:
        assert list(uow.reservations.backordered("TEE")) == ["R-old", "R-tie", "R-new"]
        assert list(uow.reservations.backordered("CUP")) == ["R-old", "R-mid"]
        assert list(uow.reservations.backordered("MUG")) == []
        old = uow.reservations.get("R-old")
        old.fill("TEE", "BER", 2)  # no longer waits for TEE
        uow.reservations.save(old)
        tie = uow.reservations.get("R-tie")
        tie.release()  # no longer active: waits for nothing
        uow.reservations.save(tie)
        uow.commit()
    with any_flow.services.uow() as uow:
        assert list(uow.reservations.backordered("TEE")) == ["R-new"]
        assert list(uow.reservations.backordered("CUP")) == ["R-old", "R-mid"]


def test_backorder_rows_follow_the_reservation(sql_url: str) -> None:
    upgrade(sql_url)
    flow = OrderFlow.from_url(sql_url)
    try:
        with flow.services.uow() as uow:
            uow.reservations.add(reservation("R1", "OF-1", waits={"TEE": 2, "CUP": 1}))
            uow.commit()
        with flow.services.uow() as uow:
            r = uow.reservations.get("R1")
            r.fill("CUP", "BER", 1)
            uow.reservations.save(r)
            uow.commit()
        engine = create_engine(normalise_url(url_of(flow)))
        try:
            with engine.connect() as connection:
                b = t.backorders.c
                rows = connection.execute(select(b.reservation_id, b.sku, b.outstanding)).all()
        finally:
            engine.dispose()
        assert rows == [("R1", "TEE", 2)]
    finally:
        flow.close()


def test_stock_in_a_host_transaction_commits_and_rolls_back_with_it(sql_url: str) -> None:
    upgrade(sql_url)
    engine = create_orderflow_engine(sql_url)
    try:
        with engine.connect() as connection:
            flow = OrderFlow.from_engine(connection)
            with connection.begin():
                flow.add_location(BER)
                flow.receive_stock("MUG", "BER", 5, actor=OPS)
                with pytest.raises(InsufficientStock):  # undoes its own savepoint only
                    flow.write_off("MUG", "BER", 6, reason="too many", actor=OPS)
                assert level_of(flow) == (5, 0)
            transaction = connection.begin()
            flow.write_off("MUG", "BER", 2, reason="broken", actor=OPS)
            assert level_of(flow) == (3, 0)
            transaction.rollback()
        reader = OrderFlow.from_url(sql_url)
        try:
            assert level_of(reader) == (5, 0)
            assert [m.kind for m in reader.stock_ledger()] == [MovementKind.RECEIPT]
        finally:
            reader.close()
    finally:
        engine.dispose()


REFUSING_TRIGGER = {
    "sqlite": [
        "CREATE TRIGGER of_refuse BEFORE UPDATE ON orderflow_stock_levels "
        "BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: simulated'); END"
    ],
    "postgresql": [
        "CREATE FUNCTION of_refuse() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION "
        "'simulated check failure' USING ERRCODE = 'check_violation'; END $$ LANGUAGE plpgsql",
        "CREATE TRIGGER of_refuse BEFORE UPDATE ON orderflow_stock_levels "
        "FOR EACH ROW EXECUTE FUNCTION of_refuse()",
    ],
}


def test_a_constraint_violation_in_apply_is_a_persistence_error(sql_url: str) -> None:
    upgrade(sql_url)
    flow = OrderFlow.from_url(sql_url)
    try:
        stocked(flow, on_hand=5, reserved=0)
        engine = create_engine(normalise_url(sql_url))
        try:
            with engine.begin() as connection:
                for statement in REFUSING_TRIGGER[engine.dialect.name]:
                    connection.exec_driver_sql(statement)
        finally:
            engine.dispose()
        with flow.services.uow() as uow:
            with pytest.raises(PersistenceError, match="stock level MUG@BER would break") as raised:
                uow.stock.apply(movement(MovementKind.RESERVATION, reserved=1))
            assert not isinstance(raised.value, exc.SQLAlchemyError)
            assert uow.stock.applied() == []
        assert level_of(flow) == (5, 0)
        assert len(flow.stock_ledger()) == 1
    finally:
        flow.close()
