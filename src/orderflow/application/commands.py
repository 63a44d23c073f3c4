"""Commands as they arrive from a channel: plain data, structured strictly at the edge."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from attrs import field, frozen

from orderflow.domain import checks
from orderflow.domain.money import currency_exponent
from orderflow.domain.values import Address, Channel, Customer, LineKind, PaymentMethod


def _currency(instance: Any, attribute: Any, value: Any) -> None:
    currency_exponent(value)


@frozen(kw_only=True)
class LineInput:
    """One line of an incoming order; money as decimal strings in the order's currency."""

    sku: str = field(validator=checks.text(64))
    name: str = field(validator=checks.text())
    quantity: int = field(validator=checks.positive_int)
    unit_price: Decimal
    discount: Decimal = Decimal(0)
    tax_rate: Decimal | None = None
    tax_amount: Decimal | None = None
    kind: LineKind = LineKind.SHIPPABLE


@frozen(kw_only=True)
class PlaceOrder:
    """An order from any channel. ``expected_total``, when sent, must match the server's total."""

    channel: Channel
    currency: str = field(validator=_currency)
    lines: list[LineInput]
    customer: Customer = field(factory=Customer)
    external_reference: str | None = field(default=None, validator=checks.optional_text(100))
    shipping_address: Address | None = None
    billing_address: Address | None = None
    shipping_option: str | None = field(default=None, validator=checks.optional_text(40))
    client_ip: str | None = field(default=None, validator=checks.ip_address)
    shipping: Decimal = Decimal(0)
    shipping_tax_rate: Decimal | None = None
    order_discount: Decimal = Decimal(0)
    payment_method: PaymentMethod | None = None
    note: str | None = field(default=None, validator=checks.optional_text(4000))
    expected_total: Decimal | None = None
