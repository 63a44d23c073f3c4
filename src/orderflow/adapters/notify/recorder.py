"""An in-memory notifier for host tests: it keeps what it was given, de-duplicated by id."""

from __future__ import annotations

import threading

from orderflow.domain.notifications import Notification, NotificationType


class RecordingNotifier:
    """Records every notification; a second send of the same ``message_id`` is counted, not kept.

    ``requires_recipient`` is False: it takes notifications for customers without an address.
    """

    requires_recipient = False

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.sent: list[Notification] = []
        self.attempts: dict[str, int] = {}

    def send(self, notification: Notification) -> str | None:
        with self._lock:
            seen = notification.message_id in self.attempts
            self.attempts[notification.message_id] = (
                self.attempts.get(notification.message_id, 0) + 1
            )
            if not seen:
                self.sent.append(notification)
        return None

    def of_type(self, kind: NotificationType | str) -> list[Notification]:
        """The recorded notifications of one type, in the order they came."""
        return [n for n in self.sent if n.type == kind]

    def for_order(self, number: str) -> list[Notification]:
        """The recorded notifications about one order."""
        return [n for n in self.sent if n.order_number == number]

    def clear(self) -> None:
        """Forget everything recorded."""
        with self._lock:
            self.sent.clear()
            self.attempts.clear()
