"""A simple dispatcher to measure the planner against: the orders that matter most first, each where it fits.

Urgent orders are taken first, then high, then the rest (within each, booked windows first, then the
service-level clock); each goes to the eligible technician and position in their route that adds the least
travel while every window, shift, lunch break and van still holds (`dispatch/construct.py`). It uses the
product's own eligibility and travel matrix, and its plans are checked by `dispatch/verify.py` like the
planner's. A fresh day only: nothing frozen, nothing under way.
"""

from __future__ import annotations

from dispatch.construct import insert_all
from dispatch.day import DAY_FULL, DayProblem, Job, Reason
from dispatch.eligibility import candidates, explain_ineligible
from dispatch.plan import DayPlan, Unassigned

PRIORITY_RANK = {"urgent": 0, "high": 1}


def taken_first(job: Job) -> tuple:
    """The dispatcher's order of work: priority, then a booked window, then the clock, then intake."""
    rank = PRIORITY_RANK.get(job.priority, 2)
    return (rank, not job.promised, -job.overdue_days, not job.due_today, job.id)


def priority_first(problem: DayProblem) -> DayPlan:
    """Each order in the dispatcher's order at its cheapest feasible place, or left out with its reason."""
    options = [(job, candidates(problem, job)) for job in problem.jobs]
    routes, left = insert_all(problem, [(j, f) for j, f in options if f], taken_first)
    unassigned = [Unassigned(j, (Reason(DAY_FULL, "no room left"),)) for j in left]
    unassigned += [Unassigned(j.id, tuple(explain_ineligible(problem, j))) for j, f in options if not f]
    return DayPlan(tuple(routes), tuple(sorted(unassigned, key=lambda u: u.job_id)), 0.0, 1)
