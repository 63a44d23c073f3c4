"""The ``orderflow`` command: the demo, order lists and histories, schema upgrades, diagrams."""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from orderflow import codec
from orderflow.adapters.clock import ManualClock
from orderflow.adapters.reference import InMemoryCatalog
from orderflow.cli.demo import CATALOG, ShopSimulation
from orderflow.domain.errors import OrderflowError
from orderflow.domain.holds import HoldType
from orderflow.domain.order import ORDER_LIFECYCLE, OrderStatus
from orderflow.domain.values import Channel
from orderflow.engine import OrderFlow

P = ParamSpec("P")
R = TypeVar("R")

DEMO_DB = "orderflow-demo.db"
console = Console()


def database_url(db: str | None) -> str:
    """``--db`` as a URL: a URL as given, a path as SQLite; default from the environment."""
    value = db or os.environ.get("ORDERFLOW_DATABASE_URL") or DEMO_DB
    return value if "://" in value else f"sqlite:///{value}"


def friendly_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn orderflow errors into a one-line message and exit status 1, never a traceback."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except OrderflowError as exc:
            raise click.ClickException(str(exc)) from None
        except ImportError as exc:
            raise click.ClickException(str(exc)) from None

    return wrapper


db_option = click.option(
    "--db",
    metavar="PATH_OR_URL",
    help=f"SQLite file or database URL [default: $ORDERFLOW_DATABASE_URL, else {DEMO_DB}]",
)
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")


def open_flow(db: str | None) -> OrderFlow:
    """The engine over ``--db``, which must already hold orderflow's schema."""
    return OrderFlow.from_url(database_url(db))


def print_json(data: Any) -> None:
    """Write ``data`` as JSON to standard output."""
    click.echo(json.dumps(codec.unstructure(data), indent=2, default=str))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="orderflow")
def cli() -> None:
    """orderflow: the back office of an order, from intake to audit trail."""


@cli.command()
@click.option(
    "--orders", "count", default=200, show_default=True, type=click.IntRange(1, 1_000_000)
)
@click.option("--seed", default=7, show_default=True, type=int, help="Same seed, same decisions.")
@db_option
@friendly_errors
def demo(count: int, seed: int, db: str | None) -> None:
    """Simulate a shop: orders from several channels through every path, then a summary."""
    url = database_url(db)
    if db is None and not os.environ.get("ORDERFLOW_DATABASE_URL"):
        for suffix in ("", "-wal", "-shm"):
            Path(DEMO_DB + suffix).unlink(missing_ok=True)
    clock = ManualClock()
    flow = OrderFlow.from_url(url, clock=clock, catalog=InMemoryCatalog(CATALOG))
    flow.upgrade_schema()
    sim = ShopSimulation(flow, clock, seed, run=uuid.uuid4().hex[:6].upper())
    sim.open_shop()
    started = time.perf_counter()
    with _progress() as progress:
        task = progress.add_task("simulating orders", total=count)
        for i in range(count):
            sim.step(i)
            progress.advance(task)
    elapsed = time.perf_counter() - started
    _demo_summary(flow, sim, elapsed, url)


@contextmanager
def _progress() -> Iterator[Progress]:
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    ) as progress:
        yield progress


def _demo_summary(flow: OrderFlow, sim: ShopSimulation, elapsed: float, url: str) -> None:
    report = sim.report
    statuses = {s: len(flow.find_orders(status=s, limit=1_000_000)) for s in OrderStatus}
    table = Table(title=f"orderflow demo: {report.orders} orders in {elapsed:.2f} s")
    table.add_column("what")
    table.add_column("count", justify="right")
    for name, n in sorted(report.scenarios.items()):
        table.add_row(f"scenario: {name}", str(n))
    for status, n in statuses.items():
        if n:
            table.add_row(f"orders {status.value}", str(n))
    for kind, n in sorted(report.holds_placed.items()):
        table.add_row(f"holds placed: {kind}", str(n))
    table.add_row("holds released", str(report.holds_released))
    table.add_row("notes written", str(report.notes))
    table.add_row("marketplace retries de-duplicated", str(report.retries_deduplicated))
    table.add_row("weekly restocks received", str(report.restocks))
    console.print(table)
    console.print(_stock_table(flow))
    sample = next((n for n in report.numbers if len(flow.history(n)) > 3), report.numbers[0])
    console.print(f"database: {url}")
    console.print(f"throughput: {report.orders / elapsed:,.0f} orders/s (simulated paths included)")
    console.print(f"try: orderflow history {sample}")


def _stock_table(flow: OrderFlow) -> Table:
    table = Table(title="stock")
    for column in ("sku", "location", "on hand", "reserved", "available", "value", "alert"):
        table.add_column(column, justify="right" if column not in ("sku", "location") else "left")
    for lv in flow.stock_levels():
        alert = "out" if lv.available <= 0 else ("low" if lv.available <= lv.reorder_point else "")
        table.add_row(
            lv.sku,
            lv.location,
            str(lv.on_hand),
            str(lv.reserved),
            str(lv.available),
            str(lv.value() or ""),
            alert,
        )
    return table


@cli.command()
@db_option
@json_option
@friendly_errors
def stock(db: str | None, as_json: bool) -> None:
    """Stock levels per sku and location, alerts and reorder suggestions."""
    flow = open_flow(db)
    if as_json:
        print_json({"levels": flow.stock_levels(), "replenishment": flow.replenishment()})
        return
    console.print(_stock_table(flow))
    table = Table(title="reorder suggestions")
    for column in ("sku", "location", "available", "per day", "runs out", "buy"):
        table.add_column(column)
    for s in flow.replenishment():
        if s.suggested_quantity:
            table.add_row(
                s.sku,
                s.location,
                str(s.available),
                f"{s.daily_demand:.1f}",
                str(s.runs_out_on or ""),
                str(s.suggested_quantity),
            )
    console.print(table)


@cli.command()
@click.argument("number")
@db_option
@json_option
@friendly_errors
def history(number: str, db: str | None, as_json: bool) -> None:
    """The audit trail of one order: every change with time, actor and reason."""
    entries = open_flow(db).history(number)
    if as_json:
        print_json(entries)
        return
    table = Table(title=f"history of {number}")
    for column in ("#", "time", "event", "actor", "summary", "reason"):
        table.add_column(column)
    for e in entries:
        table.add_row(
            str(e.seq),
            e.occurred_at.strftime("%Y-%m-%d %H:%M:%S"),
            e.event,
            e.actor,
            e.summary,
            e.reason or "",
        )
    console.print(table)


@cli.command()
@click.option("--status", type=click.Choice([s.value for s in OrderStatus]))
@click.option("--hold", "hold_type", type=click.Choice([h.value for h in HoldType]))
@click.option("--channel", type=click.Choice([c.value for c in Channel]))
@click.option("--customer", "customer_id", metavar="ID")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 100_000))
@db_option
@json_option
@friendly_errors
def orders(
    status: str | None,
    hold_type: str | None,
    channel: str | None,
    customer_id: str | None,
    limit: int,
    db: str | None,
    as_json: bool,
) -> None:
    """List orders, oldest first, filtered by status, active hold, channel or customer."""
    rows = open_flow(db).find_orders(
        status=status, hold_type=hold_type, channel=channel, customer_id=customer_id, limit=limit
    )
    if as_json:
        print_json(rows)
        return
    table = Table(title=f"{len(rows)} orders")
    for column in ("number", "placed", "channel", "customer", "status", "holds", "total"):
        table.add_column(column)
    for r in rows:
        table.add_row(
            r.number,
            r.placed_at.strftime("%Y-%m-%d %H:%M"),
            r.channel.value,
            r.customer_name or r.customer_id or "",
            r.status.value,
            ", ".join(h.value for h in r.hold_types),
            str(r.total),
        )
    console.print(table)


@cli.command()
@click.option(
    "--format", "fmt", type=click.Choice(["mermaid"]), default="mermaid", show_default=True
)
def diagram(fmt: str) -> None:
    """Print every lifecycle as a diagram."""
    click.echo(f"%% order lifecycle\n{ORDER_LIFECYCLE.mermaid()}")


@cli.group()
def db() -> None:
    """Database schema management."""


@db.command()
@db_option
@friendly_errors
def upgrade(db: str | None) -> None:
    """Create or migrate orderflow's tables (its own Alembic version table)."""
    url = database_url(db)
    OrderFlow.from_url(url).upgrade_schema()
    console.print(f"schema up to date: {url}")
