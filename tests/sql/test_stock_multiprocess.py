"""Stock across processes: no oversell under concurrent reservations, nothing left by a crash.

Every worker is a spawned process with an engine of its own (``OrderFlow.from_url``), so the
only thing that keeps them from overselling is the database: the conditional UPDATE of
``StockStore.apply`` and, on SQLite, the write lock.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
import traceback
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select

from orderflow import OrderFlow
from orderflow.adapters.sql import normalise_url, upgrade
from orderflow.adapters.sql import schema as t
from orderflow.domain.holds import HoldType
from orderflow.domain.inventory import (
    Location,
    Movement,
    MovementKind,
    Reservation,
    ReservationStatus,
    replay_levels,
)
from orderflow.domain.order import Order, OrderStatus
from orderflow.domain.values import Actor
from tests.sql.helpers import payload

pytestmark = pytest.mark.slow

SPAWN = multiprocessing.get_context("spawn")
WORKERS = 6
ORDERS_PER_WORKER = 60
STOCK = 40
BER = Location(code="BER", name="Berlin DC", country="DE", priority=1)
MUC = Location(code="MUC", name="Munich DC", country="DE", priority=2)  # stocked, but empty


def hot_order(worker: int, i: int) -> dict[str, Any]:
    """An order for 1 to 3 units of the hot sku."""
    quantity = 1 + (worker + i) % 3
    line = {"sku": "MUG", "name": "Mug", "quantity": quantity, "unit_price": "9.50"}
    return payload(external_reference=f"W{worker}-{i}", lines=[line])


def reserved_units(reservation: Reservation) -> dict[str, int]:
    """Open units per location."""
    held: Counter[str] = Counter()
    for line in reservation.lines:
        held[line.location] += line.open
    return dict(held)


def stock_hold(order: Order) -> bool:
    return any(h.type is HoldType.STOCK for h in order.active_holds(datetime.now(UTC)))


def reserve_many(url: str, worker: int, start: Any, results: Any) -> None:
    """Run in a spawned process: place orders and reserve their stock as fast as possible.

    Even orders reserve at once (``reserve_stock``); odd ones are verified and
    confirmed. Every third order is cancelled after reserving, so freed units are raced for
    again. Whatever happens is reported to the parent, exceptions included.
    """
    outcomes: list[dict[str, Any]] = []
    errors: list[str] = []
    began = ended = 0.0
    try:
        flow = OrderFlow.from_url(url)
        flow.stock_levels()  # connect before the race starts
        start.wait(timeout=60)
        began = time.monotonic()
        for i in range(ORDERS_PER_WORKER):
            try:
                outcomes.append(one_order(flow, worker, i))
            except Exception:  # reported to the parent: none is expected
                errors.append(traceback.format_exc())
        ended = time.monotonic()
        flow.close()
    except Exception:
        errors.append(traceback.format_exc())
    results.put({"outcomes": outcomes, "errors": errors, "began": began, "ended": ended})


def one_order(flow: OrderFlow, worker: int, i: int) -> dict[str, Any]:
    data = hot_order(worker, i)
    number = flow.place_order(data).number
    outcome: dict[str, Any] = {"number": number, "quantity": data["lines"][0]["quantity"]}
    if i % 2 == 0:
        reservation = flow.reserve_stock(number)
        outcome["path"] = "reserve"
    else:
        order = flow.verify_order(number)
        if stock_hold(order):
            outcome.update(path="verify", held=True, reserved={}, waiting=0, attempts=0)
            return outcome
        order = flow.confirm_order(number)
        outcome.update(path="confirm", held=stock_hold(order), status=str(order.status))
        reservation = flow.get_reservation(number)
    outcome.update(
        reserved=reserved_units(reservation),
        waiting=reservation.outstanding().get("MUG", 0),
        attempts=1,
    )
    if i % 3 == 2 and outcome["reserved"]:
        flow.cancel_order(number, reason="changed my mind", actor="customer")
        outcome["cancelled"] = True
    return outcome


def open_units_by_location(flow: OrderFlow, numbers: list[str]) -> Counter[str]:
    held: Counter[str] = Counter()
    for number in numbers:
        reservation = flow.get_reservation(number)
        if reservation.is_active:
            held.update(reserved_units(reservation))
    return held


def test_processes_reserving_a_hot_sku_never_oversell(sql_url: str) -> None:
    upgrade(sql_url)
    setup = OrderFlow.from_url(sql_url)
    setup.add_location(BER)
    setup.add_location(MUC)
    setup.receive_stock("MUG", "BER", STOCK)
    setup.set_reorder("MUG", "MUC", point=0, quantity=0)  # a level of 0 units
    setup.close()

    start, results = SPAWN.Event(), SPAWN.Queue()
    workers = [
        SPAWN.Process(target=reserve_many, args=(sql_url, w, start, results))
        for w in range(WORKERS)
    ]
    for process in workers:
        process.start()
    start.set()
    reports = [results.get(timeout=120) for _ in workers]
    for process in workers:
        process.join(timeout=30)
        assert process.exitcode == 0

    errors = [e for r in reports for e in r["errors"]]
    assert errors == [], errors[0]  # no "database is locked", no driver error, no lost race
    outcomes = [o for r in reports for o in r["outcomes"]]
    assert len(outcomes) == WORKERS * ORDERS_PER_WORKER

    flow = OrderFlow.from_url(sql_url)
    try:
        levels = {lv.location: lv for lv in flow.stock_levels(["MUG"])}
        ber, muc = levels["BER"], levels["MUC"]
        # zero oversell
        assert ber.on_hand == STOCK
        assert 0 <= ber.reserved <= ber.on_hand
        assert (muc.on_hand, muc.reserved) == (0, 0)
        # the reserved column == the active reservations == the ledger replayed
        numbers = [o["number"] for o in outcomes if o["path"] != "verify"]
        assert open_units_by_location(flow, numbers) == Counter({"BER": ber.reserved})
        replayed = replay_levels(flow.stock_ledger())
        assert replayed == {("MUG", "BER"): (STOCK, ber.reserved)}  # MUC never moved
        # every reservation a worker was told about is stored as it was told
        for o in outcomes:
            order = flow.get_order(o["number"])
            if o["path"] == "verify":  # verification found the stock short: a stock hold
                assert order.status is OrderStatus.PLACED
                assert stock_hold(order)
                continue
            stored = flow.get_reservation(o["number"])
            assert reserved_units(stored) == o["reserved"]
            assert sum(o["reserved"].values()) + o["waiting"] == o["quantity"]
            if o.get("cancelled"):
                assert stored.status is ReservationStatus.RELEASED
                assert order.status is OrderStatus.CANCELLED
                continue
            assert stored.status is ReservationStatus.ACTIVE
            # what stock could not cover is a backorder, and with the hold policy a stock hold
            assert stored.outstanding().get("MUG", 0) == o["waiting"]
            if o["path"] == "confirm":
                expected = OrderStatus.VERIFIED if o["waiting"] else OrderStatus.CONFIRMED
                assert order.status is expected
                assert stock_hold(order) is bool(o["waiting"])
        short = [o for o in outcomes if o["waiting"] or o.get("held")]
        assert short, "the hot sku never ran out: nobody raced for the last units"
        assert any(sum(o["reserved"].values()) for o in outcomes)
    finally:
        flow.close()

    elapsed = max(r["ended"] for r in reports) - min(r["began"] for r in reports)
    attempts = sum(o["attempts"] for o in outcomes)
    oversold = max(0, ber.reserved - ber.on_hand)
    print(
        f"\n{normalise_url(sql_url).get_backend_name()}: {WORKERS} processes, "
        f"{len(outcomes)} orders ({len(outcomes) / elapsed:.0f}/s), {attempts} reservations "
        f"({attempts / elapsed:.0f}/s) in {elapsed:.2f} s, {len(short)} short, "
        f"on hand {ber.on_hand}, reserved {ber.reserved}, oversold {oversold}"
    )


# -- a worker killed mid-transaction --------------------------------------------------------------


def reserve_then_hang(url: str, applied: Any, never: Any) -> None:
    """Run in a spawned process: apply reservation movements, say so, and wait to be killed."""
    flow = OrderFlow.from_url(url)
    uow = flow.services.uow()
    with uow:
        now = datetime.now(UTC)
        for location, quantity in (("BER", 7), ("MUC", 2)):
            moved = uow.stock.apply(
                Movement(
                    sku="MUG",
                    location=location,
                    kind=MovementKind.RESERVATION,
                    reserved_delta=quantity,
                    actor=Actor.system("crash-test"),
                    reference="OF-CRASH",
                    occurred_at=now,
                )
            )
            assert moved
        uow.stock.stock("CUP", "BER")  # a new level, never committed either
        applied.set()
        never.wait(timeout=60)  # the parent kills us long before this returns
        uow.commit()


def database_state(url: str) -> dict[str, Any]:
    """Levels, ledger size and the orphan movements, read with plain SQL."""
    engine = create_engine(normalise_url(url))
    s, m = t.stock_levels.c, t.stock_movements.c
    try:
        with engine.connect() as connection:
            levels = connection.execute(
                select(s.sku, s.location, s.on_hand, s.reserved).order_by(s.sku, s.location)
            ).all()
            movements = connection.execute(select(func.count()).select_from(t.stock_movements))
            orphans = connection.execute(
                select(func.count())
                .select_from(t.stock_movements.outerjoin(
                    t.stock_levels, (s.sku == m.sku) & (s.location == m.location)
                ))
                .where(s.sku.is_(None))
            )  # fmt: skip
            return {
                "levels": [tuple(row) for row in levels],
                "movements": movements.scalar_one(),
                "orphans": orphans.scalar_one(),
            }
    finally:
        engine.dispose()


def test_a_worker_killed_mid_transaction_leaves_every_invariant(sql_url: str) -> None:
    upgrade(sql_url)
    flow = OrderFlow.from_url(sql_url)
    try:
        flow.add_location(BER)
        flow.add_location(MUC)
        flow.receive_stock("MUG", "BER", 10)
        flow.receive_stock("MUG", "MUC", 3)
        kept = flow.place_order(hot_order(0, 0)).number
        flow.reserve_stock(kept)
        before = database_state(sql_url)
        ledger = flow.stock_ledger()
        assert before["levels"] == [("MUG", "BER", 10, 1), ("MUG", "MUC", 3, 0)]

        applied, never = SPAWN.Event(), SPAWN.Event()
        worker = SPAWN.Process(target=reserve_then_hang, args=(sql_url, applied, never))
        worker.start()
        try:
            assert applied.wait(timeout=60), "the worker never reached the middle of its work"
            assert database_state(sql_url) == before  # uncommitted: invisible to others
            assert worker.pid is not None
            os.kill(worker.pid, signal.SIGKILL)
            worker.join(timeout=30)
        finally:
            if worker.is_alive():  # pragma: no cover - only if the kill failed
                worker.kill()
        assert worker.exitcode == -signal.SIGKILL

        after = database_state(sql_url)
        assert after == before
        assert after["orphans"] == 0
        assert flow.stock_ledger() == ledger
        levels = flow.stock_levels()
        assert replay_levels(ledger) == {lv.key: (lv.on_hand, lv.reserved) for lv in levels}
        assert flow.get_reservation(kept).lines[0].quantity == 1
        assert all(0 <= lv.reserved <= lv.on_hand for lv in levels)

        # nothing stays locked: the next writer reserves what the dead one had claimed
        number = flow.place_order(payload(external_reference="AFTER", lines=[
            {"sku": "MUG", "name": "Mug", "quantity": 12, "unit_price": "9.50"}
        ])).number  # fmt: skip
        reservation = flow.reserve_stock(number)
        assert reserved_units(reservation) == {"BER": 9, "MUC": 3}
        assert database_state(sql_url)["levels"] == [("MUG", "BER", 10, 10), ("MUG", "MUC", 3, 3)]
    finally:
        flow.close()
