"""Small immutable values shared by every aggregate: actors, channels, parties and addresses."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Any

from attrs import field, frozen

from orderflow.domain import checks


class ActorKind(StrEnum):
    """Who acted: a person (staff or customer), the engine itself, or an integration."""

    PERSON = "person"
    SYSTEM = "system"
    INTEGRATION = "integration"


@frozen
class Actor:
    """The one who made a change, recorded on every event and history entry."""

    kind: ActorKind
    id: str = field(validator=checks.text(100))

    @classmethod
    def person(cls, id: str) -> Actor:
        """A member of staff or a customer."""
        return cls(ActorKind.PERSON, id)

    @classmethod
    def system(cls, id: str = "orderflow") -> Actor:
        """The engine or one of its scheduled jobs."""
        return cls(ActorKind.SYSTEM, id)

    @classmethod
    def integration(cls, id: str) -> Actor:
        """Another system: a marketplace, a gateway webhook, a carrier feed."""
        return cls(ActorKind.INTEGRATION, id)

    def __str__(self) -> str:
        return f"{self.kind}:{self.id}"


SYSTEM = Actor.system()


class Channel(StrEnum):
    """Where an order came from."""

    WEB = "web"
    MOBILE = "mobile"
    PHONE = "phone"
    EMAIL = "email"
    MARKETPLACE = "marketplace"
    POS = "pos"
    API = "api"


class LineKind(StrEnum):
    """Whether a line ships as a parcel or is delivered digitally."""

    SHIPPABLE = "shippable"
    DIGITAL = "digital"


@frozen(kw_only=True)
class Address:
    """A postal address; ``country`` is ISO 3166-1 alpha-2."""

    name: str = field(validator=checks.text())
    line1: str = field(validator=checks.text())
    line2: str | None = field(default=None, validator=checks.optional_text())
    city: str = field(validator=checks.text(100))
    region: str | None = field(default=None, validator=checks.optional_text(100))
    postal_code: str | None = field(default=None, validator=checks.optional_text(20))
    country: str = field(validator=checks.country)


_LOCALE = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*")


def _locale(instance: Any, attribute: Any, value: Any) -> None:
    if value is not None and not (isinstance(value, str) and _LOCALE.fullmatch(value)):
        raise checks.fail(
            attribute, f"expected a language tag such as 'de' or 'en-GB', got {value!r}"
        )


@frozen(kw_only=True)
class Customer:
    """The buyer. Contact details may be missing at intake; verification holds for them."""

    id: str | None = field(default=None, validator=checks.optional_text(100))
    name: str | None = field(default=None, validator=checks.optional_text())
    email: str | None = field(default=None, validator=checks.email)
    phone: str | None = field(default=None, validator=checks.optional_text(40))
    #: The language notifications are written in (``"de"``, ``"en-GB"``); None: the shop's.
    locale: str | None = field(default=None, validator=_locale)


_DIGITS = re.compile(r"\d{12,19}")


def _not_a_card_number(instance: Any, attribute: Any, value: Any) -> None:
    if _DIGITS.fullmatch(value.replace(" ", "").replace("-", "")):
        raise checks.fail(attribute, "looks like a card number; send the gateway's token instead")


def _last4(instance: Any, attribute: Any, value: Any) -> None:
    if value is not None and not re.fullmatch(r"\d{4}", str(value)):
        raise checks.fail(attribute, f"must be exactly four digits, got {value!r}")


@frozen(kw_only=True)
class PaymentMethod:
    """How the customer pays: the gateway's token plus what may be shown (never a card number)."""

    token: str = field(validator=[checks.text(200), _not_a_card_number])
    kind: str = field(default="card", validator=checks.text(40))
    brand: str | None = field(default=None, validator=checks.optional_text(40))
    last4: str | None = field(default=None, validator=_last4)

    def __str__(self) -> str:
        shown = " ".join(p for p in (self.brand, f"•••• {self.last4}" if self.last4 else None) if p)
        return shown or self.kind
