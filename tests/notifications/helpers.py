"""Shared pieces of the notification tests."""

from __future__ import annotations

from typing import Any

from orderflow import ManualClock, OrderFlow
from orderflow.testing.contract import order_data


def customer_order(**customer: Any) -> dict[str, Any]:
    """An order payload whose customer fields are replaced by ``customer``."""
    base = {"id": "c-1", "name": "Ann Lee", "email": "ann@example.com"}
    return order_data(note=None, customer={**base, **customer})


def engine() -> tuple[OrderFlow, ManualClock]:
    clock = ManualClock()
    return OrderFlow.in_memory(clock=clock), clock
