"""Holds: typed reasons an order may not progress, placed and released by someone, with a reason."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from attrs import evolve, field, frozen

from orderflow.domain import checks
from orderflow.domain.values import Actor


class HoldType(StrEnum):
    """What an order is waiting for."""

    ADDRESS = "address"
    PAYMENT = "payment"
    FRAUD_REVIEW = "fraud_review"
    STOCK = "stock"
    CUSTOMER_CONTACT = "customer_contact"
    PRICING = "pricing"
    MANUAL = "manual"


@frozen(kw_only=True)
class Hold:
    """One hold on an order. Released holds stay on the order for its record."""

    type: HoldType
    reason: str = field(validator=checks.text(500))
    placed_by: Actor
    placed_at: datetime
    expires_at: datetime | None = None
    released_at: datetime | None = None
    released_by: Actor | None = None
    release_reason: str | None = None

    def is_active(self, now: datetime) -> bool:
        """Not released and not past its expiry at ``now``."""
        return self.released_at is None and (self.expires_at is None or now < self.expires_at)

    def released(self, actor: Actor, reason: str, now: datetime) -> Hold:
        """This hold, released by ``actor`` at ``now``."""
        return evolve(self, released_at=now, released_by=actor, release_reason=reason)
