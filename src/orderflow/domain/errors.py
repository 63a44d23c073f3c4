"""Every error orderflow raises derives from :class:`OrderflowError`.

Errors name what is wrong (the field path, the aggregate and its id, the state and trigger) so
that a host application can show them as they are. Vendor exceptions (database drivers,
gateways) never cross a port: adapters translate them into these.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from attrs import frozen


class OrderflowError(Exception):
    """Base class of every orderflow error."""


@frozen
class Problem:
    """One thing wrong with an input: where (a path such as ``lines[1].quantity``) and what."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class ValidationError(OrderflowError, ValueError):
    """Input that orderflow refuses; ``problems`` lists every bad field by its path."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("invalid input: " + "; ".join(str(p) for p in self.problems))

    @classmethod
    def single(cls, path: str, message: str) -> ValidationError:
        """The error for one bad field."""
        return cls([Problem(path, message)])

    def under(self, prefix: str) -> ValidationError:
        """The same problems with their paths nested under ``prefix``."""
        return ValidationError(Problem(join_path(prefix, p.path), p.message) for p in self.problems)


def join_path(prefix: str, path: str) -> str:
    """Join two field paths: ``join_path("lines[0]", "quantity") == "lines[0].quantity"``."""
    if not prefix:
        return path
    if not path:
        return prefix
    return prefix + path if path.startswith("[") else f"{prefix}.{path}"


class CurrencyMismatch(OrderflowError, ValueError):
    """Arithmetic or comparison between amounts in different currencies."""

    def __init__(self, left: str, right: str) -> None:
        self.currencies = (left, right)
        super().__init__(f"cannot combine amounts in {left} and {right}")


class NotFound(OrderflowError, LookupError):
    """Something looked up by its identifier does not exist."""

    def __init__(self, kind: str, ident: str) -> None:
        self.kind = kind
        self.ident = ident
        super().__init__(f"{kind} {ident!r} not found")


class OrderNotFound(NotFound):
    """No order has this number."""

    def __init__(self, number: str) -> None:
        super().__init__("order", number)


class IllegalTransition(OrderflowError):
    """A lifecycle trigger that the aggregate's current state does not allow."""

    def __init__(
        self, aggregate: str, ident: str, state: str, trigger: str, allowed: Sequence[str]
    ) -> None:
        self.aggregate = aggregate
        self.ident = ident
        self.state = state
        self.trigger = trigger
        self.allowed = tuple(allowed)
        options = ", ".join(self.allowed) or "none"
        super().__init__(
            f"{aggregate} {ident}: cannot {trigger} when {state} (allowed from {state}: {options})"
        )


class OrderOnHold(OrderflowError):
    """The order has active holds, so it cannot progress until they are released."""

    def __init__(self, number: str, trigger: str, hold_types: Sequence[str]) -> None:
        self.number = number
        self.trigger = trigger
        self.hold_types = tuple(hold_types)
        super().__init__(
            f"order {number}: cannot {trigger} while on hold ({', '.join(self.hold_types)})"
        )


class HoldError(OrderflowError):
    """A hold that cannot be placed or released as asked."""


class ConcurrencyError(OrderflowError):
    """Another transaction changed the aggregate since it was read (a lost update was prevented)."""

    def __init__(self, aggregate: str, ident: str, expected_version: int) -> None:
        self.aggregate = aggregate
        self.ident = ident
        self.expected_version = expected_version
        super().__init__(
            f"{aggregate} {ident} was changed concurrently (expected version {expected_version})"
        )


class IdempotencyConflict(OrderflowError):
    """An idempotency key was reused with a different request."""


class DuplicateOrder(OrderflowError):
    """An order with this (channel, external reference) already exists."""

    def __init__(self, channel: str, reference: str) -> None:
        self.channel = channel
        self.reference = reference
        super().__init__(f"an order from {channel} with reference {reference!r} already exists")


class PersistenceError(OrderflowError):
    """The database failed or refused an operation; the driver's error is translated into this.

    The message says what orderflow was doing and what the database answered (credentials are
    never included); the driver's exception is kept as ``__cause__`` for logs.
    """


class InsufficientStock(OrderflowError):
    """A stock change would take a level below what is reserved, or reserved below zero."""

    def __init__(self, sku: str, location: str, on_hand: int, reserved: int, change: str) -> None:
        self.sku = sku
        self.location = location
        super().__init__(
            f"{change} refused for {sku} at {location}: {on_hand} on hand, {reserved} reserved"
        )


class PaymentError(OrderflowError):
    """A payment operation that the payment's state or totals do not allow."""
