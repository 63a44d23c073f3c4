"""Allocation strategies: complete, never beyond availability, only from serving locations."""

from collections import defaultdict

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orderflow.domain.allocation import (
    Allocation,
    Destination,
    FewestShipments,
    Nearest,
    by_priority,
)
from orderflow.domain.inventory import Location

BERLIN = Location(
    code="BER", name="Berlin DC", country="DE", priority=1, latitude=52.52, longitude=13.40
)
MUNICH = Location(
    code="MUC", name="Munich DC", country="DE", priority=2, latitude=48.14, longitude=11.58
)
PARIS = Location(
    code="PAR",
    name="Paris DC",
    country="FR",
    priority=3,
    ships_to=("FR", "BE"),
    latitude=48.86,
    longitude=2.35,
)
LOCATIONS = [BERLIN, MUNICH, PARIS]
TO_BAVARIA = Destination(country="DE", region="DE-BY", latitude=48.37, longitude=10.90)


def totals(plan: Allocation) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for pick in plan.picks:
        out[pick.sku] += pick.quantity
    return dict(out)


def test_priority_splits_a_line_across_locations() -> None:
    plan = by_priority({"MUG": 5}, LOCATIONS, {"MUG": {"BER": 3, "MUC": 10}}, TO_BAVARIA)
    assert [(p.location, p.quantity) for p in plan.picks] == [("BER", 3), ("MUC", 2)]
    assert plan.shortfall == {}


def test_locations_that_do_not_serve_the_destination_are_skipped() -> None:
    plan = by_priority({"MUG": 5}, LOCATIONS, {"MUG": {"PAR": 10}}, TO_BAVARIA)
    assert plan.picks == ()
    assert plan.shortfall == {"MUG": 5}


def test_nearest_by_coordinates_and_by_zone() -> None:
    available = {"MUG": {"BER": 10, "MUC": 10}}
    assert Nearest()({"MUG": 1}, LOCATIONS, available, TO_BAVARIA).locations == ("MUC",)
    zoned = Nearest(zones={("BER", "DE-BY"): 1, ("MUC", "DE-BY"): 2})
    assert zoned({"MUG": 1}, LOCATIONS, available, TO_BAVARIA).locations == ("BER",)
    no_coordinates = Destination(country="DE")
    assert Nearest()({"MUG": 1}, LOCATIONS, available, no_coordinates).locations == ("BER",)


def test_fewest_shipments_prefers_one_location_with_everything() -> None:
    available = {"MUG": {"BER": 5, "MUC": 5}, "TEE": {"MUC": 5}}
    assert by_priority({"MUG": 2, "TEE": 1}, LOCATIONS, available, TO_BAVARIA).locations == (
        "BER",
        "MUC",
    )
    plan = FewestShipments()({"MUG": 2, "TEE": 1}, LOCATIONS, available, TO_BAVARIA)
    assert plan.locations == ("MUC",)


def test_fewest_shipments_splits_greedily_when_it_must() -> None:
    available = {"A": {"BER": 5}, "B": {"MUC": 5}, "C": {"MUC": 5}}
    plan = FewestShipments()({"A": 1, "B": 1, "C": 1}, LOCATIONS, available, TO_BAVARIA)
    assert sorted(plan.locations) == ["BER", "MUC"]
    assert plan.shortfall == {}


STRATEGIES = [by_priority, Nearest(), FewestShipments(), FewestShipments(rank=Nearest().rank)]


@pytest.mark.parametrize(
    "strategy", STRATEGIES, ids=["priority", "nearest", "fewest", "fewest-nearest"]
)
@given(
    lines=st.dictionaries(st.sampled_from("ABCDE"), st.integers(1, 20), min_size=1),
    stock=st.dictionaries(
        st.tuples(st.sampled_from("ABCDE"), st.sampled_from(["BER", "MUC", "PAR"])),
        st.integers(-3, 25),
    ),
)
def test_every_plan_is_exact_and_feasible(strategy, lines, stock) -> None:  # type: ignore[no-untyped-def]
    available: dict[str, dict[str, int]] = defaultdict(dict)
    for (sku, loc), qty in stock.items():
        available[sku][loc] = qty
    plan = strategy(lines, LOCATIONS, available, TO_BAVARIA)
    got = totals(plan)
    for sku, want in lines.items():
        assert got.get(sku, 0) + plan.shortfall.get(sku, 0) == want
        serving = sum(max(available[sku].get(c, 0), 0) for c in ("BER", "MUC"))
        assert plan.shortfall.get(sku, 0) == max(want - serving, 0)
    for pick in plan.picks:
        assert pick.quantity >= 1
        assert pick.quantity <= available[pick.sku][pick.location]
        assert pick.location != "PAR"
    assert len({(p.sku, p.location) for p in plan.picks}) == len(plan.picks)
