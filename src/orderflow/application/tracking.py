"""The customer's tracking view: an order found by its number plus the customer's e-mail or
postcode, shown without anything internal.

The view holds the status, the promised dates, the parcels with their tracking and the returns;
never notes, actors, reasons, holds' details, risk scores, payment data or addresses. A pair
that does not match is refused with the same :class:`TrackingRefused` whether or not the order
exists, and after too many failures (per client and per order number, through the RateLimiter
port) every attempt is refused with :class:`TooManyAttempts` before anything is looked up.
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
from datetime import date, datetime

from attrs import frozen

from orderflow.application.services import Services
from orderflow.domain.errors import OrderflowError, OrderNotFound, ValidationError
from orderflow.domain.holds import HoldType
from orderflow.domain.order import Order

#: Holds the customer can act on: the view says their help is needed (not why, not which).
_CUSTOMER_HOLDS = frozenset({HoldType.ADDRESS, HoldType.PAYMENT, HoldType.CUSTOMER_CONTACT})


class TrackingRefused(OrderflowError):
    """The order number and the e-mail address or postcode do not match (or there is no such
    order: the two cases are not told apart)."""

    def __init__(self) -> None:
        super().__init__("no order matches this order number and e-mail address or postcode")


class TooManyAttempts(OrderflowError):
    """Too many failed lookups recently; try again later."""

    def __init__(self) -> None:
        super().__init__("too many attempts; please try again later")


@frozen(kw_only=True)
class PublicShipment:
    """A parcel as the customer sees it."""

    status: str
    carrier: str | None
    tracking_number: str | None
    shipped_on: date | None
    expected_delivery: date | None
    items: int


@frozen(kw_only=True)
class PublicReturn:
    """A return as the customer sees it."""

    rma: str
    status: str
    label_tracking: str | None


@frozen(kw_only=True)
class TrackingView:
    """What the customer may see of an order."""

    order_number: str
    status: str
    placed_on: date
    ship_by: date | None
    deliver_by: date | None
    action_needed: bool
    items: tuple[tuple[str, int], ...]  # (name, quantity) per line
    shipments: tuple[PublicShipment, ...]
    returns: tuple[PublicReturn, ...]


def _normal(value: str) -> str:
    return unicodedata.normalize("NFKC", value).casefold().strip()


def _postcode(value: str) -> str:
    return "".join(ch for ch in _normal(value) if ch.isalnum())


def _same(given: str, stored: str | None) -> bool:
    # compare digests, in constant time, so the comparison's duration says nothing
    a = hashlib.sha256(given.encode()).digest()
    b = hashlib.sha256((stored if stored is not None else "\0").encode()).digest()
    return hmac.compare_digest(a, b) and stored is not None


def _proves(order: Order, email: str | None, postcode: str | None) -> bool:
    if email is not None:
        return _same(_normal(email), _normal(order.customer.email or "") or None)
    codes = [
        a.postal_code
        for a in (order.shipping_address, order.billing_address)
        if a is not None and a.postal_code
    ]
    wanted = _postcode(postcode or "")
    return bool(wanted) and any(_same(wanted, _postcode(code)) for code in codes)


def track_order(
    svc: Services,
    number: str,
    *,
    email: str | None = None,
    postcode: str | None = None,
    client: str | None = None,
) -> TrackingView:
    """The public view of order ``number`` if ``email`` (or ``postcode``) is the customer's.

    ``client`` identifies who asks (an IP address, a session): failures are counted per client
    and per order number. Exactly one of ``email`` and ``postcode`` is needed.
    """
    if not isinstance(number, str) or not number.strip() or len(number) > 64:
        raise ValidationError.single("number", "must be an order number")
    if (email is None) == (postcode is None):
        raise ValidationError.single("email", "give the e-mail address or the postcode (one)")
    proof = email if email is not None else postcode
    if not isinstance(proof, str) or not proof.strip() or len(proof) > 320:
        raise ValidationError.single("email" if email is not None else "postcode", "must be text")
    now = svc.clock.now()
    limiter = svc.rate_limiter
    keys = [f"order:{_normal(number)}"] + ([f"client:{client}"] if client else [])
    if limiter is not None and not all(limiter.allow(key, now) for key in keys):
        raise TooManyAttempts()
    with svc.uow() as uow:
        try:
            order = uow.orders.get(number.strip())
        except OrderNotFound:
            order = None
        matches = order is not None and _proves(order, email, postcode)
        if not matches or order is None:
            if limiter is not None:
                for key in keys:
                    limiter.record_failure(key, now)
            raise TrackingRefused()
        shipments = uow.shipments.for_order(order.number)
        returns = uow.returns.for_order(order.number)
    return TrackingView(
        order_number=order.number,
        status=str(order.status),
        placed_on=order.placed_at.date(),
        ship_by=order.ship_by,
        deliver_by=order.deliver_by,
        action_needed=any(h.type in _CUSTOMER_HOLDS for h in order.active_holds(now)),
        items=tuple((line.name, line.quantity) for line in order.lines),
        shipments=tuple(
            PublicShipment(
                status=str(s.status),
                carrier=s.carrier,
                tracking_number=s.tracking_number,
                shipped_on=_day(s.shipped_at),
                expected_delivery=s.expected_delivery,
                items=sum(line.quantity for line in s.lines),
            )
            for s in shipments
        ),
        returns=tuple(
            PublicReturn(rma=r.id, status=str(r.status), label_tracking=r.label_tracking)
            for r in returns
        ),
    )


def _day(value: datetime | None) -> date | None:
    return None if value is None else value.date()
