"""Returns persistence port."""

from __future__ import annotations

from typing import Protocol

from orderflow.domain.returns import Return


class ReturnRepository(Protocol):
    """Returns of one unit of work."""

    def add(self, item: Return) -> None:
        """Store a new return."""
        ...

    def get(self, return_id: str) -> Return:
        """The return (by RMA number), or NotFound."""
        ...

    def for_order(self, order_number: str) -> list[Return]:
        """The order's returns, oldest first."""
        ...

    def save(self, item: Return) -> None:
        """Store changes; ConcurrencyError if it changed since it was read."""
        ...
