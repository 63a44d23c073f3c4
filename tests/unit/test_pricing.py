"""Order pricing: totals exact to the minor unit and equal to the sum of their parts."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orderflow import LineKind, Money, ValidationError
from orderflow.domain.pricing import LineDraft, price_order


def draft(price: str, qty: int = 1, discount: str = "0", **kw: object) -> LineDraft:
    return LineDraft(
        sku="SKU",
        name="Item",
        quantity=qty,
        unit_price=Money.of(price, "EUR"),
        discount=Money.of(discount, "EUR"),
        **kw,  # type: ignore[arg-type]
    )


def price(
    drafts: list[LineDraft], shipping: str = "0", discount: str = "0", rate: str | None = None
):  # type: ignore[no-untyped-def]
    return price_order(
        drafts,
        currency="EUR",
        shipping=Money.of(shipping, "EUR"),
        shipping_tax_rate=None if rate is None else Decimal(rate),
        order_discount=Money.of(discount, "EUR"),
    )


def test_worked_example() -> None:
    lines, shipping_tax, totals = price(
        [draft("9.50", 2, tax_rate=Decimal("0.19")), draft("20.00", 1, "2")],
        shipping="4.95",
        discount="3.00",
        rate="0.19",
    )
    assert [str(line.order_discount_share) for line in lines] == ["1.54 EUR", "1.46 EUR"]
    assert [str(line.tax) for line in lines] == ["3.32 EUR", "0.00 EUR"]
    assert str(shipping_tax) == "0.94 EUR"
    assert str(totals.total) == "43.21 EUR"
    assert [line.line_no for line in lines] == [1, 2]


def test_tax_amount_sent_by_the_channel_is_kept() -> None:
    lines, _, totals = price([draft("10.00", tax_amount=Money.of("1.23", "EUR"))])
    assert lines[0].tax == Money.of("1.23", "EUR")
    assert totals.total == Money.of("11.23", "EUR")


def test_every_problem_is_reported_with_its_path() -> None:
    bad = [
        draft("10.00", 1, "11.00"),
        draft("1.00", tax_rate=Decimal("19"), tax_amount=Money.of("1", "EUR")),
    ]
    with pytest.raises(ValidationError) as info:
        price(bad, shipping="-1")
    paths = {p.path for p in info.value.problems}
    assert paths == {"lines[0].discount", "lines[1].tax_amount", "lines[1].tax_rate", "shipping"}


def test_empty_order_and_excess_discount_are_refused() -> None:
    with pytest.raises(ValidationError, match="at least one line"):
        price([])
    with pytest.raises(ValidationError, match="order_discount: exceeds"):
        price([draft("5.00")], discount="5.01")


def test_currency_of_every_amount_must_match() -> None:
    usd = LineDraft(
        sku="A", name="A", quantity=1, unit_price=Money(100, "USD"), discount=Money(0, "USD")
    )
    with pytest.raises(ValidationError, match=r"lines\[0\].unit_price: must be in EUR"):
        price([usd])


lines_strategy = st.lists(
    st.builds(
        lambda p, q, d, r, k: draft(
            str(Decimal(p) / 100), q, str(Decimal(min(d, p * q)) / 100), tax_rate=r, kind=k
        ),
        st.integers(0, 100_000),
        st.integers(1, 20),
        st.integers(0, 50_000),
        st.sampled_from([None, Decimal("0"), Decimal("0.07"), Decimal("0.19"), Decimal("0.255")]),
        st.sampled_from(list(LineKind)),
    ),
    min_size=1,
    max_size=8,
)


@given(lines_strategy, st.integers(0, 10_000), st.integers(0, 100), st.sampled_from([None, "0.19"]))
def test_totals_equal_the_sum_of_their_parts(
    drafts: list[LineDraft], shipping: int, discount_pct: int, rate: str | None
) -> None:
    net = sum((d.unit_price * d.quantity - d.discount).minor for d in drafts)
    discount = Money(net * discount_pct // 100, "EUR")
    lines, shipping_tax, totals = price(
        drafts,
        shipping=str(Money(shipping, "EUR").to_decimal()),
        discount=str(discount.to_decimal()),
        rate=rate,
    )
    assert Money.sum((li.order_discount_share for li in lines), "EUR") == discount
    assert (
        Money.sum((li.total for li in lines), "EUR") + totals.shipping + shipping_tax
        == totals.total
    )
    assert (
        totals.items - totals.line_discounts - totals.order_discount + totals.shipping + totals.tax
        == totals.total
    )
    assert all(not li.total.is_negative() for li in lines)
    assert all(li.order_discount_share <= li.net for li in lines)
