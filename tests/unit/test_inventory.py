"""Stock levels, weighted-average cost, the ledger replay and the reservation lifecycle."""

from datetime import UTC, datetime, timedelta

import pytest

from orderflow import IllegalTransition, Money, ValidationError
from orderflow.domain.inventory import (
    BackorderLine,
    Movement,
    MovementKind,
    Reservation,
    ReservationStatus,
    ReservedLine,
    StockLevel,
    replay_levels,
)
from orderflow.domain.values import Actor

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_weighted_average_cost() -> None:
    level = StockLevel(sku="MUG", location="BER")
    assert level.received(10, Money.of("2.00", "EUR")) == Money.of("2.00", "EUR")
    level.on_hand, level.average_cost = 10, Money.of("2.00", "EUR")
    assert level.received(30, Money.of("3.00", "EUR")) == Money.of("2.75", "EUR")
    assert level.received(5, None) == Money.of("2.00", "EUR")
    assert level.value() == Money.of("20.00", "EUR")
    level.average_cost = Money(100, "EUR")
    level.on_hand = 2
    assert level.received(1, Money(101, "EUR")) == Money(100, "EUR")  # 100.33 rounds to 100


def test_ledger_replays_to_levels() -> None:
    actor = Actor.system()
    moves = [
        Movement(
            sku="A",
            location="L",
            kind=MovementKind.RECEIPT,
            on_hand_delta=10,
            actor=actor,
            occurred_at=NOW,
        ),
        Movement(
            sku="A",
            location="L",
            kind=MovementKind.RESERVATION,
            reserved_delta=4,
            actor=actor,
            occurred_at=NOW,
        ),
        Movement(
            sku="A",
            location="L",
            kind=MovementKind.COMMIT,
            on_hand_delta=-3,
            reserved_delta=-3,
            actor=actor,
            occurred_at=NOW,
        ),
        Movement(
            sku="B",
            location="L",
            kind=MovementKind.WRITE_OFF,
            on_hand_delta=-1,
            actor=actor,
            occurred_at=NOW,
        ),
    ]
    assert replay_levels(moves) == {("A", "L"): (7, 1), ("B", "L"): (-1, 0)}


def reservation() -> Reservation:
    return Reservation(
        id="R1",
        order_number="OF-1",
        lines=[
            ReservedLine(sku="A", location="BER", quantity=3),
            ReservedLine(sku="B", location="MUC", quantity=2),
        ],
        created_at=NOW,
        expires_at=NOW + timedelta(minutes=30),
    )


def test_release_frees_open_units_exactly_once() -> None:
    r = reservation()
    r.commit({("A", "BER"): 1})
    freed = r.release()
    assert [(f.sku, f.location, f.quantity) for f in freed] == [("A", "BER", 2), ("B", "MUC", 2)]
    assert r.status is ReservationStatus.RELEASED
    assert r.release() == []
    assert r.expire() == []


def test_partial_then_full_commit() -> None:
    r = reservation()
    r.commit({("A", "BER"): 3})
    assert r.is_active
    parts = r.commit({("B", "MUC"): 2})
    assert [(p.sku, p.quantity) for p in parts] == [("B", 2)]
    assert r.status is ReservationStatus.COMMITTED
    with pytest.raises(IllegalTransition, match="cannot commit when committed"):
        r.commit({("A", "BER"): 1})


def test_commit_refuses_more_than_open_and_unknown_lines() -> None:
    r = reservation()
    with pytest.raises(ValidationError, match="exceeds the 3 open"):
        r.commit({("A", "BER"): 4})
    with pytest.raises(ValidationError, match="C is not reserved at BER"):
        r.commit({("C", "BER"): 1})
    assert all(line.committed == 0 for line in r.lines)


def test_expiry_and_extension() -> None:
    r = reservation()
    assert not r.is_expired(NOW)
    assert r.is_expired(NOW + timedelta(minutes=30))
    r.extend(NOW + timedelta(hours=2), now=NOW)
    assert not r.is_expired(NOW + timedelta(minutes=30))
    with pytest.raises(ValidationError, match="not in the future"):
        r.extend(NOW, now=NOW)
    r.expire()
    with pytest.raises(IllegalTransition):
        r.extend(NOW + timedelta(days=1), now=NOW)


def test_backorders_fill_and_then_commit_completes() -> None:
    r = Reservation(
        id="R2",
        order_number="OF-2",
        lines=[ReservedLine(sku="A", location="BER", quantity=1)],
        backorders=[BackorderLine(sku="A", quantity=2)],
        created_at=NOW,
    )
    assert r.outstanding() == {"A": 2}
    r.fill("A", "MUC", 2)
    assert r.outstanding() == {}
    assert [(line.location, line.quantity) for line in r.lines] == [("BER", 1), ("MUC", 2)]
    with pytest.raises(ValidationError, match="more A than the order waits for"):
        r.fill("A", "BER", 1)
    r.commit({("A", "BER"): 1, ("A", "MUC"): 2})
    assert r.status is ReservationStatus.COMMITTED
