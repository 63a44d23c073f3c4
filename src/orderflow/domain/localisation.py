"""Money and dates written for a locale, on the standard library alone (no Babel).

A :class:`LocaleFormat` says how one language writes numbers, amounts and dates; ``en`` and ``de``
are shipped and a host may register more with :func:`register_locale`. A locale tag is resolved
from the most to the least specific (``de-AT`` -> ``de``), then the fallback.

>>> from datetime import date
>>> from orderflow.domain.money import Money
>>> format_money(Money.of("1234.5", "EUR"), "de")
'1.234,50 €'
>>> format_money(Money.of("1234.5", "EUR"), "en")
'€1,234.50'
>>> format_money(Money.of("-3", "SEK"), "en")
'-3.00 SEK'
>>> format_date(date(2026, 1, 9), "de-AT"), format_date(date(2026, 1, 9), "en")
('9. Januar 2026', '9 January 2026')
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from attrs import field, frozen

from orderflow.domain.errors import ValidationError
from orderflow.domain.money import Money, currency_exponent

#: Symbols written instead of the ISO code; other currencies are written with their code.
SYMBOLS: dict[str, str] = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥"}


def _twelve(instance: object, attribute: object, value: tuple[str, ...]) -> None:
    if len(value) != 12:
        raise ValidationError.single("months", "must name twelve months")


@frozen(kw_only=True)
class LocaleFormat:
    """How one language writes amounts and dates.

    ``money_symbol``, ``money_code`` and ``day_pattern`` are :meth:`str.format` patterns:
    ``{amount}`` and ``{symbol}`` (the currency's symbol, or its code); ``{day}``, ``{month}``
    (its name), ``{year}``.
    """

    tag: str
    decimal: str
    group: str
    money_symbol: str  # pattern when the currency has a symbol
    money_code: str  # pattern when it has none
    day_pattern: str
    months: tuple[str, ...] = field(validator=_twelve)
    time: str = "{hour:02d}:{minute:02d}"

    def number(self, money: Money) -> str:
        """The amount's digits, grouped, with the currency's decimals, without a sign."""
        exponent = currency_exponent(money.currency)
        whole, fraction = divmod(abs(money.minor), 10**exponent)
        digits = f"{whole:,}".replace(",", self.group)
        if exponent:
            digits += self.decimal + str(fraction).rjust(exponent, "0")
        return digits

    def money(self, money: Money) -> str:
        """The amount with its currency, e.g. ``€1,234.50`` or ``1.234,50 €``."""
        symbol = SYMBOLS.get(money.currency)
        pattern = self.money_symbol if symbol else self.money_code
        text = pattern.format(amount=self.number(money), symbol=symbol or money.currency)
        return "-" + text if money.minor < 0 else text

    def day(self, value: date) -> str:
        """A calendar date, e.g. ``9 January 2026`` or ``9. Januar 2026``."""
        return self.day_pattern.format(
            day=value.day, month=self.months[value.month - 1], year=value.year
        )

    def moment(self, value: datetime) -> str:
        """A point in time in UTC, e.g. ``9 January 2026, 14:05 UTC``."""
        utc = value.astimezone(UTC)
        return f"{self.day(utc.date())}, {self.time.format(hour=utc.hour, minute=utc.minute)} UTC"


ENGLISH = LocaleFormat(
    tag="en",
    decimal=".",
    group=",",
    money_symbol="{symbol}{amount}",
    money_code="{amount} {symbol}",
    day_pattern="{day} {month} {year}",
    months=(
        "January", "February", "March", "April", "May", "June",
        "July", "August", "September", "October", "November", "December",
    ),
)  # fmt: skip
GERMAN = LocaleFormat(
    tag="de",
    decimal=",",
    group=".",
    money_symbol="{amount} {symbol}",
    money_code="{amount} {symbol}",
    day_pattern="{day}. {month} {year}",
    months=(
        "Januar", "Februar", "März", "April", "Mai", "Juni",
        "Juli", "August", "September", "Oktober", "November", "Dezember",
    ),
    time="{hour:02d}:{minute:02d} Uhr",
)  # fmt: skip

_LOCALES: dict[str, LocaleFormat] = {"en": ENGLISH, "de": GERMAN}

#: The locale used when neither the customer's nor the shop's is known.
FALLBACK = "en"


def register_locale(locale: LocaleFormat) -> None:
    """Make ``locale`` known by its tag (replacing a shipped one of the same tag)."""
    _LOCALES[normalise(locale.tag)] = locale


def normalise(tag: str) -> str:
    """``de_AT`` and ``DE-at`` as ``de-at``: the form locales are looked up by."""
    return tag.replace("_", "-").strip().lower()


def candidates(tag: str | None, default: str = FALLBACK) -> list[str]:
    """The tags to try for ``tag``, most specific first: ``de-at``, ``de``, then the default's."""
    found: list[str] = []
    for item in (tag, default, FALLBACK):
        if not item:
            continue
        parts = normalise(item).split("-")
        for n in range(len(parts), 0, -1):
            candidate = "-".join(parts[:n])
            if candidate not in found:
                found.append(candidate)
    return found


def locale_format(tag: str | None, default: str = FALLBACK) -> LocaleFormat:
    """The most specific known format for ``tag`` (then ``default``, then English)."""
    for candidate in candidates(tag, default):
        if candidate in _LOCALES:
            return _LOCALES[candidate]
    return ENGLISH


def format_money(money: Money, tag: str | None) -> str:
    """``money`` written for ``tag``."""
    return locale_format(tag).money(money)


def format_date(value: date, tag: str | None) -> str:
    """``value`` written for ``tag`` (a datetime is written with its time, in UTC)."""
    if isinstance(value, datetime):
        return locale_format(tag).moment(value)
    return locale_format(tag).day(value)
