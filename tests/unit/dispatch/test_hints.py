"""Every reason an order is left out carries a short fix hint a dispatcher can act on."""

from __future__ import annotations

import numpy as np
import pytest

from dispatch.day import (
    DAY_FULL,
    NO_SHIFT_COVERS_WINDOW,
    NO_SKILLED_TECHNICIAN,
    OUTSIDE_ALL_REGIONS,
    VAN_CAPACITY,
    WINDOW_SHORTER_THAN_WORK,
    DayProblem,
    Job,
    Reason,
    TechnicianDay,
)
from dispatch.eligibility import explain_ineligible
from dispatch.hints import clock, weekdays
from dispatch.planner import plan_day
from routing.problem import TimeWindow
from routing.solver import SolveOptions

HOUR = 3600
TRAVEL = 600  # every trip takes ten minutes


def tech(id: int = 1, **kw) -> TechnicianDay:
    """A technician of XH with aircon_install level 2, working 08:00-18:00, at location 0."""
    base = dict(
        code=f"T{id:03d}",
        location=0,
        primary_region="XH",
        skills=(("aircon_install", 2),),
        shift=TimeWindow(8 * HOUR, 18 * HOUR),
        capacity=1000,
    )
    base.update(kw)
    return TechnicianDay(id=id, **base)


def job(id: int = 100, **kw) -> Job:
    """A one-hour job in XH needing aircon_install level 2, at location 1, open all day."""
    base = dict(
        location=1,
        region="XH",
        duration=HOUR,
        window=TimeWindow(8 * HOUR, 20 * HOUR),
        skills=(("aircon_install", 2),),
    )
    base.update(kw)
    return Job(id=id, **base)


def reason(technicians: tuple[TechnicianDay, ...], the_job: Job) -> Reason:
    """The one reason nobody may take the job, on a day where every trip takes ten minutes."""
    n = 2
    seconds = np.full((n, n), TRAVEL) - np.eye(n, dtype=int) * TRAVEL
    problem = DayProblem(
        durations=seconds, distances=seconds * 7, technicians=technicians, jobs=(the_job,), label="2026-11-24"
    )
    (found,) = explain_ineligible(problem, the_job)
    return found


@pytest.mark.parametrize(
    ("technicians", "the_job", "hint"),
    [
        (
            (tech(skills=(("aircon_install", 1),)),),
            job(),
            "T001 has aircon_install level 1; level 2 needed",
        ),
        (
            (tech(crew_size=1),),
            job(crew_size=2),
            "T001 works alone; a crew of 2 needed: send a second technician",
        ),
        (
            (tech(1, skills=(("plumbing", 2),)), tech(2, skills=(("electrical", 1),))),
            job(skills=(("plumbing", 2), ("electrical", 1))),
            "T001 and T002 together have the skills: send them as one crew",
        ),
        (
            (tech(skills=(("plumbing", 2),)),),
            job(skills=(("flooring", 1),)),
            "no technician of region XH has flooring at any level: add it",
        ),
        (
            (tech(1, skills=(("plumbing", 2),)), tech(7, primary_region="PD", skills=(("flooring", 2),))),
            job(skills=(("flooring", 1),)),
            "no technician of region XH has flooring at any level: add it; "
            "or let T007 of region PD help in XH",
        ),
        (
            (tech(primary_region="PD"),),
            job(),
            "no technician works in region XH; or let T001 of region PD help in XH",
        ),
        (
            (tech(skills=(("aircon_install", 1), ("electrical", 1))),),
            job(skills=(("aircon_install", 3), ("electrical", 2))),
            "nearest is T001 with aircon_install level 1 of 3, electrical level 1 of 2",
        ),
    ],
)
def test_no_skilled_technician_names_the_nearest_miss(
    technicians: tuple[TechnicianDay, ...], the_job: Job, hint: str
) -> None:
    """A missing skill is answered by who is one level short, which pair would do, or who could help."""
    found = reason(technicians, the_job)
    assert (found.code, found.hint) == (NO_SKILLED_TECHNICIAN, hint)


def test_no_technician_anywhere_asks_for_a_may_help_region() -> None:
    """With nobody in the region or outside it, the hint says to add the region to someone's may-help list."""
    found = reason((tech(primary_region="PD", skills=()),), job())
    assert found.hint == "no technician works in region XH: add XH to a technician's may-help regions"


@pytest.mark.parametrize(
    ("days", "words"),
    [
        ((0, 1, 2, 3, 4), "Mon-Fri"),
        ((1, 2, 3, 4, 5, 6), "Tue-Sun"),
        ((0, 2, 5), "Mon, Wed, Sat"),
        ((0, 1, 3), "Mon, Tue, Thu"),
    ],
)
def test_weekdays_read_as_ranges(days: tuple[int, ...], words: str) -> None:
    """Runs of three or more weekdays read as a range, shorter ones one by one."""
    assert weekdays(days) == words


def test_nobody_working_today_names_their_working_weekdays() -> None:
    """Skilled technicians off today are listed with the weekdays they do work."""
    off = tech(shift=None, off_reason="does not work on Sundays", working_days=(0, 1, 2, 3, 4))
    found = reason((off,), job())
    assert (found.code, found.hint) == (NO_SHIFT_COVERS_WINDOW, "T001 works Mon-Fri: offer one of those days")


def test_nobody_working_today_without_weekdays_asks_for_another_day() -> None:
    """When the weekly pattern is not known, the hint still names who and says to offer another day."""
    found = reason((tech(shift=None, off_reason="absent: annual leave"),), job())
    assert found.hint == "T001 not working today: offer another day"


def test_a_window_outside_the_shift_names_todays_hours() -> None:
    """A window after the shift ends is answered with the technician's hours today."""
    found = reason(
        (tech(shift=TimeWindow(8 * HOUR, 12 * HOUR)),), job(window=TimeWindow(13 * HOUR, 15 * HOUR))
    )
    assert (found.code, found.hint) == (
        NO_SHIFT_COVERS_WINDOW,
        "today T001 08:00-12:00: offer a window within those hours",
    )


def test_a_late_window_says_by_when_work_must_start() -> None:
    """Ninety minutes from a 17:00 window overrun an 18:00 shift: start by 16:20 to be home by six."""
    found = reason((tech(),), job(duration=90 * 60, window=TimeWindow(17 * HOUR, 19 * HOUR)))
    assert found.code == WINDOW_SHORTER_THAN_WORK
    assert found.hint == "T001 must start by 16:20 to finish 90 min: offer a window opening by then"


def test_an_early_window_says_when_the_technician_can_arrive() -> None:
    """A window that closes before the technician can get there names the first possible arrival."""
    found = reason((tech(shift=TimeWindow(9 * HOUR, 18 * HOUR)),), job(window=TimeWindow(8 * HOUR, 9 * HOUR)))
    assert found.code == WINDOW_SHORTER_THAN_WORK
    assert found.hint == "T001 cannot arrive before 09:10: offer a window that is open at 09:10"


def test_work_longer_than_the_shift_asks_to_split_the_visit() -> None:
    """Five hours of work and travel do not fit a four-hour shift: split the visit."""
    found = reason((tech(shift=TimeWindow(8 * HOUR, 12 * HOUR)),), job(duration=5 * HOUR))
    assert found.code == WINDOW_SHORTER_THAN_WORK
    assert found.hint == "300 min of work and the travel exceed T001's 240-min shift: split the visit"


def test_late_in_the_day_too_little_of_the_shift_is_left() -> None:
    """Planning from 17:30, a 10-hour shift has 30 minutes left: another day, not a split visit."""
    late = tech(shift=TimeWindow(17 * HOUR + 1800, 18 * HOUR), hours=TimeWindow(8 * HOUR, 18 * HOUR))
    found = reason((late,), job(window=TimeWindow(17 * HOUR + 1800, 20 * HOUR)))
    assert found.code == WINDOW_SHORTER_THAN_WORK
    assert found.hint == "only 30 min of T001's shift are left today: offer another day"


def test_van_capacity_compares_the_load_with_the_largest_van() -> None:
    """An oversized pickup names the load, the largest eligible van and its size."""
    found = reason((tech(1, capacity=800), tech(2, capacity=1000)), job(demand=1500))
    assert found.code == VAN_CAPACITY
    largest = "the load is 1500 l, T002's van holds 1000 l"
    assert found.hint == f"{largest}: split the pickup over two visits or send a larger van"


def test_outside_every_region_asks_to_check_the_address() -> None:
    """A site outside every region is answered with checking the address or drawing a region."""
    found = reason((tech(),), job(region=None))
    assert (found.code, found.hint) == (
        OUTSIDE_ALL_REGIONS,
        "check the address and its map point, or draw a region around it",
    )


def test_a_full_day_names_the_full_technicians_and_what_to_move() -> None:
    """Twelve hours of work for one ten-hour shift: the left-out jobs say who is full and what to do."""
    n = 13
    seconds = np.full((n, n), 120) - np.eye(n, dtype=int) * 120
    jobs = tuple(job(id=100 + i, location=1 + i) for i in range(12))
    problem = DayProblem(
        durations=seconds, distances=seconds * 7, technicians=(tech(),), jobs=jobs, label="2026-11-24"
    )
    plan = plan_day(problem, SolveOptions(time_limit_s=0.5), processes=1)
    hints = {u.reasons[0].hint for u in plan.unassigned if u.reasons[0].code == DAY_FULL}
    assert hints == {
        "make room with T001 on 2026-11-24 by moving a lower-priority visit, or offer another day"
    }


def test_clock_reads_seconds_from_the_day_origin() -> None:
    """Seconds from midnight read as a 24-hour clock."""
    assert clock(16 * HOUR + 20 * 60) == "16:20"
