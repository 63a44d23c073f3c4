"""The shop report: orders per state, lead times, late orders, order accuracy, activity per actor.

Built from the orders' audit trails alone, so it reads the same on every backend.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime

from attrs import frozen

from orderflow.application.history import HistoryEntry
from orderflow.engine import OrderFlow


@frozen(kw_only=True)
class LeadTime:
    """Hours from placement to a step, over the orders that reached it."""

    orders: int
    mean_hours: float | None
    p95_hours: float | None


@frozen(kw_only=True)
class ShopReport:
    """What the report shows."""

    orders: int
    by_status: dict[str, int]
    to_shipment: LeadTime
    to_delivery: LeadTime
    late_to_ship: int
    late_to_deliver: int
    shipped_orders: int
    scan_errors: int
    claims: int
    accuracy: float | None  # share of shipped orders with no claim
    by_actor: dict[str, int]


def build_report(
    flow: OrderFlow, *, progress: Callable[[int], None] = lambda _: None
) -> ShopReport:
    """Read every order's history once and summarise it; ``progress`` hears of each order."""
    rows = flow.find_orders(limit=1_000_000_000)
    statuses: Counter[str] = Counter()
    actors: Counter[str] = Counter()
    late: Counter[str] = Counter()
    to_ship: list[float] = []
    to_deliver: list[float] = []
    shipped = errors = claims = claimed_orders = 0
    for row in rows:
        trail = flow.history(row.number)
        statuses[row.status.value] += 1
        actors.update(e.actor for e in trail)
        events = Counter(e.event for e in trail)
        late.update(str(e.data.get("kind")) for e in trail if e.event == "OrderLate")
        errors += events["ScanRefused"]
        claims += events["ClaimOpened"]
        if events["ShipmentShipped"]:
            shipped += 1
            claimed_orders += bool(events["ClaimOpened"])
        _hours_to(trail, "ShipmentShipped", to_ship)
        _hours_to(trail, "OrderDelivered", to_deliver)
        progress(1)
    return ShopReport(
        orders=len(rows),
        by_status=dict(sorted(statuses.items())),
        to_shipment=_lead(to_ship),
        to_delivery=_lead(to_deliver),
        late_to_ship=late["ship"],
        late_to_deliver=late["deliver"],
        shipped_orders=shipped,
        scan_errors=errors,
        claims=claims,
        accuracy=(shipped - claimed_orders) / shipped if shipped else None,
        by_actor=dict(actors.most_common()),
    )


def _hours_to(trail: Sequence[HistoryEntry], event: str, into: list[float]) -> None:
    """Append the hours from placement to the first ``event`` of ``trail``, if it happened."""
    placed: datetime = trail[0].occurred_at
    reached = next((e.occurred_at for e in trail if e.event == event), None)
    if reached is not None:
        into.append((reached - placed).total_seconds() / 3600)


def _lead(hours: Iterable[float]) -> LeadTime:
    ordered = sorted(hours)
    if not ordered:
        return LeadTime(orders=0, mean_hours=None, p95_hours=None)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return LeadTime(orders=len(ordered), mean_hours=sum(ordered) / len(ordered), p95_hours=p95)
