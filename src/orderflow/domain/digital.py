"""What a digital line delivers instead of a parcel: a download link or a licence key."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from attrs import field, frozen

from orderflow.domain import checks


class DigitalKind(StrEnum):
    """The form of a digital delivery."""

    LINK = "link"
    LICENCE_KEY = "licence_key"


@frozen(kw_only=True)
class DigitalPayload:
    """What the digital goods port hands out for one line."""

    kind: DigitalKind
    value: str = field(validator=checks.text(2000))


@frozen(kw_only=True)
class DigitalItem:
    """A digital line of an order, delivered."""

    line_no: int
    sku: str
    payload: DigitalPayload
    delivered_at: datetime
