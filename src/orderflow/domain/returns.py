"""Returns (RMA) under a return policy: request, approval, transit, receipt, inspection, then a
refund or an exchange, and closing. Returned quantities never exceed what was delivered."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from attrs import define, evolve, field, frozen
from dateutil.relativedelta import relativedelta

from orderflow.domain import checks
from orderflow.domain.errors import ValidationError
from orderflow.domain.lifecycle import Lifecycle, Transition
from orderflow.domain.money import Money
from orderflow.domain.values import Actor


class ReturnReason(StrEnum):
    """Why the customer sends something back."""

    DAMAGED = "damaged"
    WRONG_ITEM = "wrong_item"
    DEFECTIVE = "defective"
    CHANGED_MIND = "changed_mind"
    OTHER = "other"

    @property
    def shop_at_fault(self) -> bool:
        """Whether the shop caused the return (it then pays shipping and no fee applies)."""
        return self in (ReturnReason.DAMAGED, ReturnReason.WRONG_ITEM, ReturnReason.DEFECTIVE)


class ReturnStatus(StrEnum):
    """Where a return is."""

    REQUESTED = "requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    IN_TRANSIT = "in_transit"
    RECEIVED = "received"
    INSPECTED = "inspected"
    REFUNDED = "refunded"
    EXCHANGED = "exchanged"
    CLOSED = "closed"


_R = ReturnStatus
RETURN_LIFECYCLE = Lifecycle(
    "return",
    ReturnStatus,
    [
        Transition("approve", (_R.REQUESTED,), _R.APPROVED),
        Transition("reject", (_R.REQUESTED,), _R.REJECTED),
        Transition("ship_back", (_R.APPROVED,), _R.IN_TRANSIT),
        Transition("receive", (_R.APPROVED, _R.IN_TRANSIT), _R.RECEIVED),
        Transition("inspect", (_R.RECEIVED,), _R.INSPECTED),
        Transition("refund", (_R.INSPECTED,), _R.REFUNDED),
        Transition("exchange", (_R.INSPECTED,), _R.EXCHANGED),
        Transition("close", (_R.REFUNDED, _R.EXCHANGED, _R.REJECTED), _R.CLOSED),
    ],
)


@frozen(kw_only=True)
class CategoryRule:
    """Return terms for one sku category."""

    window_days: int = 30
    returnable: bool = True
    restocking_fee: Decimal = Decimal(0)  # a fraction of the line value, for changed-mind returns


@frozen(kw_only=True)
class ReturnPolicy:
    """Return terms per category (``default`` for the rest)."""

    default: CategoryRule = CategoryRule()
    categories: Mapping[str, CategoryRule] = field(factory=dict)

    def rule(self, category: str | None) -> CategoryRule:
        """The terms for ``category``."""
        return self.categories.get(category or "", self.default)

    def window_closes(self, category: str | None, delivered_at: datetime) -> datetime:
        """When the return window of a delivered item ends."""
        return delivered_at + relativedelta(days=self.rule(category).window_days)


@frozen(kw_only=True)
class ReturnLine:
    """Units of one sku coming back, why, and what inspection found."""

    sku: str
    quantity: int
    reason: ReturnReason
    resellable: int = 0
    damaged: int = 0

    @property
    def inspected(self) -> bool:
        """Whether every unit has been judged."""
        return self.resellable + self.damaged == self.quantity


@define(kw_only=True, eq=False)
class Return:
    """A return merchandise authorisation for part of one order."""

    id: str
    order_number: str
    lines: tuple[ReturnLine, ...]
    requested_by: Actor
    requested_at: datetime
    status: ReturnStatus = ReturnStatus.REQUESTED
    rejection_reason: str | None = None
    shop_pays_shipping: bool = False
    label_tracking: str | None = None
    location: str | None = None
    refund: Money | None = None
    exchange_shipment: str | None = None
    version: int = 0

    def __attrs_post_init__(self) -> None:
        if not self.lines:
            raise ValidationError.single("lines", "a return needs at least one line")
        for i, line in enumerate(self.lines):
            if type(line.quantity) is not int or line.quantity < 1:
                raise ValidationError.single(f"lines[{i}].quantity", "must be a whole number >= 1")

    @property
    def units(self) -> dict[str, int]:
        """Units per sku in the return."""
        out: dict[str, int] = {}
        for line in self.lines:
            out[line.sku] = out.get(line.sku, 0) + line.quantity
        return out

    def fire(self, trigger: str) -> None:
        """Move along the return lifecycle (IllegalTransition if not allowed)."""
        self.status = ReturnStatus(RETURN_LIFECYCLE.fire(self.id, self.status, trigger))

    def reject(self, reason: str) -> None:
        """Refuse the return."""
        checks.check_text("reason", reason, 500)
        self.fire("reject")
        self.rejection_reason = reason

    def inspect(self, findings: Mapping[str, tuple[int, int]]) -> None:
        """Record, per sku, (resellable, damaged) units; they must add up to what came back."""
        RETURN_LIFECYCLE.fire(self.id, self.status, "inspect")
        if set(findings) != set(self.units):
            raise ValidationError.single(
                "findings", f"give a verdict for exactly {sorted(self.units)}"
            )
        lines = []
        remaining = {sku: list(split) for sku, split in findings.items()}
        for line in self.lines:
            good = min(remaining[line.sku][0], line.quantity)
            bad = line.quantity - good
            remaining[line.sku][0] -= good
            remaining[line.sku][1] -= bad
            lines.append(evolve(line, resellable=good, damaged=bad))
        if any(g != 0 or b != 0 for g, b in remaining.values()):
            raise ValidationError.single(
                "findings", "resellable + damaged must equal the units returned"
            )
        self.lines = tuple(lines)
        self.fire("inspect")
