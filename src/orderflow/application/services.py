"""What the use cases run against: ports only, wired by the composition root."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Mapping
from enum import StrEnum

from attrs import define, field

from orderflow.domain.allocation import AllocationStrategy, by_priority
from orderflow.domain.calendar import BusinessCalendar
from orderflow.domain.errors import ValidationError
from orderflow.domain.fraud import FraudPolicy
from orderflow.domain.notifications import Audience, NotificationType, Template
from orderflow.domain.order import Order
from orderflow.domain.returns import ReturnPolicy
from orderflow.ports import AddressValidator, Catalog, Clock, OrderNumbers, OrderQueries, UnitOfWork
from orderflow.ports.carriers import Carrier
from orderflow.ports.fulfilment import DigitalGoods
from orderflow.ports.notifications import Notifier, RateLimiter
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


_CHANNEL = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")


def _channel_name(instance: object, attribute: object, value: str) -> None:
    if not (isinstance(value, str) and _CHANNEL.fullmatch(value)):
        raise ValidationError.single(
            "name", f"a channel name is 1-40 lowercase letters, digits, - or _, got {value!r}"
        )


def _types(value: Iterable[NotificationType | str] | None) -> frozenset[NotificationType] | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = [value]
    found = set()
    for item in value:
        try:
            found.add(NotificationType(item))
        except ValueError:
            known = ", ".join(NotificationType)
            raise ValidationError.single(
                "types", f"unknown notification type {item!r}; known: {known}"
            ) from None
    return frozenset(found)


def _audience(value: Audience | str) -> Audience:
    try:
        return Audience(value)
    except ValueError:
        raise ValidationError.single(
            "audience", f"expected customer or shop, got {value!r}"
        ) from None


@define(kw_only=True)
class NotifierChannel:
    """A named channel: a notifier, who it serves, and (optionally) a fixed recipient.

    A ``customer`` channel sends the customer's notifications to the customer's e-mail address
    (or ``recipient``); a ``shop`` channel sends the shop's alerts to ``recipient``. ``types``
    limits the channel to some notification types (None: every type of its audience).
    """

    name: str = field(validator=_channel_name)
    notifier: Notifier
    audience: Audience = field(default=Audience.CUSTOMER, converter=_audience)
    recipient: str | None = None
    types: frozenset[NotificationType] | None = field(default=None, converter=_types)

    def wants(self, notification_type: NotificationType) -> bool:
        """Whether this channel carries ``notification_type``."""
        return notification_type.audience is self.audience and (
            self.types is None or notification_type in self.types
        )


def _templates(
    value: Mapping[tuple[str, NotificationType | str], Template],
) -> dict[tuple[str, NotificationType], Template]:
    checked: dict[tuple[str, NotificationType], Template] = {}
    for (locale, kind), template in value.items():
        where = f"templates[{locale}/{kind}]"
        try:
            notification_type = NotificationType(kind)
        except ValueError:
            raise ValidationError.single(where, "unknown notification type") from None
        if not isinstance(template, Template):
            raise ValidationError.single(where, f"expected a Template, got {template!r}")
        template.check(notification_type, where)
        checked[locale.replace("_", "-").lower(), notification_type] = template
    return checked


def _default_locale(instance: object, attribute: object, value: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError.single("default_locale", f"expected a language tag, got {value!r}")


@define(kw_only=True)
class NotificationSettings:
    """How notifications read: the shop's name, languages, templates and which types go out.

    ``templates`` replace shipped ones (or add languages), keyed by ``(locale, type)``; they are
    checked when set: a placeholder the type does not have is a ValidationError. A customer's
    language is ``locale_of(order)`` when given, else the customer's ``locale``, else
    ``default_locale`` (also the language of the shop's alerts). ``phrases`` add or replace the
    localised words the fields are made of (``{"de": {"unknown_date": "bald"}}``).
    ``types`` limits the notifications that go out at all (None: every type).
    """

    shop_name: str = "our shop"
    default_locale: str = field(default="en", validator=_default_locale)
    templates: dict[tuple[str, NotificationType], Template] = field(
        factory=dict, converter=_templates
    )
    phrases: dict[str, dict[str, str]] = field(factory=dict)
    locale_of: Callable[[Order], str | None] | None = None
    types: frozenset[NotificationType] | None = field(default=None, converter=_types)


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
    notification_settings: NotificationSettings = field(factory=NotificationSettings)
    notifiers: list[NotifierChannel] = field(factory=list)
    rate_limiter: RateLimiter | None = None
