"""Allocation strategies: which locations an order's lines are reserved (and later shipped) from.

A strategy is a pure function of the order's lines, the locations that serve the destination
and their available stock. It may split a line across locations; what it cannot cover is the
shortfall, which the sku's policy turns into a stock hold or a backorder.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

from attrs import field, frozen

from orderflow.domain.inventory import Location


@frozen(kw_only=True)
class Destination:
    """Where an order goes: country, optional region (``DE-BY``) and coordinates."""

    country: str
    region: str | None = None
    postal_code: str | None = None
    latitude: float | None = None
    longitude: float | None = None


@frozen(kw_only=True)
class Pick:
    """Reserve ``quantity`` of ``sku`` at ``location``."""

    sku: str
    location: str
    quantity: int


@frozen(kw_only=True)
class Allocation:
    """A plan: the picks, and what no location could cover (sku -> units)."""

    picks: tuple[Pick, ...]
    shortfall: Mapping[str, int] = field(factory=dict)

    @property
    def locations(self) -> tuple[str, ...]:
        """The locations the order ships from, in plan order."""
        return tuple(dict.fromkeys(p.location for p in self.picks))


#: available[sku][location] -> units that can be reserved there
Availability = Mapping[str, Mapping[str, int]]


class AllocationStrategy(Protocol):
    """Chooses locations for ``lines`` (sku -> units) among those serving the destination."""

    def __call__(
        self,
        lines: Mapping[str, int],
        locations: Sequence[Location],
        available: Availability,
        destination: Destination,
    ) -> Allocation: ...


Rank = Callable[[Location, Destination], Any]


def priority_rank(loc: Location, destination: Destination) -> tuple[int, str]:
    """Lower priority number first, then location code."""
    return loc.priority, loc.code


def _fill(
    lines: Mapping[str, int], ranked: Sequence[Location], available: Availability
) -> Allocation:
    picks: list[Pick] = []
    shortfall: dict[str, int] = {}
    for sku in sorted(lines):
        need = lines[sku]
        for loc in ranked:
            take = min(need, max(available.get(sku, {}).get(loc.code, 0), 0))
            if take:
                picks.append(Pick(sku=sku, location=loc.code, quantity=take))
                need -= take
            if not need:
                break
        if need:
            shortfall[sku] = need
    return Allocation(picks=tuple(picks), shortfall=shortfall)


def _ranked(locations: Sequence[Location], destination: Destination, rank: Rank) -> list[Location]:
    serving = [loc for loc in locations if loc.serves(destination.country, destination.region)]
    return sorted(serving, key=lambda loc: rank(loc, destination))


def by_priority(
    lines: Mapping[str, int],
    locations: Sequence[Location],
    available: Availability,
    destination: Destination,
) -> Allocation:
    """Fill each line from the locations in priority order (then code), splitting as needed."""
    return _fill(lines, _ranked(locations, destination, priority_rank), available)


@frozen
class Nearest:
    """Fill from the nearest locations first.

    Distance comes from ``zones`` ((location, country or region) -> zone number, lower is nearer)
    when it has an entry, else from coordinates (great-circle km), else priority.
    """

    zones: Mapping[tuple[str, str], int] = field(factory=dict)

    def rank(self, loc: Location, destination: Destination) -> tuple[float, int, str]:
        """Zone or distance, then priority and code."""
        for key in (destination.region, destination.country):
            if key is not None and (loc.code, key) in self.zones:
                return float(self.zones[loc.code, key]), loc.priority, loc.code
        here = (loc.latitude, loc.longitude)
        there = (destination.latitude, destination.longitude)
        if None not in here and None not in there:
            return _haversine_km(*here, *there), loc.priority, loc.code  # type: ignore[arg-type]
        return math.inf, loc.priority, loc.code

    def __call__(
        self,
        lines: Mapping[str, int],
        locations: Sequence[Location],
        available: Availability,
        destination: Destination,
    ) -> Allocation:
        return _fill(lines, _ranked(locations, destination, self.rank), available)


@frozen
class FewestShipments:
    """One location with everything if there is one (the best by ``rank``), else split.

    Splitting is greedy: the location covering the most outstanding units goes next.
    """

    rank: Rank = priority_rank

    def __call__(
        self,
        lines: Mapping[str, int],
        locations: Sequence[Location],
        available: Availability,
        destination: Destination,
    ) -> Allocation:
        pool = _ranked(locations, destination, self.rank)

        def at(sku: str, loc: Location) -> int:
            return max(available.get(sku, {}).get(loc.code, 0), 0)

        for loc in pool:
            if all(at(sku, loc) >= qty for sku, qty in lines.items()):
                return _fill(lines, [loc], available)
        remaining, chosen = dict(lines), []
        while pool and any(remaining.values()):
            best = max(pool, key=lambda loc: sum(min(q, at(s, loc)) for s, q in remaining.items()))
            pool.remove(best)
            chosen.append(best)
            remaining = {s: q - min(q, at(s, best)) for s, q in remaining.items()}
        return _fill(lines, chosen, available)


def _haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(a))
