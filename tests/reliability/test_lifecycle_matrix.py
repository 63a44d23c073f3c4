"""Every (state, trigger) of every aggregate lifecycle besides the order's, through the
aggregate's own methods: the declared state is reached, or an orderflow error comes back and the
object is exactly as it was.

The order's table is covered the same way by ``tests/unit/test_order_lifecycle.py``; the tables
themselves are checked against the product's declarations there and in ``test_shipping.py``.
Here one shared helper drives each aggregate type.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from typing import Any

import attrs
import pytest

from orderflow import IllegalTransition, OrderflowError
from orderflow.domain.claims import CLAIM_LIFECYCLE, Claim, ClaimKind, ClaimLine, Resolution
from orderflow.domain.inventory import (
    RESERVATION_LIFECYCLE,
    Reservation,
    ReservationStatus,
    ReservedLine,
)
from orderflow.domain.lifecycle import Lifecycle
from orderflow.domain.money import Money
from orderflow.domain.payments import (
    PAYMENT_LIFECYCLE,
    OperationKind,
    OperationStatus,
    Payment,
    PaymentStatus,
)
from orderflow.domain.returns import RETURN_LIFECYCLE, Return, ReturnLine, ReturnReason
from orderflow.domain.shipping import (
    SHIPMENT_LIFECYCLE,
    TRACKING_TRIGGERS,
    Package,
    Scan,
    ScanOutcome,
    Shipment,
    ShipmentLine,
    ShipmentStatus,
    TrackingUpdate,
)
from orderflow.domain.values import Actor, PaymentMethod

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
ALICE = Actor.person("alice")


class Spec:
    """How to put one aggregate type in a state and pull one of its triggers."""

    def __init__(
        self,
        lifecycle: Lifecycle,
        make: Callable[[str], Any],
        act: Callable[[Any, str], object],
        *,
        quiet: frozenset[tuple[str, str]] = frozenset(),
    ) -> None:
        self.lifecycle = lifecycle
        self.make = make
        self.act = act
        #: (state, trigger) pairs the table refuses where the method is a documented no-op
        self.quiet = quiet

    def cases(self) -> Iterator[tuple[str, str]]:
        for state in self.lifecycle.states:
            for trigger in self.lifecycle.triggers:
                yield state.value, trigger


def snapshot(obj: Any) -> dict[str, Any]:
    return attrs.asdict(obj, recurse=True)


def check(spec: Spec, state: str, trigger: str) -> None:
    """The one rule every lifecycle obeys."""
    obj = spec.make(state)
    assert str(obj.status) == state, "the factory must build the state asked for"
    before = snapshot(obj)
    declared = {
        (source, t.trigger): t.dest for t in spec.lifecycle.transitions for source in t.sources
    }.get((state, trigger))
    if declared is not None:
        spec.act(obj, trigger)
        assert str(obj.status) == declared
        return
    if (state, trigger) in spec.quiet:
        spec.act(obj, trigger)
        assert snapshot(obj) == before
        return
    with pytest.raises(OrderflowError) as raised:
        spec.act(obj, trigger)
    assert isinstance(raised.value, IllegalTransition), raised.value
    # the message names the state and the request refused (capture_part is asked as a capture)
    assert f"when {state}" in str(raised.value)
    assert snapshot(obj) == before, "a refused trigger changed the object"


# -- payments ---------------------------------------------------------------------------------------

EUR = "EUR"
TOTAL = Money(10_000, EUR)


def make_payment(state: str) -> Payment:
    half, quarter, zero = Money(5_000, EUR), Money(2_500, EUR), Money.zero(EUR)
    amounts = {
        "pending": (zero, zero, zero),
        "authorised": (TOTAL, zero, zero),
        "partially_captured": (TOTAL, half, zero),
        "captured": (TOTAL, TOTAL, zero),
        "partially_refunded": (TOTAL, TOTAL, quarter),
        "refunded": (TOTAL, TOTAL, TOTAL),
        "voided": (TOTAL, zero, zero),
        "failed": (zero, zero, zero),
        "expired": (zero, zero, zero),
    }[state]
    return Payment(
        id="PAY-1",
        order_number="OF-1",
        method=PaymentMethod(token="tok"),
        amount=TOTAL,
        created_at=NOW,
        status=PaymentStatus(state),
        authorised=amounts[0],
        captured=amounts[1],
        refunded=amounts[2],
    )


def _or_all(room: Money) -> Money:
    """What is left, or (nothing left) the whole amount: a positive request either way, so that
    the lifecycle, not the amount check, decides."""
    return room if room.minor > 0 else TOTAL


def act_payment(payment: Payment, trigger: str) -> None:
    if trigger == "expire":
        payment.expire()
        return
    kind, amount, answer = {
        "authorise": (OperationKind.AUTHORISE, payment.amount, OperationStatus.APPROVED),
        "fail": (OperationKind.AUTHORISE, payment.amount, OperationStatus.DECLINED),
        "capture": (OperationKind.CAPTURE, _or_all(payment.capturable), OperationStatus.APPROVED),
        "capture_part": (
            OperationKind.CAPTURE,
            Money(max(1, payment.capturable.minor // 2), EUR),
            OperationStatus.APPROVED,
        ),
        "void": (OperationKind.VOID, Money.zero(EUR), OperationStatus.APPROVED),
        "refund": (OperationKind.REFUND, _or_all(payment.refundable), OperationStatus.APPROVED),
        "refund_part": (
            OperationKind.REFUND,
            Money(max(1, payment.refundable.minor // 2), EUR),
            OperationStatus.APPROVED,
        ),
    }[trigger]
    key = f"{payment.id}-op{len(payment.operations) + 1}"
    payment.request(kind, amount, key, NOW)
    payment.complete(key, answer, NOW, reference="ref", authorised_until=NOW)


# -- shipments --------------------------------------------------------------------------------------


def make_shipment(state: str) -> Shipment:
    lines = (ShipmentLine(sku="MUG", name="Mug", quantity=2, line_no=1),)
    scans = [
        Scan(code="MUG", sku="MUG", outcome=ScanOutcome.ACCEPTED, actor=ALICE, at=NOW)
        for _ in range(2)
    ]
    return Shipment(
        id="SHP-1",
        order_number="OF-1",
        location="BER",
        lines=lines,
        created_at=NOW,
        status=ShipmentStatus(state),
        scans=scans,
    )


_BY_TRACKING = {trigger: status for status, trigger in TRACKING_TRIGGERS.items()}


def act_shipment(shipment: Shipment, trigger: str) -> None:
    if trigger == "start_picking":
        shipment.start_picking()
    elif trigger == "pack":
        shipment.pack([Package(weight_g=500)])
    elif trigger == "ship":
        shipment.ship(
            carrier="fakepost", tracking_number="FP1", label="L", expected=date(2026, 3, 5), now=NOW
        )
    elif trigger == "cancel":
        shipment.cancel()
    else:
        update = TrackingUpdate(event_id=f"e-{trigger}", status=_BY_TRACKING[trigger], at=NOW)
        shipment.track(update)


# -- claims, returns, reservations ------------------------------------------------------------------


def make_claim(state: str) -> Claim:
    return Claim(
        id="CLM-1",
        order_number="OF-1",
        kind=ClaimKind("damaged"),
        lines=(ClaimLine(sku="MUG", quantity=1),),
        description="broken",
        opened_by=ALICE,
        opened_at=NOW,
        status=state,  # type: ignore[arg-type]
    )


def act_claim(claim: Claim, trigger: str) -> None:
    assert trigger == "resolve"
    claim.resolve(Resolution.REFUND, note="sorry", actor=ALICE, now=NOW)


def make_return(state: str) -> Return:
    reason = next(iter(ReturnReason))
    return Return(
        id="RMA-1",
        order_number="OF-1",
        lines=(ReturnLine(sku="MUG", quantity=2, reason=reason),),
        requested_by=ALICE,
        requested_at=NOW,
        status=state,  # type: ignore[arg-type]
    )


def act_return(rma: Return, trigger: str) -> None:
    if trigger == "reject":
        rma.reject("outside the window")
    elif trigger == "inspect":
        rma.inspect({"MUG": (1, 1)})
    else:
        rma.fire(trigger)


def make_reservation(state: str) -> Reservation:
    committed = 2 if state == "committed" else 0
    return Reservation(
        id="RES-1",
        order_number="OF-1",
        lines=[ReservedLine(sku="MUG", location="BER", quantity=2, committed=committed)],
        status=ReservationStatus(state),
        created_at=NOW,
    )


def act_reservation(reservation: Reservation, trigger: str) -> None:
    if trigger == "commit":
        reservation.commit({("MUG", "BER"): reservation.lines[0].open or 1})
    elif trigger == "release":
        reservation.release()
    else:
        reservation.expire()


SPECS = {
    "payment": Spec(PAYMENT_LIFECYCLE, make_payment, act_payment),
    "shipment": Spec(SHIPMENT_LIFECYCLE, make_shipment, act_shipment),
    "claim": Spec(CLAIM_LIFECYCLE, make_claim, act_claim),
    "return": Spec(RETURN_LIFECYCLE, make_return, act_return),
    "reservation": Spec(
        RESERVATION_LIFECYCLE,
        make_reservation,
        act_reservation,
        # freeing stock happens exactly once: releasing or expiring an ended reservation frees
        # nothing and changes nothing (Reservation.release/expire), rather than raising
        quiet=frozenset(
            (state.value, trigger)
            for state in ReservationStatus
            if state is not ReservationStatus.ACTIVE
            for trigger in ("release", "expire")
        ),
    ),
}

#: A tracking event repeating the current status is recorded and changes nothing else.
REPEATED_STATUS = {
    ("shipment", state.value, trigger)
    for state, trigger in TRACKING_TRIGGERS.items()
    if trigger not in SHIPMENT_LIFECYCLE.allowed(state.value)
}


def _cases() -> Iterator[Any]:
    for name, spec in SPECS.items():
        for state, trigger in spec.cases():
            case = (name, state, trigger)
            if case in REPEATED_STATUS:
                continue  # covered by test_a_repeated_tracking_status_changes_no_status
            yield pytest.param(name, state, trigger, id=f"{name}-{state}-{trigger}")


@pytest.mark.parametrize(("aggregate", "state", "trigger"), list(_cases()))
def test_every_state_and_trigger(aggregate: str, state: str, trigger: str) -> None:
    check(SPECS[aggregate], state, trigger)


@pytest.mark.parametrize(("status", "trigger"), list(TRACKING_TRIGGERS.items()))
def test_a_repeated_tracking_status_changes_no_status(status: ShipmentStatus, trigger: str) -> None:
    shipment = make_shipment(status.value)
    update = TrackingUpdate(event_id="again", status=status, at=NOW)
    assert shipment.track(update) is False
    assert shipment.status is status


def test_every_lifecycle_of_the_domain_is_covered() -> None:
    import importlib
    import pkgutil

    import orderflow.domain as domain_package

    found = set()
    for module in pkgutil.iter_modules(domain_package.__path__):
        loaded = importlib.import_module(f"orderflow.domain.{module.name}")
        for value in vars(loaded).values():
            if isinstance(value, Lifecycle):
                found.add(value.aggregate)
    assert found - {"order"} == set(SPECS)
