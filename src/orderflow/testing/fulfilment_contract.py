"""Fulfilment over one backend: shipments, picking, packing, shipping, tracking, delivery,
claims and promised dates (subclass like OrderFlowContract)."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest

from orderflow.adapters.carrier import FakeCarrier
from orderflow.adapters.clock import ManualClock
from orderflow.adapters.gateway import FakeGateway
from orderflow.adapters.reference import InMemoryCatalog
from orderflow.application.fulfilment import FulfilmentError
from orderflow.application.services import CaptureMode, PaymentSettings, Services
from orderflow.domain.errors import ValidationError
from orderflow.domain.inventory import Location, MovementKind
from orderflow.domain.money import Money
from orderflow.domain.order import OrderStatus
from orderflow.domain.shipping import Package, ScanOutcome, ShipmentStatus
from orderflow.domain.values import Address
from orderflow.engine import OrderFlow
from orderflow.ports import CatalogItem
from orderflow.testing.contract import ADDRESS, BackendSuite, MakeServices, order_data

WAREHOUSE = Address(
    name="Shop DC", line1="Lagerweg 1", city="Berlin", postal_code="10115", country="DE"
)
BER = Location(code="BER", name="Berlin DC", country="DE", priority=1, address=WAREHOUSE)
MUC = Location(code="MUC", name="Munich DC", country="DE", priority=2, address=WAREHOUSE)
CATALOG = InMemoryCatalog(
    [
        CatalogItem(
            sku="MUG", name="Mug", price=Money.of("9.50", "EUR"), barcodes=("4006381333931",)
        ),
        CatalogItem(
            sku="TEE", name="T-shirt", price=Money.of("20.00", "EUR"), barcodes=("4006381333948",)
        ),
        CatalogItem(sku="CAP", name="Cap", price=Money.of("15.00", "EUR")),
    ]
)
BOX = Package(weight_g=1200, length_mm=300, width_mm=200, height_mm=150)


class FulfilmentSetup(BackendSuite):
    """A shop with two locations, a fake gateway capturing on shipment and a fake carrier; the
    fixtures and helpers the fulfilment and returns contracts share. The clock starts on
    Monday 2026-01-05 09:00 UTC."""

    @pytest.fixture
    def carrier(self) -> FakeCarrier:
        return FakeCarrier()

    @pytest.fixture
    def flow(
        self, make_services: MakeServices, clock: ManualClock, carrier: FakeCarrier
    ) -> OrderFlow:
        return self.build(make_services, clock, carrier)

    def build(
        self, make_services: MakeServices, clock: ManualClock, carrier: FakeCarrier
    ) -> OrderFlow:
        """The shop: an engine over ``make_services`` with stock at both locations."""
        services = make_services(clock=clock, catalog=CATALOG)
        services.carrier = carrier
        services.gateway = FakeGateway(clock)
        services.payment_settings = PaymentSettings(
            capture=CaptureMode.ON_SHIP, sleep=lambda _: None
        )
        services.fulfilment.bins = {("MUG", "BER"): "A-01", ("TEE", "BER"): "B-07"}
        self.configure(services)
        flow = OrderFlow(services)
        flow.add_location(BER)
        flow.add_location(MUC)
        flow.receive_stock("MUG", "BER", 1, actor="ops")
        flow.receive_stock("MUG", "MUC", 10, actor="ops")
        flow.receive_stock("TEE", "BER", 10, actor="ops")
        flow.receive_stock("CAP", "BER", 5, actor="ops")
        return flow

    def configure(self, services: Services) -> None:
        """Adjust the services before the engine is built (subclasses extend this)."""

    def _confirmed(self, flow: OrderFlow, reference: str = "F-1") -> str:
        number = flow.place_order(order_data(external_reference=reference, note=None)).number
        flow.verify_order(number)
        assert flow.confirm_order(number).status is OrderStatus.CONFIRMED
        return number

    def _ship_all(self, flow: OrderFlow, number: str) -> list[str]:
        flow.create_shipments(number)
        ids = []
        for shipment in flow.shipments(number):
            if shipment.status is not ShipmentStatus.PENDING:
                continue
            flow.start_picking(shipment.id, actor="pia")
            for line in shipment.lines:
                for _ in range(line.quantity):
                    flow.scan_item(shipment.id, line.sku, actor="pia")
            flow.pack_shipment(shipment.id, [BOX], actor="pia")
            flow.ship_shipment(shipment.id, actor="sam")
            ids.append(shipment.id)
        return ids


class FulfilmentContract(FulfilmentSetup):
    """From confirmed order to completed order, over one backend."""

    def test_promised_dates_are_on_the_order(self, flow: OrderFlow) -> None:
        order = flow.place_order(order_data(external_reference="P-1"))  # Monday 09:00, before 14:00
        assert (str(order.ship_by), str(order.deliver_by)) == ("2026-01-06", "2026-01-09")

    def test_split_shipments_from_the_allocation(self, flow: OrderFlow) -> None:
        number = self._confirmed(flow)
        shipments = flow.create_shipments(number)
        plan = sorted((s.location, [(li.sku, li.quantity) for li in s.lines]) for s in shipments)
        assert plan == [("BER", [("MUG", 1), ("TEE", 1)]), ("MUC", [("MUG", 1)])]
        assert flow.get_order(number).status is OrderStatus.IN_FULFILMENT
        assert flow.create_shipments(number) == []  # nothing planned twice

    def test_pick_list_is_batched_and_sorted_by_bin(self, flow: OrderFlow) -> None:
        first, second = self._confirmed(flow, "A"), self._confirmed(flow, "B")
        flow.create_shipments(first)
        flow.create_shipments(second)
        rows = flow.pick_list("BER")
        assert [(r.bin, r.sku, r.quantity) for r in rows] == [("B-07", "TEE", 2)] or [
            (r.bin, r.sku) for r in rows
        ] == [("A-01", "MUG"), ("B-07", "TEE")]
        tee = next(r for r in rows if r.sku == "TEE")
        assert tee.quantity == 2
        assert len(tee.shipments) == 2

    def test_scans_refuse_mismatches_and_pack_needs_exact_contents(self, flow: OrderFlow) -> None:
        number = self._confirmed(flow)
        ber = next(s for s in flow.create_shipments(number) if s.location == "BER")
        flow.start_picking(ber.id, actor="pia")
        outcomes = [flow.scan_item(ber.id, code, actor="pia").outcome for code in
                    ["4006381333931", "MUG", "CAP", "0000", "TEE"]]  # fmt: skip
        assert outcomes == [
            ScanOutcome.ACCEPTED, ScanOutcome.OVER_SCAN, ScanOutcome.WRONG_ITEM,
            ScanOutcome.UNKNOWN_CODE, ScanOutcome.ACCEPTED,
        ]  # fmt: skip
        refused = [e for e in flow.history(number) if e.event == "ScanRefused"]
        assert [e.data["outcome"] for e in refused] == ["over_scan", "wrong_item", "unknown_code"]
        assert flow.pack_shipment(ber.id, [BOX], actor="pia").status is ShipmentStatus.PACKED

    def test_packing_refused_until_everything_is_scanned(self, flow: OrderFlow) -> None:
        number = self._confirmed(flow)
        ber = next(s for s in flow.create_shipments(number) if s.location == "BER")
        flow.start_picking(ber.id, actor="pia")
        flow.scan_item(ber.id, "MUG", actor="pia")
        with pytest.raises(ValidationError, match="TEE x1 not scanned"):
            flow.pack_shipment(ber.id, [BOX], actor="pia")
        assert (
            next(s for s in flow.shipments(number) if s.id == ber.id).status
            is ShipmentStatus.PICKING
        )

    def test_shipping_commits_stock_once_and_captures_per_part(self, flow: OrderFlow) -> None:
        number = self._confirmed(flow)
        first, _ = flow.create_shipments(number)
        for shipment in (first,):
            flow.start_picking(shipment.id, actor="pia")
            for line in shipment.lines:
                for _ in range(line.quantity):
                    flow.scan_item(shipment.id, line.sku, actor="pia")
            flow.pack_shipment(shipment.id, [BOX], actor="pia")
            shipped = flow.ship_shipment(shipment.id, actor="sam")
        assert shipped.tracking_number
        assert shipped.status is ShipmentStatus.SHIPPED
        assert flow.get_order(number).status is OrderStatus.PARTIALLY_SHIPPED
        with pytest.raises(FulfilmentError, match="pack it first"):
            flow.ship_shipment(first.id, actor="sam")
        self._ship_all(flow, number)
        order = flow.get_order(number)
        assert order.status is OrderStatus.SHIPPED
        commits: Counter[str] = Counter()
        for m in flow.stock_ledger(reference=number):
            if m.kind is MovementKind.COMMIT:
                commits[m.sku] -= m.on_hand_delta
        assert commits == Counter({"MUG": 2, "TEE": 1})
        captured = Money.sum((p.captured for p in flow.payments(number)), "EUR")
        assert captured == flow.get_order(number).totals.total  # by part; shipping with the first

    def test_documents_add_up_to_the_order_and_escape_customer_text(self, flow: OrderFlow) -> None:
        address = {**ADDRESS, "name": "<b>Ann</b> & Co"}
        data = order_data(external_reference="D-1", shipping_address=address)
        number = flow.place_order(data).number
        flow.verify_order(number)
        flow.confirm_order(number)
        first, second = flow.create_shipments(number)
        draft = flow.invoice(second.id)
        assert draft.shipping.minor > 0  # unshipped, nothing left yet: it would carry shipping
        self._ship_all(flow, number)
        order = flow.get_order(number)
        invoices = [flow.invoice(s.id) for s in flow.shipments(number)]
        assert Money.sum((i.total for i in invoices), "EUR") == order.totals.total
        assert [i.shipping.is_zero() for i in invoices].count(False) == 1
        assert sum(li.quantity for i in invoices for li in i.lines) == 3
        slip = flow.packing_slip(first.id)
        assert [(li.sku, li.quantity) for li in slip.lines] == [
            (li.sku, li.quantity) for li in first.lines
        ]
        shipped = flow.shipments(number)[0]
        assert f"{shipped.carrier} {shipped.tracking_number}" in slip.text()
        html = invoices[0].html()
        assert "<b>Ann</b>" not in html
        assert "&lt;b&gt;Ann&lt;/b&gt; &amp; Co" in html
        assert str(invoices[0].total) in invoices[0].text()

    def test_tracking_delivers_and_completion_needs_no_open_claim(
        self, flow: OrderFlow, carrier: FakeCarrier, clock: ManualClock
    ) -> None:
        number = self._confirmed(flow)
        self._ship_all(flow, number)
        for shipment in flow.shipments(number):
            carrier.push(shipment.tracking_number or "", ShipmentStatus.IN_TRANSIT, clock.now())
        assert flow.refresh_tracking() == 2
        assert flow.refresh_tracking() == 0
        first, second = flow.shipments(number)
        carrier.push(first.tracking_number or "", ShipmentStatus.OUT_FOR_DELIVERY, clock.now())
        carrier.push(first.tracking_number or "", ShipmentStatus.IN_TRANSIT, clock.now())  # late
        carrier.push(first.tracking_number or "", ShipmentStatus.DELIVERED, clock.now())
        assert flow.refresh_tracking() == 2  # the out-of-order event is ignored, not fatal
        assert [s.status for s in flow.shipments(number)] == [
            ShipmentStatus.DELIVERED, ShipmentStatus.IN_TRANSIT,
        ]  # fmt: skip
        assert flow.get_order(number).status is OrderStatus.SHIPPED
        carrier.push(second.tracking_number or "", ShipmentStatus.DELIVERED, clock.now())
        flow.refresh_tracking()
        assert flow.get_order(number).status is OrderStatus.DELIVERED
        claim = flow.open_claim(
            number, "damaged", {"MUG": 1}, description="handle broken", actor="ann"
        )
        with pytest.raises(FulfilmentError, match="open claims"):
            flow.complete_order(number)
        flow.resolve_claim(claim.id, "replacement", note="sending a new mug", actor="bob")
        replacement = [s for s in flow.shipments(number) if s.replacement_for == claim.id]
        assert [(li.sku, li.quantity) for li in replacement[0].lines] == [("MUG", 1)]
        assert flow.complete_order(number).status is OrderStatus.COMPLETED

    def test_refund_claim_and_manual_delivery(self, flow: OrderFlow) -> None:
        number = self._confirmed(flow)
        self._ship_all(flow, number)
        flow.confirm_delivery(number, actor="ann")
        assert flow.get_order(number).status is OrderStatus.DELIVERED
        claim = flow.open_claim(
            number, "missing_item", {"TEE": 1}, description="no shirt", actor="ann"
        )
        flow.resolve_claim(claim.id, "refund", note="refunded the shirt", actor="bob")
        refunded = Money.sum((p.refunded for p in flow.payments(number)), "EUR")
        tee = next(li for li in flow.get_order(number).lines if li.sku == "TEE")
        assert refunded == tee.total == Money.of("16.54", "EUR")
        with pytest.raises(ValidationError, match="has 1 of TEE"):
            flow.open_claim(number, "damaged", {"TEE": 2}, description="x", actor="ann")

    def test_late_orders_are_flagged_once(self, flow: OrderFlow, clock: ManualClock) -> None:
        number = self._confirmed(flow)
        clock.advance(timedelta(days=3))
        late = flow.flag_late_orders()
        assert [(x.number, x.kind) for x in late] == [(number, "ship")]
        flow.flag_late_orders()
        assert [e.event for e in flow.history(number)].count("OrderLate") == 1
