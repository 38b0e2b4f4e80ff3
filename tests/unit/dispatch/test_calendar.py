"""Working windows and lunch from weekly patterns, absences and time zones, daylight saving included."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dispatch.calendar import (
    DayOff,
    WeeklyShift,
    day_start,
    local_instant,
    lunch_window,
    working_window,
)

BERLIN = "Europe/Berlin"
SHANGHAI = "Asia/Shanghai"
WEEKDAYS_8_TO_17 = tuple(WeeklyShift(d, time(8), time(17)) for d in range(6))
SPRING_FORWARD = date(2026, 3, 29)  # Berlin: 02:00 -> 03:00
FALL_BACK = date(2026, 10, 25)  # Berlin: 03:00 -> 02:00


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_working_day_in_shanghai_is_eight_hours_ahead_of_utc() -> None:
    """A Monday 08:00-17:00 shift in Shanghai is 00:00-09:00 UTC."""
    window = working_window(date(2026, 11, 23), WEEKDAYS_8_TO_17, (), SHANGHAI)
    assert window.working and window.off_reason == ""
    assert (window.start, window.end) == (utc(2026, 11, 23, 0), utc(2026, 11, 23, 9))


def test_day_without_a_shift_says_which_weekday() -> None:
    """A day missing from the weekly pattern is off, and the reason names the weekday."""
    window = working_window(date(2026, 11, 29), WEEKDAYS_8_TO_17, (), SHANGHAI)
    assert not window.working and window.end is None
    assert window.off_reason == "does not work on Sundays"


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 11, 21), True),
        (date(2026, 11, 22), False),
        (date(2026, 11, 23), False),
        (date(2026, 11, 24), False),
        (date(2026, 11, 25), True),
    ],
)
def test_absences_include_both_ends(day: date, working: bool) -> None:
    """An absence from Sunday to Tuesday covers Sunday and Tuesday too, and nothing outside."""
    leave = DayOff(date(2026, 11, 22), date(2026, 11, 24), "annual leave")
    pattern = tuple(WeeklyShift(d, time(8), time(17)) for d in range(7))
    window = working_window(day, pattern, [leave], SHANGHAI)
    assert window.working is working
    if not working:
        assert window.off_reason == "absent: annual leave"


def test_absence_without_a_reason_still_says_absent() -> None:
    """An absence with no reason recorded is reported as plain "absent"."""
    window = working_window(
        date(2026, 11, 23), WEEKDAYS_8_TO_17, [DayOff(date(2026, 11, 23), date(2026, 11, 23))], SHANGHAI
    )
    assert window.off_reason == "absent"


def test_berlin_shift_on_spring_forward_day_is_an_hour_shorter_in_utc_terms() -> None:
    """On the day the clocks skip 02:00-03:00, an 01:00-05:00 shift lasts three real hours."""
    pattern = [WeeklyShift(6, time(1), time(5))]
    window = working_window(SPRING_FORWARD, pattern, (), BERLIN)
    assert window.start == utc(2026, 3, 29, 0)  # 01:00 CET
    assert window.end == utc(2026, 3, 29, 3)  # 05:00 CEST
    assert window.end - window.start == timedelta(hours=3)


def test_berlin_shift_on_fall_back_day_is_an_hour_longer() -> None:
    """On the day the clocks repeat 02:00-03:00, an 01:00-05:00 shift lasts five real hours."""
    window = working_window(FALL_BACK, [WeeklyShift(6, time(1), time(5))], (), BERLIN)
    assert window.end - window.start == timedelta(hours=5)


@pytest.mark.parametrize(
    ("day", "at", "message"),
    [
        (SPRING_FORWARD, time(2, 30), "does not exist"),
        (SPRING_FORWARD, time(2, 0), "does not exist"),
        (FALL_BACK, time(2, 30), "happens twice"),
        (FALL_BACK, time(2, 0), "happens twice"),
    ],
)
def test_skipped_and_repeated_local_times_are_refused(day: date, at: time, message: str) -> None:
    """Local times the clocks skip or repeat raise a ValueError that says which it is."""
    with pytest.raises(ValueError, match=message):
        local_instant(day, at, BERLIN)


def test_shift_starting_in_the_skipped_hour_is_refused() -> None:
    """A weekly shift that would begin at a time that does not exist that day is refused, not shifted."""
    with pytest.raises(ValueError, match="does not exist"):
        working_window(SPRING_FORWARD, [WeeklyShift(6, time(2, 30), time(6))], (), BERLIN)


@pytest.mark.parametrize(("at", "hour"), [(time(1, 59), 0), (time(3, 0), 1)])
def test_times_beside_the_gap_are_accepted(at: time, hour: int) -> None:
    """The minutes just before and after the skipped hour convert with their own offsets."""
    assert local_instant(SPRING_FORWARD, at, BERLIN) == utc(2026, 3, 29, hour, at.minute)


def test_day_start_is_local_midnight() -> None:
    """A plan's origin is the local midnight that begins the day, in UTC."""
    assert day_start(date(2026, 11, 23), SHANGHAI) == utc(2026, 11, 22, 16)
    assert day_start(SPRING_FORWARD, BERLIN) == utc(2026, 3, 28, 23)


def test_day_start_where_midnight_is_skipped_is_the_first_instant_of_the_day() -> None:
    """Where the clocks jump from 00:00 to 01:00, the day begins at the jump rather than failing."""
    # Santiago de Chile moved its clocks forward at midnight on 2026-09-06.
    start = day_start(date(2026, 9, 6), "America/Santiago")
    assert start == utc(2026, 9, 6, 4)
    assert local_instant(date(2026, 9, 6), time(1), "America/Santiago") == start


def test_unknown_time_zone_is_named() -> None:
    """A misspelt zone raises a ValueError naming it."""
    with pytest.raises(ValueError, match="Mars/Olympus"):
        working_window(date(2026, 11, 23), WEEKDAYS_8_TO_17, (), "Mars/Olympus")


def test_lunch_window_is_in_utc_with_its_duration() -> None:
    """Lunch between 11:30 and 13:30 Shanghai time is 03:30-05:30 UTC, for its minutes."""
    lunch = lunch_window(date(2026, 11, 23), time(11, 30), time(13, 30), 45, SHANGHAI)
    assert lunch is not None
    assert (lunch.earliest, lunch.latest, lunch.minutes) == (
        utc(2026, 11, 23, 3, 30),
        utc(2026, 11, 23, 5, 30),
        45,
    )


def test_no_lunch_when_minutes_are_zero() -> None:
    """A technician who takes no lunch gets no lunch window."""
    assert lunch_window(date(2026, 11, 23), time(11, 30), time(13, 30), 0, SHANGHAI) is None


def test_lunch_longer_than_its_window_is_refused() -> None:
    """Ninety minutes of lunch cannot fit in an hour's window."""
    with pytest.raises(ValueError, match="does not fit"):
        lunch_window(date(2026, 11, 23), time(12), time(13), 90, SHANGHAI)


def test_lunch_in_a_repeated_hour_is_refused() -> None:
    """A lunch window bounded by an ambiguous time is refused on the fall-back day."""
    with pytest.raises(ValueError, match="happens twice"):
        lunch_window(FALL_BACK, time(2, 15), time(4), 30, BERLIN)


@pytest.mark.parametrize(("start", "end"), [(time(9), time(8)), (time(9), time(9))])
def test_shift_must_start_before_it_ends(start: time, end: time) -> None:
    """A weekly shift that ends before or when it starts is refused."""
    with pytest.raises(ValueError, match="after it ends"):
        WeeklyShift(0, start, end)


def test_weekday_must_be_a_day_of_the_week() -> None:
    """Weekday 7 does not exist."""
    with pytest.raises(ValueError, match="weekday"):
        WeeklyShift(7, time(8), time(9))


@given(
    day=st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31)),
    hour=st.integers(min_value=4, max_value=22),
    minute=st.integers(min_value=0, max_value=59),
)
def test_berlin_local_times_round_trip(day: date, hour: int, minute: int) -> None:
    """Every accepted Berlin wall-clock time converts to a UTC instant that reads back as the same time."""
    at = time(hour, minute)
    instant = local_instant(day, at, BERLIN)
    back = instant.astimezone(ZoneInfo(BERLIN))
    assert (back.date(), back.time()) == (day, at)
