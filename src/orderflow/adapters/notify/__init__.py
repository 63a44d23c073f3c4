"""Notifier adapters: SMTP e-mail, signed webhooks, a logger, an in-memory recorder; and the
in-memory rate limiter of the tracking view."""

from orderflow.adapters.notify.log import LoggingNotifier
from orderflow.adapters.notify.ratelimit import SlidingWindowRateLimiter
from orderflow.adapters.notify.recorder import RecordingNotifier
from orderflow.adapters.notify.smtp import SmtpNotifier, message_id_header
from orderflow.adapters.notify.webhook import (
    WebhookError,
    WebhookNotifier,
    signature,
    verify_signature,
)

__all__ = [
    "LoggingNotifier",
    "RecordingNotifier",
    "SlidingWindowRateLimiter",
    "SmtpNotifier",
    "WebhookError",
    "WebhookNotifier",
    "message_id_header",
    "signature",
    "verify_signature",
]
