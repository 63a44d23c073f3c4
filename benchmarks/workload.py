"""Workload L1, shared by the benchmarks: one order's whole life through the public facade.

50 skus with 1,000,000 units each at one location. Each order: place (3 distinct random skus,
1-3 units each), verify, confirm (authorise at the fake gateway, reserve the stock, and, with
capture on confirmation, capture), create the shipment, start picking, scan every unit, pack,
ship (label from the fake carrier, tracking number), confirm delivery. Every step is one or more
transactions of its own, exactly as a host application would drive the engine.
"""

from __future__ import annotations

import os
import random
import re
import resource
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any, Protocol, TypeVar

from sqlalchemy import Engine, event, text

from orderflow import ManualClock, OrderFlow
from orderflow.adapters.carrier import FakeCarrier
from orderflow.adapters.gateway import FakeGateway
from orderflow.adapters.sql import create_orderflow_engine, normalise_url, upgrade
from orderflow.application.services import PaymentSettings
from orderflow.domain.inventory import Location
from orderflow.domain.money import Money
from orderflow.domain.shipping import Package
from orderflow.domain.values import Address
from orderflow.ports.payments import GatewayOutcome, GatewayResult

TABLE = re.compile(r"(?:FROM|INTO|UPDATE)\s+\"?(\w+)", re.IGNORECASE)
T = TypeVar("T")
SKUS = [f"SKU-{i:03d}" for i in range(50)]
UNITS = 1_000_000
LOCATION = "MAIN"
PG_VARIABLE = "ORDERFLOW_TEST_DATABASE_URL"
STEPS = (
    "place",
    "verify",
    "confirm",
    "create_shipments",
    "start_picking",
    "scan_item",
    "pack_shipment",
    "ship_shipment",
    "confirm_delivery",
)
ADDRESS = {
    "name": "Ann Lee",
    "line1": "Hauptstr. 5",
    "city": "Berlin",
    "postal_code": "10115",
    "country": "DE",
}
WAREHOUSE = Address(name="Main DC", line1="Lagerweg 1", city="Berlin", country="DE")
PACKAGE = Package(weight_g=900, length_mm=300, width_mm=200, height_mm=100)


class StatelessGateway:
    """Approves everything and remembers nothing: for runs long enough that the fake gateway's
    own record of every charge would be the only thing growing."""

    def __init__(self, clock: ManualClock) -> None:
        self.clock = clock

    def authorise(
        self, *, key: str, amount: Money, method: Any, order_number: str
    ) -> GatewayResult:
        until = self.clock.now() + timedelta(days=7)
        return GatewayResult(
            outcome=GatewayOutcome.APPROVED, reference=f"auth-{key}", authorised_until=until
        )

    def capture(self, *, key: str, reference: str, amount: Money) -> GatewayResult:
        return GatewayResult(outcome=GatewayOutcome.APPROVED, reference=reference)

    def void(self, *, key: str, reference: str) -> GatewayResult:
        return GatewayResult(outcome=GatewayOutcome.APPROVED, reference=reference)

    def refund(self, *, key: str, reference: str, amount: Money) -> GatewayResult:
        return GatewayResult(outcome=GatewayOutcome.APPROVED, reference=reference)


class Shop:
    """An engine on one backend with the L1 catalogue stocked, and the statements it sends."""

    def __init__(
        self, backend: str, url: str | None, *, stateless_gateway: bool = False, stock: bool = True
    ) -> None:
        self.backend = backend
        self.clock = ManualClock()
        self.carrier = FakeCarrier()
        self.gateway: Any = (
            StatelessGateway(self.clock) if stateless_gateway else FakeGateway(self.clock)
        )
        self.engine: Engine | None = None
        self.statements = 0
        self.tables: dict[str, int] = defaultdict(int)
        adapters: Any = {
            "clock": self.clock,
            "gateway": self.gateway,
            "carrier": self.carrier,
            "payment_settings": PaymentSettings(sleep=lambda _: None),
        }
        if url is None:
            self.flow = OrderFlow.in_memory(**adapters)
        else:
            self.engine = create_orderflow_engine(url)
            upgrade(self.engine)
            self.flow = OrderFlow.from_engine(self.engine, **adapters)
        if stock:
            self.stock()

    @contextmanager
    def counting(self) -> Iterator[None]:
        """Count the statements sent inside the block (a listener costs time: never time it)."""
        self.statements = 0
        self.tables.clear()
        if self.engine is None:
            yield
            return
        event.listen(self.engine, "before_cursor_execute", self._count)
        try:
            yield
        finally:
            event.remove(self.engine, "before_cursor_execute", self._count)

    def _count(self, conn: Any, cursor: Any, statement: str, params: Any, *rest: Any) -> None:
        self.statements += 1
        verb = statement.lstrip().split(None, 1)[0].upper()
        table = TABLE.search(statement)
        self.tables[f"{verb} {table.group(1) if table else ''}".strip()] += 1

    def stock(self) -> None:
        self.flow.add_location(
            Location(code=LOCATION, name="Main DC", country="DE", priority=1, address=WAREHOUSE)
        )
        for sku in SKUS:
            self.flow.receive_stock(sku, LOCATION, UNITS, actor="ops")

    def close(self) -> None:
        self.flow.close()
        if self.engine is not None:
            self.engine.dispose()


def payload(rng: random.Random, reference: str) -> dict[str, Any]:
    """An order of three distinct random skus, one to three units each."""
    return {
        "channel": "web",
        "external_reference": reference,
        "currency": "EUR",
        "customer": {"id": "c-1", "name": "Ann Lee", "email": "ann@example.com"},
        "shipping_address": ADDRESS,
        "lines": [
            {
                "sku": sku,
                "name": f"Item {sku}",
                "quantity": rng.randint(1, 3),
                "unit_price": "9.50",
                "tax_rate": "0.19",
            }
            for sku in rng.sample(SKUS, 3)
        ],
        "shipping": "4.95",
        "shipping_tax_rate": "0.19",
        "payment_method": {"token": "tok_ok", "brand": "visa", "last4": "4242"},
    }


class Timer(Protocol):
    def __call__(self, step: str, action: Callable[..., T], /, *args: Any, **kwargs: Any) -> T: ...


def untimed(step: str, action: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    return action(*args, **kwargs)


def lifecycle(flow: OrderFlow, data: dict[str, Any], timed: Timer = untimed) -> str:
    """One order from placement to delivery; returns its number."""
    number = timed("place", flow.place_order, data).number
    timed("verify", flow.verify_order, number)
    order = timed("confirm", flow.confirm_order, number)
    assert order.status.value == "confirmed", order.status
    for shipment in timed("create_shipments", flow.create_shipments, number):
        sid = shipment.id
        timed("start_picking", flow.start_picking, sid, actor="picker")
        for line in shipment.lines:
            for _ in range(line.quantity):
                timed("scan_item", flow.scan_item, sid, line.sku, actor="picker")
        timed("pack_shipment", flow.pack_shipment, sid, [PACKAGE], actor="packer")
        shipped = timed("ship_shipment", flow.ship_shipment, sid, actor="packer")
        assert shipped.tracking_number
    delivered = timed("confirm_delivery", flow.confirm_delivery, number, actor="driver")
    assert delivered.status.value == "delivered", delivered.status
    return number


class StepTimes:
    """Wall time of every call, per step."""

    def __init__(self) -> None:
        self.samples: dict[str, list[float]] = defaultdict(list)

    def __call__(self, step: str, action: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        start = time.perf_counter()
        result = action(*args, **kwargs)
        self.samples[step].append(time.perf_counter() - start)
        return result

    def summary(self) -> dict[str, dict[str, float]]:
        out = {}
        for step in STEPS:
            values = sorted(self.samples.get(step, []))
            if values:
                p95 = values[min(len(values) - 1, int(len(values) * 0.95))]
                out[step] = {
                    "calls": len(values),
                    "mean_ms": round(1000 * sum(values) / len(values), 3),
                    "p95_ms": round(1000 * p95, 3),
                }
        return out


def peak_rss_mb() -> float:
    """The process's peak resident set size so far, in MiB (Linux reports KiB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def current_rss_mb() -> float:
    """The process's resident set size now, in MiB."""
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return round(pages * os.sysconf("SC_PAGE_SIZE") / 2**20, 1)


def pg_base(cli_url: str | None) -> str | None:
    return cli_url or os.environ.get(PG_VARIABLE, "").strip() or None


@contextmanager
def database(backend: str, pg_url: str | None = None) -> Iterator[str | None]:
    """A fresh database of ``backend``: None for memory, a SQLite file, or a PostgreSQL schema."""
    if backend == "memory":
        yield None
    elif backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="orderflow-bench-") as folder:
            yield f"sqlite:///{folder}/shop.db"
    elif backend == "postgresql":
        base = normalise_url(pg_base(pg_url) or "")
        schema = f"of_bench_{uuid.uuid4().hex[:10]}"
        from sqlalchemy import create_engine

        admin = create_engine(base, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as connection:
                connection.execute(text(f'CREATE SCHEMA "{schema}"'))
            url = base.update_query_dict({"options": f"-csearch_path={schema}"})
            yield url.render_as_string(hide_password=False)
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            admin.dispose()
    else:
        raise SystemExit(f"unknown backend {backend!r}: memory, sqlite or postgresql")
