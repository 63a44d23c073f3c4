"""Signed webhooks against a local HTTP server on 127.0.0.1."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from orderflow import ValidationError, WebhookNotifier
from orderflow.adapters.notify import WebhookError, signature, verify_signature
from tests.notifications.helpers import customer_order, engine

SECRET = "whsec_test"


class Receiver(ThreadingHTTPServer):
    """Answers with the scripted statuses first, then 200; keeps one delivery per key."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.script: list[int] = []
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.delivered: dict[str, dict[str, Any]] = {}
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hooks/orderflow"


class Handler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        headers = dict(self.headers.items())
        with self.server.lock:
            self.server.requests.append((headers, body))
            status = self.server.script.pop(0) if self.server.script else 200
            if status == 200:
                ok = verify_signature(
                    SECRET, body, headers["X-Orderflow-Timestamp"],
                    headers["X-Orderflow-Signature"],
                )  # fmt: skip
                status = 200 if ok else 401
            if status == 200:
                self.server.delivered.setdefault(headers["Idempotency-Key"], json.loads(body))
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:  # keep the test output quiet
        pass


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_shop_alerts_are_posted_signed_and_retried_within_the_call(receiver: Receiver) -> None:
    receiver.script = [503, 503]
    pauses: list[float] = []
    flow, _ = engine()
    hook = WebhookNotifier(receiver.url, SECRET, attempts=3, sleep=pauses.append)
    flow.add_notifier("hooks", hook, audience="shop")
    number = flow.place_order(customer_order()).number
    flow.place_hold(number, "fraud_review", reason="score 91", actor="system:fraud")
    flow.dispatch_pending()
    flow.dispatch_pending()
    assert pauses == [0.5, 1.0]
    assert len(receiver.requests) == 3
    key = f"{number}:2/fraud_review_waiting/hooks"
    assert list(receiver.delivered) == [key]
    payload = receiver.delivered[key]
    assert payload["type"] == "fraud_review_waiting"
    assert payload["audience"] == "shop"
    assert payload["order_number"] == number
    assert payload["data"]["total"] == {"minor": 4321, "currency": "EUR"}
    assert "score 91" not in json.dumps(payload)  # the hold's internal reason stays inside
    headers = receiver.requests[-1][0]
    assert headers["X-Orderflow-Notification"] == key
    assert headers["Content-Type"] == "application/json"


def test_a_refused_hook_fails_at_once_and_is_delivered_later_exactly_once(
    receiver: Receiver,
) -> None:
    receiver.script = [400]
    flow, clock = engine()
    flow.add_notifier("hooks", WebhookNotifier(receiver.url, SECRET, sleep=lambda _: None))
    number = flow.place_order(customer_order()).number
    flow.dispatch_pending()
    report = flow.dispatch_pending()
    assert report.failed == 1
    assert "answered 400" in report.errors[0][1]
    assert len(receiver.requests) == 1
    clock.advance(timedelta(minutes=1))
    assert flow.dispatch_pending().failed == 0
    bodies = {body for _, body in receiver.requests}
    assert len(bodies) == 1  # the same bytes on every attempt
    assert len(receiver.delivered) == 1
    events = [e.event for e in flow.history(number) if e.event.startswith("Notification")]
    assert events == ["NotificationFailed", "NotificationSent"]


def test_an_unreachable_hook_raises_after_its_attempts() -> None:
    hook = WebhookNotifier("http://127.0.0.1:9/x", SECRET, attempts=2, sleep=lambda _: None,
                           timeout=2)  # fmt: skip
    flow, _ = engine()
    flow.add_notifier("hooks", hook)
    flow.place_order(customer_order())
    flow.dispatch_pending()
    report = flow.dispatch_pending()
    assert report.failed == 1
    assert "after 2 attempts" in report.errors[0][1]


def test_signatures_bind_body_and_time() -> None:
    body = b'{"id":"x"}'
    good = signature(SECRET, 1_000_000, body)
    assert verify_signature(SECRET, body, "1000000", good, now=1_000_100)
    assert not verify_signature(SECRET, body + b" ", "1000000", good, now=1_000_100)
    assert not verify_signature(SECRET, body, "1000001", good, now=1_000_100)
    assert not verify_signature(SECRET, body, "1000000", good, now=1_000_000 + 301)
    assert not verify_signature("other", body, "1000000", good, now=1_000_100)
    assert not verify_signature(SECRET, body, "soon", good)
    with pytest.raises(ValidationError, match="url"):
        WebhookNotifier("ftp://example.com", SECRET)
    with pytest.raises(ValidationError, match="secret"):
        WebhookNotifier("https://example.com", "")
    with pytest.raises(WebhookError):
        raise WebhookError("https://example.com", "answered 500", 500)
