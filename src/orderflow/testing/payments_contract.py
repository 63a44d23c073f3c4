"""Payments over one backend, with the fake gateway (subclass like OrderFlowContract)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from orderflow.adapters.clock import ManualClock
from orderflow.adapters.digital import SignedDigitalGoods
from orderflow.adapters.gateway import FakeGateway, FakeGatewayScript
from orderflow.application.services import CaptureMode, PaymentSettings
from orderflow.domain.digital import DigitalKind
from orderflow.domain.errors import PaymentError
from orderflow.domain.holds import HoldType
from orderflow.domain.money import Money
from orderflow.domain.order import Order, OrderStatus
from orderflow.domain.payments import PaymentStatus
from orderflow.domain.values import PaymentMethod
from orderflow.engine import OrderFlow
from orderflow.ports.payments import GatewayUnavailable
from orderflow.testing.contract import BackendSuite, MakeServices, order_data

EUR = "EUR"
EBOOK = {"sku": "EBOOK", "name": "E-book", "quantity": 1, "unit_price": "12.00", "kind": "digital"}


def eur(amount: str) -> Money:
    """Euros."""
    return Money.of(amount, EUR)


def key_total(order: Order) -> Money:
    """What the order's last line (the game key) costs."""
    return order.lines[-1].total


class PaymentsContract(BackendSuite):
    """Authorise, capture, void, refund and their effect on orders."""

    capture = CaptureMode.ON_CONFIRM
    settled = PaymentStatus.CAPTURED  # the payment's status once the order is confirmed

    @pytest.fixture
    def gateway(self, clock: ManualClock) -> FakeGateway:
        return FakeGateway(clock, FakeGatewayScript(decline_tokens={"tok_stolen"}))

    @pytest.fixture
    def flow(
        self, make_services: MakeServices, clock: ManualClock, gateway: FakeGateway
    ) -> OrderFlow:
        services = make_services(clock=clock)
        services.gateway = gateway
        services.payment_settings = PaymentSettings(capture=self.capture, sleep=lambda _: None)
        services.digital_goods = SignedDigitalGoods(b"0123456789abcdef", {"EBOOK": "https://dl/"})
        return OrderFlow(services)

    def _verified(self, flow: OrderFlow, **overrides: object) -> str:
        number = flow.place_order(order_data(**overrides)).number
        flow.verify_order(number)
        return number

    def test_confirm_authorises_and_captures(self, flow: OrderFlow, gateway: FakeGateway) -> None:
        number = self._verified(flow)
        order = flow.confirm_order(number)
        assert order.status is OrderStatus.CONFIRMED
        (payment,) = flow.payments(number)
        assert (payment.status, payment.authorised, payment.captured) == (
            PaymentStatus.CAPTURED, eur("43.21"), eur("43.21"),
        )  # fmt: skip
        assert gateway.moved("capture") == eur("43.21")
        events = [e.event for e in flow.history(number)]
        assert events[-3:] == ["OrderConfirmed", "PaymentAuthorised", "PaymentCaptured"] or (
            "PaymentAuthorised" in events and events[-1] == "PaymentCaptured"
        )

    def test_decline_holds_and_a_new_card_resumes(
        self, flow: OrderFlow, gateway: FakeGateway
    ) -> None:
        number = self._verified(flow, payment_method={"token": "tok_stolen", "last4": "0002"})
        order = flow.confirm_order(number)
        assert order.status is OrderStatus.VERIFIED
        assert [h.type for h in order.active_holds(order.placed_at)] == [HoldType.PAYMENT]
        assert flow.history(number)[-2].event == "PaymentDeclined"
        flow.change_payment_method(
            number, PaymentMethod(token="tok_new", last4="4444"), actor="ann"
        )
        flow.release_hold(number, "payment", reason="customer gave another card", actor="bob")
        order = flow.confirm_order(number)
        assert order.status is OrderStatus.CONFIRMED
        statuses = [p.status for p in flow.payments(number)]
        assert statuses == [PaymentStatus.FAILED, self.settled]
        assert gateway.moved("authorise") == eur("43.21")

    def test_timeout_retry_never_charges_twice(self, flow: OrderFlow, gateway: FakeGateway) -> None:
        number = self._verified(flow)
        gateway.script.time_out_next = 2  # the authorisation happens, its answer is lost twice
        flow.confirm_order(number)
        assert gateway.moved("authorise") == eur("43.21")
        assert len([c for c in gateway.charges if c.kind == "authorise"]) == 1
        assert flow.payments(number)[0].status is self.settled

    def test_gateway_down_leaves_the_operation_pending_then_resumes(
        self, flow: OrderFlow, gateway: FakeGateway
    ) -> None:
        number = self._verified(flow)
        gateway.script.fail_next = 99
        with pytest.raises(GatewayUnavailable):
            flow.confirm_order(number)
        (payment,) = flow.payments(number)
        pending = payment.pending()
        assert pending is not None
        assert pending.attempts == 1
        assert flow.get_order(number).status is OrderStatus.VERIFIED
        gateway.script.fail_next = 0
        assert flow.resume_payments() == 1
        assert flow.payments(number)[0].status is PaymentStatus.AUTHORISED
        assert flow.confirm_order(number).status is OrderStatus.CONFIRMED
        assert len([c for c in gateway.charges if c.kind == "authorise"]) == 1

    def test_cancel_refunds_what_was_captured(self, flow: OrderFlow, gateway: FakeGateway) -> None:
        number = self._verified(flow)
        flow.confirm_order(number)
        flow.cancel_order(number, reason="customer request", actor="bob")
        (payment,) = flow.payments(number)
        assert (payment.status, payment.refunded) == (PaymentStatus.REFUNDED, eur("43.21"))
        assert gateway.moved("refund") == eur("43.21")

    def test_partial_refund_and_limits(self, flow: OrderFlow) -> None:
        number = self._verified(flow)
        flow.confirm_order(number)
        assert flow.refund_payment(number, eur("10.00"), reason="late", actor="bob") == eur("10.00")
        with pytest.raises(PaymentError, match=r"33\.21 EUR available"):
            flow.refund_payment(number, eur("40.00"), reason="again", actor="bob")
        (payment,) = flow.payments(number)
        assert (payment.status, payment.refunded) == (
            PaymentStatus.PARTIALLY_REFUNDED,
            eur("10.00"),
        )

    def test_split_payment_gift_card_and_card(self, flow: OrderFlow, gateway: FakeGateway) -> None:
        number = self._verified(flow)
        flow.add_payment(number, PaymentMethod(token="gift_1", kind="gift_card"), eur("20.00"))
        flow.confirm_order(number)
        amounts = [(p.method.kind, p.captured) for p in flow.payments(number)]
        assert amounts == [("gift_card", eur("20.00")), ("card", eur("23.21"))]
        flow.refund_payment(number, eur("10.00"), reason="goodwill", actor="bob")
        refunds = [p.refunded for p in flow.payments(number)]
        assert refunds == [eur("4.63"), eur("5.37")]  # split by what each captured
        with pytest.raises(PaymentError, match="exceed the total"):
            flow.add_payment(number, PaymentMethod(token="gift_2"), eur("50.00"))

    def test_digital_only_order_is_delivered_once_paid(
        self, flow: OrderFlow, gateway: FakeGateway
    ) -> None:
        number = self._verified(
            flow, lines=[EBOOK], shipping="0", order_discount="0", shipping_address=None
        )
        order = flow.confirm_order(number)
        assert order.status is OrderStatus.DELIVERED
        (item,) = order.digital_items
        assert (item.sku, item.payload.kind) == ("EBOOK", DigitalKind.LINK)
        assert item.payload.value.startswith("https://dl/")
        assert gateway.moved("capture") == order.totals.total == eur("12.00")
        assert flow.deliver_digital(number) == []  # delivered once, whatever is retried
        events = [e.event for e in flow.history(number)]
        assert events.count("DigitalItemDelivered") == 1
        assert events[-1] == "OrderDelivered"
        assert flow.complete_order(number).status is OrderStatus.COMPLETED

    def test_digital_lines_of_a_mixed_order_are_captured_and_delivered_at_confirmation(
        self, flow: OrderFlow, gateway: FakeGateway
    ) -> None:
        key = {**EBOOK, "sku": "GAME", "name": "Game key"}
        lines = [*order_data()["lines"], key]
        number = self._verified(flow, lines=lines)
        order = flow.confirm_order(number)
        assert order.status is OrderStatus.CONFIRMED  # the parcel is still to ship
        (item,) = order.digital_items
        assert item.payload.kind is DigitalKind.LICENCE_KEY
        assert re.fullmatch(r"[0-9A-F]{4}(-[0-9A-F]{4}){3}", item.payload.value)
        paid_now = (
            order.totals.total if self.capture is CaptureMode.ON_CONFIRM else key_total(order)
        )
        assert gateway.moved("capture") == paid_now

    def test_digital_lines_wait_for_a_capture_the_gateway_left_pending(
        self, flow: OrderFlow, gateway: FakeGateway
    ) -> None:
        number = self._verified(
            flow, lines=[EBOOK], shipping="0", order_discount="0", shipping_address=None
        )
        capture = gateway.capture

        def silent(*args: Any, **kwargs: Any) -> Any:
            raise GatewayUnavailable("no answer")

        gateway.capture = silent  # type: ignore[method-assign]
        order = flow.confirm_order(number)
        assert (order.status, order.digital_items) == (OrderStatus.CONFIRMED, ())
        gateway.capture = capture  # type: ignore[method-assign]
        assert flow.resume_payments() == 1
        assert flow.get_order(number).status is OrderStatus.DELIVERED


class CaptureOnShipContract(PaymentsContract):
    """With capture on shipment, confirmation only authorises; cancel voids."""

    capture = CaptureMode.ON_SHIP
    settled = PaymentStatus.AUTHORISED

    def test_confirm_authorises_and_captures(self, flow: OrderFlow, gateway: FakeGateway) -> None:
        number = self._verified(flow)
        flow.confirm_order(number)
        (payment,) = flow.payments(number)
        assert (payment.status, payment.captured) == (PaymentStatus.AUTHORISED, eur("0"))
        assert flow.capture_payment(number, eur("13.21")) == eur("13.21")
        assert flow.payments(number)[0].status is PaymentStatus.PARTIALLY_CAPTURED

    def test_cancel_refunds_what_was_captured(self, flow: OrderFlow, gateway: FakeGateway) -> None:
        number = self._verified(flow)
        flow.confirm_order(number)
        flow.cancel_order(number, reason="customer request", actor="bob")
        assert flow.payments(number)[0].status is PaymentStatus.VOIDED
        assert gateway.moved("capture") is None

    def test_partial_refund_and_limits(self, flow: OrderFlow) -> None:
        number = self._verified(flow)
        flow.confirm_order(number)
        with pytest.raises(PaymentError, match=r"0\.00 EUR available"):
            flow.refund_payment(number, eur("1.00"), reason="nothing captured", actor="bob")

    def test_split_payment_gift_card_and_card(self, flow: OrderFlow, gateway: FakeGateway) -> None:
        number = self._verified(flow)
        flow.add_payment(number, PaymentMethod(token="gift_1", kind="gift_card"), eur("20.00"))
        flow.confirm_order(number)
        assert flow.capture_payment(number) == eur("43.21")
        assert [p.captured for p in flow.payments(number)] == [eur("20.00"), eur("23.21")]

    def test_expired_authorisation_is_renewed_before_capture(
        self, flow: OrderFlow, clock: ManualClock, gateway: FakeGateway
    ) -> None:
        from datetime import timedelta

        number = self._verified(flow)
        flow.confirm_order(number)
        clock.advance(timedelta(days=8))
        assert flow.expire_authorisations() == [number]
        assert flow.payments(number)[0].status is PaymentStatus.EXPIRED
        with pytest.raises(Exception, match="cannot capture"):
            flow.capture_payment(number)
