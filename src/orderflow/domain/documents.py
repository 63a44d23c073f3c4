"""Shipment documents: the packing slip that travels in the parcel and the invoice for what it
carries, as structured data with plain-text and HTML renderings.

Every value rendered into HTML is escaped: names and addresses come from customers.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from html import escape

from attrs import frozen

from orderflow.domain.errors import ValidationError
from orderflow.domain.money import Money
from orderflow.domain.order import Order
from orderflow.domain.shipping import Shipment
from orderflow.domain.values import Address


@frozen(kw_only=True)
class SlipLine:
    """Units of one sku in the parcel."""

    sku: str
    name: str
    quantity: int


@frozen(kw_only=True)
class InvoiceLine:
    """Units of one order line, with their share of its price and tax."""

    sku: str
    name: str
    quantity: int
    unit_price: Money
    tax: Money
    total: Money


@frozen(kw_only=True)
class PackingSlip:
    """What a shipment holds, for the person who opens the parcel."""

    order_number: str
    shipment_id: str
    ship_to: Address | None
    ship_from: str
    lines: tuple[SlipLine, ...]
    carrier: str | None = None
    tracking_number: str | None = None

    def text(self) -> str:
        """The slip as plain text."""
        head = [
            f"Packing slip {self.shipment_id}",
            f"Order {self.order_number}, shipped from {self.ship_from}",
            *_tracking(self.carrier, self.tracking_number),
            *_address_lines("Ship to", self.ship_to),
        ]
        body = [f"{line.quantity:>4} x {line.sku:<16} {line.name}" for line in self.lines]
        return "\n".join([*head, "", *body]) + "\n"

    def html(self) -> str:
        """The slip as an HTML fragment."""
        rows = [(str(li.quantity), li.sku, li.name) for li in self.lines]
        return _html(
            f"Packing slip {self.shipment_id}",
            [
                f"Order {self.order_number}, shipped from {self.ship_from}",
                *_tracking(self.carrier, self.tracking_number),
            ],
            _address_lines("Ship to", self.ship_to),
            ("Qty", "SKU", "Item"),
            rows,
            [],
        )


@frozen(kw_only=True)
class Invoice:
    """What the customer pays for one shipment (the first one also carries the shipping)."""

    number: str
    order_number: str
    shipment_id: str
    issued_at: datetime
    bill_to: Address | None
    customer: str | None
    lines: tuple[InvoiceLine, ...]
    shipping: Money
    tax: Money
    total: Money

    def text(self) -> str:
        """The invoice as plain text."""
        head = [
            f"Invoice {self.number}",
            f"Order {self.order_number}, shipment {self.shipment_id}",
            f"Issued {self.issued_at:%Y-%m-%d}",
            *_address_lines("Bill to", self.bill_to, self.customer),
        ]
        body = [
            f"{li.quantity:>4} x {li.sku:<16} {li.name:<30} {li.unit_price!s:>14} {li.total!s:>14}"
            for li in self.lines
        ]
        return "\n".join([*head, "", *body, "", *self._summary()]) + "\n"

    def html(self) -> str:
        """The invoice as an HTML fragment."""
        rows = [
            (str(li.quantity), li.sku, li.name, str(li.unit_price), str(li.total))
            for li in self.lines
        ]
        return _html(
            f"Invoice {self.number}",
            [
                f"Order {self.order_number}, shipment {self.shipment_id}",
                f"Issued {self.issued_at:%Y-%m-%d}",
            ],
            _address_lines("Bill to", self.bill_to, self.customer),
            ("Qty", "SKU", "Item", "Unit price", "Total"),
            rows,
            self._summary(),
        )

    def _summary(self) -> list[str]:
        return [f"Shipping: {self.shipping}", f"Total: {self.total}", f"(of which tax {self.tax})"]


def carries_shipping(shipment: Shipment, shipments: Sequence[Shipment]) -> bool:
    """Whether ``shipment`` is the order's first regular shipment to leave (or, unshipped, would
    be): the one whose invoice and capture include the shipping charge."""
    others = [
        (s.shipped_at, s.id)
        for s in shipments
        if s.replacement_for is None and s.shipped_at is not None and s.id != shipment.id
    ]
    if shipment.shipped_at is None:
        return not others
    return all((shipment.shipped_at, shipment.id) < other for other in others)


def invoice_for(order: Order, shipment: Shipment, *, first: bool, issued_at: datetime) -> Invoice:
    """The invoice of a regular shipment of ``order``; ``first`` adds the shipping charge."""
    by_line = {li.line_no: li for li in order.lines}
    lines = []
    for item in shipment.lines:
        if item.line_no is None:
            raise ValidationError.single(
                "shipment", f"shipment {shipment.id} is a replacement: it has no invoice"
            )
        ol = by_line[item.line_no]
        rest = max(ol.quantity - item.quantity, 0)
        lines.append(
            InvoiceLine(
                sku=item.sku,
                name=item.name,
                quantity=item.quantity,
                unit_price=ol.unit_price,
                tax=ol.tax.allocate([item.quantity, rest])[0],
                total=ol.value_of(item.quantity),
            )
        )
    zero = Money.zero(order.currency)
    shipping = order.totals.shipping + order.shipping_tax if first else zero
    tax = Money.sum((li.tax for li in lines), order.currency)
    return Invoice(
        number=f"INV-{shipment.id}",
        order_number=order.number,
        shipment_id=shipment.id,
        issued_at=issued_at,
        bill_to=order.billing_address or order.shipping_address,
        customer=order.customer.name,
        lines=tuple(lines),
        shipping=shipping,
        tax=tax + (order.shipping_tax if first else zero),
        total=Money.sum((li.total for li in lines), order.currency) + shipping,
    )


def _tracking(carrier: str | None, tracking_number: str | None) -> list[str]:
    return [f"{carrier} {tracking_number}"] if carrier and tracking_number else []


def _address_lines(title: str, address: Address | None, name: str | None = None) -> list[str]:
    if address is None:
        return [f"{title}: {name}"] if name else []
    parts = [
        address.name,
        address.line1,
        address.line2,
        " ".join(p for p in (address.postal_code, address.city) if p),
        address.region,
        address.country,
    ]
    return [f"{title}:", *(f"  {p}" for p in parts if p)]


def _html(
    title: str,
    intro: Sequence[str],
    address: Sequence[str],
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    summary: Sequence[str],
) -> str:
    cells = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(value)}</td>" for value in row) + "</tr>" for row in rows
    )
    paragraphs = "".join(f"<p>{escape(line)}</p>" for line in intro)
    lines = "<br>".join(escape(line.strip()) for line in address)
    totals = "".join(f"<p>{escape(line)}</p>" for line in summary)
    return (
        f'<section class="orderflow-document"><h1>{escape(title)}</h1>{paragraphs}'
        f"<address>{lines}</address>"
        f"<table><thead><tr>{cells}</tr></thead><tbody>{body}</tbody></table>{totals}</section>"
    )
