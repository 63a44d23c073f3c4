"""Several relays on one PostgreSQL database never hold the same message at the same time."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest

from orderflow import ManualClock, OrderEvent, OrderFlow, OutboxMessage, OutboxRelay
from orderflow.adapters.sql import upgrade
from tests.sql.helpers import payload

pytestmark = pytest.mark.postgres


def test_a_claim_skips_rows_another_claim_has_locked(pg_url: str) -> None:
    upgrade(pg_url)
    clock = ManualClock()
    flow = OrderFlow.from_url(pg_url, clock=clock)
    try:
        for i in range(6):
            flow.place_order(payload(external_reference=f"R{i}"))
        lease = timedelta(minutes=5)
        with flow.services.uow() as first:
            mine = first.outbox.claim(clock.now(), limit=3, lease=lease)  # rows locked, open
            theirs: list[OutboxMessage] = []
            claimer = threading.Thread(
                target=lambda: theirs.extend(_claim(flow, clock, lease)), daemon=True
            )
            claimer.start()
            claimer.join(timeout=20)
            assert not claimer.is_alive(), "the second claim waited for the first one's locks"
            first.commit()
        assert len(mine) == len(theirs) == 3
        assert not {m.message_id for m in mine} & {m.message_id for m in theirs}
    finally:
        flow.close()


def _claim(flow: OrderFlow, clock: ManualClock, lease: timedelta) -> list[OutboxMessage]:
    with flow.services.uow() as uow:
        claimed = uow.outbox.claim(clock.now(), limit=10, lease=lease)
        uow.commit()
    return claimed


def test_concurrent_relays_deliver_each_message_once(pg_url: str) -> None:
    upgrade(pg_url)
    producer = OrderFlow.from_url(pg_url)
    for i in range(40):
        producer.place_order(payload(external_reference=f"R{i}", note=f"note {i}"))
    expected = 80
    lock = threading.Lock()
    in_flight: set[str] = set()
    overlaps: list[str] = []
    deliveries: Counter[str] = Counter()
    all_done = threading.Event()

    def handler(message: OutboxMessage, event: OrderEvent) -> None:
        with lock:
            if message.message_id in in_flight:
                overlaps.append(message.message_id)
            in_flight.add(message.message_id)
            deliveries[message.message_id] += 1
        threading.Event().wait(0.001)  # let the other relays run meanwhile
        with lock:
            in_flight.discard(message.message_id)
            if sum(deliveries.values()) >= expected:
                all_done.set()

    relays, threads, flows = [], [], []
    for _ in range(3):
        flow = OrderFlow.from_url(pg_url)
        flow.subscribe(handler)
        relay = OutboxRelay(flow.dispatch_pending, batch_size=7, poll_interval=0.01)
        flows.append(flow)
        relays.append(relay)
        threads.append(relay.start())
    try:
        assert all_done.wait(timeout=30)
    finally:
        for relay in relays:
            relay.stop()
        for thread in threads:
            thread.join(timeout=10)
        for flow in [producer, *flows]:
            flow.close()
    assert overlaps == []
    assert len(deliveries) == expected
    assert set(deliveries.values()) == {1}
