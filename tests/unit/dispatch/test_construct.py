"""A first plan by insertion keeps every rule and places the orders it is given first."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings

from dispatch.construct import insert_all
from dispatch.day import DAY_FULL, DayProblem, Job, Reason, TechnicianDay
from dispatch.eligibility import candidates
from dispatch.plan import DayPlan, Unassigned
from dispatch.verify import plan_violations
from routing.problem import Break, TimeWindow
from tests.unit.dispatch.days import HOUR, days


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(days())
def test_insertion_plans_break_no_rule(problem: DayProblem) -> None:
    """Windows, skills, regions, shifts, lunch breaks and vans hold in every route it builds."""
    options = [(job, candidates(problem, job)) for job in problem.jobs if not job.frozen]
    routes, left = insert_all(problem, options, lambda job: job.id)
    placed = {v.job_id for r in routes for v in r.visits}
    unassigned = [Unassigned(j.id, (Reason(DAY_FULL, "-"),)) for j in problem.jobs if j.id not in placed]
    assert plan_violations(problem, DayPlan(tuple(routes), tuple(unassigned), 0.0, 1)) == []
    assert set(left) <= {u.job_id for u in unassigned}


def test_the_order_given_decides_who_gets_the_last_room() -> None:
    """With room for one of two orders, the one taken first is placed, whatever the travel."""
    idx = np.arange(3)
    metres = np.abs(idx[:, None] - idx[None, :]) * 5000
    tech = TechnicianDay(
        id=1,
        code="T001",
        location=0,
        primary_region="XH",
        shift=TimeWindow(8 * HOUR, 10 * HOUR),
        breaks=(Break(9 * HOUR, 9 * HOUR + 1800, 600),),
    )
    day = TimeWindow(8 * HOUR, 9 * HOUR)
    jobs = (Job(1, 2, "XH", HOUR, day), Job(2, 1, "XH", HOUR, day))
    problem = DayProblem(metres // 1000 * 60, metres, (tech,), jobs)
    options = [(job, candidates(problem, job)) for job in jobs]
    for first in (1, 2):
        routes, left = insert_all(problem, options, lambda job, first=first: job.id != first)
        assert [v.job_id for v in routes[0].visits] == [first]
        assert left == [3 - first]
        plan = DayPlan(tuple(routes), (Unassigned(3 - first, (Reason(DAY_FULL, "-"),)),), 0.0, 1)
        assert plan_violations(problem, plan) == []
