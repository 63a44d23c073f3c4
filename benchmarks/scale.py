"""Does a lifecycle stay as fast with many orders stored, and does memory stay flat?

    python benchmarks/scale.py time   [--backend sqlite|postgresql] [--stored 10000 1000000]
                                      [--orders 300] [--pg-url URL]
    python benchmarks/scale.py memory [--backend memory|sqlite] [--lifecycles 100000]
                                      [--every 10000]

``time`` seeds a fresh database with ``--stored`` delivered orders (each with its payment,
shipment, reservation, twelve audit events and twelve sent outbox messages) by bulk INSERTs of
rows made by the adapter's own row functions (``order_row``, ``event_rows``, and each
repository's ``row``) from one real delivered order, then times ``--orders`` more lifecycles
through the engine. One JSON line per size: the time per lifecycle should not depend on it.

``memory`` runs ``--lifecycles`` lifecycles in one process and prints the resident set size
every ``--every`` lifecycles. On SQLite every order leaves the process when its unit of work
ends, so the RSS must stay flat (no growth from state machines, caches or listeners); the
in-memory backend keeps every order by design, so there it grows with the data and only the
per-order cost is of interest. The payment gateway used here is stateless (the fake gateway keeps
a record of every charge, which would be the only thing growing), and the fake carrier's labels
are dropped as the run goes.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import sys
import time
from typing import Any

from sqlalchemy import Connection
from workload import (
    Shop,
    current_rss_mb,
    database,
    lifecycle,
    payload,
    peak_rss_mb,
    pg_base,
)

from orderflow.adapters.sql import schema as t
from orderflow.adapters.sql.inventory import reservation_row
from orderflow.adapters.sql.repository import event_rows, order_row
from orderflow.adapters.sql.store import SqlDatabase
from orderflow.ports import RecordedEvent

BATCH = 5000


def seed(shop: Shop, count: int) -> float:
    """Store ``count`` delivered orders copied from one real one; returns the seconds taken."""
    assert shop.engine is not None
    template = lifecycle(shop.flow, payload(random.Random(0), "template"))
    flow = shop.flow
    order = flow.get_order(template)
    recorded = flow.services.queries.history(template)
    history = [RecordedEvent(seq=e.seq, event=e.event) for e in recorded]
    db = SqlDatabase(shop.engine)
    uow = db.unit_of_work()
    payments = [uow.payments.row(p, version=p.version) for p in flow.payments(template)]
    shipments = [uow.shipments.row(s, version=s.version) for s in flow.shipments(template)]
    reservation = flow.get_reservation(template)
    reservations = [reservation_row(reservation, version=reservation.version)]
    order_template = order_row(order, version=order.version)
    events, messages = event_rows(history)
    for message in messages:
        message["sent_at"] = message["created_at"]
    start = time.perf_counter()
    with shop.engine.connect() as connection:
        for low in range(0, count, BATCH):
            numbers = [f"OF-S{i:08d}" for i in range(low, min(count, low + BATCH))]
            with connection.begin():
                _insert(connection, numbers, order_template, events, messages, template)
                for table, rows in (
                    (t.payments, payments),
                    (t.shipments, shipments),
                    (t.reservations, reservations),
                ):
                    connection.execute(
                        table.insert(),
                        [_renamed(row, template, n) for n in numbers for row in rows],
                    )
    return time.perf_counter() - start


def _renamed(row: dict[str, Any], template: str, number: str) -> dict[str, Any]:
    out = dict(row)
    for key in ("id", "order_number", "number", "message_id"):
        if isinstance(out.get(key), str):
            out[key] = out[key].replace(template, number)
    for key in ("data", "payload"):
        if isinstance(out.get(key), dict):
            data = dict(out[key])
            for inner in ("id", "order_number", "number"):
                if isinstance(data.get(inner), str):
                    data[inner] = data[inner].replace(template, number)
            out[key] = data
    return out


def _insert(
    connection: Connection,
    numbers: list[str],
    order: dict[str, Any],
    events: list[dict[str, Any]],
    messages: list[dict[str, Any]],
    template: str,
) -> None:
    rows = []
    for number in numbers:
        row = _renamed(order, template, number)
        row["external_reference"] = f"seed-{number}"
        row["data"]["external_reference"] = row["external_reference"]
        rows.append(row)
    connection.execute(t.orders.insert(), rows)
    connection.execute(
        t.order_events.insert(), [_renamed(e, template, n) for n in numbers for e in events]
    )
    connection.execute(
        t.outbox.insert(), [_renamed(m, template, n) for n in numbers for m in messages]
    )


def settle(shop: Shop) -> None:
    """Leave the seeded database as a running shop's would be, so the timed lifecycles do not pay
    for the seeding: SQLite's write-ahead log checkpointed; on PostgreSQL the tables vacuumed and
    analysed (as autovacuum would have done, instead of it running during the timing); the
    written pages flushed to disk."""
    assert shop.engine is not None
    raw = shop.engine.raw_connection()  # neither statement runs inside a transaction
    try:
        if shop.backend == "sqlite":
            raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")
        else:
            driver: Any = raw.driver_connection
            driver.autocommit = True
            raw.cursor().execute("VACUUM ANALYZE")
            driver.autocommit = False  # as the pool handed it out
    finally:
        raw.close()
    os.sync()


def time_at(backend: str, stored: int, orders: int, pg_url: str | None) -> dict[str, Any]:
    with database(backend, pg_url) as url:
        shop = Shop(backend, url)
        try:
            seconds = seed(shop, stored) if stored else 0.0
            settle(shop)
            rng = random.Random(stored)
            for i in range(20):
                lifecycle(shop.flow, payload(rng, f"warm-{i}"))
            start = time.perf_counter()
            for i in range(orders):
                lifecycle(shop.flow, payload(rng, f"run-{i}"))
            elapsed = time.perf_counter() - start
        finally:
            shop.close()
    return {
        "benchmark": "scale-time",
        "backend": backend,
        "stored_orders": stored,
        "seed_seconds": round(seconds, 1),
        "orders": orders,
        "ms_per_lifecycle": round(1000 * elapsed / orders, 3),
        "lifecycles_per_s": round(orders / elapsed, 1),
    }


def memory(backend: str, lifecycles: int, every: int) -> None:
    with database(backend) as url:
        shop = Shop(backend, url, stateless_gateway=True)
        rng = random.Random(1)
        base = None
        start = time.perf_counter()
        try:
            for i in range(1, lifecycles + 1):
                lifecycle(shop.flow, payload(rng, f"mem-{i}"))
                if i % 1000 == 0:
                    shop.carrier.labels.clear()
                if i % every == 0 or i == 1000:
                    gc.collect()
                    rss = current_rss_mb()
                    base = base if base is not None else rss
                    line = {
                        "benchmark": "scale-memory",
                        "backend": backend,
                        "lifecycles": i,
                        "rss_mb": rss,
                        "growth_since_1000_mb": round(rss - base, 1),
                        "peak_rss_mb": peak_rss_mb(),
                        "gc_objects": len(gc.get_objects()),
                        "seconds": round(time.perf_counter() - start, 1),
                    }
                    print(json.dumps(line), flush=True)
        finally:
            shop.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="mode", required=True)
    timing = sub.add_parser("time")
    timing.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    timing.add_argument("--stored", type=int, nargs="+", default=[10_000, 1_000_000])
    timing.add_argument("--orders", type=int, default=300)
    timing.add_argument("--pg-url", default=None)
    mem = sub.add_parser("memory")
    mem.add_argument("--backend", choices=("memory", "sqlite"), default="sqlite")
    mem.add_argument("--lifecycles", type=int, default=100_000)
    mem.add_argument("--every", type=int, default=10_000)
    args = parser.parse_args(argv)
    if args.mode == "memory":
        memory(args.backend, args.lifecycles, args.every)
        return 0
    if args.backend == "postgresql" and pg_base(args.pg_url) is None:
        print(
            "postgresql skipped: pass --pg-url or set ORDERFLOW_TEST_DATABASE_URL", file=sys.stderr
        )
        return 0
    for stored in args.stored:
        print(json.dumps(time_at(args.backend, stored, args.orders, args.pg_url)), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
