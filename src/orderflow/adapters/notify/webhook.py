"""Signed webhooks: each notification POSTed as JSON, signed with HMAC-SHA256.

Headers of every request:

* ``Idempotency-Key`` and ``X-Orderflow-Notification``: the notification's stable id, the same
  on every attempt, so a receiver that de-duplicates handles it once;
* ``X-Orderflow-Timestamp``: Unix seconds when the request was signed;
* ``X-Orderflow-Signature``: ``sha256=`` and the hex HMAC-SHA256, under the shared secret, of
  ``TIMESTAMP.`` followed by the body's bytes. Receivers check it with
  :func:`verify_signature` and refuse old timestamps (replays).

A failed request (no connection, a timeout, 408, 429 or 5xx) is tried again up to ``attempts``
times with a doubling pause; then, or at once for other answers, :class:`WebhookError` is raised
and the outbox retries the notification later.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from urllib.parse import urlsplit

from orderflow.domain.errors import OrderflowError, ValidationError
from orderflow.domain.notifications import Notification

SIGNATURE_HEADER = "X-Orderflow-Signature"
TIMESTAMP_HEADER = "X-Orderflow-Timestamp"
ID_HEADER = "X-Orderflow-Notification"
#: Answers worth trying again at once; others are final for this attempt.
RETRYABLE = frozenset({408, 425, 429, 500, 502, 503, 504})


class WebhookError(OrderflowError):
    """The receiver did not accept the notification (its status, or the connection's error)."""

    def __init__(self, url: str, problem: str, status: int | None = None) -> None:
        self.url, self.status = url, status
        super().__init__(f"webhook {url}: {problem}")


def _key(secret: str | bytes) -> bytes:
    key = secret.encode() if isinstance(secret, str) else secret
    if not key:
        raise ValidationError.single("secret", "must not be empty")
    return key


def signature(secret: str | bytes, timestamp: int, body: bytes) -> str:
    """The ``X-Orderflow-Signature`` value for ``body`` signed at ``timestamp``.

    >>> signature("s3cret", 1767603600, b'{"id":"OF-000001:1/order_received/hooks"}')[:15]
    'sha256=cf19cbca'
    """
    mac = hmac.new(_key(secret), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify_signature(
    secret: str | bytes,
    body: bytes,
    timestamp: str,
    received: str,
    *,
    now: float | None = None,
    tolerance: float = 300.0,
) -> bool:
    """Whether ``received`` signs ``body`` at ``timestamp`` and the timestamp is recent.

    For receivers: pass the raw body and the two headers. A timestamp more than ``tolerance``
    seconds from ``now`` (default: the current time) is refused, so a captured request cannot be
    replayed later.
    """
    try:
        at = int(timestamp)
    except (TypeError, ValueError):
        return False
    current = time.time() if now is None else now
    if abs(current - at) > tolerance:
        return False
    return hmac.compare_digest(signature(secret, at, body), received)


class WebhookNotifier:
    """POSTs each notification as JSON to ``url``, signed with ``secret`` (see the module)."""

    requires_recipient = False

    def __init__(
        self,
        url: str,
        secret: str | bytes,
        *,
        timeout: float = 10.0,
        attempts: int = 3,
        backoff: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        headers: dict[str, str] | None = None,
    ) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValidationError.single("url", f"expected an http(s) URL, got {url!r}")
        if attempts < 1:
            raise ValidationError.single("attempts", "must be at least 1")
        self.url, self._secret = url, _key(secret)
        self.timeout, self.attempts, self.backoff = timeout, attempts, backoff
        self._sleep, self._clock = sleep, clock
        self.headers = dict(headers or {})

    def body(self, notification: Notification) -> bytes:
        """The JSON body posted for ``notification`` (the same bytes on every attempt)."""
        return json.dumps(notification.to_json(), sort_keys=True, separators=(",", ":")).encode()

    def send(self, notification: Notification) -> str | None:
        body = self.body(notification)
        problem = "not tried"
        for attempt in range(1, self.attempts + 1):
            if attempt > 1:
                self._sleep(self.backoff * 2 ** (attempt - 2))
            timestamp = int(self._clock())
            request = urllib.request.Request(self.url, data=body, method="POST")
            for name, value in {
                **self.headers,
                "Content-Type": "application/json",
                "User-Agent": "orderflow-webhook",
                "Idempotency-Key": notification.message_id,
                ID_HEADER: notification.message_id,
                TIMESTAMP_HEADER: str(timestamp),
                SIGNATURE_HEADER: signature(self._secret, timestamp, body),
            }.items():
                request.add_header(name, value)
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    response.read()
                    reference = response.headers.get("X-Request-Id")
                    return str(reference) if reference else None
            except urllib.error.HTTPError as error:
                error.close()
                if error.code not in RETRYABLE:
                    raise WebhookError(self.url, f"answered {error.code}", error.code) from None
                problem = f"answered {error.code}"
            except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
                reason = getattr(error, "reason", error)
                problem = f"{type(error).__name__}: {reason}"
        raise WebhookError(self.url, f"{problem} (after {self.attempts} attempts)")
