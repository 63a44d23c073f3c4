"""Shipments: scan verification, packing, carrier tracking and the lifecycle table."""

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orderflow import Actor, IllegalTransition, ValidationError
from orderflow.domain.shipping import (
    SHIPMENT_LIFECYCLE,
    Package,
    ScanOutcome,
    Shipment,
    ShipmentLine,
    ShipmentStatus,
    TrackingUpdate,
)

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
PICKER = Actor.person("pia")
CODES = {"4006381333931": "MUG", "4006381333948": "TEE", "0000000000017": "CAP", "CAP": "CAP"}
BARCODES = CODES.get


def shipment() -> Shipment:
    s = Shipment(
        id="SHP-1",
        order_number="OF-1",
        location="BER",
        lines=(
            ShipmentLine(sku="MUG", name="Mug", quantity=2, line_no=1),
            ShipmentLine(sku="TEE", name="Tee", quantity=1, line_no=2),
        ),
        created_at=NOW,
    )
    s.start_picking()
    return s


def test_every_kind_of_mismatch_is_refused_and_recorded() -> None:
    s = shipment()
    outcomes = [
        s.scan(code, BARCODES, actor=PICKER, now=NOW).outcome
        for code in ["4006381333931", "MUG", "MUG", "CAP", "999", "TEE"]
    ]
    assert outcomes == [
        ScanOutcome.ACCEPTED,
        ScanOutcome.ACCEPTED,
        ScanOutcome.OVER_SCAN,
        ScanOutcome.WRONG_ITEM,
        ScanOutcome.UNKNOWN_CODE,
        ScanOutcome.ACCEPTED,
    ]
    assert len(s.scans) == 6
    s.pack([Package(weight_g=900)])
    assert s.status is ShipmentStatus.PACKED


def test_packing_needs_every_unit_scanned() -> None:
    s = shipment()
    s.scan("MUG", BARCODES, actor=PICKER, now=NOW)
    with pytest.raises(ValidationError, match="MUG x1 not scanned, TEE x1 not scanned"):
        s.pack([Package(weight_g=500)])
    assert s.status is ShipmentStatus.PICKING
    assert s.packages == []


@given(st.lists(st.sampled_from(["MUG", "TEE", "CAP", "4006381333931", "nope"]), max_size=12))
def test_scans_never_accept_more_than_the_lines(codes: list[str]) -> None:
    s = shipment()
    for code in codes:
        s.scan(code, BARCODES, actor=PICKER, now=NOW)
    picked = s.picked()
    assert all(picked[sku] <= s.units[sku] for sku in picked)
    assert set(picked) <= set(s.units)
    if s.differences():
        with pytest.raises(ValidationError):
            s.pack([Package(weight_g=1)])
    else:
        s.pack([Package(weight_g=1)])


def test_tracking_is_normalised_and_applied_once() -> None:
    s = shipment()
    for code in ["MUG", "MUG", "TEE"]:
        s.scan(code, BARCODES, actor=PICKER, now=NOW)
    s.pack([Package(weight_g=900, length_mm=300, width_mm=200, height_mm=100)])
    s.ship(carrier="fake", tracking_number="TRK1", label="label", expected=None, now=NOW)
    update = TrackingUpdate(event_id="e1", status=ShipmentStatus.IN_TRANSIT, at=NOW)
    assert s.track(update)
    assert not s.track(update)
    assert s.track(TrackingUpdate(event_id="e2", status=ShipmentStatus.DELIVERED, at=NOW))
    assert (s.status, s.delivered_at) == (ShipmentStatus.DELIVERED, NOW)
    with pytest.raises(IllegalTransition):
        s.track(TrackingUpdate(event_id="e3", status=ShipmentStatus.IN_TRANSIT, at=NOW))


@pytest.mark.parametrize("status", list(ShipmentStatus))
@pytest.mark.parametrize("trigger", SHIPMENT_LIFECYCLE.triggers)
def test_every_status_and_trigger(status: ShipmentStatus, trigger: str) -> None:
    allowed = trigger in SHIPMENT_LIFECYCLE.allowed(status)
    if allowed:
        assert SHIPMENT_LIFECYCLE.fire("S", status, trigger) in {s.value for s in ShipmentStatus}
    else:
        with pytest.raises(IllegalTransition, match=f"cannot {trigger} when {status.value}"):
            SHIPMENT_LIFECYCLE.fire("S", status, trigger)


def test_cancel_only_before_shipping() -> None:
    assert set(SHIPMENT_LIFECYCLE.allowed("packed")) >= {"cancel"}
    assert "cancel" not in SHIPMENT_LIFECYCLE.allowed("shipped")
