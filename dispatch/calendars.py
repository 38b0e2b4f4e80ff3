"""Business calendars: when a service desk works, and how much working time lies between two moments.

A calendar has a time zone, a weekly template of working hours (several intervals a day: a lunch break is
not working time) and dated exceptions that close a day (a public holiday) or open it with its own hours
(a make-up working day, 调休). Service-level clocks run on it: `add` says when a target falls due,
`elapsed` how much of it has been used. (A technician's own shift on a date is `dispatch.calendar`.)

Hours are local wall-clock times; moments are aware datetimes, and every moment this module returns is in UTC,
because subtracting two datetimes that share a zone compares their wall clocks, which is wrong on the nights
the clocks change. Working hours are agreed on the wall clock, so on those nights they are read as follows:
a wall time that happens twice means its first occurrence, and a wall time the clocks skip means the moment
they jump. An interval of 01:30-03:30 on the night Berlin springs forward is one real hour of work.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from typing import NamedTuple
from zoneinfo import ZoneInfo

from dispatch.calendar import zone as time_zone

Hours = tuple[tuple[time, time], ...]  # a day's working intervals, (start, end) in local wall-clock time

# The end of an interval that runs to midnight (24:00), the start of the next local day: `time` has no 24:00.
END_OF_DAY = time.max
DAY = timedelta(days=1)
WEEK = timedelta(days=7)
ZERO = timedelta(0)
MIDNIGHTS_OF_A_WEEK = tuple(n * DAY for n in range(8))  # its first day's to the next week's
# A calendar that has no working time for this long has none at all (an empty template, say); stop
# looking there rather than walk the days forever. Three years reach past any announced holiday table.
MAX_IDLE_DAYS = 3 * 366


class NoWorkingTime(ValueError):
    """The calendar has no working time left to count (after a moment, for three years)."""


class Stretch(NamedTuple):
    """Working time from `start` to `end`: one interval, or a whole ordinary week with `work` in it."""

    start: datetime
    end: datetime
    work: timedelta


class DatedHours(Mapping[date, Hours]):
    """A calendar's exceptions, date -> that day's own hours (() = closed); immutable and hashable."""

    __slots__ = ("_days", "_sorted")

    def __init__(self, days: Mapping[date, Hours] | None = None) -> None:
        given = dict(days or {})
        for day in given:
            if isinstance(day, datetime) or not isinstance(day, date):
                raise ValueError(f"an exception is keyed by a date, got {day!r}")
        self._days = {day: check_hours(hours, str(day)) for day, hours in given.items()}
        self._sorted = sorted(self._days)

    def __getitem__(self, day: date) -> Hours:
        return self._days[day]

    def __iter__(self) -> Iterator[date]:
        return iter(self._sorted)

    def __len__(self) -> int:
        return len(self._days)

    def __hash__(self) -> int:
        return hash(frozenset(self._days.items()))

    def __repr__(self) -> str:
        return f"DatedHours({self._days!r})"

    def any_between(self, first: date, last: date) -> bool:
        """Whether any exception falls on a day from `first` to `last`, both included."""
        at = bisect_left(self._sorted, first)
        return at < len(self._sorted) and self._sorted[at] <= last


def check_hours(hours: Hours, label: str) -> Hours:
    """The intervals sorted, or a ValueError naming the day when one is empty or two overlap."""
    ordered = tuple(sorted((start, end) for start, end in hours))
    for start, end in ordered:
        if start.tzinfo is not None or end.tzinfo is not None:
            raise ValueError(f"{label}: hours are local wall-clock times, without a time zone")
        if end == time(0):
            raise ValueError(f"{label}: an interval that ends at midnight ends at END_OF_DAY (time.max)")
        if start >= end:
            raise ValueError(f"{label}: interval {start:%H:%M}-{end:%H:%M} ends before it starts")
    for (_, end), (start, _) in pairwise(ordered):
        if start < end:
            raise ValueError(f"{label}: working intervals overlap at {start:%H:%M}")
    return ordered


def since_midnight(at: time) -> timedelta:
    """How far a wall time lies into a day that has no clock change; END_OF_DAY is 24 hours."""
    if at == END_OF_DAY:
        return DAY
    return timedelta(hours=at.hour, minutes=at.minute, seconds=at.second, microseconds=at.microsecond)


def utc(moment: datetime, name: str = "moment") -> datetime:
    """The moment in UTC; naive datetimes are refused, since nobody can say which instant they mean."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime, got {moment.isoformat()}")
    return moment.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class BusinessCalendar:
    """Working hours in a time zone: a weekly template, Monday to Sunday, and dated exceptions."""

    zone: str  # IANA name, e.g. "Asia/Shanghai"
    week: tuple[Hours, ...]  # 7 entries, Monday..Sunday; () = closed that weekday
    # A dated day's own hours: () closes it (a holiday); hours on a weekend make it a make-up working day.
    exceptions: Mapping[date, Hours] = field(default_factory=dict)
    _tz: ZoneInfo = field(init=False, repr=False, compare=False)
    _week_work: timedelta = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if len(self.week) != 7:
            raise ValueError(f"a week has 7 days of hours, Monday to Sunday; got {len(self.week)}")
        names = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
        week = tuple(check_hours(hours, name) for name, hours in zip(names, self.week, strict=True))
        object.__setattr__(self, "week", week)
        object.__setattr__(self, "exceptions", DatedHours(self.exceptions))
        object.__setattr__(self, "_tz", time_zone(self.zone))
        work = sum((since_midnight(end) - since_midnight(start) for day in week for start, end in day), ZERO)
        object.__setattr__(self, "_week_work", work)

    def hours_on(self, day: date) -> Hours:
        """The day's working intervals in local time: its exception if it has one, else its weekday's."""
        return self.exceptions.get(day, self.week[day.weekday()])

    def intervals_on(self, day: date) -> tuple[tuple[datetime, datetime], ...]:
        """The working intervals of a local day as UTC moments; on clock-change days, in real time."""
        hours = self.hours_on(day)
        if not hours:
            return ()
        offset = self._offset(day)
        if offset == self._offset(day + DAY):
            midnight = datetime.combine(day, time(0), tzinfo=UTC) - offset
            return tuple((midnight + since_midnight(s), midnight + since_midnight(e)) for s, e in hours)
        spans = ((self._instant(day, start), self._instant(day, end)) for start, end in hours)
        return tuple((start, end) for start, end in spans if start < end)  # wholly in a skipped hour: none

    def is_open(self, moment: datetime) -> bool:
        """Whether the moment is working time; intervals include their start and exclude their end."""
        at, day = utc(moment), self._local_day(moment)
        # Where clocks go back over midnight, the repeated hour still reads as yesterday but is tomorrow's.
        intervals = (*self.intervals_on(day), *self.intervals_on(day + DAY))
        return any(start <= at < end for start, end in intervals)

    def next_open(self, moment: datetime) -> datetime:
        """The moment itself when it is working time, else the start of the next working interval."""
        return next(self._stretches(utc(moment))).start

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """The moment `duration` of working time after `start` has passed; `start` itself for no time at all.

        A duration that runs out exactly at the end of an interval ends there, not at the next one's start.
        """
        at = utc(start, "start")
        if duration < ZERO:
            raise ValueError(f"a duration of working time cannot be negative, got {duration}")
        if duration == ZERO:
            return at
        left = duration
        for stretch in self._stretches(at, need=duration):
            if stretch.work >= left:  # never a whole week: those are skipped only when the need outlasts them
                return stretch.start + left
            left -= stretch.work
        raise AssertionError("unreachable: the stretches end only by raising NoWorkingTime")

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        """The working time between two moments; zero when `end` is not after `start`."""
        begin, until = utc(start, "start"), utc(end, "end")
        if until <= begin:
            return ZERO
        total = ZERO
        for stretch in self._stretches(begin, until=until):
            if stretch.start >= until:
                break
            total += stretch.work if stretch.end <= until else until - stretch.start
        return total

    def _stretches(
        self, moment: datetime, *, need: timedelta | None = None, until: datetime | None = None
    ) -> Iterator[Stretch]:
        """Working time after `moment`, in order: intervals cut to start no earlier than `moment`.

        Ordinary weeks come whole when the caller can take them so (see `_whole`); without `until`, the days
        go on for as long as the caller asks, or until three years without working time.
        """
        day, idle = self._local_day(moment), 0
        last = None if until is None else self._local_day(until) + DAY  # see is_open: a day may begin early
        while last is None or day <= last:
            week = self._ordinary_week(day)
            if week is not None and week.start >= moment and self._whole(week, need, until):
                found, step = [week], WEEK
            else:
                cut = [(max(s, moment), e) for s, e in self.intervals_on(day) if e > moment]
                found, step = [Stretch(s, e, e - s) for s, e in cut], DAY
            yield from found
            work = sum((stretch.work for stretch in found), ZERO)
            need = None if need is None else need - work
            day, idle = day + step, (0 if work else idle + step.days)
            if until is None and idle > MAX_IDLE_DAYS:
                raise NoWorkingTime(f"no working time in {self.zone} for {MAX_IDLE_DAYS} days from {moment}")

    @staticmethod
    def _whole(week: Stretch, need: timedelta | None, until: datetime | None) -> bool:
        """Whether to take the week whole: the caller needs more working time, or it ends by `until`."""
        if need is not None:
            return week.work < need
        return until is not None and week.end <= until

    def _ordinary_week(self, day: date) -> Stretch | None:
        """The seven days from `day` as one stretch, when none has an exception or a clock change."""
        dated: DatedHours = self.exceptions  # type: ignore[assignment]  # made one in __post_init__
        if dated.any_between(day, day + 6 * DAY):
            return None
        midnight = datetime.combine(day, time(0))
        offsets = {self._tz.utcoffset(midnight + days) for days in MIDNIGHTS_OF_A_WEEK}
        if len(offsets) != 1:
            return None
        start = midnight.replace(tzinfo=UTC) - (offsets.pop() or ZERO)
        return Stretch(start, start + WEEK, self._week_work)

    def _local_day(self, moment: datetime) -> date:
        """The date on the calendar's wall clock at a moment."""
        return moment.astimezone(self._tz).date()

    def _offset(self, day: date) -> timedelta:
        """The zone's UTC offset as the day begins (clocks are assumed not to change twice within a day)."""
        return self._tz.utcoffset(datetime.combine(day, time(0))) or ZERO

    def _instant(self, day: date, at: time) -> datetime:
        """The moment a wall time on the day means: its first occurrence, or when the clocks jump over it."""
        if at == END_OF_DAY:
            return self._instant(day + DAY, time(0))
        wall = datetime.combine(day, at)
        first = wall.replace(tzinfo=self._tz).astimezone(UTC)
        if self._wall(first) == wall:
            return first
        # Skipped: read with the offset from after the jump it is a moment before the jump, and with the
        # offset from before, a moment after it; the jump lies between, where the wall clock passes `at`.
        before, after = wall.replace(tzinfo=self._tz, fold=1).astimezone(UTC), first
        while after - before > timedelta(microseconds=1):
            middle = before + (after - before) // 2
            before, after = (before, middle) if self._wall(middle) > wall else (middle, after)
        return after

    def _wall(self, moment: datetime) -> datetime:
        """The naive wall-clock reading of a moment in the calendar's zone."""
        return moment.astimezone(self._tz).replace(tzinfo=None)


def around_the_clock(zone: str = "UTC") -> BusinessCalendar:
    """Calendar time: every moment is working time, so `add` is plain addition and `elapsed` subtraction."""
    return BusinessCalendar(zone, (((time(0), END_OF_DAY),),) * 7)


ALWAYS = around_the_clock()
