"""Planning a day: every plan keeps every rule, and every order left out says why."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from dispatch import planner
from dispatch.day import (
    DAY_FULL,
    NO_SHIFT_COVERS_WINDOW,
    NO_SKILLED_TECHNICIAN,
    OUTSIDE_ALL_REGIONS,
    VAN_CAPACITY,
    WINDOW_SHORTER_THAN_WORK,
    DayProblem,
    Job,
    TechnicianDay,
)
from dispatch.eligibility import candidates
from dispatch.planner import plan_day
from dispatch.verify import plan_violations
from routing.problem import Break, TimeWindow
from routing.solver import SolveOptions
from tests.unit.dispatch.days import HOUR, days

FAST = SolveOptions(time_limit_s=0.5)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(days())
def test_no_plan_breaks_a_rule_and_every_left_out_job_has_a_reason(problem: DayProblem) -> None:
    """Windows, skills, regions, shifts, breaks and vans hold in every plan; each job left out says why."""
    plan = plan_day(problem, FAST, processes=1)
    assert plan_violations(problem, plan) == []
    assert all(u.reasons for u in plan.unassigned)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(days())
def test_day_full_only_when_someone_was_eligible(problem: DayProblem) -> None:
    """day_full is given exactly to jobs that had an eligible technician; the others get a rule's reason."""
    plan = plan_day(problem, FAST, processes=1)
    jobs = {j.id: j for j in problem.jobs}
    for left in plan.unassigned:
        has_candidates = bool(candidates(problem, jobs[left.job_id]))
        assert (left.reasons[0].code == DAY_FULL) == has_candidates


def _line(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Locations on a line, one kilometre and two minutes apart."""
    idx = np.arange(n)
    metres = np.abs(idx[:, None] - idx[None, :]) * 1000
    return metres // 1000 * 120, metres


def _tech(id: int = 1, **kw) -> TechnicianDay:
    base = dict(
        code=f"T{id:03d}",
        location=0,
        primary_region="XH",
        skills=(("aircon_install", 2),),
        shift=TimeWindow(8 * HOUR, 18 * HOUR),
        breaks=(Break(41400, 48600, 2700),),
        capacity=1000,
    )
    base.update(kw)
    return TechnicianDay(id=id, **base)


def _job(id: int = 10, **kw) -> Job:
    base = dict(
        location=1,
        region="XH",
        duration=HOUR,
        window=TimeWindow(8 * HOUR, 20 * HOUR),
        skills=(("aircon_install", 2),),
    )
    base.update(kw)
    return Job(id=id, **base)


def _reason(tech: TechnicianDay, job: Job) -> tuple[str, str]:
    seconds, metres = _line(3)
    problem = DayProblem(
        durations=seconds, distances=metres, technicians=(tech,), jobs=(job,), label="2026-11-24"
    )
    plan = plan_day(problem, FAST, processes=1)
    assert plan.assigned == 0
    reason = plan.unassigned[0].reasons[0]
    return reason.code, reason.detail


@pytest.mark.parametrize(
    ("tech", "job", "code", "words"),
    [
        (_tech(), _job(region=None), OUTSIDE_ALL_REGIONS, "outside every region"),
        (
            _tech(skills=(("aircon_install", 1),)),
            _job(),
            NO_SKILLED_TECHNICIAN,
            "needs aircon_install level 2; region XH has none on 2026-11-24",
        ),
        (_tech(primary_region="PD"), _job(), NO_SKILLED_TECHNICIAN, "region XH has none"),
        (_tech(crew_size=1), _job(crew_size=2), NO_SKILLED_TECHNICIAN, "a crew of 2"),
        (
            _tech(shift=None, off_reason="absent: annual leave"),
            _job(),
            NO_SHIFT_COVERS_WINDOW,
            "annual leave",
        ),
        (
            _tech(shift=TimeWindow(8 * HOUR, 12 * HOUR)),
            _job(window=TimeWindow(13 * HOUR, 15 * HOUR)),
            NO_SHIFT_COVERS_WINDOW,
            "T001",
        ),
        (
            _tech(),
            _job(duration=9 * HOUR, window=TimeWindow(10 * HOUR, 12 * HOUR)),
            WINDOW_SHORTER_THAN_WORK,
            "540 min",
        ),
        (_tech(capacity=500), _job(demand=800), VAN_CAPACITY, "holds 500 l"),
    ],
)
def test_reasons_are_decided_by_checks(tech: TechnicianDay, job: Job, code: str, words: str) -> None:
    """Each way a job can be impossible gets its own reason code and a detail naming the cause."""
    found, detail = _reason(tech, job)
    assert found == code
    assert words in detail


def test_a_full_day_is_day_full() -> None:
    """Twelve hours of work for a ten-hour shift: some jobs are left out as day_full, naming T001."""
    seconds, metres = _line(14)
    tech = _tech()
    jobs = tuple(_job(id=100 + i, location=1 + i) for i in range(12))
    problem = DayProblem(durations=seconds, distances=metres, technicians=(tech,), jobs=jobs)
    plan = plan_day(problem, FAST, processes=1)
    assert 0 < plan.assigned < 12
    assert {u.reasons[0].code for u in plan.unassigned} == {DAY_FULL}
    assert "T001" in plan.unassigned[0].reasons[0].detail
    assert plan_violations(problem, plan) == []


def test_priority_decides_who_is_left_out() -> None:
    """When the day is full, urgent jobs are kept before normal ones: four of each, room for four."""
    seconds, metres = _line(12)
    tech = _tech()
    jobs = tuple(
        _job(id=100 + i, location=1 + i, duration=2 * HOUR, priority="urgent" if i % 2 else "normal")
        for i in range(8)
    )
    problem = DayProblem(durations=seconds, distances=metres, technicians=(tech,), jobs=jobs)
    plan = plan_day(problem, FAST, processes=1)
    assert plan.assigned == 4
    kept = {v.job_id for r in plan.routes for v in r.visits}
    urgent = {j.id for j in jobs if j.priority == "urgent"}
    assert urgent <= kept


def test_helping_outside_the_region_costs_extra() -> None:
    """With two equally placed technicians, the one whose primary region it is gets the job."""
    seconds, metres = _line(3)
    local = _tech(id=1, primary_region="XH")
    helper = _tech(id=2, primary_region="PD", help_regions=frozenset({"XH"}))
    problem = DayProblem(durations=seconds, distances=metres, technicians=(helper, local), jobs=(_job(),))
    plan = plan_day(problem, FAST, processes=1)
    (visit,) = [v for r in plan.routes for v in r.visits]
    assert visit.technician_id == 1 and not visit.helping


def test_frozen_jobs_stay_with_their_technician_and_time() -> None:
    """A locked or started visit keeps its technician and planned start even when another is closer."""
    seconds, metres = _line(4)
    near = _tech(id=1, location=0)
    far = _tech(id=2, location=3)
    job = _job(location=0, technician_id=2, frozen=True, planned_start=10 * HOUR)
    problem = DayProblem(durations=seconds, distances=metres, technicians=(near, far), jobs=(job,))
    plan = plan_day(problem, FAST, processes=1)
    (visit,) = [v for r in plan.routes for v in r.visits]
    assert (visit.technician_id, visit.start) == (2, 10 * HOUR)


def test_regions_that_share_nobody_are_solved_as_separate_groups() -> None:
    """Two regions with their own technicians form two groups, solved in parallel processes."""
    seconds, metres = _line(6)
    techs = (_tech(id=1, primary_region="XH"), _tech(id=2, primary_region="PD", location=5))
    jobs = (_job(id=10, location=1), _job(id=11, location=4, region="PD"))
    problem = DayProblem(durations=seconds, distances=metres, technicians=techs, jobs=jobs)
    plan = plan_day(problem, FAST, processes=2)
    assert plan.groups == 2
    assert {(v.job_id, v.technician_id) for r in plan.routes for v in r.visits} == {(10, 1), (11, 2)}
    assert plan_violations(problem, plan) == []


def test_progress_is_reported_per_group() -> None:
    """The caller hears of each finished group, ending at done == total."""
    seconds, metres = _line(6)
    techs = (_tech(id=1, primary_region="XH"), _tech(id=2, primary_region="PD", location=5))
    jobs = (_job(id=10, location=1), _job(id=11, location=4, region="PD"))
    problem = DayProblem(durations=seconds, distances=metres, technicians=techs, jobs=jobs)
    seen: list[tuple[int, int]] = []
    plan_day(problem, FAST, processes=1, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(1, 2), (2, 2)]


@pytest.mark.parametrize(("isolated", "pools"), [(False, 0), (True, 1)])
def test_an_isolated_plan_searches_only_in_worker_processes(
    monkeypatch: pytest.MonkeyPatch, isolated: bool, pools: int
) -> None:
    """Isolated, even a plan of one process searches in a worker: the caller's threads are never held up."""
    started: list[int] = []
    real_pool = planner.worker_pool

    def spy(workers: int):
        started.append(workers)
        return real_pool(workers)

    monkeypatch.setattr(planner, "worker_pool", spy)
    seconds, metres = _line(6)
    problem = DayProblem(
        durations=seconds, distances=metres, technicians=(_tech(id=1),), jobs=(_job(id=10, location=2),)
    )
    plan = plan_day(problem, FAST, processes=1, isolated=isolated)
    assert started == [1] * pools
    assert [v.job_id for r in plan.routes for v in r.visits] == [10]


def test_a_single_group_gets_the_spare_cores_as_a_portfolio(monkeypatch: pytest.MonkeyPatch) -> None:
    """With one group and two cores, the group is searched by two searches of the portfolio, one per core."""
    seen: list[int] = []
    real_solve = planner.solve

    def spy(problem, options):
        seen.append(options.workers)
        return real_solve(problem, options)

    monkeypatch.setattr(planner, "solve", spy)
    seconds, metres = _line(6)
    problem = DayProblem(
        durations=seconds, distances=metres, technicians=(_tech(id=1),), jobs=(_job(id=10, location=2),)
    )
    plan = plan_day(problem, FAST, processes=2)
    assert seen == [2]
    assert [v.job_id for r in plan.routes for v in r.visits] == [10]
    plan_day(problem, FAST, processes=1)
    assert seen == [2, 1]
    # A group too big for the portfolio's searches keeps the one search it asked for.
    monkeypatch.setattr(planner, "PORTFOLIO_MAX_JOBS", 0)
    plan_day(problem, FAST, processes=2)
    assert seen == [2, 1, 1]


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(days())
def test_a_day_planned_region_by_region_breaks_no_rule(problem: DayProblem) -> None:
    """Split by region and joined by the leftovers, a plan still keeps every rule and explains every job."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(planner, "SPLIT_ABOVE_JOBS", 0)
        plan = plan_day(problem, FAST, processes=1)
    assert plan_violations(problem, plan) == []
    jobs = {j.id: j for j in problem.jobs}
    assert plan.assigned + len(plan.unassigned) == len(problem.jobs)
    for left in plan.unassigned:
        assert (left.reasons[0].code == DAY_FULL) == bool(candidates(problem, jobs[left.job_id]))


def test_a_big_group_is_planned_by_region_and_helpers_take_the_leftovers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """XH has work for two days and PD almost none: PD's technician, who may help in XH, takes the rest."""
    monkeypatch.setattr(planner, "SPLIT_ABOVE_JOBS", 3)
    seconds, metres = _line(14)
    local = _tech(id=1, primary_region="XH")
    # Only the helper can fix a dishwasher: the job has nobody in its own region.
    dishwasher = _job(id=99, location=13, skills=(("dishwasher_repair", 1),), duration=HOUR)
    helper = _tech(
        id=2,
        primary_region="PD",
        help_regions=frozenset({"XH"}),
        skills=(("aircon_install", 2), ("dishwasher_repair", 1)),
    )
    jobs = (*(_job(id=100 + i, location=1 + i, duration=2 * HOUR) for i in range(8)), dishwasher)
    jobs = (*jobs, _job(id=200, location=12, region="PD"))
    problem = DayProblem(durations=seconds, distances=metres, technicians=(local, helper), jobs=jobs)
    stages: list[list[tuple[tuple[int, ...], tuple[int, ...]]]] = []
    solve_groups = planner._solve_groups

    def spy(problem, groups, *args):
        stages.append(
            [(tuple(t.id for t in g.technicians), tuple(sorted(j.id for j in g.jobs))) for g in groups]
        )
        return solve_groups(problem, groups, *args)

    monkeypatch.setattr(planner, "_solve_groups", spy)
    seen: list[tuple[int, int]] = []
    plan = plan_day(problem, FAST, processes=1, progress=lambda done, total: seen.append((done, total)))
    assert plan_violations(problem, plan) == []
    # First each region alone, without the dishwasher; then each from its routes, PD with XH's leftovers.
    assert stages[0] == [((1,), tuple(range(100, 108))), ((2,), (200,))]
    first, second = dict(stages[1])[(1,)], dict(stages[1])[(2,)]
    assert 99 in second and not set(first) & set(second)
    visits = {v.job_id: v for r in plan.routes for v in r.visits}
    assert visits[99].technician_id == 2 and visits[99].helping
    assert visits[200].technician_id == 2 and not visits[200].helping
    helped = [v for v in visits.values() if v.technician_id == 2 and v.job_id not in (99, 200)]
    assert helped and all(v.helping for v in helped)
    # Ten hours of shift minus the break each: four two-hour jobs for XH's own, the rest shared.
    assert plan.assigned >= 8
    assert seen[-1][0] == seen[-1][1]
