"""Mainland China's calendar from the holiday tables: holidays closed, make-up days worked, gaps reported."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest

from seeds.calendars import OFFICE_HOURS, announced, mainland_calendar

HOUR = timedelta(hours=1)
SHANGHAI = ZoneInfo("Asia/Shanghai")


def shanghai(*args: int) -> datetime:
    """A moment on Shanghai's wall clock."""
    return datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture(scope="module")
def mainland_2025():
    """The mainland calendar for 2025 (announced) with its unannounced years."""
    return mainland_calendar(2025, 2025)


@pytest.mark.parametrize("day", [date(2025, 10, 1) + timedelta(days=n) for n in range(8)])
def test_national_day_week_is_closed(mainland_2025, day: date) -> None:
    """2025-10-01 to 2025-10-08 hold no working time, weekday or not."""
    calendar, _ = mainland_2025
    assert calendar.intervals_on(day) == ()


@pytest.mark.parametrize("day", [date(2025, 9, 28), date(2025, 10, 11)])
def test_make_up_weekend_days_are_worked_with_weekday_hours(mainland_2025, day: date) -> None:
    """Sunday 2025-09-28 and Saturday 2025-10-11 were make-up working days (调休): office hours, lunch off."""
    calendar, _ = mainland_2025
    assert day.weekday() >= 5 and chinese_calendar.is_workday(day)
    assert calendar.hours_on(day) == OFFICE_HOURS


def test_working_time_skips_the_holiday_and_uses_the_make_up_day(mainland_2025) -> None:
    """Two hours from Friday 09-26 17:00 end on the make-up Sunday; from 09-30 17:00, on 10-09 after it."""
    calendar, unannounced = mainland_2025
    assert unannounced == []
    assert calendar.add(shanghai(2025, 9, 26, 17), 2 * HOUR) == shanghai(2025, 9, 28, 10)
    assert calendar.add(shanghai(2025, 9, 30, 17), 2 * HOUR) == shanghai(2025, 10, 9, 10)
    assert calendar.elapsed(shanghai(2025, 9, 30, 18), shanghai(2025, 10, 9, 9)) == timedelta(0)


def test_unannounced_years_are_reported_and_follow_the_weekly_template() -> None:
    """A year the package has no table for is reported, and its days follow the week; others are seeded."""
    last = max(day.year for day in chinese_calendar.holidays)
    calendar, unannounced = mainland_calendar(last, last + 1)
    assert unannounced == [last + 1] and not announced(last + 1) and announced(last)
    assert all(day.year == last for day in calendar.exceptions)
    new_year = date(last + 1, 1, 1)
    assert calendar.hours_on(new_year) == calendar.week[new_year.weekday()]


def test_make_up_days_can_have_their_own_hours() -> None:
    """`working` sets the hours of make-up days; a week with no weekday hours needs it."""
    short = ((time(10), time(16)),)
    calendar, _ = mainland_calendar(2025, 2025, working=short)
    assert calendar.hours_on(date(2025, 9, 28)) == short
    with pytest.raises(ValueError, match="need hours"):
        mainland_calendar(2025, 2025, week=((),) * 7)
    with pytest.raises(ValueError, match="first is after the last"):
        mainland_calendar(2026, 2025)
