"""Mainland China's business calendar, seeded from the State Council's holiday tables (`chinese-calendar`).

The tables are announced a year at a time, late in the year before, and reach us as new releases of the
package; the core (`dispatch.calendars`) takes exceptions as plain data and stays free of them. For a year the
package has no table for, the calendar falls back to the weekly template and the year is reported, so that
someone can tell an admin that its holidays and make-up working days (调休, 补班) are not known yet.
"""

from __future__ import annotations

from datetime import date, time

import chinese_calendar

from dispatch.calendars import BusinessCalendar, Hours

MAINLAND_ZONE = "Asia/Shanghai"
OFFICE_HOURS: Hours = ((time(9), time(12)), (time(13), time(18)))  # with an hour for lunch
MAINLAND_WEEK: tuple[Hours, ...] = (OFFICE_HOURS,) * 5 + ((), ())


def mainland_calendar(
    year_from: int,
    year_to: int,
    *,
    week: tuple[Hours, ...] = MAINLAND_WEEK,
    working: Hours | None = None,
    zone: str = MAINLAND_ZONE,
) -> tuple[BusinessCalendar, list[int]]:
    """The calendar for the years from `year_from` to `year_to`, both included, and the years not announced.

    Public holidays are closed (the weekend days inside a holiday too); make-up working days open with
    `working`, by default the first weekday's hours of `week`, whatever weekday they fall on.
    """
    if year_from > year_to:
        raise ValueError(f"years run from {year_from} to {year_to}: the first is after the last")
    hours = working if working is not None else next((day for day in week[:5] if day), ())
    if not hours:
        raise ValueError("make-up working days need hours: give `working`, or a week with weekday hours")
    exceptions: dict[date, Hours] = {}
    unannounced = []
    for year in range(year_from, year_to + 1):
        if not announced(year):
            unannounced.append(year)
            continue
        exceptions.update((day, ()) for day in chinese_calendar.holidays if day.year == year)
        exceptions.update((day, hours) for day in chinese_calendar.workdays if day.year == year)
    return BusinessCalendar(zone, week, exceptions), unannounced


def announced(year: int) -> bool:
    """Whether the package knows the year's holidays and make-up working days."""
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:  # the package's way of saying the year is outside its tables
        return False
    return True
