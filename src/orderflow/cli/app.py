"""The ``orderflow`` command: the demo, order lists and histories, schema upgrades, diagrams."""

from __future__ import annotations

import itertools
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
from orderflow.cli import diagrams
from orderflow.cli.demo import ShopSimulation, build_engine
from orderflow.cli.report import LeadTime, build_report
from orderflow.domain.errors import OrderflowError
from orderflow.domain.holds import HoldType
from orderflow.domain.order import OrderStatus
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
    flow, carrier = build_engine(url, clock)
    try:
        flow.upgrade_schema()
        sim = ShopSimulation(flow, carrier, clock, seed, run=uuid.uuid4().hex[:6].upper())
        sim.open_shop()
        started = time.perf_counter()
        with _progress() as progress:
            task = progress.add_task("simulating orders", total=count)
            for i in range(count):
                sim.step(i)
                progress.advance(task)
            sim.finish()
        elapsed = time.perf_counter() - started
        _demo_summary(flow, sim, elapsed, url)
    finally:
        flow.close()


@contextmanager
def _progress(*, transient: bool = False) -> Iterator[Progress]:
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=transient,
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
    for what, n in (
        ("holds released", report.holds_released),
        ("notes written", report.notes),
        ("marketplace retries de-duplicated", report.retries_deduplicated),
        ("weekly restocks received", report.restocks),
        ("parcels shipped", report.shipments),
        ("scans refused (wrong item)", report.scans_refused),
        ("orders flagged late", len(report.late)),
        ("damage claims (replacement sent)", report.claims),
        ("returns refunded", report.returns_refunded),
        ("exchanges shipped", report.exchanges),
        ("customer notifications sent", len(sim.mail.sent)),
        ("shop alerts sent", len(sim.alerts.sent)),
    ):
        table.add_row(what, str(n))
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
@click.option("--late", is_flag=True, help="Only orders flagged late to ship or to deliver.")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 100_000))
@db_option
@json_option
@friendly_errors
def orders(
    status: str | None,
    hold_type: str | None,
    channel: str | None,
    customer_id: str | None,
    late: bool,
    limit: int,
    db: str | None,
    as_json: bool,
) -> None:
    """List orders, oldest first, filtered by status, active hold, channel, customer or lateness."""
    flow = open_flow(db)
    rows = flow.find_orders(
        status=status,
        hold_type=hold_type,
        channel=channel,
        customer_id=customer_id,
        limit=1_000_000_000 if late else limit,
    )
    if late:
        flagged = (r for r in rows if any(e.event == "OrderLate" for e in flow.history(r.number)))
        rows = list(itertools.islice(flagged, limit))
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
    "--format",
    "fmt",
    type=click.Choice(["mermaid", "svg", "png"]),
    default="mermaid",
    show_default=True,
)
@click.option(
    "--lifecycle",
    "names",
    type=click.Choice(sorted(diagrams.LIFECYCLES)),
    multiple=True,
    help="Only this lifecycle (repeatable) [default: all].",
)
@click.option(
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("diagrams"),
    show_default=True,
    help="Directory for svg and png files.",
)
@friendly_errors
def diagram(fmt: str, names: tuple[str, ...], output: Path) -> None:
    """Every lifecycle as a diagram: Mermaid text on standard output, or SVG/PNG files."""
    chosen = {name: diagrams.LIFECYCLES[name] for name in names or diagrams.LIFECYCLES}
    if fmt == "mermaid":
        click.echo("\n\n".join(f"%% {n} lifecycle\n{lc.mermaid()}" for n, lc in chosen.items()))
        return
    output.mkdir(parents=True, exist_ok=True)
    for name, lifecycle in chosen.items():
        path = output / f"{name}.{fmt}"
        if fmt == "svg":
            path.write_text(diagrams.svg(lifecycle))
        else:
            path.write_bytes(diagrams.png(lifecycle))
        click.echo(str(path))


@cli.command()
@db_option
@json_option
@friendly_errors
def report(db: str | None, as_json: bool) -> None:
    """Orders per state, lead times, late orders, order accuracy and activity per actor."""
    flow = open_flow(db)
    total = len(flow.find_orders(limit=1_000_000_000))
    with _progress(transient=True) as progress:
        task = progress.add_task("reading order histories", total=total)
        result = build_report(flow, progress=lambda n: progress.advance(task, n))
    if as_json:
        print_json(result)
        return
    table = Table(title=f"report: {result.orders} orders")
    table.add_column("what")
    table.add_column("value", justify="right")
    for status, n in result.by_status.items():
        table.add_row(f"orders {status}", str(n))
    table.add_row("placement to shipment", _hours(result.to_shipment))
    table.add_row("placement to delivery", _hours(result.to_delivery))
    table.add_row("late to ship", str(result.late_to_ship))
    table.add_row("late to deliver", str(result.late_to_deliver))
    table.add_row("scan errors (refused scans)", str(result.scan_errors))
    table.add_row("claims", str(result.claims))
    accuracy = "" if result.accuracy is None else f"{result.accuracy:.1%}"
    table.add_row("order accuracy (shipped orders without a claim)", accuracy)
    console.print(table)
    actors = Table(title="activity per actor")
    actors.add_column("actor")
    actors.add_column("events", justify="right")
    for actor, n in result.by_actor.items():
        actors.add_row(actor, str(n))
    console.print(actors)


def _hours(lead: LeadTime) -> str:
    if lead.mean_hours is None or lead.p95_hours is None:
        return "no orders yet"
    return f"mean {lead.mean_hours:.1f} h, p95 {lead.p95_hours:.1f} h ({lead.orders} orders)"


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
