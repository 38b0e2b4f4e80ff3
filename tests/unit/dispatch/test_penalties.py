"""The drop-penalty ladder: a booked window, then urgent, then high, then the service-level clock."""

from __future__ import annotations

import numpy as np
import pytest

from dispatch import planner
from dispatch.day import DAY_FULL, PROMISE_BROKEN, DayProblem, Job, PlanSettings, TechnicianDay
from dispatch.model import drop_penalty
from dispatch.planner import plan_day
from dispatch.verify import plan_violations
from routing.problem import TimeWindow
from routing.solver import SolveOptions
from tests.unit.dispatch.days import HOUR

SETTINGS = PlanSettings()
DAY = TimeWindow(8 * HOUR, 18 * HOUR)

# The heaviest order of each rung: everything below it at its worst.
PROMISED = dict(promised=True)
URGENT = dict(priority="urgent", overdue_days=9)
HIGH = dict(priority="high", overdue_days=9)
OVERDUE = dict(overdue_days=9)
DUE_TODAY = dict(due_today=True)
REST: dict = {}


def _job(id: int = 1, location: int = 1, window: TimeWindow = DAY, **kw) -> Job:
    return Job(id=id, location=location, region="XH", duration=HOUR, window=window, **kw)


def _penalty(**kw) -> int:
    return drop_penalty(_job(**kw), SETTINGS)


@pytest.mark.parametrize(
    ("higher", "lower"),
    [
        (PROMISED, URGENT),
        (dict(priority="urgent"), HIGH),
        (dict(priority="high"), OVERDUE),
        (DUE_TODAY, REST),
    ],
)
def test_one_order_outweighs_ten_of_the_rung_below(higher: dict, lower: dict) -> None:
    """A single order of a rung costs more to leave out than ten of the next rung down at their worst."""
    assert _penalty(**higher) > 10 * _penalty(**lower)


def test_overdue_orders_weigh_more_the_longer_they_wait_up_to_a_cap() -> None:
    """Due today < one day overdue < two days overdue; the clock alone never reaches the high rung."""
    clock = [_penalty(due_today=True), *(_penalty(overdue_days=d) for d in (1, 2, 4, 30))]
    assert clock[0] < clock[1] < clock[2] <= clock[3] == clock[4] < _penalty(priority="high")


def test_busy_time_outweighs_every_order_and_stays_within_int64() -> None:
    """Busy time elsewhere stays above the heaviest order; every penalty fits a signed 64-bit integer."""
    heaviest = _penalty(promised=True, priority="urgent", overdue_days=30)
    busy = drop_penalty(Job(1, 1, "XH", HOUR, DAY, technician_id=1, frozen=True, busy=True), SETTINGS)
    assert 10 * heaviest < busy < np.iinfo(np.int64).max // 10**6
    assert _penalty() > 5 * 10 * HOUR  # a normal order is worth more than a long day's driving


def _one_slot_day(first: dict, second: dict) -> DayProblem:
    """One technician with room for only one of two one-hour orders, the cheaper to reach being `second`."""
    idx = np.arange(3)
    metres = np.abs(idx[:, None] - idx[None, :]) * 5000
    tech = TechnicianDay(
        id=1, code="T001", location=0, primary_region="XH", shift=TimeWindow(8 * HOUR, 9 * HOUR + 1800)
    )
    slot = TimeWindow(8 * HOUR + 600, 8 * HOUR + 1200)
    jobs = (_job(1, location=2, window=slot, **first), _job(2, location=1, window=slot, **second))
    return DayProblem(metres // 1000 * 60, metres, (tech,), jobs)


@pytest.mark.parametrize(
    ("kept", "given_way"),
    [
        (PROMISED, dict(priority="urgent", overdue_days=3)),
        (dict(priority="urgent"), dict(priority="high", overdue_days=3)),
        (dict(priority="high"), dict(overdue_days=3)),
        (dict(overdue_days=1), DUE_TODAY),
        (DUE_TODAY, REST),
    ],
)
def test_the_plan_keeps_the_higher_rung_when_only_one_fits(kept: dict, given_way: dict) -> None:
    """With room for one order, the plan serves the higher rung although the other is nearer."""
    problem = _one_slot_day(kept, given_way)
    plan = plan_day(problem, SolveOptions(time_limit_s=0.5), processes=1)
    assert plan_violations(problem, plan) == []
    assert [v.job_id for r in plan.routes for v in r.visits] == [1]


def test_a_promise_left_out_is_flagged_after_its_cause() -> None:
    """A booked window the plan cannot keep says day_full, then promise_broken; other orders carry no flag."""
    problem = _one_slot_day(PROMISED, PROMISED)
    problem = DayProblem(
        problem.durations, problem.distances, problem.technicians, (*problem.jobs, _job(3, location=1))
    )
    plan = plan_day(problem, SolveOptions(time_limit_s=0.5), processes=1)
    codes = {u.job_id: [r.code for r in u.reasons] for u in plan.unassigned}
    assert codes == {1: [DAY_FULL, PROMISE_BROKEN], 3: [DAY_FULL]}
    assert "08:10-08:20" in plan.unassigned[0].reasons[1].detail


@pytest.mark.parametrize(
    ("kept", "given_way"), [(PROMISED, dict(priority="urgent")), (dict(priority="high"), REST)]
)
def test_the_ladder_holds_when_the_day_is_planned_by_region(
    monkeypatch: pytest.MonkeyPatch, kept: dict, given_way: dict
) -> None:
    """Planned in two stages from a first plan by insertion, the higher rung is still the one served."""
    monkeypatch.setattr(planner, "SPLIT_ABOVE_JOBS", 1)
    problem = _one_slot_day(kept, given_way)
    plan = plan_day(problem, SolveOptions(time_limit_s=1.0), processes=1)
    assert plan_violations(problem, plan) == []
    assert [v.job_id for r in plan.routes for v in r.visits] == [1]
