"""Money: integer minor units plus an ISO 4217 currency. Never float.

>>> from decimal import Decimal
>>> price = Money.of("19.99", "EUR")
>>> price.minor, str(price * 3)
(1999, '59.97 EUR')
>>> [str(part) for part in Money.of("10", "EUR").allocate([1, 1, 1])]
['3.34 EUR', '3.33 EUR', '3.33 EUR']
>>> str(Money.of("1.2345", "KWD", rounding="ROUND_HALF_UP"))
'1.235 KWD'
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any

from attrs import field, frozen

from orderflow.domain.errors import CurrencyMismatch, ValidationError

_ZERO_DECIMALS = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF"
_THREE_DECIMALS = "BHD IQD JOD KWD LYD OMR TND"
_FOUR_DECIMALS = "CLF UYW"
_TWO_DECIMALS = (
    "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BRL BSD BTN BWP BYN BZD "
    "CAD CDF CHF CNY COP CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD "
    "GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL MAD "
    "MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP "
    "PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS "
    "TMT TOP TRY TTD TWD TZS UAH USD UYU UZS VES WST XCD YER ZAR ZMW ZWG"
)

#: Minor-unit exponent of every ISO 4217 currency orderflow knows.
CURRENCY_EXPONENTS: dict[str, int] = {
    **dict.fromkeys(_TWO_DECIMALS.split(), 2),
    **dict.fromkeys(_ZERO_DECIMALS.split(), 0),
    **dict.fromkeys(_THREE_DECIMALS.split(), 3),
    **dict.fromkeys(_FOUR_DECIMALS.split(), 4),
}


def currency_exponent(currency: str) -> int:
    """Number of decimals of ``currency`` (EUR 2, JPY 0, KWD 3); unknown codes are refused."""
    try:
        return CURRENCY_EXPONENTS[currency]
    except (KeyError, TypeError):
        raise ValidationError.single(
            "currency", f"{currency!r} is not an ISO 4217 currency code"
        ) from None


def _check_minor(instance: Any, attribute: Any, value: Any) -> None:
    if type(value) is not int:
        raise ValidationError.single("minor", f"must be an integer of minor units, got {value!r}")


def _check_currency(instance: Any, attribute: Any, value: Any) -> None:
    currency_exponent(value)


@frozen(order=False, repr=False)
class Money:
    """An exact amount: ``minor`` units (cents, yen, fils) of ``currency``."""

    minor: int = field(validator=_check_minor)
    currency: str = field(validator=_check_currency)

    @classmethod
    def of(
        cls, amount: Decimal | str | int, currency: str, *, rounding: str | None = None
    ) -> Money:
        """Money from a major-unit amount such as ``"19.99"``.

        Without ``rounding`` an amount with more decimals than the currency has is refused; with
        one (a ``decimal`` rounding mode such as ``"ROUND_HALF_UP"``) it is rounded.
        """
        exponent = currency_exponent(currency)
        value = _to_decimal(amount)
        scaled = value.scaleb(exponent)
        whole = scaled.to_integral_value(rounding=rounding or ROUND_HALF_EVEN)
        if rounding is None and whole != scaled:
            raise ValidationError.single(
                "amount", f"{amount} has more than {exponent} decimals for {currency}"
            )
        return cls(int(whole), currency)

    @classmethod
    def zero(cls, currency: str) -> Money:
        """Nothing, in ``currency``."""
        return cls(0, currency)

    @classmethod
    def sum(cls, amounts: Iterable[Money], currency: str) -> Money:
        """The sum of ``amounts`` (zero in ``currency`` when there are none)."""
        total = cls.zero(currency)
        for amount in amounts:
            total += amount
        return total

    @property
    def exponent(self) -> int:
        """Decimals of this currency."""
        return CURRENCY_EXPONENTS[self.currency]

    def to_decimal(self) -> Decimal:
        """The major-unit amount, exact: ``Money(1999, "EUR").to_decimal() == Decimal("19.99")``."""
        return Decimal(self.minor).scaleb(-self.exponent)

    def is_zero(self) -> bool:
        """Whether the amount is nothing."""
        return self.minor == 0

    def is_negative(self) -> bool:
        """Whether the amount is below zero."""
        return self.minor < 0

    def _same(self, other: Money) -> None:
        if not isinstance(other, Money):
            raise TypeError(f"expected Money, got {type(other).__name__}")
        if other.currency != self.currency:
            raise CurrencyMismatch(self.currency, other.currency)

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.minor + other.minor, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.minor - other.minor, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.minor, self.currency)

    def __mul__(self, factor: int) -> Money:
        if type(factor) is not int:
            raise TypeError(f"Money multiplies by an integer; use times() for {factor!r}")
        return Money(self.minor * factor, self.currency)

    __rmul__ = __mul__

    def times(self, rate: Decimal, *, rounding: str = ROUND_HALF_EVEN) -> Money:
        """This amount times a decimal ``rate`` (a tax rate, a share), rounded to minor units."""
        if not isinstance(rate, Decimal):
            raise TypeError(f"rate must be a Decimal, got {type(rate).__name__}")
        product = (Decimal(self.minor) * rate).to_integral_value(rounding=rounding)
        return Money(int(product), self.currency)

    def allocate(self, weights: Sequence[int]) -> list[Money]:
        """Split into parts proportional to ``weights`` by largest remainder.

        The parts always sum to exactly this amount; leftover minor units go to the parts with the
        largest remainders (the earliest on ties).
        """
        if not weights:
            raise ValidationError.single("weights", "need at least one weight")
        if any(type(w) is not int or w < 0 for w in weights):
            raise ValidationError.single("weights", "must be non-negative integers")
        total_weight = sum(weights)
        if total_weight == 0:
            if self.minor:
                raise ValidationError.single("weights", "cannot allocate an amount by zero weights")
            return [self] * len(weights)
        sign = -1 if self.minor < 0 else 1
        amount = abs(self.minor)
        shares = [divmod(amount * w, total_weight) for w in weights]
        leftover = amount - sum(q for q, _ in shares)
        by_remainder = sorted(range(len(weights)), key=lambda i: (-shares[i][1], i))
        bonus = set(by_remainder[:leftover])
        return [
            Money(sign * (q + (1 if i in bonus else 0)), self.currency)
            for i, (q, _) in enumerate(shares)
        ]

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.minor < other.minor

    def __le__(self, other: Money) -> bool:
        self._same(other)
        return self.minor <= other.minor

    def __gt__(self, other: Money) -> bool:
        self._same(other)
        return self.minor > other.minor

    def __ge__(self, other: Money) -> bool:
        self._same(other)
        return self.minor >= other.minor

    def __str__(self) -> str:
        return f"{self.to_decimal():f} {self.currency}"

    def __repr__(self) -> str:
        return f"Money({str(self)!r})"


def _to_decimal(amount: Decimal | str | int) -> Decimal:
    if isinstance(amount, bool) or not isinstance(amount, Decimal | str | int):
        raise ValidationError.single(
            "amount", f"must be a decimal string, Decimal or integer, got {amount!r}"
        )
    try:
        value = Decimal(amount.strip() if isinstance(amount, str) else amount)
    except InvalidOperation:
        raise ValidationError.single("amount", f"{amount!r} is not a number") from None
    if not value.is_finite():
        raise ValidationError.single("amount", f"{amount!r} is not a finite number")
    return value
