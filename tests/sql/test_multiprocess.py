"""Four processes, each with its own engine, place orders (some with shared references) at once."""

from __future__ import annotations

import multiprocessing
from collections import defaultdict

import pytest

from orderflow import OrderFlow
from orderflow.adapters.sql import upgrade
from tests.sql.helpers import payload

pytestmark = pytest.mark.slow

WORKERS = 4
PER_WORKER = 30
SHARED = 10


def place_many(url: str, worker: int) -> tuple[list[tuple[str, str]], list[str]]:
    """Run in a spawned process: place orders, half of them under references all workers use."""
    flow = OrderFlow.from_url(url)
    placed: list[tuple[str, str]] = []
    errors: list[str] = []
    for i in range(PER_WORKER):
        reference = f"SHARED-{(i + worker) % SHARED}" if i % 2 == 0 else f"W{worker}-{i}"
        try:
            placed.append(
                (reference, flow.place_order(payload(external_reference=reference)).number)
            )
        except Exception as exc:  # reported to the parent: none is expected
            errors.append(f"{type(exc).__name__}: {exc}")
    flow.close()
    return placed, errors


def test_concurrent_processes_place_without_duplicates_or_lock_errors(sql_url: str) -> None:
    upgrade(sql_url)
    with multiprocessing.get_context("spawn").Pool(WORKERS) as pool:
        results = pool.starmap(place_many, [(sql_url, w) for w in range(WORKERS)])
    errors = [e for _, errs in results for e in errs]
    assert errors == []
    numbers_by_reference: dict[str, set[str]] = defaultdict(set)
    for placed, _ in results:
        for reference, number in placed:
            numbers_by_reference[reference].add(number)
    assert sum(len(placed) for placed, _ in results) == WORKERS * PER_WORKER
    # one order per reference, and no number shared by two references
    assert all(len(numbers) == 1 for numbers in numbers_by_reference.values())
    numbers = [next(iter(n)) for n in numbers_by_reference.values()]
    assert len(set(numbers)) == len(numbers)
    expected = SHARED + WORKERS * (PER_WORKER // 2)
    assert len(numbers_by_reference) == expected

    flow = OrderFlow.from_url(sql_url)
    try:
        stored = flow.find_orders(limit=10_000)
        assert sorted(s.number for s in stored) == sorted(numbers)  # every placement persisted
        assert {s.external_reference for s in stored} == set(numbers_by_reference)
        assert sorted(s.number for s in stored) == [f"OF-{i:06d}" for i in range(1, expected + 1)]
        for number in numbers[:: max(1, len(numbers) // 10)]:
            assert [e.event for e in flow.history(number)] == ["OrderPlaced"]
    finally:
        flow.close()
