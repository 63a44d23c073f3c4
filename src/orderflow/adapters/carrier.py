"""A table-rate fake carrier: rates by zone and weight, transit days per option, scriptable
tracking events and failures. The reference for real carrier adapters."""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Mapping
from datetime import datetime

from attrs import define, field

from orderflow.domain.errors import ValidationError
from orderflow.domain.money import Money
from orderflow.domain.shipping import Package, ShipmentStatus, TrackingUpdate
from orderflow.domain.values import Address
from orderflow.ports.carriers import CarrierUnavailable, Label, RateQuote

#: (option, transit business days, price multiplier in percent)
OPTIONS: tuple[tuple[str, int, int], ...] = (
    ("standard", 3, 100),
    ("express", 1, 180),
    ("next_day", 1, 250),
)


@define(kw_only=True)
class RateTable:
    """Base price per zone and a surcharge per started kilogram above the first."""

    currency: str = "EUR"
    zone_prices: Mapping[int, int] = field(factory=lambda: {1: 495, 2: 795, 3: 1495})
    per_kg: int = 90
    zones: Mapping[tuple[str, str], int] = field(factory=dict)

    def zone(self, origin: str, destination: str) -> int:
        """1 within a country, 2 to a neighbour listed in ``zones``, else 3."""
        if origin == destination:
            return 1
        return self.zones.get((origin, destination), 3)

    def price(self, zone: int, grams: int, percent: int) -> Money:
        extra_kg = max(0, -(-grams // 1000) - 1)
        return Money(
            (self.zone_prices[zone] + extra_kg * self.per_kg) * percent // 100, self.currency
        )


class FakeCarrier:
    """An in-process carrier whose tracking a test scripts with :meth:`push`."""

    def __init__(self, name: str = "fakepost", rates: RateTable | None = None) -> None:
        self.name = name
        self.rates = rates or RateTable()
        self.fail_next = 0
        self.labels: dict[str, Label] = {}
        self._events: dict[str, list[TrackingUpdate]] = defaultdict(list)
        self._numbers = itertools.count(1)

    def quote(
        self, *, origin: Address, destination: Address, packages: list[Package]
    ) -> list[RateQuote]:
        self._maybe_fail()
        zone = self.rates.zone(origin.country, destination.country)
        grams = sum(p.weight_g for p in packages)
        return [
            RateQuote(
                carrier=self.name,
                option=option,
                price=self.rates.price(zone, grams, percent),
                transit_days=days + zone - 1,
            )
            for option, days, percent in OPTIONS
        ]

    def buy_label(
        self,
        *,
        key: str,
        option: str,
        origin: Address,
        destination: Address,
        packages: list[Package],
    ) -> Label:
        self._maybe_fail()
        if key not in self.labels:
            quote = {
                q.option: q
                for q in self.quote(origin=origin, destination=destination, packages=packages)
            }
            if option not in quote:
                raise ValidationError.single("option", f"{self.name} has no option {option!r}")
            number = f"FP{next(self._numbers):010d}"
            self.labels[key] = Label(
                carrier=self.name,
                option=option,
                tracking_number=number,
                document=f"LABEL {self.name} {number}\nTO {destination.name}, {destination.city}",
                transit_days=quote[option].transit_days,
            )
        return self.labels[key]

    def track(self, tracking_number: str) -> list[TrackingUpdate]:
        self._maybe_fail()
        return list(self._events[tracking_number])

    def push(
        self, tracking_number: str, status: ShipmentStatus, at: datetime, description: str = ""
    ) -> None:
        """Script a tracking event for a tracking number."""
        status = ShipmentStatus(status)  # a plain string is refused here, not when tracked
        events = self._events[tracking_number]
        events.append(
            TrackingUpdate(
                event_id=f"{tracking_number}-{len(events) + 1}",
                status=status,
                at=at,
                description=description or status.value.replace("_", " "),
            )
        )

    def _maybe_fail(self) -> None:
        if self.fail_next > 0:
            self.fail_next -= 1
            raise CarrierUnavailable(f"{self.name}: 503 service unavailable")
