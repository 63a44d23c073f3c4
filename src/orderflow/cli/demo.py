"""The demo: a simulated shop taking orders from several channels through every path there is.

The simulation only uses the public ``OrderFlow`` facade, so it doubles as an end-to-end example.
It is seeded: the same seed makes the same decisions.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from attrs import define, field

from orderflow.adapters.clock import ManualClock
from orderflow.domain.inventory import Location
from orderflow.domain.money import Money
from orderflow.engine import OrderFlow
from orderflow.ports import CatalogItem

CATALOG = [
    CatalogItem(sku="MUG-CLASSIC", name="Classic mug", price=Money.of("9.50", "EUR")),
    CatalogItem(sku="TEE-ORGANIC-M", name="Organic T-shirt M", price=Money.of("24.00", "EUR")),
    CatalogItem(sku="TEE-ORGANIC-L", name="Organic T-shirt L", price=Money.of("24.00", "EUR")),
    CatalogItem(sku="BAG-CANVAS", name="Canvas bag", price=Money.of("14.90", "EUR")),
    CatalogItem(sku="CAP-WOOL", name="Wool cap", price=Money.of("19.00", "EUR")),
    CatalogItem(sku="LAMP-DESK", name="Desk lamp", price=Money.of("89.00", "EUR")),
    CatalogItem(sku="CHAIR-OAK", name="Oak chair", price=Money.of("249.00", "EUR")),
]

CUSTOMERS = [
    ("c-101", "Ann Lee", "ann@example.com", "10115", "Berlin"),
    ("c-102", "Bo Chen", "bo@example.com", "20095", "Hamburg"),
    ("c-103", "Cy Diaz", "cy@example.com", "80331", "Munich"),
    ("c-104", "Dee Khan", "dee@example.com", "50667", "Cologne"),
    ("c-105", "Eli Roth", "eli@example.com", "60311", "Frankfurt"),
]

LOCATIONS = [
    Location(code="BER", name="Berlin DC", country="DE", priority=1, ships_to=("DE", "PL")),
    Location(code="MUC", name="Munich DC", country="DE", priority=2, ships_to=("DE", "AT")),
]

#: Opening stock per (sku, location); the scarce skus exercise backorders and stock holds.
OPENING_STOCK = {
    **{(item.sku, "BER"): 120 for item in CATALOG[:5]},
    **{(item.sku, "MUC"): 80 for item in CATALOG[:5]},
    ("CAP-WOOL", "BER"): 6,
    ("CAP-WOOL", "MUC"): 0,
    ("LAMP-DESK", "MUC"): 3,
    ("CHAIR-OAK", "BER"): 40,
}

#: Scenario name and its weight in the simulated order mix.
SCENARIOS: dict[str, int] = {
    "happy path": 44,
    "backorder": 6,
    "stock hold": 4,
    "address hold": 10,
    "missing contact": 8,
    "price mismatch": 6,
    "fraud review approved": 6,
    "fraud review rejected": 4,
    "customer cancels": 8,
    "marketplace retry": 8,
}

STAFF = ["alice", "bob", "carol"]


@define
class DemoReport:
    """What the simulation did."""

    orders: int = 0
    scenarios: Counter[str] = field(factory=Counter)
    holds_placed: Counter[str] = field(factory=Counter)
    holds_released: int = 0
    notes: int = 0
    retries_deduplicated: int = 0
    restocks: int = 0
    numbers: list[str] = field(factory=list)


class ShopSimulation:
    """Drives an engine with a seeded, plausible day of orders."""

    def __init__(self, flow: OrderFlow, clock: ManualClock, seed: int, run: str) -> None:
        self.flow = flow
        self.clock = clock
        self.rng = random.Random(seed)
        self.run = run
        self.report = DemoReport()
        self._scenarios: dict[str, Callable[[int], str]] = {
            "happy path": self._happy,
            "address hold": self._address_hold,
            "missing contact": self._missing_contact,
            "price mismatch": self._price_mismatch,
            "fraud review approved": lambda i: self._fraud_review(i, approve=True),
            "fraud review rejected": lambda i: self._fraud_review(i, approve=False),
            "customer cancels": self._customer_cancels,
            "backorder": lambda i: self._scarce(i, "CAP-WOOL", "Wool cap", "19.00"),
            "stock hold": lambda i: self._scarce(i, "LAMP-DESK", "Desk lamp", "89.00"),
            "marketplace retry": self._marketplace_retry,
        }

    def open_shop(self) -> None:
        """Locations, sku policies and opening stock."""
        for site in LOCATIONS:
            self.flow.add_location(site)
        self.flow.set_sku_policy("CAP-WOOL", shortage="backorder", lead_time_days=10)
        self.flow.set_sku_policy("LAMP-DESK", shortage="hold", lead_time_days=5)
        for (sku, location), quantity in OPENING_STOCK.items():
            if quantity:
                cost = next(i.price for i in CATALOG if i.sku == sku).allocate([2, 3])[0]
                self.flow.receive_stock(sku, location, quantity, unit_cost=cost, actor="ops")
            self.flow.set_reorder(sku, location, point=10, quantity=24)

    def step(self, i: int) -> None:
        """Simulate the ``i``-th order of the run."""
        self.clock.advance(timedelta(minutes=self.rng.randint(1, 25)))
        name = self.rng.choices(list(SCENARIOS), weights=list(SCENARIOS.values()))[0]
        number = self._scenarios[name](i)
        self.report.orders += 1
        self.report.scenarios[name] += 1
        self.report.numbers.append(number)
        if i % 25 == 24:
            self._restock()

    def _restock(self) -> None:
        """The weekly delivery: scarce skus arrive and fill backorders, oldest first."""
        self.flow.receive_stock("CAP-WOOL", "MUC", 4, actor="ops", reference="PO-weekly")
        self.flow.receive_stock("LAMP-DESK", "MUC", 2, actor="ops", reference="PO-weekly")
        self.report.restocks += 1
        for row in self.flow.find_orders(status="verified", limit=10_000):
            if not row.hold_types:
                self._confirm(row.number)

    # -- payloads -------------------------------------------------------------------------------

    def _order(self, i: int, channel: str = "web", **overrides: Any) -> dict[str, Any]:
        cid, name, email, postcode, city = self.rng.choice(CUSTOMERS)
        items = self.rng.sample(CATALOG[:5], k=self.rng.randint(1, 3))
        data: dict[str, Any] = {
            "channel": channel,
            "external_reference": f"{channel.upper()}-{self.run}-{i:05d}",
            "currency": "EUR",
            "customer": {"id": cid, "name": name, "email": email},
            "shipping_address": {
                "name": name,
                "line1": f"{self.rng.choice(['Hauptstr.', 'Bahnhofstr.', 'Gartenweg'])} "
                f"{self.rng.randint(1, 99)}",
                "city": city,
                "postal_code": postcode,
                "country": "DE",
            },
            "lines": [
                {
                    "sku": item.sku,
                    "name": item.name,
                    "quantity": self.rng.randint(1, 3),
                    "unit_price": str(item.price.to_decimal()),
                    "tax_rate": "0.19",
                }
                for item in items
            ],
            "shipping": self.rng.choice(["0", "4.95"]),
            "shipping_tax_rate": "0.19",
            "shipping_option": self.rng.choice(["standard", "express"]),
            "payment_method": {"token": f"tok_{i:06d}", "brand": "visa", "last4": "4242"},
        }
        data.update(overrides)
        return data

    def _staff(self) -> str:
        return self.rng.choice(STAFF)

    def _later(self, minutes: int = 30) -> None:
        self.clock.advance(timedelta(minutes=self.rng.randint(1, minutes)))

    def _verify(self, number: str) -> list[str]:
        order = self.flow.verify_order(number, actor="system:verifier")
        held = [h.type.value for h in order.active_holds(self.clock.now())]
        self.report.holds_placed.update(held)
        return held

    def _release_all(self, number: str, reason: str) -> None:
        for hold in self.flow.get_order(number).active_holds(self.clock.now()):
            self._later()
            self.flow.release_hold(number, hold.type, reason=reason, actor=self._staff())
            self.report.holds_released += 1

    def _note(self, number: str, text: str) -> None:
        self.flow.add_note(number, text, actor=self._staff())
        self.report.notes += 1

    # -- scenarios ------------------------------------------------------------------------------

    def _confirm(self, number: str) -> None:
        order = self.flow.get_order(number)
        if order.status.value == "verified" and not order.active_holds(self.clock.now()):
            held = self.flow.confirm_order(number, actor="system:confirmer")
            self.report.holds_placed.update(
                h.type.value for h in held.active_holds(self.clock.now())
            )

    def _happy(self, i: int) -> str:
        channel = self.rng.choice(["web", "web", "mobile", "pos"])
        number = self.flow.place_order(self._order(i, channel), actor=f"integration:{channel}")
        self._verify(number.number)
        self._confirm(number.number)
        return number.number

    def _scarce(self, i: int, sku: str, name: str, price: str) -> str:
        line = {
            "sku": sku,
            "name": name,
            "quantity": self.rng.randint(1, 3),
            "unit_price": price,
            "tax_rate": "0.19",
        }
        number = self.flow.place_order(self._order(i, lines=[line]), actor="integration:web").number
        self._verify(number)
        self._confirm(number)
        return number

    def _address_hold(self, i: int) -> str:
        data = self._order(i)
        data["shipping_address"] = {**data["shipping_address"], "postal_code": "1O115"}
        number = self.flow.place_order(data, actor="integration:web").number
        self._verify(number)
        self._note(number, "called customer: postcode typo, 10115 confirmed")
        self._release_all(number, "address confirmed with the customer by phone")
        self._confirm(number)
        return number

    def _missing_contact(self, i: int) -> str:
        data = self._order(i, "phone")
        data["customer"] = {"id": data["customer"]["id"], "name": data["customer"]["name"]}
        number = self.flow.place_order(data, actor=self._staff()).number
        self._verify(number)
        self._release_all(number, "customer gave a phone number by e-mail")
        self._confirm(number)
        return number

    def _price_mismatch(self, i: int) -> str:
        data = self._order(i, "marketplace")
        data["lines"][0]["unit_price"] = "7.99"
        number = self.flow.place_order(data, actor="integration:marketplace").number
        self._verify(number)
        self._release_all(number, "marketplace promotion honoured")
        self._confirm(number)
        return number

    def _fraud_review(self, i: int, *, approve: bool) -> str:
        lines = [
            {
                "sku": "CHAIR-OAK",
                "name": "Oak chair",
                "quantity": 4,
                "unit_price": "249.00",
                "tax_rate": "0.19",
            }
        ]
        number = self.flow.place_order(self._order(i, lines=lines), actor="integration:web").number
        self._verify(number)
        self.flow.place_hold(
            number,
            "fraud_review",
            reason="first order above 800.00 EUR",
            actor="system:fraud",
            expires_at=self.clock.now() + timedelta(hours=24),
        )
        self.report.holds_placed["fraud_review"] += 1
        self._later(90)
        if approve:
            self._release_all(number, "reviewed: known customer, billing matches")
            self._confirm(number)
        else:
            self.flow.cancel_order(
                number, reason="fraud review: card reported stolen", actor=self._staff()
            )
        return number

    def _customer_cancels(self, i: int) -> str:
        number = self.flow.place_order(self._order(i, "email"), actor=self._staff()).number
        self._verify(number)
        self._confirm(number)
        self._later(120)
        self._note(number, "customer e-mailed: ordered the wrong size")
        self.flow.cancel_order(number, reason="customer request", actor=self._staff())
        return number

    def _marketplace_retry(self, i: int) -> str:
        data = self._order(i, "marketplace")
        first = self.flow.place_order(data, actor="integration:marketplace")
        again = self.flow.place_order(data, actor="integration:marketplace")
        assert again.number == first.number, "a retried placement created a second order"
        self.report.retries_deduplicated += 1
        self._verify(first.number)
        return first.number
