"""Business-day arithmetic for promised dates: weekdays and a holiday calendar (dateutil rrule).

>>> from datetime import date
>>> cal = BusinessCalendar(holidays=[date(2026, 12, 25), date(2026, 12, 28)])
>>> cal.add_business_days(date(2026, 12, 24), 1)   # Thu + 1: Fri is a holiday, Mon too
datetime.date(2026, 12, 29)
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta, tzinfo

from attrs import field, frozen
from dateutil.rrule import DAILY, FR, MO, TH, TU, WE, rrule, rruleset, weekday

from orderflow.domain.errors import ValidationError

WORKWEEK = (MO, TU, WE, TH, FR)


def _dates(values: Iterable[date]) -> frozenset[date]:
    return frozenset(values)


def _days(values: Iterable[weekday]) -> tuple[weekday, ...]:
    return tuple(values)


@frozen
class BusinessCalendar:
    """Working days (Monday to Friday by default) less the ``holidays``."""

    holidays: frozenset[date] = field(factory=frozenset, converter=_dates)
    weekdays: tuple[weekday, ...] = field(default=WORKWEEK, converter=_days)

    def is_business_day(self, day: date) -> bool:
        """Whether ``day`` is a working day."""
        return day.weekday() in {w.weekday for w in self.weekdays} and day not in self.holidays

    def add_business_days(self, start: date, days: int) -> date:
        """The ``days``-th business day after ``start`` (``start`` itself when ``days`` is 0)."""
        if type(days) is not int or days < 0:
            raise ValidationError.single("days", f"must be a whole number >= 0, got {days!r}")
        if days == 0:
            return start
        rules = rruleset()
        first = datetime.combine(start + timedelta(days=1), time())
        rules.rrule(rrule(DAILY, byweekday=self.weekdays, dtstart=first))
        for holiday in self.holidays:
            rules.exdate(datetime.combine(holiday, time()))
        for i, moment in enumerate(rules, start=1):
            if i == days:
                return moment.date()
        raise AssertionError("unreachable: the rule set is infinite")  # pragma: no cover

    def next_business_day(self, day: date) -> date:
        """``day`` if it is a business day, else the first one after it."""
        return day if self.is_business_day(day) else self.add_business_days(day, 1)


@frozen(kw_only=True)
class PromisedDates:
    """When the order should leave the warehouse and reach the customer."""

    ship_by: date
    deliver_by: date


def promise(
    placed_at: datetime,
    *,
    calendar: BusinessCalendar,
    cutoff: time,
    zone: tzinfo,
    handling_days: int,
    transit_days: int,
) -> PromisedDates:
    """Promised dates for an order placed at ``placed_at``.

    An order placed on a business day before the location's ``cutoff`` (local time in ``zone``)
    starts that day; later ones start the next business day. It ships ``handling_days`` business
    days after it starts and is delivered ``transit_days`` business days after shipping.
    """
    local = placed_at.astimezone(zone)
    start = local.date()
    if not calendar.is_business_day(start) or local.time() >= cutoff:
        start = calendar.add_business_days(start, 1)
    ship_by = calendar.add_business_days(start, handling_days)
    return PromisedDates(
        ship_by=ship_by, deliver_by=calendar.add_business_days(ship_by, transit_days)
    )
