"""Demand forecasting and replenishment: exponential smoothing with optional weekly seasonality.

Pure arithmetic on a daily demand series (units per day, oldest first). With at least two full
seasons of history the forecast is additive Holt-Winters without trend (level + day-of-week
index); otherwise it is simple exponential smoothing.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, timedelta

from attrs import frozen

from orderflow.domain.errors import ValidationError


def forecast_demand(
    history: Sequence[float],
    *,
    horizon: int,
    alpha: float = 0.3,
    gamma: float = 0.2,
    season: int | None = 7,
) -> list[float]:
    """Expected units per day for the next ``horizon`` days (never negative)."""
    if not 0 < alpha <= 1 or not 0 <= gamma <= 1:
        raise ValidationError.single("alpha", "smoothing factors must lie in (0, 1]")
    if horizon < 0:
        raise ValidationError.single("horizon", "must not be negative")
    if not history:
        return [0.0] * horizon
    if season is None or len(history) < 2 * season:
        level = float(history[0])
        for x in history[1:]:
            level = alpha * x + (1 - alpha) * level
        return [max(level, 0.0)] * horizon
    first = history[:season]
    level = sum(first) / season
    seasonal = [x - level for x in first]
    for t in range(season, len(history)):
        x, s = history[t], seasonal[t % season]
        level = alpha * (x - s) + (1 - alpha) * level
        seasonal[t % season] = gamma * (x - level) + (1 - gamma) * s
    n = len(history)
    return [max(level + seasonal[(n + h) % season], 0.0) for h in range(horizon)]


@frozen(kw_only=True)
class Replenishment:
    """What to buy for one (sku, location), and when it runs out without buying."""

    sku: str
    location: str
    available: int
    reorder_point: int
    daily_demand: float
    suggested_quantity: int
    runs_out_on: date | None

    @property
    def below_reorder_point(self) -> bool:
        """Whether available stock is at or under the reorder point."""
        return self.available <= self.reorder_point


def plan_replenishment(
    *,
    sku: str,
    location: str,
    available: int,
    reorder_point: int,
    reorder_quantity: int,
    history: Sequence[float],
    today: date,
    lead_time_days: int,
    review_days: int = 7,
    horizon: int = 90,
    season: int | None = 7,
) -> Replenishment:
    """Suggest a purchase covering lead time plus review period of demand, over the reorder point.

    The quantity is rounded up to whole multiples of ``reorder_quantity`` when one is set.
    """
    daily = forecast_demand(
        history, horizon=max(horizon, lead_time_days + review_days), season=season
    )
    cover = math.ceil(sum(daily[: lead_time_days + review_days]))
    need = max(cover + reorder_point - available, 0)
    if need and reorder_quantity > 0:
        need = math.ceil(need / reorder_quantity) * reorder_quantity
    runs_out_on = None
    stock = float(available)
    for day, demand in enumerate(daily):
        stock -= demand
        if stock < 0:
            runs_out_on = today + timedelta(days=day)
            break
    return Replenishment(
        sku=sku,
        location=location,
        available=available,
        reorder_point=reorder_point,
        daily_demand=sum(daily[:7]) / 7 if daily else 0.0,
        suggested_quantity=need,
        runs_out_on=runs_out_on,
    )
