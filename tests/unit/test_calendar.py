"""Business days and promised dates."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from orderflow.domain.calendar import BusinessCalendar, promise

BERLIN = ZoneInfo("Europe/Berlin")
XMAS = BusinessCalendar(holidays=[date(2026, 12, 25), date(2026, 12, 26), date(2027, 1, 1)])


def test_weekends_and_holidays_are_skipped() -> None:
    assert XMAS.add_business_days(date(2026, 12, 23), 2) == date(2026, 12, 28)  # Wed -> Mon
    assert XMAS.add_business_days(date(2026, 12, 31), 1) == date(2027, 1, 4)
    assert XMAS.next_business_day(date(2026, 12, 26)) == date(2026, 12, 28)
    assert XMAS.add_business_days(date(2026, 12, 26), 0) == date(2026, 12, 26)


@given(st.dates(date(2026, 1, 1), date(2028, 12, 31)), st.integers(0, 40))
def test_adding_business_days_counts_exactly(start: date, n: int) -> None:
    end = XMAS.add_business_days(start, n)
    between = [start + timedelta(days=i) for i in range(1, (end - start).days + 1)]
    assert sum(XMAS.is_business_day(d) for d in between) == n
    if n:
        assert XMAS.is_business_day(end)


def test_cutoff_decides_the_start_day() -> None:
    early = datetime(2026, 3, 2, 13, 59, tzinfo=BERLIN).astimezone(UTC)  # Monday before 14:00
    late = datetime(2026, 3, 2, 14, 0, tzinfo=BERLIN).astimezone(UTC)
    kwargs = {
        "calendar": XMAS,
        "cutoff": time(14),
        "zone": BERLIN,
        "handling_days": 0,
        "transit_days": 2,
    }
    assert promise(early, **kwargs).ship_by == date(2026, 3, 2)  # type: ignore[arg-type]
    assert promise(late, **kwargs).ship_by == date(2026, 3, 3)  # type: ignore[arg-type]
    assert promise(late, **kwargs).deliver_by == date(2026, 3, 5)  # type: ignore[arg-type]


def test_weekend_orders_start_on_monday() -> None:
    saturday = datetime(2026, 3, 7, 9, 0, tzinfo=BERLIN)
    dates = promise(
        saturday, calendar=XMAS, cutoff=time(14), zone=BERLIN, handling_days=1, transit_days=1
    )
    assert (dates.ship_by, dates.deliver_by) == (date(2026, 3, 10), date(2026, 3, 11))


@given(st.datetimes(datetime(2026, 1, 1), datetime(2027, 12, 31), timezones=st.just(UTC)),
       st.integers(0, 3), st.integers(0, 5))  # fmt: skip
def test_promises_fall_on_business_days_in_order(
    placed: datetime, handling: int, transit: int
) -> None:
    dates = promise(placed, calendar=XMAS, cutoff=time(14), zone=BERLIN, handling_days=handling,
                    transit_days=transit)  # fmt: skip
    assert XMAS.is_business_day(dates.ship_by)
    assert XMAS.is_business_day(dates.deliver_by)
    assert placed.astimezone(BERLIN).date() <= dates.ship_by <= dates.deliver_by
