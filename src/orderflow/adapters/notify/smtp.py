"""E-mail over SMTP on the standard library (:mod:`smtplib`, :mod:`email`).

Each notification becomes one ``multipart/alternative`` message (plain text and HTML) whose
``Message-ID`` is derived from the notification's stable id, so a retried send carries the same
Message-ID and a receiving system that de-duplicates keeps one copy.
"""

from __future__ import annotations

import re
import smtplib
import ssl
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

from orderflow.domain.errors import ValidationError
from orderflow.domain.notifications import Notification

_ATEXT = re.compile(r"[A-Za-z0-9_-]")


def message_id_header(notification_id: str, domain: str) -> str:
    """A valid, stable RFC 5322 Message-ID for a notification id.

    Characters other than letters, digits, ``_`` and ``-`` are written as ``=XX`` (their UTF-8
    bytes in hex), so different ids never share a Message-ID.

    >>> message_id_header("OF-000001:4/shipped/email", "shop.example")
    '<OF-000001=3A4=2Fshipped=2Femail@shop.example>'
    """
    encoded = "".join(
        ch if _ATEXT.fullmatch(ch) else "".join(f"={b:02X}" for b in ch.encode())
        for ch in notification_id
    )
    return f"<{encoded}@{domain}>"


class SmtpNotifier:
    """Sends notifications as e-mail through an SMTP server.

    ``sender`` is the From address (``"Shop <orders@shop.example>"``); ``security`` is
    ``"starttls"``, ``"tls"`` (implicit TLS, port 465) or ``"none"`` (a local relay);
    ``username``/``password`` log in when given. ``domain`` is the right-hand side of the
    Message-IDs (the sender's domain by default). A connection is opened per message: sends
    happen from the outbox relay, outside any transaction.
    """

    requires_recipient = True

    def __init__(
        self,
        host: str,
        port: int = 587,
        *,
        sender: str,
        security: str = "starttls",
        username: str | None = None,
        password: str | None = None,
        timeout: float = 30.0,
        domain: str | None = None,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        if security not in ("starttls", "tls", "none"):
            raise ValidationError.single(
                "security", f"expected starttls, tls or none, got {security!r}"
            )
        name, address = parseaddr(sender)
        if "@" not in address:
            raise ValidationError.single("sender", f"not an e-mail address: {sender!r}")
        self.host, self.port, self.security = host, port, security
        self.sender = str(Address(display_name=name, addr_spec=address))
        self.username, self.password, self.timeout = username, password, timeout
        self.domain = domain or address.rpartition("@")[2]
        self.ssl_context = ssl_context

    def message(self, notification: Notification) -> EmailMessage:
        """The e-mail for ``notification``."""
        recipient = notification.recipient
        if not recipient or "@" not in parseaddr(recipient)[1]:
            raise ValidationError.single("recipient", f"not an e-mail address: {recipient!r}")
        mail = EmailMessage()
        mail["From"] = self.sender
        mail["To"] = recipient
        mail["Subject"] = notification.subject
        mail["Date"] = format_datetime(notification.created_at)
        mail["Message-ID"] = message_id_header(notification.message_id, self.domain)
        mail["X-Orderflow-Notification"] = notification.message_id
        mail["Content-Language"] = notification.locale
        mail.set_content(notification.text)
        mail.add_alternative(notification.html, subtype="html")
        return mail

    def send(self, notification: Notification) -> str | None:
        mail = self.message(notification)
        context = self.ssl_context or ssl.create_default_context()
        client: smtplib.SMTP
        if self.security == "tls":
            client = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
        else:
            client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        with client:
            if self.security == "starttls":
                client.starttls(context=context)
            if self.username is not None:
                client.login(self.username, self.password or "")
            refused = client.send_message(mail)
        if refused:
            raise smtplib.SMTPRecipientsRefused(refused)
        return str(mail["Message-ID"])
