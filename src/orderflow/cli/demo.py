"""The demo: a simulated shop taking orders from several channels through every path there is.

Two distribution centres, a payment gateway that declines some cards, a fraud screen, a carrier
with tracking, returns under a policy and a digital product. The simulation only uses the public
``OrderFlow`` facade, so it doubles as an end-to-end example. It is seeded: the same seed makes
the same decisions.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from functools import partial
from typing import Any

from attrs import define, field

from orderflow.adapters.carrier import FakeCarrier
from orderflow.adapters.clock import ManualClock
from orderflow.adapters.digital import SignedDigitalGoods
from orderflow.adapters.gateway import FakeGateway, FakeGatewayScript
from orderflow.adapters.notify import RecordingNotifier
from orderflow.adapters.reference import InMemoryCatalog
from orderflow.application.services import CaptureMode, PaymentSettings
from orderflow.domain.fraud import FraudPolicy, FraudRules, RuleBasedFraudScreen
from orderflow.domain.inventory import Location
from orderflow.domain.money import Money
from orderflow.domain.order import OrderStatus
from orderflow.domain.returns import CategoryRule, ReturnPolicy
from orderflow.domain.shipping import Package, ShipmentStatus
from orderflow.domain.values import Address, LineKind, PaymentMethod
from orderflow.engine import OrderFlow
from orderflow.ports import CatalogItem


def _item(sku: str, name: str, price: str, code: str, **kw: Any) -> CatalogItem:
    return CatalogItem(sku=sku, name=name, price=Money.of(price, "EUR"), barcodes=(code,), **kw)


CATALOG = [
    _item("MUG-CLASSIC", "Classic mug", "9.50", "4006381333931"),
    _item("TEE-ORGANIC-M", "Organic T-shirt M", "24.00", "4006381333948", category="apparel"),
    _item("TEE-ORGANIC-L", "Organic T-shirt L", "24.00", "4006381333955", category="apparel"),
    _item("BAG-CANVAS", "Canvas bag", "14.90", "4006381333962"),
    _item("CAP-WOOL", "Wool cap", "19.00", "4006381333979", category="apparel"),
    _item("LAMP-DESK", "Desk lamp", "89.00", "4006381333986"),
    _item("CHAIR-OAK", "Oak chair", "249.00", "4006381333993"),
    _item(
        "EBOOK-GUIDE",
        "Shop guide (e-book)",
        "7.99",
        "4006381334006",
        kind=LineKind.DIGITAL,
        category="digital",
    ),
]
PRICES = {item.sku: item.price for item in CATALOG}
EVERYDAY = CATALOG[:3]

CUSTOMERS = [
    ("c-101", "Ann Lee", "ann@example.com", "10115", "Berlin"),
    ("c-102", "Bo Chen", "bo@example.com", "20095", "Hamburg"),
    ("c-103", "Cy Diaz", "cy@example.com", "80331", "Munich"),
    ("c-104", "Dee Khan", "dee@example.com", "50667", "Cologne"),
    ("c-105", "Eli Roth", "eli@example.com", "60311", "Frankfurt"),
]


def _dc(code: str, name: str, city: str, postcode: str, priority: int) -> Location:
    address = Address(
        name=name, line1="Logistikring 1", city=city, postal_code=postcode, country="DE"
    )
    return Location(
        code=code,
        name=name,
        country="DE",
        priority=priority,
        ships_to=("DE", "AT", "PL"),
        timezone="Europe/Berlin",
        address=address,
    )


LOCATIONS = [
    _dc("BER", "Berlin DC", "Berlin", "12529", 1),
    _dc("MUC", "Munich DC", "Munich", "85356", 2),
]

#: Opening stock per (sku, location): the canvas bag only in Munich makes split shipments, the
#: scarce cap and lamp make backorders and stock holds.
OPENING_STOCK = {
    **{(sku, "BER"): 400 for sku in ("MUG-CLASSIC", "TEE-ORGANIC-M", "TEE-ORGANIC-L")},
    **{(sku, "MUC"): 200 for sku in ("MUG-CLASSIC", "TEE-ORGANIC-M", "TEE-ORGANIC-L")},
    ("BAG-CANVAS", "MUC"): 300,
    ("CAP-WOOL", "BER"): 6,
    ("LAMP-DESK", "MUC"): 3,
    ("CHAIR-OAK", "BER"): 60,
}

#: Scenario name and its weight in the simulated order mix.
SCENARIOS: dict[str, int] = {
    "happy path": 30,
    "split shipment": 8,
    "digital download": 4,
    "address hold": 6,
    "missing contact": 4,
    "price mismatch": 4,
    "payment declined": 5,
    "fraud review approved": 4,
    "fraud review rejected": 3,
    "backorder": 4,
    "stock hold": 3,
    "customer cancels": 5,
    "marketplace retry": 5,
    "late delivery": 5,
    "damaged-item claim": 4,
    "return with refund": 5,
    "exchange": 4,
}

#: What happens once an order's parcels arrive, per scenario (the rest just complete).
AFTER_DELIVERY = ("damaged-item claim", "return with refund", "exchange")
STAFF = ["alice", "bob", "carol"]
#: The order states in which more of an order can be planned for shipment.
SHIPPING = (OrderStatus.CONFIRMED, OrderStatus.IN_FULFILMENT, OrderStatus.PARTIALLY_SHIPPED)
DEMO_SECRET = b"orderflow demo licence secret"


def build_engine(url: str, clock: ManualClock) -> tuple[OrderFlow, FakeCarrier]:
    """The demo shop's engine on ``url``: every capability switched on, with fakes outside."""
    carrier = FakeCarrier()
    flow = OrderFlow.from_url(
        url,
        clock=clock,
        catalog=InMemoryCatalog(CATALOG),
        gateway=FakeGateway(clock, FakeGatewayScript(decline_tokens={"tok_declined"})),
        payment_settings=PaymentSettings(capture=CaptureMode.ON_SHIP, sleep=lambda _: None),
        fraud_screen=RuleBasedFraudScreen(
            FraudRules(first_order_limit=Money.of("500", "EUR"), first_order_points=60)
        ),
        fraud_policy=FraudPolicy(review_at=50, reject_at=95),
        carrier=carrier,
        digital_goods=SignedDigitalGoods(DEMO_SECRET, {"EBOOK-GUIDE": "https://dl.example.com"}),
        return_policy=ReturnPolicy(
            default=CategoryRule(window_days=30, restocking_fee=Decimal("0.10")),
            categories={"digital": CategoryRule(returnable=False)},
        ),
    )
    return flow, carrier


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
    shipments: int = 0
    scans_refused: int = 0
    late: set[str] = field(factory=set)
    claims: int = 0
    returns_refunded: int = 0
    exchanges: int = 0
    numbers: list[str] = field(factory=list)


class ShopSimulation:
    """Drives an engine with a seeded, plausible stretch of trading."""

    def __init__(
        self, flow: OrderFlow, carrier: FakeCarrier, clock: ManualClock, seed: int, run: str
    ) -> None:
        self.flow = flow
        self.carrier = carrier
        self.clock = clock
        self.rng = random.Random(seed)
        self.run = run
        self.report = DemoReport()
        self.parcels: dict[str, str] = {}  # tracking number -> order number, on their way
        self.delayed: dict[str, int] = {}  # order number -> carrier days it is still held up
        self.after: dict[str, str] = {}  # order number -> its scenario once delivered
        self.waiting: list[str] = []  # confirmed orders waiting for stock
        self.mail, self.alerts = RecordingNotifier(), RecordingNotifier()
        flow.add_notifier("email", self.mail)
        flow.add_notifier("ops", self.alerts, audience="shop", recipient="ops@shop.example")
        self._scenarios: dict[str, Callable[[int], str]] = {
            "happy path": self._happy,
            "split shipment": self._split,
            "digital download": self._digital,
            "address hold": self._address_hold,
            "missing contact": self._missing_contact,
            "price mismatch": self._price_mismatch,
            "payment declined": self._payment_declined,
            "fraud review approved": lambda i: self._fraud_review(i, approve=True),
            "fraud review rejected": lambda i: self._fraud_review(i, approve=False),
            "customer cancels": self._customer_cancels,
            "backorder": lambda i: self._scarce(i, "CAP-WOOL"),
            "stock hold": lambda i: self._scarce(i, "LAMP-DESK"),
            "marketplace retry": self._marketplace_retry,
            "late delivery": self._late,
            **{name: partial(self._to_deliver, scenario=name) for name in AFTER_DELIVERY},
        }

    def open_shop(self) -> None:
        """Locations, sku policies, bins and opening stock."""
        for site in LOCATIONS:
            self.flow.add_location(site)
        self.flow.set_sku_policy("CAP-WOOL", shortage="backorder", lead_time_days=10)
        self.flow.set_sku_policy("LAMP-DESK", shortage="hold", lead_time_days=5)
        bins = self.flow.services.fulfilment.bins
        for n, item in enumerate(CATALOG):
            for site in LOCATIONS:
                bins[(item.sku, site.code)] = f"{'ABCDEFGH'[n]}-{n + 1:02d}"
        for (sku, location), quantity in OPENING_STOCK.items():
            cost = PRICES[sku].allocate([2, 3])[0]
            self.flow.receive_stock(sku, location, quantity, unit_cost=cost, actor="ops")
            self.flow.set_reorder(sku, location, point=10, quantity=24)

    def step(self, i: int) -> None:
        """Simulate the ``i``-th order of the run; every few orders a day passes."""
        self.clock.advance(timedelta(minutes=self.rng.randint(1, 25)))
        name = self.rng.choices(list(SCENARIOS), weights=list(SCENARIOS.values()))[0]
        number = self._scenarios[name](i)
        self.report.orders += 1
        self.report.scenarios[name] += 1
        self.report.numbers.append(number)
        if i % 8 == 7:
            self.next_day()
        if i % 25 == 24:
            self._restock()

    def finish(self) -> None:
        """A last delivery of stock, then the carrier delivers what is on its way."""
        self._restock()
        for _ in range(12):
            if not self.parcels:
                break
            self.next_day()
        self.send_notifications()

    # -- days and deliveries --------------------------------------------------------------------

    def next_day(self) -> None:
        """A day passes: the carrier moves parcels, late orders are flagged, arrivals handled."""
        self.clock.advance(timedelta(days=1))
        now = self.clock.now()
        for tracking, number in list(self.parcels.items()):
            if self.delayed.get(number, 0) > 0:
                if self.delayed[number] == 3:
                    self.carrier.push(tracking, ShipmentStatus.EXCEPTION, now, "weather delay")
                self.delayed[number] -= 1
                continue
            self.carrier.push(tracking, ShipmentStatus.DELIVERED, now, "handed to the customer")
        self.flow.refresh_tracking()
        self.report.late.update(late.number for late in self.flow.flag_late_orders())
        arrived = {
            s.tracking_number
            for number in set(self.parcels.values())
            for s in self.flow.shipments(number)
            if s.status is ShipmentStatus.DELIVERED
        }
        done = {n for t, n in self.parcels.items() if t in arrived}
        self.parcels = {t: n for t, n in self.parcels.items() if t not in arrived}
        for number in sorted(done):
            self._delivered(number)
        self.send_notifications()

    def send_notifications(self) -> None:
        """What the outbox relay does in a shop: deliver every due message."""
        while self.flow.dispatch_pending(limit=500).claimed:
            pass

    def _delivered(self, number: str) -> None:
        scenario = self.after.pop(number, None)
        if scenario == "damaged-item claim":
            self._claim(number)
        elif scenario == "return with refund":
            self._return(number, exchange=False)
        elif scenario == "exchange":
            self._return(number, exchange=True)
        self._complete(number)

    def _complete(self, number: str) -> None:
        if self._status(number) is OrderStatus.DELIVERED and number not in self.parcels.values():
            self.flow.complete_order(number, actor="system:closer")

    def _claim(self, number: str) -> None:
        line = self.flow.get_order(number).lines[0]
        claim = self.flow.open_claim(
            number,
            "damaged",
            {line.sku: 1},
            description="arrived with a cracked handle",
            actor="customer",
        )
        self.report.claims += 1
        self.flow.resolve_claim(claim.id, "replacement", note="new one sent", actor=self._staff())
        self._ship(number)

    def _return(self, number: str, *, exchange: bool) -> None:
        line = next(li for li in self.flow.get_order(number).lines if li.sku.startswith("TEE"))
        reason = "wrong_item" if exchange else "changed_mind"
        rma = self.flow.request_return(
            number, [{"sku": line.sku, "quantity": 1, "reason": reason}], actor="customer"
        )
        self.flow.approve_return(rma.id, location="BER", actor=self._staff())
        self.clock.advance(timedelta(hours=2))
        self.flow.receive_return(rma.id, actor="returns-desk")
        self.flow.inspect_return(rma.id, {line.sku: (1, 0)}, actor="returns-desk")
        if exchange:
            other = "TEE-ORGANIC-L" if line.sku.endswith("-M") else "TEE-ORGANIC-M"
            self.flow.exchange_return(rma.id, {other: 1}, actor=self._staff())
            self.report.exchanges += 1
            self._ship(number)
        else:
            self.flow.refund_return(rma.id, actor=self._staff())
            self.report.returns_refunded += 1

    def _restock(self) -> None:
        """The weekly delivery: scarce skus arrive, fill backorders oldest first, and ship."""
        self.flow.receive_stock("CAP-WOOL", "BER", 4, actor="ops", reference="PO-weekly")
        self.flow.receive_stock("LAMP-DESK", "MUC", 2, actor="ops", reference="PO-weekly")
        self.report.restocks += 1
        for row in self.flow.find_orders(status="verified", limit=10_000):
            if not row.hold_types:
                self._through(row.number)
        for number in list(self.waiting):
            self._ship(number)

    # -- payloads -------------------------------------------------------------------------------

    def _order(self, i: int, channel: str = "web", **overrides: Any) -> dict[str, Any]:
        cid, name, email, postcode, city = self.rng.choice(CUSTOMERS)
        items = self.rng.sample(EVERYDAY[:3], k=self.rng.randint(1, 2))
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
            "lines": [self._line(item.sku, self.rng.randint(1, 3)) for item in items],
            "shipping": self.rng.choice(["0", "4.95"]),
            "shipping_tax_rate": "0.19",
            "shipping_option": self.rng.choice(["standard", "express"]),
            "payment_method": {"token": f"tok_{i:06d}", "brand": "visa", "last4": "4242"},
            "client_ip": f"203.0.113.{self.rng.randint(1, 250)}",
        }
        data.update(overrides)
        return data

    @staticmethod
    def _line(sku: str, quantity: int) -> dict[str, Any]:
        item = next(i for i in CATALOG if i.sku == sku)
        return {
            "sku": sku,
            "name": item.name,
            "quantity": quantity,
            "unit_price": str(item.price.to_decimal()),
            "tax_rate": "0.19",
            "kind": item.kind.value,
        }

    def _staff(self) -> str:
        return self.rng.choice(STAFF)

    def _later(self, minutes: int = 30) -> None:
        self.clock.advance(timedelta(minutes=self.rng.randint(1, minutes)))

    def _status(self, number: str) -> OrderStatus:
        return self.flow.get_order(number).status

    def _place(self, data: dict[str, Any], actor: str | None = None) -> str:
        actor = actor or f"integration:{data['channel']}"
        number = self.flow.place_order(data, actor=actor).number
        order = self.flow.verify_order(number, actor="system:verifier")
        self.report.holds_placed.update(h.type.value for h in order.active_holds(self.clock.now()))
        return number

    def _release_all(self, number: str, reason: str) -> None:
        for hold in self.flow.get_order(number).active_holds(self.clock.now()):
            self._later()
            self.flow.release_hold(number, hold.type, reason=reason, actor=self._staff())
            self.report.holds_released += 1

    def _note(self, number: str, text: str) -> None:
        self.flow.add_note(number, text, actor=self._staff())
        self.report.notes += 1

    # -- the order's way ------------------------------------------------------------------------

    def _confirm(self, number: str) -> None:
        order = self.flow.get_order(number)
        if order.status is OrderStatus.VERIFIED and not order.active_holds(self.clock.now()):
            order = self.flow.confirm_order(number, actor="system:confirmer")
            self.report.holds_placed.update(
                h.type.value for h in order.active_holds(self.clock.now())
            )

    def _ship(self, number: str) -> None:
        """Pick, scan, pack and ship whatever of the order is ready to go."""
        if self._status(number) in SHIPPING:
            self.flow.create_shipments(number)
        pending = [s for s in self.flow.shipments(number) if s.status is ShipmentStatus.PENDING]
        for shipment in pending:
            picker = f"picker-{shipment.location.lower()}"
            self.flow.start_picking(shipment.id, actor=picker)
            if self.rng.random() < 0.1:  # a slip of the hand: the scanner refuses it
                wrong = next(i for i in CATALOG if i.sku not in shipment.units)
                self.flow.scan_item(shipment.id, wrong.barcodes[0], actor=picker)
                self.report.scans_refused += 1
            for line in shipment.lines:
                code = next(i.barcodes[0] for i in CATALOG if i.sku == line.sku)
                for _ in range(line.quantity):
                    self.flow.scan_item(shipment.id, code, actor=picker)
            weight = 300 * sum(line.quantity for line in shipment.lines)
            self.flow.pack_shipment(shipment.id, [Package(weight_g=weight)], actor=picker)
            shipped = self.flow.ship_shipment(shipment.id, actor=picker)
            assert shipped.tracking_number is not None
            self.carrier.push(shipped.tracking_number, ShipmentStatus.IN_TRANSIT, self.clock.now())
            self.parcels[shipped.tracking_number] = number
            self.report.shipments += 1
        status = self._status(number)
        waits = status in (OrderStatus.CONFIRMED, OrderStatus.PARTIALLY_SHIPPED)
        if waits and number not in self.waiting:
            self.waiting.append(number)
        elif not waits and number in self.waiting:
            self.waiting.remove(number)

    def _through(self, number: str) -> str:
        self._confirm(number)
        self._ship(number)
        return number

    # -- scenarios ------------------------------------------------------------------------------

    def _happy(self, i: int) -> str:
        channel = self.rng.choice(["web", "web", "mobile", "pos"])
        return self._through(self._place(self._order(i, channel)))

    def _split(self, i: int) -> str:
        lines = [self._line("MUG-CLASSIC", 1), self._line("BAG-CANVAS", 1)]
        return self._through(self._place(self._order(i, lines=lines)))

    def _digital(self, i: int) -> str:
        data = self._order(i, lines=[self._line("EBOOK-GUIDE", 1)], shipping="0")
        number = self._through(self._place(data))  # delivered at capture: no parcel
        self._complete(number)
        return number

    def _scarce(self, i: int, sku: str) -> str:
        """An order for one unit more than is available: backordered or held, by sku policy."""
        available = sum(level.available for level in self.flow.stock_levels([sku]))
        data = self._order(i, lines=[self._line(sku, max(available, 0) + 1)])
        return self._through(self._place(data))

    def _late(self, i: int) -> str:
        number = self._through(self._place(self._order(i)))
        self.delayed[number] = 6  # the carrier holds it up well past the promised date
        return number

    def _to_deliver(self, i: int, *, scenario: str) -> str:
        lines = [self._line(self.rng.choice(["TEE-ORGANIC-M", "TEE-ORGANIC-L"]), 2)]
        number = self._through(self._place(self._order(i, lines=lines)))
        self.after[number] = scenario
        return number

    def _address_hold(self, i: int) -> str:
        data = self._order(i)
        data["shipping_address"] = {**data["shipping_address"], "postal_code": "1O115"}
        number = self._place(data)
        self._note(number, "called customer: postcode typo, 10115 confirmed")
        self._release_all(number, "address confirmed with the customer by phone")
        return self._through(number)

    def _missing_contact(self, i: int) -> str:
        data = self._order(i, "phone")
        data["customer"] = {"id": data["customer"]["id"], "name": data["customer"]["name"]}
        number = self._place(data, actor=self._staff())
        self._release_all(number, "customer gave a phone number by e-mail")
        return self._through(number)

    def _price_mismatch(self, i: int) -> str:
        data = self._order(i, "marketplace")
        data["lines"][0]["unit_price"] = "7.99"
        number = self._place(data)
        self._release_all(number, "marketplace promotion honoured")
        return self._through(number)

    def _payment_declined(self, i: int) -> str:
        card = {"token": "tok_declined", "brand": "visa", "last4": "0002"}
        number = self._place(self._order(i, payment_method=card))
        self._confirm(number)  # declined: a payment hold
        self.report.holds_placed["payment"] += 1
        self._later(240)
        new_card = PaymentMethod(token=f"tok_new_{i}", brand="mastercard", last4="4444")
        self.flow.change_payment_method(number, new_card, actor="customer")
        self._release_all(number, "customer gave another card")
        return self._through(number)

    def _fraud_review(self, i: int, *, approve: bool) -> str:
        customer = {"id": f"c-new-{i}", "name": "New Customer", "email": f"new{i}@example.net"}
        data = self._order(i, customer=customer, lines=[self._line("CHAIR-OAK", 4)])
        number = self._place(data)  # a first order above 500 EUR: held for review
        self._later(90)
        if approve:
            self.flow.review_fraud(
                number, approve=True, reason="known company, billing matches", actor=self._staff()
            )
            return self._through(number)
        self.flow.review_fraud(
            number, approve=False, reason="card reported stolen", actor=self._staff()
        )
        return number

    def _customer_cancels(self, i: int) -> str:
        number = self._place(self._order(i, "email"), actor=self._staff())
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
        self.flow.verify_order(first.number, actor="system:verifier")
        return self._through(first.number)
