"""Working time on a date: weekly shifts, absences and lunch, turned from local wall-clock times into UTC.

Shifts and lunch are agreed in local time; the planner works in instants. Local times that do not exist
(clocks jump forward) or happen twice (clocks fall back) are refused rather than guessed, because a guess
moves a technician's day by an hour without anyone noticing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

WEEKDAYS = ("Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays", "Sundays")


@dataclass(frozen=True, slots=True)
class WeeklyShift:
    """One weekday of a technician's weekly pattern, in local time (0 = Monday)."""

    weekday: int
    start: time
    end: time

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise ValueError(f"weekday must be 0 (Monday) to 6 (Sunday), got {self.weekday}")
        if self.start >= self.end:
            raise ValueError(f"shift on {WEEKDAYS[self.weekday]} starts at {self.start} after it ends")


@dataclass(frozen=True, slots=True)
class DayOff:
    """Whole days away, both ends included."""

    start: date
    end: date
    reason: str = ""

    def __post_init__(self) -> None:
        if self.start > self.end:
            raise ValueError(f"absence starts on {self.start} after it ends on {self.end}")

    def covers(self, day: date) -> bool:
        """Whether the absence includes the day."""
        return self.start <= day <= self.end


@dataclass(frozen=True, slots=True)
class WorkingWindow:
    """When a technician works on a day, in UTC; or, when they do not, why not."""

    start: datetime | None
    end: datetime | None
    off_reason: str = ""

    @property
    def working(self) -> bool:
        """Whether there is any working time on the day."""
        return self.start is not None


@dataclass(frozen=True, slots=True)
class LunchWindow:
    """A break of `minutes` that starts no earlier than `earliest` and ends no later than `latest`."""

    earliest: datetime
    latest: datetime
    minutes: int


def zone(name: str) -> ZoneInfo:
    """The IANA time zone, with a message that names it when it is unknown."""
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r}") from exc


def local_instant(day: date, at: time, time_zone: str) -> datetime:
    """The UTC instant of a local wall-clock time; times that daylight saving skips or repeats are refused."""
    tz = zone(time_zone)
    first = datetime.combine(day, at, tzinfo=tz)
    second = first.replace(fold=1)
    if first.utcoffset() != second.utcoffset():
        # fold=0 reads a skipped time with the offset from before the jump, so it comes back different.
        there_and_back = first.astimezone(UTC).astimezone(tz).replace(tzinfo=None)
        if there_and_back != first.replace(tzinfo=None):
            raise ValueError(f"{day} {at:%H:%M} does not exist in {time_zone}: the clocks skip it")
        raise ValueError(f"{day} {at:%H:%M} happens twice in {time_zone}: the clocks go back over it")
    return first.astimezone(UTC)


def day_start(day: date, time_zone: str) -> datetime:
    """The first instant of the local day, in UTC: the origin that a day's plan counts seconds from."""
    # Where midnight is skipped, fold=0 reads it with the earlier offset, which is the instant the day begins.
    return datetime.combine(day, time(0), tzinfo=zone(time_zone)).astimezone(UTC)


def working_window(
    day: date, shifts: Iterable[WeeklyShift], absences: Iterable[DayOff], time_zone: str
) -> WorkingWindow:
    """The technician's working time on the day from their weekly pattern, unless they are away."""
    for absence in absences:
        if absence.covers(day):
            reason = absence.reason.strip()
            return WorkingWindow(None, None, f"absent: {reason}" if reason else "absent")
    shift = next((s for s in shifts if s.weekday == day.weekday()), None)
    if shift is None:
        return WorkingWindow(None, None, f"does not work on {WEEKDAYS[day.weekday()]}")
    return WorkingWindow(local_instant(day, shift.start, time_zone), local_instant(day, shift.end, time_zone))


def lunch_window(day: date, start: time, end: time, minutes: int, time_zone: str) -> LunchWindow | None:
    """When lunch is taken on the day; None when the technician takes no lunch break."""
    if minutes < 0:
        raise ValueError(f"lunch cannot last {minutes} minutes")
    if minutes == 0:
        return None
    earliest, latest = local_instant(day, start, time_zone), local_instant(day, end, time_zone)
    if latest - earliest < timedelta(minutes=minutes):
        raise ValueError(f"a {minutes}-minute lunch does not fit between {start:%H:%M} and {end:%H:%M}")
    return LunchWindow(earliest, latest, minutes)
