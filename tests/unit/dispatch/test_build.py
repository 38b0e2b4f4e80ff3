"""Turning technician and order records into a day's planning problem, in seconds from local midnight."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dispatch.build import OrderRecord, TechnicianRecord, build_day_problem, day_locations
from dispatch.day import NO_SKILLED_TECHNICIAN, PlanSettings
from dispatch.planner import plan_day
from routing.geo import Point
from routing.matrix import GeodesicProvider, TravelMatrix
from routing.solver import SolveOptions

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY = date(2026, 11, 23)
HOME = Point(lat=31.18, lon=121.44)
SITE = Point(lat=31.19, lon=121.45)
OTHER_SITE = Point(lat=31.20, lon=121.47)
HOUR = 3600


def tech(**overrides: object) -> TechnicianRecord:
    """A Shanghai technician working Monday to Saturday, 08:00-18:00, with furniture skills."""
    fields: dict[str, object] = {
        "id": 1,
        "code": "T001",
        "home": HOME,
        "primary_region": "XH",
        "help_regions": ("PD",),
        "skills": (("furniture_assembly", 2),),
        "crew_size": 2,
        "van_volume_l": 4000,
        "shifts": tuple((d, time(8), time(18)) for d in range(6)),
        "time_zone": "Asia/Shanghai",
    }
    fields.update(overrides)
    return TechnicianRecord(**fields)  # type: ignore[arg-type]


def order(**overrides: object) -> OrderRecord:
    """A one-hour sofa install in XH, due in three days."""
    fields: dict[str, object] = {
        "id": 10,
        "site": SITE,
        "region": "XH",
        "kind": "install",
        "duration_min": 60,
        "earliest_start": MONDAY,
        "sla_due": MONDAY + timedelta(days=3),
        "skills": (("furniture_assembly", 1),),
        "crew_size": 2,
        "volume_l": 1500,
    }
    fields.update(overrides)
    return OrderRecord(**fields)  # type: ignore[arg-type]


def build(technicians, orders, day: date = MONDAY, time_zone: str = "Asia/Shanghai", **kwargs):
    points = day_locations(technicians, orders)
    matrix = GeodesicProvider().matrix(points, points)
    return build_day_problem(day, time_zone, technicians, orders, matrix, **kwargs)


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=SHANGHAI)


def test_locations_are_homes_then_sites_each_once() -> None:
    """Shared homes and sites appear once, technicians' homes first, in order of appearance."""
    techs = [tech(), tech(id=2, code="T002")]
    orders = [order(), order(id=11, site=OTHER_SITE), order(id=12, site=HOME)]
    assert day_locations(techs, orders) == [HOME, SITE, OTHER_SITE]


def test_shift_and_lunch_count_seconds_from_local_midnight() -> None:
    """08:00-18:00 is 28800-64800 s; 45 minutes of lunch start between 11:30 and 12:45."""
    problem, origin = build([tech()], [order()])
    assert origin == datetime(2026, 11, 22, 16, tzinfo=UTC)
    day = problem.technicians[0]
    assert (day.shift.start, day.shift.end) == (8 * HOUR, 18 * HOUR)
    (lunch,) = day.breaks
    assert (lunch.earliest, lunch.latest, lunch.duration) == (41400, 45900, 2700)
    assert day.capacity == 4000 and day.crew_size == 2
    assert day.help_regions == frozenset({"PD"}) and day.level("furniture_assembly") == 2
    assert problem.label == "2026-11-23"


def test_technician_off_on_sunday_has_no_shift_and_says_why() -> None:
    """On a day outside the weekly pattern the technician has no shift and an off reason."""
    problem, _ = build(
        [tech()], [order(earliest_start=MONDAY - timedelta(days=1))], day=MONDAY - timedelta(1)
    )
    day = problem.technicians[0]
    assert day.shift is None and day.breaks == ()
    assert day.off_reason == "does not work on Sundays"


def test_absent_technician_has_no_shift() -> None:
    """A technician on leave that day is off, with the leave's reason."""
    absent = tech(absences=((MONDAY, MONDAY + timedelta(days=4), "annual leave"),))
    problem, _ = build([absent], [order()])
    assert problem.technicians[0].shift is None
    assert problem.technicians[0].off_reason == "absent: annual leave"


def test_lunch_outside_a_short_shift_is_left_out() -> None:
    """A morning-only shift that ends before lunch can begin has no lunch break."""
    morning = tech(shifts=((0, time(8), time(11)),))
    problem, _ = build([morning], [order()])
    assert problem.technicians[0].breaks == ()


def test_lunch_is_clipped_to_the_shift() -> None:
    """A shift that starts at noon takes its lunch no earlier than noon."""
    afternoon = tech(shifts=((0, time(12), time(18)),))
    (lunch,) = build([afternoon], [order()])[0].technicians[0].breaks
    assert lunch.earliest == 12 * HOUR and lunch.latest == 45900


def test_unpromised_order_may_start_any_time_it_still_ends_within_the_working_day() -> None:
    """Without a promise, a one-hour job may start from 08:00 until 19:00."""
    problem, _ = build([tech()], [order()])
    (job,) = problem.jobs
    assert (job.window.start, job.window.end) == (8 * HOUR, 19 * HOUR)
    assert not job.promised and job.duration == HOUR


def test_promised_window_is_kept() -> None:
    """A window promised to the customer becomes the job's window, marked promised."""
    promised = (local(MONDAY, 9), local(MONDAY, 11))
    (job,) = build([tech()], [order(promised=promised)])[0].jobs
    assert (job.window.start, job.window.end) == (9 * HOUR, 11 * HOUR)
    assert job.promised


@pytest.mark.parametrize(
    ("kind", "demand"), [("install", 0), ("repair", 0), ("exchange", 1500), ("pickup", 1500)]
)
def test_only_goods_coming_back_take_van_space(kind: str, demand: int) -> None:
    """Exchanges and pickups take their volume in the van; installs and repairs take none."""
    (job,) = build([tech()], [order(kind=kind)])[0].jobs
    assert job.demand == demand


@pytest.mark.parametrize(
    ("sla_due", "overdue_days", "due_today"),
    [(MONDAY + timedelta(days=2), 0, False), (MONDAY, 0, True), (MONDAY - timedelta(days=3), 3, False)],
)
def test_service_level_due_date(sla_due: date, overdue_days: int, due_today: bool) -> None:
    """Jobs past their due date count the days overdue; jobs due on the day are marked due today."""
    (job,) = build([tech()], [order(sla_due=sla_due)])[0].jobs
    assert (job.overdue_days, job.due_today) == (overdue_days, due_today)


def test_orders_whose_goods_arrive_later_are_left_out() -> None:
    """An order that may not start until tomorrow is not part of today's problem."""
    later = order(id=11, site=OTHER_SITE, earliest_start=MONDAY + timedelta(days=1))
    problem, _ = build([tech()], [order(), later])
    assert [j.id for j in problem.jobs] == [10]


def test_frozen_work_keeps_its_technician_and_planned_start() -> None:
    """A started visit stays frozen on its technician at its planned time, in seconds from midnight."""
    started = order(technician_id=1, planned_arrival=local(MONDAY, 10, 30), frozen=True)
    (job,) = build([tech()], [started])[0].jobs
    assert job.frozen and job.technician_id == 1 and job.planned_start == 10 * HOUR + 1800


def test_frozen_work_of_a_technician_not_in_the_day_is_planned_afresh() -> None:
    """Work frozen on a technician who is not part of the problem is no longer frozen."""
    elsewhere = order(technician_id=99, planned_arrival=local(MONDAY, 10), frozen=True)
    (job,) = build([tech()], [elsewhere])[0].jobs
    assert not job.frozen and job.technician_id == 99


def test_berlin_spring_forward_day_counts_real_seconds() -> None:
    """On a 23-hour day in Berlin, 08:00 is 7 h after midnight and 18:00 is 17 h after it."""
    spring = date(2026, 3, 29)
    berlin_tech = tech(time_zone="Europe/Berlin", shifts=((6, time(8), time(18)),))
    problem, origin = build(
        [berlin_tech], [order(earliest_start=spring)], day=spring, time_zone="Europe/Berlin"
    )
    assert origin == datetime(2026, 3, 28, 23, tzinfo=UTC)
    shift = problem.technicians[0].shift
    assert (shift.start, shift.end) == (7 * HOUR, 17 * HOUR)
    assert problem.jobs[0].window.start == 7 * HOUR


def test_matrix_of_the_wrong_size_is_refused() -> None:
    """A matrix that does not match the day's locations raises a ValueError."""
    matrix = TravelMatrix(seconds=np.zeros((1, 1), dtype=np.int64), metres=np.zeros((1, 1), dtype=np.int64))
    with pytest.raises(ValueError, match="2 locations"):
        build_day_problem(MONDAY, "Asia/Shanghai", [tech()], [order()], matrix)


def test_settings_are_passed_through() -> None:
    """The plan's trade-offs reach the problem unchanged."""
    chosen = PlanSettings(help_cost=1)
    assert build([tech()], [order()], settings=chosen)[0].settings is chosen


def test_built_problem_plans_skilled_work_and_explains_the_rest() -> None:
    """Through the planner, the skilled technician gets the sofa and nobody gets the aircon job."""
    aircon = order(id=11, site=OTHER_SITE, skills=(("aircon_install", 2),), duration_min=120)
    problem, _ = build([tech()], [order(), aircon])
    plan = plan_day(problem, SolveOptions(time_limit_s=1), processes=1)
    assert [v.job_id for r in plan.routes for v in r.visits] == [10]
    (left,) = plan.unassigned
    assert left.job_id == 11 and left.reasons[0].code == NO_SKILLED_TECHNICIAN
    visit = plan.routes[0].visits[0]
    assert 8 * HOUR <= visit.start <= 19 * HOUR


@settings(max_examples=40, deadline=None)
@given(
    starts=st.lists(st.integers(min_value=-3, max_value=3), min_size=1, max_size=8),
    hour=st.integers(min_value=8, max_value=17),
)
def test_jobs_are_exactly_the_plannable_orders_at_their_sites(starts: list[int], hour: int) -> None:
    """Every order whose goods are due by the day becomes one job at its own site's location, and no other."""
    sites = [Point(lat=31.15 + 0.01 * n, lon=121.40 + 0.01 * n) for n in range(len(starts))]
    orders = [
        order(
            id=n,
            site=site,
            earliest_start=MONDAY + timedelta(days=offset),
            promised=(local(MONDAY, hour), local(MONDAY, hour + 2)) if n % 2 else None,
        )
        for n, (offset, site) in enumerate(zip(starts, sites, strict=True))
    ]
    problem, _ = build([tech()], orders)
    points = day_locations([tech()], orders)
    assert [j.id for j in problem.jobs] == [o.id for o in orders if o.earliest_start <= MONDAY]
    for job in problem.jobs:
        assert points[job.location] == orders[job.id].site
        assert 0 <= job.window.start <= job.window.end <= 24 * HOUR
