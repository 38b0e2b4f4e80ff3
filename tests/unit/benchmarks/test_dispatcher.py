"""The priority-first dispatcher the field day is measured against keeps every rule."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from benchmarks.dispatcher import priority_first, taken_first
from dispatch.day import DayProblem, Job
from dispatch.verify import plan_violations
from routing.problem import TimeWindow
from tests.unit.dispatch.days import days


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(days())
def test_the_dispatcher_plans_break_no_rule(problem: DayProblem) -> None:
    """Its plans pass the independent check, every order placed or left out with a reason."""
    assert plan_violations(problem, priority_first(problem)) == []


def test_urgent_comes_first_then_high_then_booked_windows() -> None:
    """The dispatcher's order: urgent, high, then the rest, booked windows first within each."""
    day = TimeWindow(0, 3600)
    jobs = [
        Job(1, 0, "XH", 60, day, promised=True),
        Job(2, 0, "XH", 60, day, priority="high"),
        Job(3, 0, "XH", 60, day),
        Job(4, 0, "XH", 60, day, priority="urgent"),
    ]
    assert [j.id for j in sorted(jobs, key=taken_first)] == [4, 2, 1, 3]
