"""A scriptable fake payment gateway for tests, demos and adapter authors to compare against.

It behaves like a real provider where it matters: one answer per idempotency key (a retry after
a timeout gets the first answer and moves no money again), authorisations that lapse, declines
by amount or token, timeouts, transient failures and latency.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from attrs import define, field, frozen

from orderflow.domain.money import Money
from orderflow.domain.values import PaymentMethod
from orderflow.ports.payments import GatewayOutcome, GatewayResult, GatewayUnavailable
from orderflow.ports.services import Clock


@frozen(kw_only=True)
class Charge:
    """Money the fake gateway actually moved: one per approved key."""

    key: str
    kind: str
    amount: Money
    reference: str


@define(kw_only=True)
class FakeGatewayScript:
    """What the fake gateway does.

    ``decline_tokens`` and authorisations above ``decline_above`` are declined;
    ``fail_next`` calls fail before doing anything; ``time_out_next`` calls do their work and
    then lose the answer (the case idempotency keys exist for); ``latency`` seconds pass per call.
    """

    decline_tokens: set[str] = field(factory=set)
    decline_above: Money | None = None
    fail_next: int = 0
    time_out_next: int = 0
    latency: float = 0.0
    authorisation_days: int = 7


class FakeGateway:
    """An in-process payment gateway whose behaviour a test scripts."""

    def __init__(
        self,
        clock: Clock,
        script: FakeGatewayScript | None = None,
        *,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self.clock = clock
        self.script = script or FakeGatewayScript()
        self.charges: list[Charge] = []
        self.calls = 0
        self._answers: dict[str, GatewayResult] = {}
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._sleep = sleep

    def authorise(
        self, *, key: str, amount: Money, method: PaymentMethod, order_number: str
    ) -> GatewayResult:
        def decide() -> GatewayResult:
            s = self.script
            if method.token in s.decline_tokens:
                return self._declined("card_declined")
            if s.decline_above is not None and amount > s.decline_above:
                return self._declined("amount_too_high")
            until = self.clock.now() + timedelta(days=s.authorisation_days)
            return self._approved(key, "authorise", amount, until)

        return self._call(key, decide)

    def capture(self, *, key: str, reference: str, amount: Money) -> GatewayResult:
        return self._call(key, lambda: self._approved(key, "capture", amount, None, reference))

    def void(self, *, key: str, reference: str) -> GatewayResult:
        return self._call(key, lambda: self._approved(key, "void", None, None, reference))

    def refund(self, *, key: str, reference: str, amount: Money) -> GatewayResult:
        return self._call(key, lambda: self._approved(key, "refund", amount, None, reference))

    def moved(self, kind: str) -> Money | None:
        """Total money moved by ``kind`` (authorise, capture, refund), or None if nothing."""
        amounts = [c.amount for c in self.charges if c.kind == kind]
        return Money.sum(amounts, amounts[0].currency) if amounts else None

    def _call(self, key: str, decide: Callable[[], GatewayResult]) -> GatewayResult:
        if self.script.latency and self._sleep is not None:
            self._sleep(self.script.latency)
        with self._lock:
            self.calls += 1
            if self.script.fail_next > 0:
                self.script.fail_next -= 1
                raise GatewayUnavailable("fake gateway: 503 service unavailable")
            if key not in self._answers:
                self._answers[key] = decide()
            answer = self._answers[key]
            if self.script.time_out_next > 0:
                self.script.time_out_next -= 1
                raise GatewayUnavailable("fake gateway: read timed out", timeout=True)
            return answer

    def _declined(self, code: str) -> GatewayResult:
        return GatewayResult(outcome=GatewayOutcome.DECLINED, decline_code=code)

    def _approved(
        self,
        key: str,
        kind: str,
        amount: Money | None,
        until: datetime | None,
        reference: str | None = None,
    ) -> GatewayResult:
        ref = reference or f"fake_{kind}_{next(self._ids)}"
        if amount is not None:
            self.charges.append(Charge(key=key, kind=kind, amount=amount, reference=ref))
        return GatewayResult(outcome=GatewayOutcome.APPROVED, reference=ref, authorised_until=until)
