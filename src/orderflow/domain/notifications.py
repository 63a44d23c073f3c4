"""Notifications: what a customer or the shop hears of, and how a template becomes a message.

Each :class:`NotificationType` has an audience (the customer or the shop) and a fixed set of
fields its templates may use (:data:`TEMPLATE_FIELDS`); the fields are built from the order and
the event, already written for the locale (money, dates). A :class:`Template` has a subject, a
plain-text body and optionally an HTML body, written with ``$field`` placeholders
(:class:`string.Template`). In HTML every field's value is escaped; a template without an HTML
body gets one made from its text, escaped as well. Nothing of the order is ever taken as markup.

>>> template = Template(subject="Order $order_number", text="Hello $customer_name,\\n\\nthanks!")
>>> message = render(template, {"order_number": "OF-1", "customer_name": "<Ann & Bob>"}, lang="en")
>>> message.subject
'Order OF-1'
>>> print(message.text)
Hello <Ann & Bob>,
<BLANKLINE>
thanks!
>>> "<p>Hello &lt;Ann &amp; Bob&gt;,</p>" in message.html
True
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from string import Template as _StringTemplate
from typing import Any

from attrs import field, frozen

from orderflow.domain.errors import ValidationError


class Audience(StrEnum):
    """Who a notification is for."""

    CUSTOMER = "customer"
    SHOP = "shop"


class NotificationType(StrEnum):
    """Every moment a customer or the shop hears of."""

    ORDER_RECEIVED = "order_received"
    ORDER_CONFIRMED = "order_confirmed"
    ACTION_NEEDED = "action_needed"
    PAYMENT_DECLINED = "payment_declined"
    FRAUD_REVIEW_OUTCOME = "fraud_review_outcome"
    SHIPPED = "shipped"
    DELAYED = "delayed"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED = "delivered"
    CLAIM_OPENED = "claim_opened"
    CLAIM_RESOLVED = "claim_resolved"
    RETURN_APPROVED = "return_approved"
    RETURN_RECEIVED = "return_received"
    REFUND_ISSUED = "refund_issued"
    DIGITAL_DELIVERED = "digital_delivered"
    ORDER_CANCELLED = "order_cancelled"
    # for the shop
    LOW_STOCK = "low_stock"
    LATE_ORDER = "late_order"
    FRAUD_REVIEW_WAITING = "fraud_review_waiting"

    @property
    def audience(self) -> Audience:
        """The customer, or the shop for alerts."""
        return Audience.SHOP if self in SHOP_ALERTS else Audience.CUSTOMER


#: The notification types that alert the shop instead of telling the customer.
SHOP_ALERTS = frozenset(
    {
        NotificationType.LOW_STOCK,
        NotificationType.LATE_ORDER,
        NotificationType.FRAUD_REVIEW_WAITING,
    }
)

_N = NotificationType
#: Fields every template of an order's notification may use.
ORDER_FIELDS = frozenset(
    {"shop_name", "order_number", "customer_name", "total", "placed_on", "ship_by", "deliver_by"}
)
#: The fields each type's templates may use besides :data:`ORDER_FIELDS` (``shop_name`` only
#: for stock alerts, which belong to no order).
TEMPLATE_FIELDS: dict[NotificationType, frozenset[str]] = {
    _N.ORDER_RECEIVED: ORDER_FIELDS | {"item_count"},
    _N.ORDER_CONFIRMED: ORDER_FIELDS,
    _N.ACTION_NEEDED: ORDER_FIELDS | {"hold_type", "action"},
    _N.PAYMENT_DECLINED: ORDER_FIELDS | {"payment_method"},
    _N.FRAUD_REVIEW_OUTCOME: ORDER_FIELDS | {"outcome"},
    _N.SHIPPED: ORDER_FIELDS | {"shipment_id", "carrier", "tracking_number", "expected_delivery"},
    _N.DELAYED: ORDER_FIELDS | {"late_kind", "promised"},
    _N.OUT_FOR_DELIVERY: ORDER_FIELDS | {"shipment_id", "carrier", "tracking_number"},
    _N.DELIVERED: ORDER_FIELDS,
    _N.CLAIM_OPENED: ORDER_FIELDS | {"claim_id", "claim_kind"},
    _N.CLAIM_RESOLVED: ORDER_FIELDS | {"claim_id", "resolution"},
    _N.RETURN_APPROVED: ORDER_FIELDS | {"rma", "label_tracking", "label_note"},
    _N.RETURN_RECEIVED: ORDER_FIELDS | {"rma"},
    _N.REFUND_ISSUED: ORDER_FIELDS | {"amount", "rma"},
    _N.DIGITAL_DELIVERED: ORDER_FIELDS | {"sku", "item_name", "digital_kind", "digital_value"},
    _N.ORDER_CANCELLED: ORDER_FIELDS,
    _N.LOW_STOCK: frozenset(
        {"shop_name", "sku", "location", "level", "available", "reorder_point"}
    ),
    _N.LATE_ORDER: ORDER_FIELDS | {"late_kind", "promised"},
    _N.FRAUD_REVIEW_WAITING: ORDER_FIELDS,
}


@frozen(kw_only=True)
class Template:
    """A subject, a plain-text body and (optionally) an HTML body with ``$field`` placeholders.

    ``html`` is markup written by the shop (trusted); the fields put into it are escaped. Without
    it, the HTML body is the text's paragraphs, escaped.
    """

    subject: str
    text: str
    html: str | None = None

    def placeholders(self) -> set[str]:
        """Every ``$field`` the template uses; ValidationError if a placeholder is malformed."""
        found: set[str] = set()
        for part, value in (("subject", self.subject), ("text", self.text), ("html", self.html)):
            if value is None:
                continue
            template = _StringTemplate(value)
            if not template.is_valid():
                raise ValidationError.single(part, "has a malformed $placeholder (write $$ for $)")
            found.update(template.get_identifiers())
        return found

    def check(self, notification_type: NotificationType, where: str = "template") -> None:
        """ValidationError naming ``where`` if a placeholder is not a field of the type."""
        try:
            unknown = sorted(self.placeholders() - TEMPLATE_FIELDS[notification_type])
        except ValidationError as error:
            raise ValidationError.single(where, str(error.problems[0])) from None
        if unknown:
            known = ", ".join(sorted(TEMPLATE_FIELDS[notification_type]))
            raise ValidationError.single(
                where,
                f"unknown placeholder(s) {', '.join(unknown)}; {notification_type} has {known}",
            )


@frozen(kw_only=True)
class Rendered:
    """A template filled in: the subject (one line), the text and the HTML document."""

    subject: str
    text: str
    html: str


_LINE_BREAKS = re.compile(r"[\r\n\t\x0b\x0c\x1c-\x1e\x85\u2028\u2029]+")


def render(template: Template, fields: Mapping[str, str], *, lang: str) -> Rendered:
    """Fill ``template`` with ``fields``: text as given, HTML escaped, the subject on one line."""
    plain = {k: str(v) for k, v in fields.items()}
    escaped = {k: html.escape(v, quote=True) for k, v in plain.items()}
    subject = _LINE_BREAKS.sub(" ", _StringTemplate(template.subject).substitute(plain)).strip()
    text = _StringTemplate(template.text).substitute(plain)
    if template.html is not None:
        body = _StringTemplate(template.html).substitute(escaped)
    else:
        body = _StringTemplate(_paragraphs(template.text)).substitute(escaped)
    return Rendered(subject=subject, text=text, html=document(body, subject=subject, lang=lang))


def _paragraphs(text: str) -> str:
    """Plain text as HTML paragraphs (the text escaped; ``$field`` placeholders survive)."""
    blocks = [b for b in re.split(r"\n\s*\n", text.replace("$$", "\0")) if b.strip()]
    paragraphs = (
        "<p>" + html.escape(b.strip(), quote=True).replace("\n", "<br>\n") + "</p>" for b in blocks
    )
    return "\n".join(paragraphs).replace("\0", "$$")


def document(body: str, *, subject: str, lang: str) -> str:
    """``body`` in a minimal HTML document titled ``subject`` (escaped)."""
    language = html.escape(lang, quote=True)
    title = html.escape(subject, quote=True)
    return (
        f'<!DOCTYPE html>\n<html lang="{language}">\n<head><meta charset="utf-8">'
        f"<title>{title}</title></head>\n<body>\n{body}\n</body>\n</html>\n"
    )


@frozen(kw_only=True)
class Notification:
    """One message for one channel, ready to send.

    ``message_id`` is stable (``SOURCE/TYPE/CHANNEL``, e.g. ``OF-000001:4/shipped/email``): every
    attempt to send it carries the same id, so a receiver that de-duplicates takes it once.
    ``data`` holds the facts as JSON-ready text (for webhooks); never internal notes or scores.
    """

    message_id: str
    type: NotificationType
    audience: Audience
    channel: str
    order_number: str | None
    recipient: str | None
    locale: str
    subject: str
    text: str
    html: str
    data: dict[str, Any] = field(factory=dict)
    created_at: datetime
    attempt: int = 1

    def to_json(self) -> dict[str, Any]:
        """The notification as a JSON object (what a webhook posts)."""
        return {
            "id": self.message_id,
            "type": str(self.type),
            "audience": str(self.audience),
            "order_number": self.order_number,
            "locale": self.locale,
            "subject": self.subject,
            "text": self.text,
            "html": self.html,
            "data": self.data,
            "created_at": self.created_at.isoformat(),
        }
