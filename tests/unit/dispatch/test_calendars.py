"""Business calendars: working time added and measured over lunch, weekends, exceptions and clock changes."""

from __future__ import annotations

import time as clock
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from dispatch.calendars import (
    ALWAYS,
    END_OF_DAY,
    BusinessCalendar,
    Hours,
    NoWorkingTime,
    around_the_clock,
)

HOUR = timedelta(hours=1)
OFFICE: Hours = ((time(9), time(12)), (time(13), time(18)))
OFFICE_WEEK = (OFFICE,) * 5 + ((), ())
SHANGHAI, BERLIN = ZoneInfo("Asia/Shanghai"), ZoneInfo("Europe/Berlin")
SHANGHAI_OFFICE = BusinessCalendar("Asia/Shanghai", OFFICE_WEEK)
SPRING_FORWARD, FALL_BACK = date(2026, 3, 29), date(2026, 10, 25)  # Berlin: 02:00 -> 03:00, 03:00 -> 02:00

# Zones with clocks that change at 02:00 (Berlin, New York), at midnight (Santiago) and by half an hour
# (Lord Howe), and two that never change.
ZONES = (
    "Asia/Shanghai",
    "Europe/Berlin",
    "America/New_York",
    "America/Santiago",
    "Australia/Lord_Howe",
    "UTC",
)
FIRST, LAST = datetime(2026, 2, 15, tzinfo=UTC), datetime(2026, 11, 15, tzinfo=UTC)
CLOCK_CHANGES = (date(2026, 3, 8), date(2026, 3, 29), date(2026, 4, 5), date(2026, 9, 6), date(2026, 10, 4))
CLOCK_CHANGES += (date(2026, 10, 25), date(2026, 11, 1))


def shanghai(*args: int) -> datetime:
    """A moment on Shanghai's wall clock."""
    return datetime(*args, tzinfo=SHANGHAI)


@st.composite
def day_hours(draw: st.DrawFn) -> Hours:
    """Up to three working intervals of a day, to the minute, the last possibly running to midnight."""
    marks = sorted(draw(st.sets(st.integers(0, 24 * 60), max_size=6)))
    marks = marks[: len(marks) // 2 * 2]
    times = [END_OF_DAY if m == 24 * 60 else time(m // 60, m % 60) for m in marks]
    return tuple(zip(times[::2], times[1::2], strict=True))


@st.composite
def calendars(draw: st.DrawFn) -> BusinessCalendar:
    """A calendar in any of ZONES with some working time each week and exceptions of either kind."""
    week = tuple(draw(day_hours()) for _ in range(7))
    assume(any(week))
    days = st.dates(FIRST.date(), LAST.date())
    exceptions = draw(st.dictionaries(days, st.one_of(st.just(()), day_hours()), max_size=12))
    return BusinessCalendar(draw(st.sampled_from(ZONES)), week, exceptions)


near_clock_changes = st.builds(
    lambda day, hours: datetime.combine(day, time(0), tzinfo=UTC) + timedelta(hours=hours),
    st.sampled_from(CLOCK_CHANGES),
    st.floats(-30, 30),
)
moments = st.one_of(
    st.datetimes(FIRST.replace(tzinfo=None), LAST.replace(tzinfo=None), timezones=st.just(UTC)),
    near_clock_changes,
)
durations = st.timedeltas(timedelta(0), timedelta(hours=500))


@given(calendars(), moments, durations)
def test_adding_then_measuring_gives_the_duration_back(calendar: BusinessCalendar, start, duration) -> None:
    """elapsed(s, add(s, d)) == d, exactly, and the due moment is never before the start."""
    due = calendar.add(start, duration)
    assert due >= start
    assert calendar.elapsed(start, due) == duration


@given(calendars(), moments, durations, durations)
def test_more_working_time_is_never_due_earlier(calendar: BusinessCalendar, start, one, other) -> None:
    """add is monotonic in the duration, and adding in two steps is adding once."""
    shorter, longer = sorted((one, other))
    assert calendar.add(start, shorter) <= calendar.add(start, longer)
    assert calendar.add(calendar.add(start, one), other) == calendar.add(start, one + other)


@given(calendars(), moments, st.timedeltas(timedelta(0), timedelta(days=20)), durations)
def test_a_pause_never_makes_a_clock_earlier(calendar: BusinessCalendar, start, pause, duration) -> None:
    """A clock that starts (or resumes) later never falls due earlier."""
    assert calendar.add(start, duration) <= calendar.add(start + pause, duration)


@given(calendars(), moments, moments, moments)
def test_working_time_adds_up_and_is_never_negative(calendar: BusinessCalendar, x, y, z) -> None:
    """elapsed(a, c) == elapsed(a, b) + elapsed(b, c) for a <= b <= c, within c - a, and 0 backwards."""
    a, b, c = sorted((x, y, z))
    assert calendar.elapsed(a, c) == calendar.elapsed(a, b) + calendar.elapsed(b, c)
    assert timedelta(0) <= calendar.elapsed(a, c) <= c - a
    assert calendar.elapsed(c, a) == timedelta(0)


@given(calendars(), moments)
def test_the_next_open_moment_is_open_and_nothing_is_worked_before_it(calendar: BusinessCalendar, m) -> None:
    """next_open(m) is working time, not before m, and no working time lies between them."""
    opens = calendar.next_open(m)
    assert opens >= m and calendar.is_open(opens)
    assert calendar.elapsed(m, opens) == timedelta(0)
    assert (opens == m) == calendar.is_open(m)


@given(calendars(), moments)
def test_on_days_without_a_clock_change_the_wall_clock_decides(calendar: BusinessCalendar, m) -> None:
    """Away from clock changes, a moment is open just when its wall time is in one of its day's intervals."""
    tz = ZoneInfo(calendar.zone)
    local = m.astimezone(tz)
    day = local.date()
    offsets = {tz.utcoffset(datetime.combine(day + timedelta(days=n), time(0))) for n in (0, 1)}
    assume(len(offsets) == 1)
    wall = local.time().replace(tzinfo=None)
    inside = any(s <= wall and (wall < e or e == END_OF_DAY) for s, e in calendar.hours_on(day))
    assert calendar.is_open(m) == inside


@given(calendars(), st.dates(FIRST.date(), LAST.date()))
def test_days_follow_one_another_without_overlap(calendar: BusinessCalendar, day: date) -> None:
    """A day's intervals are sorted, non-empty, and end before the next day's begin."""
    both = [*calendar.intervals_on(day), *calendar.intervals_on(day + timedelta(days=1))]
    ends = [moment for interval in both for moment in interval]
    assert all(start < end for start, end in both)
    assert ends == sorted(ends)


@given(moments, durations, st.sampled_from(ZONES))
def test_calendar_time_is_plain_arithmetic(start: datetime, duration: timedelta, zone: str) -> None:
    """Around the clock, in any zone, adding is + and measuring is -."""
    calendar = around_the_clock(zone)
    assert calendar.add(start, duration) == start + duration
    assert calendar.elapsed(start, start + duration) == duration
    assert calendar.is_open(start) and calendar.next_open(start) == start


def test_lunch_is_not_working_time() -> None:
    """An hour from 11:30 ends at 13:30, and 11:00-14:00 holds two working hours."""
    assert SHANGHAI_OFFICE.add(shanghai(2026, 11, 23, 11, 30), HOUR) == shanghai(2026, 11, 23, 13, 30)
    assert SHANGHAI_OFFICE.elapsed(shanghai(2026, 11, 23, 11), shanghai(2026, 11, 23, 14)) == 2 * HOUR
    assert not SHANGHAI_OFFICE.is_open(shanghai(2026, 11, 23, 12, 30))
    assert SHANGHAI_OFFICE.next_open(shanghai(2026, 11, 23, 12, 30)) == shanghai(2026, 11, 23, 13)


def test_the_weekend_is_skipped() -> None:
    """An hour from Friday 17:30 ends on Monday at 09:30; the weekend holds no working time."""
    friday = shanghai(2026, 11, 27, 17, 30)
    assert SHANGHAI_OFFICE.add(friday, HOUR) == shanghai(2026, 11, 30, 9, 30)
    assert SHANGHAI_OFFICE.elapsed(shanghai(2026, 11, 27, 18), shanghai(2026, 11, 30, 9)) == timedelta(0)


def test_a_duration_that_ends_with_an_interval_ends_there() -> None:
    """Working time that runs out at 18:00 is due at 18:00, not at the next morning's start."""
    assert SHANGHAI_OFFICE.add(shanghai(2026, 11, 23, 17), HOUR) == shanghai(2026, 11, 23, 18)
    assert SHANGHAI_OFFICE.add(shanghai(2026, 11, 23, 20), timedelta(0)) == shanghai(2026, 11, 23, 20)


def test_exceptions_close_a_day_or_open_it_with_their_own_hours() -> None:
    """A holiday on Monday is closed; a make-up Sunday works its own hours, lunch included."""
    holiday, sunday = date(2026, 11, 23), date(2026, 11, 29)
    calendar = BusinessCalendar("Asia/Shanghai", OFFICE_WEEK, {holiday: (), sunday: ((time(10), time(15)),)})
    assert calendar.intervals_on(holiday) == ()
    assert calendar.intervals_on(sunday) == ((shanghai(2026, 11, 29, 10), shanghai(2026, 11, 29, 15)),)
    assert calendar.add(shanghai(2026, 11, 20, 17), 2 * HOUR) == shanghai(2026, 11, 24, 10)
    assert calendar.add(shanghai(2026, 11, 27, 17), 2 * HOUR) == shanghai(2026, 11, 29, 11)


def test_a_working_night_that_springs_forward_is_an_hour_shorter() -> None:
    """01:30-03:30 in Berlin on the night clocks jump from 02:00 to 03:00 is one real hour."""
    nights = BusinessCalendar("Europe/Berlin", (((time(1, 30), time(3, 30)),),) * 7)
    ((start, end),) = nights.intervals_on(SPRING_FORWARD)
    assert end - start == HOUR
    assert start == datetime(2026, 3, 29, 1, 30, tzinfo=BERLIN)
    assert nights.add(start, HOUR) == datetime(2026, 3, 29, 3, 30, tzinfo=BERLIN)
    assert nights.elapsed(start, start + 3 * HOUR) == HOUR


def test_a_working_night_that_falls_back_is_an_hour_longer() -> None:
    """The same hours on the night clocks go back from 03:00 to 02:00 are three real hours."""
    nights = BusinessCalendar("Europe/Berlin", (((time(1, 30), time(3, 30)),),) * 7)
    ((start, end),) = nights.intervals_on(FALL_BACK)
    assert end - start == 3 * HOUR
    assert nights.add(start, 3 * HOUR) == end


def test_hours_that_start_in_the_skipped_hour_start_when_the_clocks_jump() -> None:
    """02:30-04:00 on the spring-forward night starts at 03:00 summer time; wholly skipped hours are none."""
    calendar = BusinessCalendar("Europe/Berlin", (((time(2, 15), time(2, 45)), (time(2, 50), time(4))),) * 7)
    assert calendar.intervals_on(SPRING_FORWARD) == (
        (datetime(2026, 3, 29, 3, tzinfo=BERLIN), datetime(2026, 3, 29, 4, tzinfo=BERLIN)),
    )


def test_calendar_time_counts_the_real_length_of_clock_change_days() -> None:
    """Around the clock in Berlin, the spring-forward day holds 23 hours and the fall-back day 25."""
    calendar = around_the_clock("Europe/Berlin")
    for day, hours in ((SPRING_FORWARD, 23), (FALL_BACK, 25)):
        ((start, end),) = calendar.intervals_on(day)
        assert calendar.elapsed(start, end) == hours * HOUR
    assert ALWAYS.zone == "UTC"


def test_a_calendar_without_working_time_says_so() -> None:
    """Adding to a calendar that never works raises NoWorkingTime; measuring on it gives zero."""
    closed = BusinessCalendar("Asia/Shanghai", ((),) * 7)
    with pytest.raises(NoWorkingTime):
        closed.add(shanghai(2026, 1, 5, 9), HOUR)
    with pytest.raises(NoWorkingTime):
        closed.next_open(shanghai(2026, 1, 5, 9))
    assert closed.elapsed(shanghai(2026, 1, 5), shanghai(2030, 1, 5)) == timedelta(0)


@pytest.mark.parametrize(
    ("week", "message"),
    [
        ((OFFICE,) * 6, "7 days"),
        ((((time(9), time(13)), (time(12), time(18))),) * 7, "overlap at 12:00"),
        ((((time(18), time(9)),),) * 7, "ends before it starts"),
        ((((time(18), time(0)),),) * 7, "END_OF_DAY"),
    ],
)
def test_bad_weeks_are_refused_with_a_reason(week, message: str) -> None:
    """A week without 7 days, overlapping or backward intervals, or a midnight end of 00:00 is refused."""
    with pytest.raises(ValueError, match=message):
        BusinessCalendar("Asia/Shanghai", week)


def test_bad_zones_exceptions_and_moments_are_refused() -> None:
    """Unknown zones, datetime keys, naive moments and negative durations are refused."""
    with pytest.raises(ValueError, match="unknown time zone"):
        BusinessCalendar("Mars/Olympus", OFFICE_WEEK)
    with pytest.raises(ValueError, match="keyed by a date"):
        BusinessCalendar("Asia/Shanghai", OFFICE_WEEK, {datetime(2026, 1, 1): ()})
    with pytest.raises(ValueError, match="aware"):
        SHANGHAI_OFFICE.add(datetime(2026, 1, 5, 9), HOUR)
    with pytest.raises(ValueError, match="negative"):
        SHANGHAI_OFFICE.add(shanghai(2026, 1, 5, 9), -HOUR)


def test_calendars_are_values() -> None:
    """Calendars with the same hours and exceptions are equal and hash alike, however they were given."""
    one = BusinessCalendar("Asia/Shanghai", OFFICE_WEEK, {date(2026, 1, 1): (), date(2026, 1, 4): OFFICE})
    other = BusinessCalendar(
        "Asia/Shanghai", list(OFFICE_WEEK), {date(2026, 1, 4): OFFICE, date(2026, 1, 1): ()}
    )
    assert one == other and hash(one) == hash(other)
    assert SHANGHAI_OFFICE.add(shanghai(2026, 1, 5, 9), HOUR).tzinfo is UTC


def test_four_hundred_working_hours_are_added_quickly() -> None:
    """A thousand clocks of 400 working hours are set and measured in under two seconds (about 0.2 s here)."""
    holidays = {date(2026, 10, day): () for day in range(1, 9)}
    calendar = BusinessCalendar("Europe/Berlin", OFFICE_WEEK, holidays)
    began = clock.perf_counter()
    for hour in range(1000):
        start = datetime(2026, 9, 1, tzinfo=UTC) + hour * timedelta(minutes=7)
        assert calendar.elapsed(start, calendar.add(start, 400 * HOUR)) == 400 * HOUR
    assert clock.perf_counter() - began < 2.0
