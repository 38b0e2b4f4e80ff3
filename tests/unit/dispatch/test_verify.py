"""The independent plan checker catches every kind of broken rule."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from dispatch.day import DayProblem, Job, TechnicianDay
from dispatch.planner import DayPlan, PlannedVisit, TechnicianPlan, Unassigned
from dispatch.verify import plan_violations
from routing.problem import Break, TimeWindow

HOUR = 3600
idx = np.arange(3)
METRES = np.abs(idx[:, None] - idx[None, :]) * 5000
SECONDS = METRES // 5000 * 600
TECH = TechnicianDay(
    id=1,
    code="T001",
    location=0,
    primary_region="XH",
    skills=(("plumbing", 2),),
    shift=TimeWindow(8 * HOUR, 18 * HOUR),
    breaks=(Break(41400, 48600, 2700),),
    capacity=500,
)
JOB = Job(
    id=10,
    location=1,
    region="XH",
    duration=HOUR,
    window=TimeWindow(9 * HOUR, 11 * HOUR),
    skills=(("plumbing", 1),),
    demand=100,
)


def plan_with(visit: PlannedVisit, breaks=((12 * HOUR, 2700),), departure=9 * HOUR - 600) -> DayPlan:
    route = TechnicianPlan(
        technician_id=1,
        visits=(visit,),
        breaks=breaks,
        departure=departure,
        arrival=visit.end + 600,
        travel_seconds=1200,
        travel_metres=10000,
    )
    return DayPlan(routes=(route,), unassigned=(), wall_seconds=0.0, groups=1)


GOOD = PlannedVisit(
    job_id=10, technician_id=1, sequence=1, arrival=9 * HOUR, start=9 * HOUR, end=10 * HOUR, helping=False
)


def problem(job: Job = JOB, tech: TechnicianDay = TECH) -> DayProblem:
    return DayProblem(durations=SECONDS, distances=METRES, technicians=(tech,), jobs=(job,))


def test_a_sound_plan_passes() -> None:
    """A plan that keeps every rule has no violations."""
    assert plan_violations(problem(), plan_with(GOOD)) == []


@pytest.mark.parametrize(
    ("the_problem", "plan", "words"),
    [
        (problem(), plan_with(replace(GOOD, start=12 * HOUR, end=13 * HOUR)), "outside"),
        (problem(replace(JOB, skills=(("plumbing", 3),))), plan_with(GOOD), "lacks"),
        (problem(replace(JOB, region="PD")), plan_with(GOOD), "region PD"),
        (problem(replace(JOB, demand=900)), plan_with(GOOD), "over van capacity"),
        (problem(), plan_with(GOOD, departure=9 * HOUR - 60), "cannot arrive before"),
        (problem(), plan_with(GOOD, departure=7 * HOUR), "before the shift starts"),
        (problem(), plan_with(GOOD, breaks=()), "break"),
        (problem(), plan_with(GOOD, breaks=((9 * HOUR + 1800, 2700),)), "break"),
        (problem(), plan_with(replace(GOOD, end=9 * HOUR + 60)), "s of work"),
        (
            problem(tech=replace(TECH, shift=TimeWindow(8 * HOUR, 10 * HOUR))),
            plan_with(GOOD, breaks=()),
            "after the shift",
        ),
    ],
)
def test_each_kind_of_violation_is_caught(the_problem: DayProblem, plan: DayPlan, words: str) -> None:
    """Windows, skills, regions, vans, travel, shifts, breaks and durations are each checked."""
    found = plan_violations(the_problem, plan)
    assert any(words in f for f in found), found


def test_jobs_lost_or_unexplained_are_caught() -> None:
    """A job neither placed nor left out, or left out without a reason, is a violation."""
    empty = DayPlan(routes=(), unassigned=(), wall_seconds=0.0, groups=0)
    assert any("missing" in f for f in plan_violations(problem(), empty))
    silent = DayPlan(routes=(), unassigned=(Unassigned(10, ()),), wall_seconds=0.0, groups=0)
    assert any("without a reason" in f for f in plan_violations(problem(), silent))
