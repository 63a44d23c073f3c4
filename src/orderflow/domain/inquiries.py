"""Customer inquiries: a question or complaint about an order, the answers, and its closing.

An inquiry is *open* until someone replies (then *answered*); the customer writing again opens it
again; *closed* is final. Its first response time is the time from opening to the first reply.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from attrs import define, field, frozen

from orderflow.domain import checks
from orderflow.domain.errors import IllegalTransition
from orderflow.domain.values import Actor

#: The longest message text an inquiry keeps.
MAX_TEXT = 4000


class InquiryKind(StrEnum):
    """What the customer wants."""

    QUESTION = "question"
    COMPLAINT = "complaint"


class InquiryChannel(StrEnum):
    """How the customer got in touch (and how the reply went out)."""

    EMAIL = "email"
    PHONE = "phone"
    CHAT = "chat"
    WEB = "web"
    SOCIAL = "social"
    LETTER = "letter"


class InquiryStatus(StrEnum):
    """Where an inquiry stands."""

    OPEN = "open"
    ANSWERED = "answered"
    CLOSED = "closed"


class Direction(StrEnum):
    """From the customer, or to the customer."""

    INBOUND = "inbound"
    OUTBOUND = "outbound"


@frozen(kw_only=True)
class InquiryMessage:
    """One message of an inquiry."""

    direction: Direction
    channel: InquiryChannel
    text: str = field(validator=checks.text(MAX_TEXT))
    author: Actor
    at: datetime


@define(kw_only=True, eq=False)
class Inquiry:
    """A customer's question or complaint about one order."""

    id: str
    order_number: str
    kind: InquiryKind
    channel: InquiryChannel
    opened_at: datetime
    status: InquiryStatus = InquiryStatus.OPEN
    messages: list[InquiryMessage] = field(factory=list)
    first_response_at: datetime | None = None
    closed_at: datetime | None = None
    closed_reason: str | None = None
    version: int = 0

    @classmethod
    def open(
        cls,
        ident: str,
        order_number: str,
        *,
        kind: InquiryKind,
        channel: InquiryChannel,
        text: str,
        author: Actor,
        now: datetime,
    ) -> Inquiry:
        """A new open inquiry with the customer's first message."""
        message = InquiryMessage(
            direction=Direction.INBOUND, channel=channel, text=text, author=author, at=now
        )
        return cls(
            id=ident,
            order_number=order_number,
            kind=kind,
            channel=channel,
            opened_at=now,
            messages=[message],
        )

    @property
    def is_open(self) -> bool:
        """Not closed (open or answered)."""
        return self.status is not InquiryStatus.CLOSED

    @property
    def response_time(self) -> timedelta | None:
        """From opening to the first reply; None while unanswered."""
        return None if self.first_response_at is None else self.first_response_at - self.opened_at

    def waiting_since(self) -> datetime | None:
        """When the customer's oldest unanswered message came in; None if nothing waits."""
        waiting = None
        for message in self.messages:
            if message.direction is Direction.OUTBOUND:
                waiting = None
            elif waiting is None:
                waiting = message.at
        return waiting if self.is_open else None

    def receive(
        self, text: str, *, channel: InquiryChannel, author: Actor, now: datetime
    ) -> InquiryMessage:
        """The customer wrote again: the inquiry is open again."""
        message = self._message(Direction.INBOUND, "receive", text, channel, author, now)
        self.messages.append(message)
        self.status = InquiryStatus.OPEN
        return message

    def reply(
        self, text: str, *, channel: InquiryChannel, author: Actor, now: datetime
    ) -> InquiryMessage:
        """Someone answered: the inquiry is answered (the first answer sets the response time)."""
        message = self._message(Direction.OUTBOUND, "reply", text, channel, author, now)
        self.messages.append(message)
        self.status = InquiryStatus.ANSWERED
        if self.first_response_at is None:
            self.first_response_at = now
        return message

    def close(self, *, reason: str, now: datetime) -> None:
        """Close the inquiry for good, with a reason."""
        self._refuse_if_closed("close")
        checks.check_text("reason", reason, 1000)
        self.status, self.closed_at, self.closed_reason = InquiryStatus.CLOSED, now, reason

    def _message(
        self,
        direction: Direction,
        trigger: str,
        text: str,
        channel: InquiryChannel,
        author: Actor,
        now: datetime,
    ) -> InquiryMessage:
        self._refuse_if_closed(trigger)
        return InquiryMessage(
            direction=direction, channel=channel, text=text, author=author, at=now
        )

    def _refuse_if_closed(self, trigger: str) -> None:
        if self.status is InquiryStatus.CLOSED:
            raise IllegalTransition("inquiry", self.id, str(self.status), trigger, ())
