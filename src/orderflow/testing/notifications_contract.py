"""Notifications, inquiries and the tracking view over one backend (subclass like
OrderFlowContract): notifications go through the backend's outbox, inquiries are stored in it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from orderflow.adapters.carrier import FakeCarrier
from orderflow.adapters.clock import ManualClock
from orderflow.adapters.notify import RecordingNotifier
from orderflow.application.inquiries import InquiryStats
from orderflow.application.services import Services
from orderflow.application.tracking import TooManyAttempts, TrackingRefused
from orderflow.domain.errors import IllegalTransition, NotFound, OrderNotFound, ValidationError
from orderflow.domain.inquiries import InquiryStatus
from orderflow.domain.notifications import Notification
from orderflow.domain.shipping import ShipmentStatus
from orderflow.engine import OrderFlow
from orderflow.testing.fulfilment_contract import FulfilmentSetup


class FlakyNotifier(RecordingNotifier):
    """Raises for the first ``failures`` sends of each notification, then records it."""

    def __init__(self, failures: int) -> None:
        super().__init__()
        self.failures = failures
        self.tries: list[Notification] = []

    def send(self, notification: Notification) -> str | None:
        self.tries.append(notification)
        if sum(1 for n in self.tries if n.message_id == notification.message_id) <= self.failures:
            raise ConnectionError("mail relay unreachable")
        return super().send(notification)


def drain(flow: OrderFlow, clock: ManualClock | None = None, rounds: int = 20) -> int:
    """Dispatch until the outbox is quiet (moving ``clock`` past any backoff); messages sent."""
    sent = 0
    for _ in range(rounds):
        report = flow.dispatch_pending()
        sent += report.sent
        if report.failed and clock is not None:
            clock.advance(timedelta(hours=2))
        elif not report.claimed:
            return sent
    return sent


class NotificationsContract(FulfilmentSetup):
    """Customer communication over one backend."""

    @pytest.fixture
    def mail(self) -> RecordingNotifier:
        return RecordingNotifier()

    @pytest.fixture
    def ops(self) -> RecordingNotifier:
        return RecordingNotifier()

    @pytest.fixture
    def notifying(
        self, flow: OrderFlow, mail: RecordingNotifier, ops: RecordingNotifier
    ) -> OrderFlow:
        flow.add_notifier("email", mail)
        flow.add_notifier("ops", ops, audience="shop", recipient="ops@shop.example")
        drain(flow)  # the stock received by the setup
        mail.clear()
        ops.clear()
        return flow

    def configure(self, services: Services) -> None:
        services.notification_settings.shop_name = "Mugs & More"

    # -- notifications ---------------------------------------------------------------------------

    def test_the_lifecycle_is_told_to_the_customer_and_recorded_in_the_history(
        self,
        notifying: OrderFlow,
        mail: RecordingNotifier,
        carrier: FakeCarrier,
        clock: ManualClock,
    ) -> None:
        flow = notifying
        number = self._confirmed(flow)
        self._ship_all(flow, number)
        first = flow.shipments(number)[0]
        carrier.push(first.tracking_number or "", ShipmentStatus.OUT_FOR_DELIVERY, clock.now())
        flow.refresh_tracking()
        flow.confirm_delivery(number, actor="ann")
        drain(flow)
        kinds = [str(n.type) for n in mail.for_order(number)]
        assert kinds == [
            "order_received", "order_confirmed", "shipped", "shipped", "out_for_delivery",
            "delivered",
        ]  # fmt: skip
        shipped = mail.of_type("shipped")[0]
        assert shipped.recipient == "ann@example.com"
        assert shipped.message_id.endswith("/shipped/email")
        assert "fakepost" in shipped.text
        assert (first.tracking_number or "?") in shipped.html
        assert "Mugs &amp; More" in shipped.html
        assert "Mugs & More" in shipped.text
        entries = [e for e in flow.history(number) if e.event == "NotificationSent"]
        assert [e.data["notification_type"] for e in entries] == kinds
        assert {e.data["notification_id"] for e in entries} == {n.message_id for n in mail.sent}
        assert drain(flow) == 0  # nothing is sent twice

    def test_a_failing_channel_delivers_once_after_its_failures(
        self, flow: OrderFlow, clock: ManualClock
    ) -> None:
        flaky = FlakyNotifier(failures=3)
        flow.add_notifier("email", flaky, types=["order_received"])
        number = flow.place_order({**_order(), "external_reference": "FL-1"}).number
        flow.dispatch_pending()  # fan-out
        for attempt in (1, 2, 3):
            assert flow.dispatch_pending().failed == 1
            [pending] = flow.pending_notifications()
            assert (pending.attempts, pending.channel) == (attempt, "email")
            assert pending.last_error is not None
            assert "mail relay unreachable" in pending.last_error
            assert flaky.sent == []
            clock.advance(timedelta(hours=2))
        assert flow.dispatch_pending().failed == 0
        assert flow.pending_notifications() == []
        assert len(flaky.sent) == 1
        assert len(flaky.tries) == 4
        assert len({(n.message_id, n.subject, n.text, n.html) for n in flaky.tries}) == 1
        assert [n.attempt for n in flaky.tries] == [1, 2, 3, 4]
        events = [(e.event, e.data.get("attempt")) for e in flow.history(number)
                  if e.event.startswith("Notification")]  # fmt: skip
        assert events == [("NotificationFailed", 1), ("NotificationFailed", 2),
                          ("NotificationFailed", 3), ("NotificationSent", 4)]  # fmt: skip
        assert drain(flow, clock) >= 0
        assert len(flaky.tries) == 4

    def test_shop_alerts_and_delays(
        self, notifying: OrderFlow, mail: RecordingNotifier, ops: RecordingNotifier,
        clock: ManualClock,
    ) -> None:  # fmt: skip
        flow = notifying
        number = self._confirmed(flow)
        clock.advance(timedelta(days=3))
        flow.flag_late_orders()
        drain(flow)
        assert [str(n.type) for n in ops.sent] == ["low_stock", "late_order"]
        assert all(n.recipient == "ops@shop.example" for n in ops.sent)
        assert ops.sent[0].subject == "Stock alert (out of stock): MUG at BER"  # all reserved
        assert mail.of_type("delayed")[0].order_number == number
        assert not any(n.type.audience == "shop" for n in mail.sent)

    def test_a_return_refund_is_told_once(
        self, notifying: OrderFlow, mail: RecordingNotifier
    ) -> None:
        flow = notifying
        number = self._confirmed(flow)
        self._ship_all(flow, number)
        flow.confirm_delivery(number, actor="ann")
        rma = flow.request_return(
            number, [{"sku": "TEE", "quantity": 1, "reason": "damaged"}], actor="ann"
        )
        flow.approve_return(rma.id, location="BER", actor="bob")
        flow.receive_return(rma.id, actor="bob")
        flow.inspect_return(rma.id, {"TEE": (1, 0)}, actor="ina")
        flow.refund_return(rma.id, actor="bob")
        drain(flow)
        kinds = [str(n.type) for n in mail.for_order(number)]
        assert kinds[-3:] == ["return_approved", "return_received", "refund_issued"]
        approved = mail.of_type("return_approved")[0]
        assert rma.id in approved.text
        assert (flow.returns(number)[0].label_tracking or "?") in (approved.text)
        assert rma.id in mail.of_type("refund_issued")[0].text

    # -- inquiries -------------------------------------------------------------------------------

    def test_inquiries_are_stored_answered_closed_and_in_the_history(
        self, flow: OrderFlow, clock: ManualClock
    ) -> None:
        number = self._confirmed(flow)
        start = clock.now()
        question = flow.open_inquiry(number, "Where is my parcel?", actor="ann",
                                     channel="chat")  # fmt: skip
        complaint = flow.open_inquiry(number, "The mug is chipped", kind="complaint", actor="ann")
        assert [i.id for i in flow.open_inquiries()] == [question.id, complaint.id]
        clock.advance(timedelta(hours=2))
        flow.reply_to_inquiry(question.id, "It ships today.", actor="bob")
        clock.advance(timedelta(hours=4))
        flow.reply_to_inquiry(complaint.id, "A new one is on its way.", actor="bob")
        again = flow.add_inquiry_message(question.id, "Thanks! And the tracking?", actor="ann")
        assert again.status is InquiryStatus.OPEN
        assert len(again.messages) == 3
        closed = flow.close_inquiry(complaint.id, reason="replacement sent", actor="bob")
        assert closed.status is InquiryStatus.CLOSED
        assert closed.closed_at == clock.now()
        with pytest.raises(IllegalTransition):
            flow.reply_to_inquiry(complaint.id, "more", actor="bob")
        loaded = flow.get_inquiry(question.id)
        assert [m.text for m in loaded.messages] == [
            "Where is my parcel?", "It ships today.", "Thanks! And the tracking?",
        ]  # fmt: skip
        assert loaded.response_time == timedelta(hours=2)
        assert [i.id for i in flow.open_inquiries()] == [question.id]
        assert [i.id for i in flow.inquiries(number)] == [question.id, complaint.id]
        stats = flow.inquiry_stats(since=start)
        assert stats == InquiryStats(
            opened=2, answered=2, still_open=1, mean_response=timedelta(hours=4),
            median_response=timedelta(hours=4), longest_response=timedelta(hours=6),
            longest_waiting=timedelta(0),
        )  # fmt: skip
        assert flow.inquiry_stats(since=clock.now()).opened == 0
        summaries = [e.summary for e in flow.history(number) if e.event.startswith("Inquiry")]
        assert summaries[0] == f"question {question.id} via chat: Where is my parcel?"
        assert summaries[-1] == f"inquiry {complaint.id} closed"
        assert len(summaries) == 6

    def test_bad_inquiries_are_refused_and_leave_nothing(self, flow: OrderFlow) -> None:
        number = self._confirmed(flow)
        before = len(flow.history(number))
        with pytest.raises(ValidationError, match="channel"):
            flow.open_inquiry(number, "hi", channel="pigeon", actor="ann")
        with pytest.raises(ValidationError, match="text"):
            flow.open_inquiry(number, "   ", actor="ann")
        with pytest.raises(OrderNotFound):
            flow.open_inquiry("OF-999999", "hi", actor="ann")
        with pytest.raises(NotFound):
            flow.reply_to_inquiry("INQ-nope", "hi", actor="bob")
        assert flow.inquiries(number) == []
        assert flow.open_inquiries() == []
        assert len(flow.history(number)) == before

    # -- the tracking view -----------------------------------------------------------------------

    def test_the_tracking_view_shows_only_public_facts(self, flow: OrderFlow) -> None:
        number = self._confirmed(flow)
        flow.add_note(number, "customer is rude, VIP discount 90%", actor="bob")
        self._ship_all(flow, number)
        view = flow.track_order(number, email="  ANN@example.com ")
        assert view == flow.track_order(number, postcode="101 15")
        assert (view.order_number, view.status, str(view.ship_by)) == (
            number, "shipped", "2026-01-06",
        )  # fmt: skip
        assert [(s.carrier, s.status) for s in view.shipments] == [("fakepost", "shipped")] * 2
        assert all(s.tracking_number for s in view.shipments)
        shown = repr(view)
        for secret in ("rude", "VIP", "bob", "sam", "tok_", "4242", "Hauptstr", "score"):
            assert secret not in shown

    def test_wrong_pairs_are_refused_alike_and_rate_limited(self, flow: OrderFlow) -> None:
        number = self._confirmed(flow)
        errors = []
        for kwargs in (
            {"email": "eve@example.com"},
            {"postcode": "99999"},
        ):
            with pytest.raises(TrackingRefused) as refused:
                flow.track_order(number, client="1.2.3.4", **kwargs)
            errors.append(str(refused.value))
        with pytest.raises(TrackingRefused) as unknown:
            flow.track_order("OF-424242", email="ann@example.com", client="1.2.3.4")
        errors.append(str(unknown.value))
        assert len(set(errors)) == 1
        for _ in range(2):
            with pytest.raises(TrackingRefused):
                flow.track_order("OF-777777", email="x@example.com", client="1.2.3.4")
        with pytest.raises(TooManyAttempts):  # the right pair, but this client guessed too often
            flow.track_order(number, email="ann@example.com", client="1.2.3.4")
        assert flow.track_order(number, email="ann@example.com", client="5.6.7.8").status
        with pytest.raises(ValidationError, match="email"):
            flow.track_order(number, email="ann@example.com", postcode="10115")


def _order() -> dict[str, object]:
    from orderflow.testing.contract import order_data

    return order_data(note=None)
