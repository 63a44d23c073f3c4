"""Claims: a delivered order's problem (damaged, wrong or missing item), resolved by a
replacement shipment or a refund. An order with an open claim cannot be completed."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from attrs import define, frozen

from orderflow.domain import checks
from orderflow.domain.errors import ValidationError
from orderflow.domain.lifecycle import Lifecycle, Transition
from orderflow.domain.values import Actor


class ClaimKind(StrEnum):
    """What went wrong."""

    DAMAGED = "damaged"
    WRONG_ITEM = "wrong_item"
    MISSING_ITEM = "missing_item"


class ClaimStatus(StrEnum):
    """Open until resolved."""

    OPEN = "open"
    RESOLVED = "resolved"


class Resolution(StrEnum):
    """How a claim was settled."""

    REPLACEMENT = "replacement"
    REFUND = "refund"


CLAIM_LIFECYCLE = Lifecycle(
    "claim",
    ClaimStatus,
    [Transition("resolve", (ClaimStatus.OPEN,), ClaimStatus.RESOLVED)],
)


@frozen(kw_only=True)
class ClaimLine:
    """Units of one sku the claim is about."""

    sku: str
    quantity: int


@define(kw_only=True, eq=False)
class Claim:
    """A customer's report of a problem with a delivered order."""

    id: str
    order_number: str
    kind: ClaimKind
    lines: tuple[ClaimLine, ...]
    description: str
    opened_by: Actor
    opened_at: datetime
    status: ClaimStatus = ClaimStatus.OPEN
    resolution: Resolution | None = None
    resolved_by: Actor | None = None
    resolved_at: datetime | None = None
    resolution_note: str | None = None
    version: int = 0

    def __attrs_post_init__(self) -> None:
        checks.check_text("description", self.description, 2000)
        if not self.lines or any(type(x.quantity) is not int or x.quantity < 1 for x in self.lines):
            raise ValidationError.single("lines", "a claim names at least one unit of a sku")

    @property
    def is_open(self) -> bool:
        """Still waiting for a resolution."""
        return self.status is ClaimStatus.OPEN

    def resolve(self, resolution: Resolution, *, note: str, actor: Actor, now: datetime) -> None:
        """Settle the claim."""
        self.status = ClaimStatus(CLAIM_LIFECYCLE.fire(self.id, self.status, "resolve"))
        self.resolution, self.resolution_note = resolution, note
        self.resolved_by, self.resolved_at = actor, now
