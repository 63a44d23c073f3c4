"""The SMTP notifier against a real SMTP server (aiosmtpd) on localhost."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from orderflow import SmtpNotifier, ValidationError
from orderflow.application.notifications import to_notification
from tests.notifications.helpers import customer_order, engine


class Inbox:
    """An SMTP handler that de-duplicates by Message-ID; it can refuse the first deliveries."""

    def __init__(self) -> None:
        self.refuse = 0
        self.accepted = 0
        self.messages: dict[str, tuple[list[str], EmailMessage]] = {}
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        with self.lock:
            if self.refuse:
                self.refuse -= 1
                return "451 4.3.0 try again later"
            self.accepted += 1
            mail = message_from_bytes(envelope.content, policy=default)
            assert isinstance(mail, EmailMessage)
            self.messages.setdefault(str(mail["Message-ID"]), (list(envelope.rcpt_tos), mail))
        return "250 OK"


class LocalController(Controller):
    """Listens on a free port of 127.0.0.1 (port 0), then tells which."""

    def _trigger_server(self) -> None:
        assert self.server is not None
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    handler = Inbox()
    controller = LocalController(handler, hostname="127.0.0.1", port=0)
    controller.start()
    try:
        yield handler, controller.port
    finally:
        controller.stop()


def test_an_order_mail_arrives_with_text_html_and_a_stable_message_id(
    inbox: tuple[Inbox, int],
) -> None:
    server, port = inbox
    flow, _ = engine()
    smtp = SmtpNotifier("127.0.0.1", port, sender="Mugs <orders@shop.example>", security="none")
    flow.add_notifier("email", smtp, types=["order_received"])
    order = flow.place_order(customer_order(name="Ann <b>Lee</b>", locale="de"))
    flow.dispatch_pending()
    flow.dispatch_pending()
    [(recipients, mail)] = server.messages.values()
    assert recipients == ["ann@example.com"]
    assert mail["Subject"] == f"Wir haben Ihre Bestellung {order.number} erhalten"
    assert mail["From"] == "Mugs <orders@shop.example>"
    assert mail["Message-ID"] == f"<{order.number}=3A1=2Forder_received=2Femail@shop.example>"
    assert mail["X-Orderflow-Notification"] == f"{order.number}:1/order_received/email"
    text = mail.get_body(("plain",))
    html = mail.get_body(("html",))
    assert text is not None
    assert "Hallo Ann <b>Lee</b>," in text.get_content()
    assert html is not None
    assert "Hallo Ann &lt;b&gt;Lee&lt;/b&gt;," in html.get_content()
    assert "<b>" not in html.get_content()
    [entry] = [e for e in flow.history(order.number) if e.event == "NotificationSent"]
    assert entry.summary == "order_received sent via email to ann@example.com"


def test_a_refusing_server_gets_the_mail_once_after_retries(inbox: tuple[Inbox, int]) -> None:
    server, port = inbox
    server.refuse = 2
    flow, clock = engine()
    smtp = SmtpNotifier("127.0.0.1", port, sender="orders@shop.example", security="none")
    flow.add_notifier("email", smtp, types=["order_received"])
    number = flow.place_order(customer_order()).number
    flow.dispatch_pending()
    for _ in range(2):
        assert flow.dispatch_pending().failed == 1
        [pending] = flow.pending_notifications()
        assert pending.last_error is not None
        assert "451" in pending.last_error
        clock.advance(timedelta(hours=1))
    assert flow.dispatch_pending().failed == 0
    assert len(server.messages) == 1
    failures = [e.data["error"] for e in flow.history(number) if e.event == "NotificationFailed"]
    assert len(failures) == 2
    assert all("SMTPDataError" in f for f in failures)
    # a relay that died after sending sends again: same Message-ID, the receiver keeps one
    with flow.services.uow() as uow:
        message = uow.outbox.get(f"{number}:1/order_received/email")
    from orderflow import codec

    event = codec.event_from_json(message.topic, message.payload)
    smtp.send(to_notification(event))  # type: ignore[arg-type]
    assert server.accepted == 2
    assert len(server.messages) == 1


def test_bad_settings_and_recipients_are_refused() -> None:
    with pytest.raises(ValidationError, match="sender"):
        SmtpNotifier("127.0.0.1", sender="nobody")
    with pytest.raises(ValidationError, match="security"):
        SmtpNotifier("127.0.0.1", sender="a@b.example", security="ssl3")
    flow, _ = engine()
    flow.add_notifier("email", SmtpNotifier("127.0.0.1", 9, sender="a@b.example"))
    flow.place_order(customer_order(email=None, phone="+49 30 1234"))
    flow.dispatch_pending()
    assert flow.pending_notifications() == []  # no address: nothing queued for e-mail
