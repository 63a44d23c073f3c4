"""Customer inquiries: log a question or complaint against an order, reply, close; response times.

Every step is one transaction that also records an event on the order, so the inquiry shows in
the order's history.
"""

from __future__ import annotations

import statistics
from datetime import datetime, timedelta

from attrs import frozen

from orderflow.application.services import Services
from orderflow.domain import events as ev
from orderflow.domain.checks import check_text, parse_enum
from orderflow.domain.errors import ValidationError
from orderflow.domain.inquiries import MAX_TEXT, Inquiry, InquiryChannel, InquiryKind
from orderflow.domain.values import Actor


def open_inquiry(
    svc: Services,
    number: str,
    text: str,
    *,
    kind: InquiryKind | str,
    channel: InquiryChannel | str,
    actor: Actor,
    received_at: datetime | None = None,
) -> Inquiry:
    """Log the customer's question or complaint (``received_at``: when it came in, default now)."""
    kind = parse_enum("kind", InquiryKind, kind)
    channel = parse_enum("channel", InquiryChannel, channel)
    check_text("text", text, MAX_TEXT)
    now = svc.clock.now()
    at = _at(received_at, now)
    with svc.uow() as uow:
        order = uow.orders.get(number)
        ident = f"INQ-{number}-{len(uow.inquiries.for_order(number)) + 1}"
        inquiry = Inquiry.open(
            ident, number, kind=kind, channel=channel, text=text, author=actor, now=at
        )
        uow.inquiries.add(inquiry)
        order.record(
            ev.InquiryOpened,
            actor=actor,
            now=now,
            inquiry_id=ident,
            kind=str(kind),
            channel=str(channel),
            text=text,
        )
        uow.orders.save(order)
        uow.commit()
        return inquiry


def add_message(
    svc: Services,
    inquiry_id: str,
    text: str,
    *,
    channel: InquiryChannel | str | None,
    actor: Actor,
) -> Inquiry:
    """The customer wrote again on an inquiry (it is open again)."""
    return _write(svc, inquiry_id, text, channel=channel, actor=actor, outbound=False)


def reply(
    svc: Services,
    inquiry_id: str,
    text: str,
    *,
    channel: InquiryChannel | str | None,
    actor: Actor,
) -> Inquiry:
    """Answer an inquiry (the first answer fixes its response time)."""
    return _write(svc, inquiry_id, text, channel=channel, actor=actor, outbound=True)


def _write(
    svc: Services,
    inquiry_id: str,
    text: str,
    *,
    channel: InquiryChannel | str | None,
    actor: Actor,
    outbound: bool,
) -> Inquiry:
    check_text("text", text, MAX_TEXT)
    now = svc.clock.now()
    with svc.uow() as uow:
        inquiry = uow.inquiries.get(inquiry_id)
        chosen = (
            inquiry.channel if channel is None else parse_enum("channel", InquiryChannel, channel)
        )
        order = uow.orders.get(inquiry.order_number)
        if outbound:
            inquiry.reply(text, channel=chosen, author=actor, now=now)
            event: type[ev.OrderEvent] = ev.InquiryReplied
        else:
            inquiry.receive(text, channel=chosen, author=actor, now=now)
            event = ev.InquiryMessageAdded
        order.record(
            event, actor=actor, now=now, inquiry_id=inquiry.id, channel=str(chosen), text=text
        )
        uow.inquiries.save(inquiry)
        uow.orders.save(order)
        uow.commit()
        return inquiry


def close_inquiry(svc: Services, inquiry_id: str, *, reason: str, actor: Actor) -> Inquiry:
    """Close an inquiry for good, with a reason."""
    now = svc.clock.now()
    with svc.uow() as uow:
        inquiry = uow.inquiries.get(inquiry_id)
        order = uow.orders.get(inquiry.order_number)
        inquiry.close(reason=reason, now=now)
        order.record(ev.InquiryClosed, actor=actor, now=now, reason=reason, inquiry_id=inquiry.id)
        uow.inquiries.save(inquiry)
        uow.orders.save(order)
        uow.commit()
        return inquiry


def inquiries_of(svc: Services, number: str) -> list[Inquiry]:
    """The order's inquiries, oldest first (OrderNotFound for an unknown order)."""
    with svc.uow() as uow:
        uow.orders.get(number)
        return uow.inquiries.for_order(number)


def get_inquiry(svc: Services, inquiry_id: str) -> Inquiry:
    """The inquiry with ``inquiry_id`` (NotFound if none)."""
    with svc.uow() as uow:
        return uow.inquiries.get(inquiry_id)


def open_inquiries(svc: Services) -> list[Inquiry]:
    """Every inquiry not closed, oldest first."""
    with svc.uow() as uow:
        return [uow.inquiries.get(i) for i in uow.inquiries.open_ids()]


@frozen(kw_only=True)
class InquiryStats:
    """Inquiries opened in a period and how fast they were first answered."""

    opened: int
    answered: int
    still_open: int
    mean_response: timedelta | None
    median_response: timedelta | None
    longest_response: timedelta | None
    longest_waiting: timedelta | None  # the oldest unanswered message of the period, at ``now``


def inquiry_stats(svc: Services, *, since: datetime, until: datetime | None = None) -> InquiryStats:
    """Counts and first-response times of the inquiries opened in ``[since, until)``."""
    now = svc.clock.now()
    since = _at(since, now, name="since")
    if until is not None:
        until = _at(until, now, name="until", future=True)
    with svc.uow() as uow:
        found = [uow.inquiries.get(i) for i in uow.inquiries.opened_ids(since, until)]
    times = [i.response_time for i in found if i.response_time is not None]
    seconds = [t.total_seconds() for t in times]
    waiting = [now - at for i in found if (at := i.waiting_since()) is not None]
    return InquiryStats(
        opened=len(found),
        answered=len(times),
        still_open=sum(1 for i in found if i.is_open),
        mean_response=timedelta(seconds=statistics.fmean(seconds)) if seconds else None,
        median_response=timedelta(seconds=statistics.median(seconds)) if seconds else None,
        longest_response=max(times) if times else None,
        longest_waiting=max(waiting) if waiting else None,
    )


def _at(
    value: datetime | None, now: datetime, *, name: str = "received_at", future: bool = False
) -> datetime:
    if value is None:
        return now
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise ValidationError.single(name, f"must be a timezone-aware datetime, got {value!r}")
    if value > now and not future:
        raise ValidationError.single(name, "must not be in the future")
    return value
