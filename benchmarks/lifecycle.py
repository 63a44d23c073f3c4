"""Workload L1 per backend: whole order lifecycles through the public facade.

    python benchmarks/lifecycle.py [--orders 2000] [--seed 7] [--backend memory sqlite postgresql]
                                   [--pg-url URL] [--tables] [--profile FILE]

Prints one JSON line per backend: lifecycles per second, mean and p95 milliseconds per step,
peak RSS of the process, and SQL statements per lifecycle (counted by a
``before_cursor_execute`` listener on the engine, in a separate run of further orders after the
timed one: the listener itself costs about a tenth of the time). PostgreSQL needs ``--pg-url``
or ``ORDERFLOW_TEST_DATABASE_URL`` and is skipped with a message without either. Each backend
runs on a fresh database (a temporary SQLite file, a PostgreSQL schema of its own that is dropped
afterwards).
"""

from __future__ import annotations

import argparse
import cProfile
import json
import random
import sys
import time
from typing import Any

from workload import Shop, StepTimes, database, lifecycle, payload, peak_rss_mb, pg_base

BACKENDS = ("memory", "sqlite", "postgresql")


def run(
    backend: str,
    orders: int,
    seed: int,
    pg_url: str | None,
    *,
    tables: bool = False,
    profile: str | None = None,
) -> dict[str, Any]:
    with database(backend, pg_url) as url:
        shop = Shop(backend, url)
        try:
            rng = random.Random(seed)
            data = [payload(rng, f"L1-{seed}-{i}") for i in range(orders)]
            warm = min(20, orders // 10)
            for i in range(warm):  # warm caches, compiled statements, pools
                lifecycle(shop.flow, payload(rng, f"warm-{seed}-{i}"))
            times = StepTimes()
            profiler = cProfile.Profile() if profile else None
            start = time.perf_counter()
            if profiler is not None:
                profiler.enable()
            for item in data:
                lifecycle(shop.flow, item, times)
            if profiler is not None:
                profiler.disable()
                profiler.dump_stats(f"{profile}.{backend}")
            elapsed = time.perf_counter() - start
            counted = min(orders, 100)
            with shop.counting():
                for i in range(counted):
                    lifecycle(shop.flow, payload(rng, f"count-{seed}-{i}"))
        finally:
            shop.close()
    result: dict[str, Any] = {
        "benchmark": "L1",
        "backend": backend,
        "orders": orders,
        "seed": seed,
        "seconds": round(elapsed, 3),
        "lifecycles_per_s": round(orders / elapsed, 1),
        "ms_per_lifecycle": round(1000 * elapsed / orders, 3),
        "steps": times.summary(),
        "peak_rss_mb": peak_rss_mb(),
        "sql_statements_per_lifecycle": (
            None if backend == "memory" else round(shop.statements / counted, 2)
        ),
    }
    if tables and backend != "memory":
        result["statements_per_lifecycle_by_kind"] = {
            kind: round(n / counted, 2) for kind, n in sorted(shop.tables.items())
        }
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--backend", nargs="+", choices=BACKENDS, default=list(BACKENDS))
    parser.add_argument("--pg-url", default=None)
    parser.add_argument("--tables", action="store_true", help="statements by verb and table")
    parser.add_argument("--profile", default=None, help="write cProfile stats to FILE.<backend>")
    args = parser.parse_args(argv)
    for backend in args.backend:
        if backend == "postgresql" and pg_base(args.pg_url) is None:
            print(
                "postgresql skipped: pass --pg-url or set ORDERFLOW_TEST_DATABASE_URL",
                file=sys.stderr,
            )
            continue
        line = run(
            backend, args.orders, args.seed, args.pg_url, tables=args.tables, profile=args.profile
        )
        print(json.dumps(line), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
