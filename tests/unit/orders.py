"""Builders of domain objects for unit tests."""

from datetime import UTC, datetime
from decimal import Decimal

from orderflow import Address, Channel, Customer, Money, OrderStatus, PaymentMethod
from orderflow.domain.order import Order
from orderflow.domain.pricing import LineDraft, price_order

PLACED_AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def make_order(status: OrderStatus = OrderStatus.PLACED, number: str = "OF-000001") -> Order:
    """A complete order, directly in ``status``, with no pending events."""
    lines, shipping_tax, totals = price_order(
        [
            LineDraft(
                sku="MUG",
                name="Mug",
                quantity=2,
                unit_price=Money.of("9.50", "EUR"),
                discount=Money.zero("EUR"),
                tax_rate=Decimal("0.19"),
            )
        ],
        currency="EUR",
        shipping=Money.of("4.95", "EUR"),
        shipping_tax_rate=None,
        order_discount=Money.zero("EUR"),
    )
    address = Address(
        name="Ann", line1="Main St 1", city="Berlin", postal_code="10115", country="DE"
    )
    return Order(
        number=number,
        channel=Channel.WEB,
        external_reference=None,
        customer=Customer(id="c1", name="Ann", email="ann@example.com"),
        shipping_address=address,
        billing_address=address,
        lines=lines,
        shipping_tax=shipping_tax,
        totals=totals,
        shipping_option="standard",
        payment_method=PaymentMethod(token="tok_1", brand="visa", last4="4242"),
        placed_at=PLACED_AT,
        fingerprint="f",
        status=status,
    )
