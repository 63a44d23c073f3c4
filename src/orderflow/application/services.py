"""What the use cases run against: ports only, wired by the composition root."""

from __future__ import annotations

import time
from collections.abc import Callable
from enum import StrEnum

from attrs import define, field

from orderflow.domain.allocation import AllocationStrategy, by_priority
from orderflow.domain.calendar import BusinessCalendar
from orderflow.domain.fraud import FraudPolicy
from orderflow.domain.returns import ReturnPolicy
from orderflow.ports import AddressValidator, Catalog, Clock, OrderNumbers, OrderQueries, UnitOfWork
from orderflow.ports.carriers import Carrier
from orderflow.ports.fulfilment import DigitalGoods
from orderflow.ports.payments import PaymentGateway
from orderflow.ports.services import FraudScreen


class CaptureMode(StrEnum):
    """When authorised money is taken."""

    ON_CONFIRM = "on_confirm"
    ON_SHIP = "on_ship"


@define(kw_only=True)
class PaymentSettings:
    """How an engine handles payments: when to capture, how to retry a silent gateway."""

    capture: CaptureMode = CaptureMode.ON_CONFIRM
    gateway_attempts: int = 4
    backoff: float = 0.2
    max_backoff: float = 2.0
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)


def _transit() -> dict[str, int]:
    return {"standard": 3, "express": 1, "next_day": 1}


@define(kw_only=True)
class FulfilmentSettings:
    """Promised dates and shipping rules.

    ``transit_days`` per shipping option is the promise made at placement (the carrier's label
    then gives the expected date); ``partial_shipments`` lets an order ship what is in stock
    while backordered units wait; ``bins`` maps (sku, location) to a bin for pick lists.
    """

    calendar: BusinessCalendar = field(factory=BusinessCalendar)
    transit_days: dict[str, int] = field(factory=_transit)
    partial_shipments: bool = True
    bins: dict[tuple[str, str], str] = field(factory=dict)


@define(kw_only=True)
class Services:
    """The ports one engine uses.

    Without a ``catalog`` prices are not checked; ``allocation`` picks the locations stock is
    reserved from; without a ``gateway`` orderflow does not take payments (the host does).
    """

    uow: Callable[[], UnitOfWork]
    queries: OrderQueries
    clock: Clock
    numbers: OrderNumbers
    address_validator: AddressValidator
    catalog: Catalog | None = None
    allocation: AllocationStrategy = by_priority
    gateway: PaymentGateway | None = None
    fraud_screen: FraudScreen | None = None
    fraud_policy: FraudPolicy = field(factory=FraudPolicy)
    carrier: Carrier | None = None
    digital_goods: DigitalGoods | None = None
    fulfilment: FulfilmentSettings = field(factory=FulfilmentSettings)
    return_policy: ReturnPolicy = field(factory=ReturnPolicy)
    payment_settings: PaymentSettings = field(factory=PaymentSettings)
