"""Hypothesis strategies for orderflow values and commands."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from orderflow.domain.money import CURRENCY_EXPONENTS, Money
from orderflow.domain.values import Channel

CURRENCIES = st.sampled_from(sorted(CURRENCY_EXPONENTS))
SAMPLE_CURRENCIES = st.sampled_from(["EUR", "USD", "JPY", "KWD", "GBP"])


def money(currency: str | None = None, *, min_minor: int = -(10**9), max_minor: int = 10**9) -> Any:
    """Money in ``currency`` (any known currency when None)."""
    currencies = st.just(currency) if currency else CURRENCIES
    return st.builds(Money, st.integers(min_minor, max_minor), currencies)


def decimal_amount(currency: str, *, max_minor: int = 10**7) -> Any:
    """A non-negative major-unit amount as a string with the currency's decimals."""
    exponent = CURRENCY_EXPONENTS[currency]
    return st.integers(0, max_minor).map(lambda m: str(Decimal(m).scaleb(-exponent)))


def address(country: str = "DE", postal_code: str = "10115") -> Any:
    """A valid postal address as plain data."""
    return st.fixed_dictionaries(
        {
            "name": st.sampled_from(["Ann Lee", "Bo Chen", "Cy Diaz"]),
            "line1": st.sampled_from(["Main St 1", "Hauptstr. 5", "Rue Neuve 9"]),
            "city": st.sampled_from(["Berlin", "Hamburg"]),
            "postal_code": st.just(postal_code),
            "country": st.just(country),
        }
    )


@st.composite
def place_order_data(draw: Any, *, complete: bool = True, currency: str | None = None) -> Any:
    """A valid PlaceOrder payload; ``complete`` ones pass verification with the default checks."""
    cur = currency or draw(SAMPLE_CURRENCIES)
    amount = decimal_amount(cur, max_minor=100_000)
    lines = draw(
        st.lists(
            st.fixed_dictionaries(
                {
                    "sku": st.sampled_from(["MUG", "TEE", "CAP", "BAG", "PEN"]),
                    "name": st.just("Item"),
                    "quantity": st.integers(1, 5),
                    "unit_price": amount,
                },
                optional={"tax_rate": st.sampled_from(["0", "0.07", "0.19", "0.2"])},
            ),
            min_size=1,
            max_size=4,
        )
    )
    data: dict[str, Any] = {
        "channel": draw(st.sampled_from([c.value for c in Channel])),
        "currency": cur,
        "lines": lines,
        "shipping": draw(amount),
    }
    if complete:
        data["customer"] = {"id": "c1", "name": "Ann Lee", "email": "ann@example.com"}
        data["shipping_address"] = draw(address())
        data["payment_method"] = {"token": "tok_visa", "brand": "visa", "last4": "4242"}
    return data
