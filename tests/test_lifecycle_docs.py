"""docs/lifecycles.md shows every lifecycle's current diagram, so the page cannot go stale."""

import importlib
import pkgutil
from pathlib import Path

import pytest

import orderflow.domain
from orderflow.domain.claims import CLAIM_LIFECYCLE
from orderflow.domain.inventory import RESERVATION_LIFECYCLE
from orderflow.domain.lifecycle import Lifecycle
from orderflow.domain.order import ORDER_LIFECYCLE
from orderflow.domain.payments import PAYMENT_LIFECYCLE
from orderflow.domain.returns import RETURN_LIFECYCLE
from orderflow.domain.shipping import SHIPMENT_LIFECYCLE

PAGE = Path(__file__).resolve().parents[1] / "docs" / "lifecycles.md"
LIFECYCLES = [
    ORDER_LIFECYCLE,
    PAYMENT_LIFECYCLE,
    RESERVATION_LIFECYCLE,
    SHIPMENT_LIFECYCLE,
    CLAIM_LIFECYCLE,
    RETURN_LIFECYCLE,
]


@pytest.mark.parametrize("lifecycle", LIFECYCLES, ids=lambda lc: lc.aggregate)
def test_the_page_shows_the_current_diagram(lifecycle: Lifecycle) -> None:
    block = f"```mermaid\n{lifecycle.mermaid()}\n```"
    assert block in PAGE.read_text(), (
        f"docs/lifecycles.md is out of date for the {lifecycle.aggregate} lifecycle; "
        f"paste this block:\n{block}"
    )


def test_every_lifecycle_of_the_domain_is_listed_here() -> None:
    everywhere = {
        value.aggregate
        for info in pkgutil.iter_modules(orderflow.domain.__path__, "orderflow.domain.")
        for value in vars(importlib.import_module(info.name)).values()
        if isinstance(value, Lifecycle)
    }
    documented = {lc.aggregate for lc in LIFECYCLES}
    assert everywhere == documented, f"add to LIFECYCLES and the page: {everywhere - documented}"


def test_the_page_has_no_other_diagram() -> None:
    assert PAGE.read_text().count("```mermaid") == len(LIFECYCLES)
