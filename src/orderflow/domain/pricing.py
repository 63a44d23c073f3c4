"""Order lines and totals, exact to the minor unit.

The order discount is spread over the lines by largest remainder, weighted by each line's net
amount, before tax; tax is computed per line (rounded half up) unless the channel sent the tax
amount itself. ``Totals.total`` always equals the sum of its parts.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from attrs import field, frozen

from orderflow.domain import checks
from orderflow.domain.errors import Problem, ValidationError
from orderflow.domain.money import Money
from orderflow.domain.values import LineKind


@frozen(kw_only=True)
class OrderLine:
    """One priced line of an order."""

    line_no: int
    sku: str = field(validator=checks.text(64))
    name: str = field(validator=checks.text())
    quantity: int = field(validator=checks.positive_int)
    unit_price: Money
    discount: Money
    tax_rate: Decimal | None = None
    tax: Money
    order_discount_share: Money
    kind: LineKind = LineKind.SHIPPABLE

    @property
    def gross(self) -> Money:
        """Unit price times quantity."""
        return self.unit_price * self.quantity

    @property
    def net(self) -> Money:
        """Gross less the line's own discount."""
        return self.gross - self.discount

    @property
    def total(self) -> Money:
        """What the customer pays for the line: net less its order-discount share, plus tax."""
        return self.net - self.order_discount_share + self.tax

    def value_of(self, units: int) -> Money:
        """The part of :attr:`total` that ``units`` of the line are worth (largest remainder)."""
        return self.total.allocate([units, max(self.quantity - units, 0)])[0]


@frozen(kw_only=True)
class Totals:
    """The money summary of an order."""

    items: Money
    line_discounts: Money
    order_discount: Money
    shipping: Money
    tax: Money
    total: Money


@frozen(kw_only=True)
class LineDraft:
    """A line as taken in, before the order discount and tax are worked out."""

    sku: str
    name: str
    quantity: int
    unit_price: Money
    discount: Money
    tax_rate: Decimal | None = None
    tax_amount: Money | None = None
    kind: LineKind = LineKind.SHIPPABLE


def price_order(
    drafts: Sequence[LineDraft],
    *,
    currency: str,
    shipping: Money,
    shipping_tax_rate: Decimal | None,
    order_discount: Money,
) -> tuple[tuple[OrderLine, ...], Money, Totals]:
    """Price ``drafts``: the lines, the tax on shipping, and the totals; or every problem found."""
    problems = _check_drafts(drafts, currency)
    for name, amount in (("shipping", shipping), ("order_discount", order_discount)):
        if amount.currency != currency:
            problems.append(Problem(name, f"must be in {currency}, got {amount.currency}"))
        elif amount.is_negative():
            problems.append(Problem(name, "must not be negative"))
    problems += _check_rate("shipping_tax_rate", shipping_tax_rate)
    if problems:
        raise ValidationError(problems)
    nets = [d.unit_price * d.quantity - d.discount for d in drafts]
    if order_discount > Money.sum(nets, currency):
        raise ValidationError.single("order_discount", "exceeds the lines' net amount")
    shares = order_discount.allocate([n.minor for n in nets])
    lines = tuple(
        OrderLine(
            line_no=i + 1,
            sku=d.sku,
            name=d.name,
            quantity=d.quantity,
            unit_price=d.unit_price,
            discount=d.discount,
            tax_rate=d.tax_rate,
            tax=_line_tax(d, net - share),
            order_discount_share=share,
            kind=d.kind,
        )
        for i, (d, net, share) in enumerate(zip(drafts, nets, shares, strict=True))
    )
    shipping_tax = _tax(shipping, shipping_tax_rate)
    return lines, shipping_tax, compute_totals(lines, shipping, shipping_tax, order_discount)


def compute_totals(
    lines: Sequence[OrderLine], shipping: Money, shipping_tax: Money, order_discount: Money
) -> Totals:
    """The totals of already priced lines."""
    currency = shipping.currency
    items = Money.sum((line.gross for line in lines), currency)
    line_discounts = Money.sum((line.discount for line in lines), currency)
    tax = Money.sum((line.tax for line in lines), currency) + shipping_tax
    return Totals(
        items=items,
        line_discounts=line_discounts,
        order_discount=order_discount,
        shipping=shipping,
        tax=tax,
        total=items - line_discounts - order_discount + shipping + tax,
    )


def _check_drafts(drafts: Sequence[LineDraft], currency: str) -> list[Problem]:
    problems: list[Problem] = []
    if not drafts:
        problems.append(Problem("lines", "an order needs at least one line"))
    for i, d in enumerate(drafts):
        at = f"lines[{i}]"
        for name in ("unit_price", "discount", "tax_amount"):
            amount = getattr(d, name)
            if amount is None:
                continue
            if amount.currency != currency:
                problems.append(Problem(f"{at}.{name}", f"must be in {currency}"))
            elif amount.is_negative():
                problems.append(Problem(f"{at}.{name}", "must not be negative"))
        if type(d.quantity) is not int or d.quantity < 1:
            problems.append(Problem(f"{at}.quantity", "must be a whole number of at least 1"))
        elif d.discount.currency == currency == d.unit_price.currency and (
            d.discount > d.unit_price * d.quantity
        ):
            problems.append(Problem(f"{at}.discount", "exceeds the line's price"))
        if d.tax_rate is not None and d.tax_amount is not None:
            problems.append(
                Problem(f"{at}.tax_amount", "give a tax rate or a tax amount, not both")
            )
        problems += _check_rate(f"{at}.tax_rate", d.tax_rate)
    return problems


def _check_rate(path: str, rate: Decimal | None) -> list[Problem]:
    if rate is not None and not Decimal(0) <= rate <= Decimal(1):
        return [Problem(path, f"must be a fraction between 0 and 1 (0.19 for 19%), got {rate}")]
    return []


def _tax(taxable: Money, rate: Decimal | None) -> Money:
    return taxable.times(rate, rounding=ROUND_HALF_UP) if rate is not None else taxable * 0


def _line_tax(draft: LineDraft, taxable: Money) -> Money:
    return draft.tax_amount if draft.tax_amount is not None else _tax(taxable, draft.tax_rate)
