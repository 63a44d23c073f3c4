"""N processes reserving one hot sku at once: throughput, and oversell (which must be zero).

    python benchmarks/contention.py [--backend sqlite postgresql] [--workers 2 4 8]
                                    [--orders 100] [--stock 300] [--pg-url URL]

One location holds ``--stock`` units of one sku (shortage policy: hold). Each of ``--workers``
spawned processes places and verifies ``--orders`` orders of one unit each, waits for the others,
and then all confirm their orders at once: every confirmation reserves from the same stock level,
so they queue on its row lock (PostgreSQL) or the write lock (SQLite). Demand exceeds the stock,
so the last orders get a stock hold instead of units. Then the level, the reservations and the
ledger are checked: reserved units never exceed on hand, equal the units the confirmed orders
hold, and equal the ledger; ``oversold`` counts units promised beyond the stock.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import sys
import time
from typing import Any

from workload import PG_VARIABLE, database, pg_base

from orderflow import OrderFlow
from orderflow.adapters.clock import ManualClock
from orderflow.adapters.sql import upgrade
from orderflow.domain.inventory import Location

SKU, LOCATION = "HOT-1", "MAIN"


def order(worker: int, i: int) -> dict[str, Any]:
    return {
        "channel": "web",
        "external_reference": f"W{worker}-{i}",
        "currency": "EUR",
        "customer": {"id": f"c-{worker}", "name": "Ann Lee", "email": "ann@example.com"},
        "shipping_address": {
            "name": "Ann Lee",
            "line1": "Hauptstr. 5",
            "city": "Berlin",
            "postal_code": "10115",
            "country": "DE",
        },
        "lines": [{"sku": SKU, "name": "Hot item", "quantity": 1, "unit_price": "5.00"}],
        "payment_method": {"token": "tok_ok", "brand": "visa", "last4": "4242"},
    }


def worker(url: str, index: int, orders: int, ready: Any, go: Any, out: Any) -> None:
    flow = OrderFlow.from_url(url, clock=ManualClock())
    try:
        numbers = []
        for i in range(orders):
            number = flow.place_order(order(index, i)).number
            flow.verify_order(number)
            numbers.append(number)
        ready.wait()
        go.wait()
        start = time.perf_counter()
        confirmed = held = 0
        for number in numbers:
            status = flow.confirm_order(number).status.value
            confirmed += status == "confirmed"
            held += status != "confirmed"
        out.put((index, start, time.perf_counter(), confirmed, held))
    finally:
        flow.close()


def run(backend: str, workers: int, orders: int, stock: int, pg_url: str | None) -> dict[str, Any]:
    with database(backend, pg_url) as url:
        assert url is not None
        upgrade(url)
        flow = OrderFlow.from_url(url, clock=ManualClock())
        flow.add_location(Location(code=LOCATION, name="Main", country="DE", priority=1))
        flow.receive_stock(SKU, LOCATION, stock, actor="ops")
        context = mp.get_context("spawn")
        ready = context.Barrier(workers + 1)
        go = context.Event()
        out = context.Queue()
        processes = [
            context.Process(target=worker, args=(url, i, orders, ready, go, out))
            for i in range(workers)
        ]
        for process in processes:
            process.start()
        ready.wait()
        go.set()
        for process in processes:
            process.join()
        if any(p.exitcode != 0 for p in processes):
            raise SystemExit(f"a worker failed: exit codes {[p.exitcode for p in processes]}")
        results = [out.get(timeout=10) for _ in processes]
        (level,) = flow.stock_levels([SKU])
        ledger = flow.stock_ledger(sku=SKU, location=LOCATION)
        ledger_reserved = sum(m.reserved_delta for m in ledger)
        ledger_on_hand = sum(m.on_hand_delta for m in ledger)
        confirmed = sum(r[3] for r in results)
        held = sum(r[4] for r in results)
        holding = 0
        for number in (r.number for r in flow.find_orders(status="confirmed", limit=100_000)):
            reservation = flow.get_reservation(number)
            holding += sum(line.quantity for line in reservation.lines)
        flow.close()
    start = min(r[1] for r in results)
    end = max(r[2] for r in results)
    consistent = (
        level.reserved == holding == ledger_reserved and level.on_hand == ledger_on_hand == stock
    )
    return {
        "benchmark": "contention",
        "backend": backend,
        "workers": workers,
        "orders_per_worker": orders,
        "stock": stock,
        "confirmations_per_s": round(workers * orders / (end - start), 1),
        "confirmed": confirmed,
        "held_for_stock": held,
        "reserved": level.reserved,
        "oversold": max(0, level.reserved - level.on_hand) + max(0, confirmed - stock),
        "consistent": consistent,
        "exit_codes": [p.exitcode for p in processes],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--workers", type=int, nargs="+", default=[2, 4, 8])
    parser.add_argument("--orders", type=int, default=100)
    parser.add_argument("--stock", type=int, default=300)
    parser.add_argument("--pg-url", default=None)
    args = parser.parse_args(argv)
    failed = False
    for backend in args.backend:
        if backend == "postgresql" and pg_base(args.pg_url) is None:
            print(f"postgresql skipped: pass --pg-url or set {PG_VARIABLE}", file=sys.stderr)
            continue
        for workers in args.workers:
            result = run(backend, workers, args.orders, args.stock, args.pg_url)
            failed |= result["oversold"] != 0 or not result["consistent"]
            print(json.dumps(result), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
