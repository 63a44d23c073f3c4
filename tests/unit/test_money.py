"""Money: exact minor units, currency safety, explicit rounding, largest-remainder allocation."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orderflow import CurrencyMismatch, Money, ValidationError
from orderflow.domain.money import CURRENCY_EXPONENTS, currency_exponent
from orderflow.testing.strategies import CURRENCIES, money


@pytest.mark.parametrize(
    ("currency", "exponent"), [("EUR", 2), ("USD", 2), ("JPY", 0), ("KWD", 3), ("CLF", 4)]
)
def test_exponents(currency: str, exponent: int) -> None:
    assert currency_exponent(currency) == exponent


def test_unknown_currency_is_refused() -> None:
    with pytest.raises(ValidationError, match="'EUX' is not an ISO 4217"):
        Money(100, "EUX")


@pytest.mark.parametrize("bad", [1.5, True, "100", None])
def test_minor_units_must_be_int(bad: object) -> None:
    with pytest.raises(ValidationError, match="minor"):
        Money(bad, "EUR")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("amount", "currency", "minor"),
    [
        ("19.99", "EUR", 1999),
        ("1000", "JPY", 1000),
        ("1.234", "KWD", 1234),
        (Decimal("0.1"), "USD", 10),
    ],
)
def test_of_exact_amounts(amount: str, currency: str, minor: int) -> None:
    assert Money.of(amount, currency).minor == minor


def test_of_refuses_hidden_rounding_and_rounds_when_asked() -> None:
    with pytest.raises(ValidationError, match="more than 0 decimals for JPY"):
        Money.of("10.5", "JPY")
    assert Money.of("10.5", "JPY", rounding="ROUND_HALF_UP").minor == 11
    assert Money.of("10.5", "JPY", rounding="ROUND_HALF_EVEN").minor == 10
    assert Money.of("0.125", "EUR", rounding="ROUND_DOWN").minor == 12


@pytest.mark.parametrize("bad", [1.5, "abc", "NaN", "Infinity", True])
def test_of_refuses_floats_and_non_numbers(bad: object) -> None:
    with pytest.raises(ValidationError):
        Money.of(bad, "EUR")  # type: ignore[arg-type]


def test_str_and_repr_show_the_currency_decimals() -> None:
    assert str(Money(5, "EUR")) == "0.05 EUR"
    assert str(Money(5, "JPY")) == "5 JPY"
    assert str(Money(-1234, "KWD")) == "-1.234 KWD"
    assert repr(Money(100, "USD")) == "Money('1.00 USD')"


def test_mixed_currencies_are_refused_everywhere() -> None:
    eur, usd = Money(1, "EUR"), Money(1, "USD")
    for op in (lambda: eur + usd, lambda: eur - usd, lambda: eur < usd, lambda: eur >= usd):
        with pytest.raises(CurrencyMismatch, match="EUR and USD"):
            op()


def test_multiplying_by_a_float_is_refused() -> None:
    with pytest.raises(TypeError, match="times"):
        Money(100, "EUR") * 1.5  # type: ignore[operator]
    assert Money(100, "EUR").times(Decimal("1.5")) == Money(150, "EUR")


@given(money(), st.lists(st.integers(0, 10_000), min_size=1, max_size=20))
def test_allocation_sums_exactly(amount: Money, weights: list[int]) -> None:
    if sum(weights) == 0:
        weights[0] = 1
    parts = amount.allocate(weights)
    assert len(parts) == len(weights)
    assert Money.sum(parts, amount.currency) == amount
    assert all(p.currency == amount.currency for p in parts)


@given(money(min_minor=0), st.lists(st.integers(1, 10_000), min_size=1, max_size=20))
def test_allocation_is_proportional_within_one_unit(amount: Money, weights: list[int]) -> None:
    parts = amount.allocate(weights)
    total = sum(weights)
    for part, weight in zip(parts, weights, strict=True):
        exact = Decimal(amount.minor) * weight / total
        assert abs(Decimal(part.minor) - exact) < 1
    assert all(p.minor >= 0 for p in parts)


@given(money(), st.integers(1, 50))
def test_split_parts_differ_by_at_most_one_unit(amount: Money, n: int) -> None:
    parts = amount.allocate([1] * n)
    assert max(p.minor for p in parts) - min(p.minor for p in parts) <= 1


def test_allocation_refuses_bad_weights() -> None:
    with pytest.raises(ValidationError, match="weights"):
        Money(100, "EUR").allocate([])
    with pytest.raises(ValidationError, match="weights"):
        Money(100, "EUR").allocate([1, -1])
    with pytest.raises(ValidationError, match="zero weights"):
        Money(100, "EUR").allocate([0, 0])
    assert Money(0, "EUR").allocate([0, 0]) == [Money(0, "EUR")] * 2


@given(money(currency="EUR"), money(currency="EUR"), money(currency="EUR"))
def test_addition_is_exact_and_associative(a: Money, b: Money, c: Money) -> None:
    assert (a + b) + c == a + (b + c)
    assert (a + b - b) == a
    assert (a + b).minor == a.minor + b.minor
    negated = -a
    assert -negated == a
    assert negated.minor == -a.minor


@given(CURRENCIES, st.integers(-(10**12), 10**12))
def test_decimal_round_trip(currency: str, minor: int) -> None:
    m = Money(minor, currency)
    assert Money.of(m.to_decimal(), currency) == m
    assert Money.of(str(m.to_decimal()), currency) == m
    assert m.exponent == CURRENCY_EXPONENTS[currency]
