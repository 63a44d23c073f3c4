"""A notifier that writes each notification to a :mod:`logging` logger (development, audits)."""

from __future__ import annotations

import logging

from orderflow.domain.notifications import Notification


class LoggingNotifier:
    """Logs one line per notification (id, type, recipient, subject) and, at DEBUG, the text."""

    requires_recipient = False

    def __init__(
        self, logger: logging.Logger | str = "orderflow.notify", level: int = logging.INFO
    ):
        self.logger = logging.getLogger(logger) if isinstance(logger, str) else logger
        self.level = level

    def send(self, notification: Notification) -> str | None:
        self.logger.log(
            self.level,
            "notification %s (%s) to %s: %s",
            notification.message_id,
            notification.type,
            notification.recipient or notification.audience,
            notification.subject,
        )
        self.logger.debug("%s", notification.text)
        return None
