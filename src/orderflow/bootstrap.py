"""The composition root: the one place that picks concrete adapters for the ports."""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, TypedDict, Unpack

from orderflow.adapters.clock import SystemClock
from orderflow.adapters.memory import InMemoryQueries, InMemoryStore
from orderflow.adapters.notify.ratelimit import SlidingWindowRateLimiter
from orderflow.adapters.reference import BasicAddressValidator, PrefixedOrderNumbers
from orderflow.application.services import (
    FulfilmentSettings,
    NotificationSettings,
    NotifierChannel,
    PaymentSettings,
    Services,
)
from orderflow.domain.allocation import AllocationStrategy, by_priority
from orderflow.domain.errors import ValidationError
from orderflow.domain.fraud import FraudPolicy
from orderflow.domain.returns import ReturnPolicy
from orderflow.ports import (
    AddressValidator,
    Catalog,
    Clock,
    OrderNumbers,
    OrderQueries,
    UnitOfWork,
)
from orderflow.ports.carriers import Carrier
from orderflow.ports.fulfilment import DigitalGoods
from orderflow.ports.notifications import RateLimiter
from orderflow.ports.payments import PaymentGateway
from orderflow.ports.services import FraudScreen

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine

    from orderflow.adapters.sql import SqlDatabase

#: The environment variable read when no database URL is given.
DATABASE_URL_VARIABLE = "ORDERFLOW_DATABASE_URL"


class Adapters(TypedDict, total=False):
    """The adapters a host may choose; each one left out gets the default built here."""

    clock: Clock
    catalog: Catalog | None
    address_validator: AddressValidator
    numbers: OrderNumbers
    allocation: AllocationStrategy
    gateway: PaymentGateway | None
    payment_settings: PaymentSettings
    fraud_screen: FraudScreen | None
    fraud_policy: FraudPolicy
    carrier: Carrier | None
    digital_goods: DigitalGoods | None
    fulfilment: FulfilmentSettings
    return_policy: ReturnPolicy
    notification_settings: NotificationSettings
    notifiers: list[NotifierChannel]
    rate_limiter: RateLimiter


def services(
    uow: Callable[[], UnitOfWork], queries: OrderQueries, **adapters: Unpack[Adapters]
) -> Services:
    """Services over a persistence backend, with defaults for every adapter not given."""
    return Services(
        uow=uow,
        queries=queries,
        clock=adapters.get("clock") or SystemClock(),
        numbers=adapters.get("numbers") or PrefixedOrderNumbers(),
        address_validator=adapters.get("address_validator") or BasicAddressValidator(),
        catalog=adapters.get("catalog"),
        allocation=adapters.get("allocation") or by_priority,
        gateway=adapters.get("gateway"),
        payment_settings=adapters.get("payment_settings") or PaymentSettings(),
        fraud_screen=adapters.get("fraud_screen"),
        fraud_policy=adapters.get("fraud_policy") or FraudPolicy(),
        carrier=adapters.get("carrier"),
        digital_goods=adapters.get("digital_goods"),
        fulfilment=adapters.get("fulfilment") or FulfilmentSettings(),
        return_policy=adapters.get("return_policy") or ReturnPolicy(),
        notification_settings=adapters.get("notification_settings") or NotificationSettings(),
        notifiers=list(adapters.get("notifiers") or []),
        rate_limiter=adapters.get("rate_limiter") or SlidingWindowRateLimiter(),
    )


def in_memory_services(
    *, store: InMemoryStore | None = None, **adapters: Unpack[Adapters]
) -> Services:
    """Services on the in-memory adapters; every default is built here, per call."""
    store = store or InMemoryStore()
    return services(store.unit_of_work, InMemoryQueries(store), **adapters)


def sql_database(target: str | Engine | Connection | SqlDatabase | None = None) -> SqlDatabase:
    """The SQL database for a URL, a host's Engine or Connection, or ``$ORDERFLOW_DATABASE_URL``.

    The environment is read here, at call time (never at import). SQLAlchemy is imported only
    now: without the ``sql`` extra this raises an ImportError saying what to install.
    """
    _require_sql_extra()
    from orderflow.adapters.sql import SqlDatabase

    if isinstance(target, SqlDatabase):
        return target
    if target is None:
        target = os.environ.get(DATABASE_URL_VARIABLE, "").strip() or None
        if target is None:
            raise ValidationError.single(
                "url",
                f"no database URL given and {DATABASE_URL_VARIABLE} is not set "
                "(e.g. sqlite:///shop.db or postgresql://user@host/db)",
            )
    if isinstance(target, str):
        return SqlDatabase.from_url(target)
    return SqlDatabase(target)


def sql_services(
    database: str | Engine | Connection | SqlDatabase | None = None, **adapters: Unpack[Adapters]
) -> Services:
    """Services on the SQL adapter (SQLite or PostgreSQL); see :func:`sql_database`."""
    db = sql_database(database)
    return services(db.unit_of_work, db.queries(), **adapters)


def _require_sql_extra() -> None:
    for module in ("sqlalchemy", "alembic"):
        try:
            importlib.import_module(module)
        except ImportError as error:
            raise ImportError(
                "orderflow's SQL adapter needs SQLAlchemy and Alembic: "
                "pip install 'orderflow[sql]' (and 'orderflow[postgres]' for PostgreSQL)",
                name=module,
            ) from error
