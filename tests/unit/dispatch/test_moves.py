"""The manual move check the console uses for drag and drop."""

from __future__ import annotations

import numpy as np
import pytest

from dispatch.day import DayProblem, Job, TechnicianDay
from dispatch.moves import (
    BREAK,
    LATE_NEXT,
    OVERLAP,
    REGION,
    SHIFT,
    SKILL,
    VAN_CAPACITY,
    WINDOW,
    check_assignment,
    later_starts,
)
from routing.problem import Break, TimeWindow

HOUR = 3600


def _problem() -> DayProblem:
    """Five places on a line, ten minutes' drive apart."""
    idx = np.arange(5)
    metres = np.abs(idx[:, None] - idx[None, :]) * 5000
    return DayProblem(durations=metres // 5000 * 600, distances=metres, technicians=(), jobs=())


TECH = TechnicianDay(
    id=1,
    code="T001",
    location=0,
    primary_region="XH",
    skills=(("furniture_assembly", 2),),
    crew_size=2,
    shift=TimeWindow(8 * HOUR, 18 * HOUR),
    breaks=(Break(11 * HOUR + 1800, 13 * HOUR, 45 * 60),),
    capacity=1000,
)


def job(id: int = 10, location: int = 1, **kw) -> Job:
    base = dict(
        region="XH",
        duration=HOUR,
        window=TimeWindow(8 * HOUR, 20 * HOUR),
        skills=(("furniture_assembly", 1),),
    )
    base.update(kw)
    return Job(id=id, location=location, **base)


def codes(check) -> set[str]:
    return {r.code for r in check.violations}


def test_a_good_move_is_feasible() -> None:
    """A qualified technician with a free morning can take a job at 09:00."""
    check = check_assignment(_problem(), job(), TECH, 9 * HOUR)
    assert check.feasible and check.violations == ()


@pytest.mark.parametrize(
    ("the_job", "start", "code", "words"),
    [
        (job(region="PD"), 9 * HOUR, REGION, "does not work in region PD"),
        (job(skills=(("aircon_install", 2),)), 9 * HOUR, SKILL, "aircon_install level 2"),
        (job(crew_size=3), 9 * HOUR, SKILL, "a crew of 3"),
        (job(window=TimeWindow(13 * HOUR, 15 * HOUR), promised=True), 9 * HOUR, WINDOW, "13:00-15:00"),
        (job(), 8 * HOUR, SHIFT, "cannot reach the site before 08:10"),
        (job(duration=3 * HOUR), 15 * HOUR, SHIFT, "after the shift ends at 18:00"),
        (job(demand=1500), 9 * HOUR, VAN_CAPACITY, "holds 1000 l"),
        (job(duration=3 * HOUR), 11 * HOUR, BREAK, "45-minute break"),
    ],
)
def test_each_broken_rule_is_named(the_job: Job, start: int, code: str, words: str) -> None:
    """Every rule a move breaks is listed with a sentence the dispatcher can act on."""
    check = check_assignment(_problem(), the_job, TECH, start)
    assert not check.feasible
    assert code in codes(check)
    assert any(words in r.detail for r in check.violations), check.violations


def test_overlap_with_the_previous_visit() -> None:
    """Starting before the technician can get there from the previous visit is refused."""
    earlier = job(id=11, location=2)
    check = check_assignment(_problem(), job(), TECH, 9 * HOUR + 1800, route=[(earlier, 9 * HOUR)])
    assert codes(check) == {OVERLAP}
    assert "order 11" in check.violations[0].detail


def test_later_visits_may_slide_within_their_windows() -> None:
    """A later visit pushed back but still inside its window is fine; pushed past it, the move is refused."""
    roomy = job(id=12, location=2, window=TimeWindow(10 * HOUR, 14 * HOUR), promised=True)
    assert check_assignment(_problem(), job(), TECH, 9 * HOUR + 1800, route=[(roomy, 10 * HOUR)]).feasible
    tight = job(id=13, location=2, window=TimeWindow(10 * HOUR, 10 * HOUR + 600), promised=True)
    check = check_assignment(_problem(), job(), TECH, 9 * HOUR + 1800, route=[(tight, 10 * HOUR)])
    assert codes(check) == {LATE_NEXT}


def test_later_visits_are_pushed_on_to_leave_time_for_the_drive() -> None:
    """At 10:00 after new work 09:30-10:30 ten minutes away: starts 10:40; a later one keeps 15:00."""
    pushed = job(id=12, location=2, window=TimeWindow(10 * HOUR, 14 * HOUR))
    free = job(id=14, location=2, window=TimeWindow(15 * HOUR, 16 * HOUR))
    found = later_starts(_problem(), job(), 9 * HOUR + 1800, [(pushed, 10 * HOUR), (free, 15 * HOUR)])
    assert [(j.id, planned, begin) for j, planned, begin in found] == [
        (12, 10 * HOUR, 10 * HOUR + 2400),
        (14, 15 * HOUR, 15 * HOUR),
    ]


def test_fixed_work_cannot_be_pushed() -> None:
    """Another region's visit (or work under way) in the way is an overlap, even inside its window."""
    busy = job(
        id=12, location=2, window=TimeWindow(10 * HOUR, 14 * HOUR), region="PD",
        technician_id=1, frozen=True, busy=True, planned_start=10 * HOUR,
    )  # fmt: skip
    check = check_assignment(_problem(), job(), TECH, 9 * HOUR + 1800, route=[(busy, 10 * HOUR)])
    assert codes(check) == {OVERLAP}
    assert "region PD is fixed at 10:00" in check.violations[0].detail


def test_moving_a_visit_within_its_own_route_ignores_its_old_place() -> None:
    """The job's current slot does not block its new time on the same technician."""
    me = job()
    assert check_assignment(_problem(), me, TECH, 14 * HOUR, route=[(me, 9 * HOUR)]).feasible


def test_a_technician_who_is_off_cannot_take_anything() -> None:
    """An absent technician is refused with the reason they are off."""
    off = TechnicianDay(
        id=2,
        code="T002",
        location=0,
        primary_region="XH",
        shift=None,
        off_reason="absent: training",
        skills=TECH.skills,
        crew_size=2,
    )
    check = check_assignment(_problem(), job(), off, 9 * HOUR)
    assert codes(check) == {SHIFT} and "training" in check.violations[0].detail


def test_van_space_counts_the_whole_day() -> None:
    """Pickups already on the route fill the van too."""
    pickup = job(id=14, location=3, demand=700)
    check = check_assignment(_problem(), job(demand=400), TECH, 9 * HOUR, route=[(pickup, 14 * HOUR)])
    assert codes(check) == {VAN_CAPACITY}
