"""Demand forecasting and replenishment suggestions."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orderflow import ValidationError
from orderflow.domain.forecast import forecast_demand, plan_replenishment

WEEK = [10, 12, 11, 13, 30, 40, 5]


def test_weekly_seasonality_is_learned() -> None:
    forecast = forecast_demand(WEEK * 6, horizon=14)
    assert [round(x) for x in forecast] == WEEK * 2


def test_short_history_uses_simple_smoothing() -> None:
    assert forecast_demand([10, 10, 10], horizon=3) == [10.0, 10.0, 10.0]
    assert forecast_demand([], horizon=2) == [0.0, 0.0]
    flat = forecast_demand(WEEK * 6, horizon=3, season=None)
    assert len(set(flat)) == 1


@given(st.lists(st.integers(0, 500), max_size=60), st.integers(0, 30), st.sampled_from([None, 7]))
def test_forecast_is_never_negative(history: list[int], horizon: int, season: int | None) -> None:
    forecast = forecast_demand(history, horizon=horizon, season=season)
    assert len(forecast) == horizon
    assert all(x >= 0 for x in forecast)


def test_bad_parameters() -> None:
    with pytest.raises(ValidationError):
        forecast_demand([1], horizon=1, alpha=0)
    with pytest.raises(ValidationError):
        forecast_demand([1], horizon=-1)


def test_replenishment_covers_lead_time_and_rounds_to_order_quantity() -> None:
    plan = plan_replenishment(
        sku="A", location="L", available=100, reorder_point=20, reorder_quantity=50,
        history=WEEK * 6, today=date(2026, 1, 1), lead_time_days=5,
    )  # fmt: skip
    assert plan.suggested_quantity == 150  # 12 days of demand (197) + 20 - 100 = 117 -> 150
    assert plan.runs_out_on == date(2026, 1, 6)
    assert not plan.below_reorder_point


def test_no_demand_needs_nothing_beyond_the_reorder_point() -> None:
    plan = plan_replenishment(
        sku="A", location="L", available=5, reorder_point=10, reorder_quantity=0,
        history=[0] * 20, today=date(2026, 1, 1), lead_time_days=3,
    )  # fmt: skip
    assert (plan.suggested_quantity, plan.runs_out_on, plan.below_reorder_point) == (5, None, True)
