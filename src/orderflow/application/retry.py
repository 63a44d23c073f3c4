"""Retrying a use case that lost an optimistic-concurrency race.

A :class:`~orderflow.domain.errors.ConcurrencyError` means another transaction changed the
aggregate first and nothing of ours was written, so running the whole use case again (it reloads
the aggregate) is safe. Retries are bounded and spread out by full jitter so that competing
writers do not collide again in lockstep.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

from orderflow.domain.errors import ConcurrencyError, ValidationError

T = TypeVar("T")


def retry_on_conflict(
    fn: Callable[[], T],
    *,
    attempts: int = 5,
    base_delay: float = 0.01,
    max_delay: float = 0.5,
    rng: random.Random | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """``fn()``, run again (up to ``attempts`` runs in all) while it raises ConcurrencyError.

    Before retry ``n`` (from 1) it sleeps a random time between 0 and
    ``min(max_delay, base_delay * 2 ** (n - 1))`` seconds. The last ConcurrencyError is raised
    when every attempt lost; any other error is raised at once.

    >>> calls = []
    >>> def flaky():
    ...     calls.append(1)
    ...     if len(calls) < 3:
    ...         raise ConcurrencyError("order", "OF-000001", 1)
    ...     return "done"
    >>> retry_on_conflict(flaky, sleep=lambda seconds: None), len(calls)
    ('done', 3)
    """
    if type(attempts) is not int or attempts < 1:
        raise ValidationError.single("attempts", f"must be a whole number >= 1, got {attempts!r}")
    if base_delay < 0 or max_delay < 0:
        raise ValidationError.single("base_delay", "delays must not be negative")
    chance = rng or random.Random()
    for attempt in range(1, attempts + 1):
        try:
            return fn()
        except ConcurrencyError:
            if attempt == attempts:
                raise
            sleep(chance.uniform(0, min(max_delay, base_delay * 2 ** (attempt - 1))))
    raise AssertionError("unreachable")  # pragma: no cover
