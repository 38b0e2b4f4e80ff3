"""Offering slots: only windows a technician can really serve, graded, and never one that breaks the day."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dispatch.day import DayProblem, Job, PlanSettings, TechnicianDay
from dispatch.planner import plan_day
from dispatch.slots import DayState, day_state, offer_slots, route_timing
from dispatch.verify import plan_violations
from routing.problem import Break, TimeWindow
from routing.solver import SolveOptions
from tests.unit.dispatch.days import HOUR, REGIONS, SKILLS, technicians

SLOTS = tuple(TimeWindow(h * HOUR, (h + 2) * HOUR) for h in (8, 10, 13, 15, 17))
# Three places on a line, ten minutes apart.
idx = np.arange(3)
SECONDS = np.abs(idx[:, None] - idx[None, :]) * 600
METRES = SECONDS * 7
TECH = TechnicianDay(
    id=1,
    code="T001",
    location=0,
    primary_region="XH",
    skills=(("plumbing", 2),),
    shift=TimeWindow(8 * HOUR, 18 * HOUR),
    breaks=(Break(11 * HOUR + 1800, 12 * HOUR + 2700, 2700),),
    capacity=500,
)


def job(job_id: int, location: int = 1, *, hours: float = 1, window: TimeWindow | None = None, **kw) -> Job:
    return Job(
        id=job_id,
        location=location,
        region=kw.pop("region", "XH"),
        duration=int(hours * HOUR),
        window=window or TimeWindow(8 * HOUR, 20 * HOUR),
        promised=window is not None,
        technician_id=kw.pop("technician_id", 1 if window is not None else None),
        skills=kw.pop("skills", (("plumbing", 1),)),
        **kw,
    )


def state(*jobs: Job, tech: TechnicianDay = TECH) -> DayState:
    return day_state(DayProblem(durations=SECONDS, distances=METRES, technicians=(tech,), jobs=jobs))


def test_an_empty_day_offers_every_slot_that_ends_before_the_shift() -> None:
    """With nothing booked, each slot whose work fits the shift is offered; 17-19 is not (shift ends 18)."""
    offers = offer_slots(state(), job(99), SLOTS)
    assert sorted(o.window.start // HOUR for o in offers) == [8, 10, 13, 15]


def test_a_full_window_is_not_offered_again() -> None:
    """A technician busy 08-12 with promised work cannot also be promised 08-10 or 10-12."""
    booked = job(1, hours=4, window=TimeWindow(8 * HOUR, 9 * HOUR))
    offers = offer_slots(state(booked), job(99, hours=1), SLOTS)
    assert {o.window.start // HOUR for o in offers} == {13, 15}


def test_lunch_must_still_fit() -> None:
    """Work filling the whole lunch window leaves no slot that would also take the break's last chance."""
    morning = job(1, hours=3.5, window=TimeWindow(8 * HOUR, 9 * HOUR))
    offers = offer_slots(state(morning), job(99, hours=2.5), SLOTS)
    starts = {o.window.start // HOUR for o in offers}
    # 10-12 would run from 11:30+10 min to 14:10: the lunch (must start by 12:45) cannot fit anywhere.
    assert 10 not in starts
    assert 13 in starts


def test_travel_between_visits_counts() -> None:
    """A visit promised at the far end of town pushes back what can follow it on the same day."""
    far = job(1, location=2, hours=1, window=TimeWindow(16 * HOUR, 16 * HOUR))
    offers = offer_slots(state(far), job(99, location=1, hours=1.5), SLOTS)
    # 15:00 + 90 min of work + 10 min of driving arrives at 16:40, after the promised 16:00.
    assert 15 not in {o.window.start // HOUR for o in offers}


def test_skills_region_and_crew_rule_technicians_out() -> None:
    """No slot is offered to a job that nobody is qualified, allowed or numerous enough for."""
    for needs in ({"skills": (("aircon_install", 1),)}, {"region": "PD"}, {"crew_size": 2}):
        assert offer_slots(state(), job(99, **needs), SLOTS) == []


def test_the_van_must_hold_what_the_day_picks_up() -> None:
    """A pickup that would overfill the van is not offered."""
    booked = job(1, window=TimeWindow(8 * HOUR, 10 * HOUR), demand=400)
    assert offer_slots(state(booked), job(99, demand=200), SLOTS) == []


def test_grades_are_best_first_and_within_range() -> None:
    """Offers come best first, graded 0-100."""
    booked = job(1, location=1, window=TimeWindow(10 * HOUR, 12 * HOUR))
    offers = offer_slots(state(booked), job(99, location=1), SLOTS)
    grades = [o.grade for o in offers]
    assert grades == sorted(grades, reverse=True)
    assert all(0 <= g <= 100 for g in grades)


def test_less_slack_grades_lower() -> None:
    """A slot that leaves a later promise with little margin grades below one that leaves plenty."""
    tight = job(1, location=1, hours=1, window=TimeWindow(10 * HOUR + 1800, 10 * HOUR + 1800))
    offers = {o.window.start: o for o in offer_slots(state(tight), job(99, location=1, hours=1), SLOTS)}
    assert offers[8 * HOUR].grade < offers[15 * HOUR].grade


# Home, the customer, a visit next door to the customer and a place across the district, in minutes apart.
HOME, CUSTOMER, NEXT_DOOR, ACROSS = range(4)
TOWN = (
    np.array(
        [
            [0, 15, 17, 10],
            [15, 0, 2, 25],
            [17, 2, 0, 26],
            [10, 25, 26, 0],
        ]
    )
    * 60
)
# The bars a customer reads at a glance: a good slot at 80 or more, a poor one at 40 or less. Forty points
# apart, the order of the list says something; a point or two, as before, says nothing.
GOOD, POOR = 80, 40


def graded(booked: tuple[Job, ...], window: TimeWindow, *, durations: np.ndarray = TOWN, **kw) -> int:
    """The grade of one window for the customer, on a day with the given visits booked."""
    day = day_state(
        DayProblem(durations=durations, distances=durations * 7, technicians=(TECH,), jobs=booked)
    )
    (offer,) = offer_slots(day, job(99, location=kw.pop("location", CUSTOMER), **kw), [window])
    return offer.grade


def test_a_slot_beside_a_booked_visit_grades_well_above_a_detour_or_a_tight_fit() -> None:
    """Riding along a visit next door with time to spare is good; a long detour or a tight fit is poor."""
    morning, afternoon = SLOTS[0], SLOTS[2]
    beside = graded((job(1, NEXT_DOOR, window=SLOTS[1]),), morning)
    detour = graded((job(1, ACROSS, window=SLOTS[1]), job(2, ACROSS, window=SLOTS[3])), afternoon)
    # The visit next door is promised for 09:00-09:20: the customer's hour leaves it three minutes.
    tight = graded((job(1, NEXT_DOOR, window=TimeWindow(9 * HOUR, 9 * HOUR + 1200)),), morning)
    assert beside >= GOOD
    assert detour <= POOR
    assert tight <= POOR


def test_an_empty_day_still_grades_by_the_drive_from_home_and_the_end_of_the_shift() -> None:
    """With nothing booked, midday leads; 08-10 loses the drive from home, 15-17 the end of the shift."""
    grades = [graded((), window, durations=SECONDS, location=2, hours=2) for window in SLOTS[:4]]
    early, late_morning, early_afternoon, late = grades
    assert late_morning == early_afternoon > early > late
    assert late_morning - late >= 20


def test_a_grade_does_not_depend_on_the_other_slots_offered() -> None:
    """Grades are absolute: a slot asked about alone gets the grade it gets among all the day's slots."""
    day = state(job(1, location=1, window=SLOTS[1]))
    together = {o.window: o.grade for o in offer_slots(day, job(99, location=2), SLOTS)}
    alone = {w: o.grade for w in together for o in offer_slots(day, job(99, location=2), [w])}
    assert alone == together
    assert len(set(together.values())) > 1


def test_a_broken_day_offers_nothing_on_that_technician() -> None:
    """A day that already breaks a promise is never made worse by booking more into it."""
    late = job(1, location=2, hours=1, window=TimeWindow(8 * HOUR, 8 * HOUR + 60))
    # Leaving at 08:00 and driving 20 minutes misses the 08:01 latest start.
    assert route_timing(TECH, [late], SECONDS) is None
    assert offer_slots(state(late), job(99), SLOTS) == []


@st.composite
def bookings(draw: st.DrawFn) -> tuple[DayProblem, list[Job], list[int]]:
    """A small region's day: technicians, and customers who each pick one of the slots offered to them."""
    n_tech = draw(st.integers(1, 3))
    n_jobs = draw(st.integers(1, 10))
    seed = draw(st.integers(0, 2**31))
    points = np.random.default_rng(seed).random((n_tech + n_jobs, 2)) * 15_000
    metres = np.rint(np.sqrt(((points[:, None] - points[None]) ** 2).sum(-1)) * 1.3).astype(np.int64)
    seconds = np.rint(metres / (25 / 3.6)).astype(np.int64)
    techs = tuple(draw(technicians(i)) for i in range(n_tech))
    requests = [
        Job(
            id=1000 + i,
            location=n_tech + i,
            region=draw(st.sampled_from(REGIONS)),
            duration=draw(st.sampled_from([30, 60, 90, 120, 180])) * 60,
            window=TimeWindow(0, 0),
            skills=tuple(
                sorted(draw(st.dictionaries(st.sampled_from(SKILLS), st.integers(1, 2), max_size=1)).items())
            ),
            crew_size=draw(st.sampled_from([1, 1, 2])),
            demand=draw(st.sampled_from([0, 0, 100])),
        )
        for i in range(n_jobs)
    ]
    picks = [draw(st.integers(0, 4)) for _ in requests]
    problem = DayProblem(seconds, metres, techs, (), PlanSettings(), label="2026-11-24")
    return problem, requests, picks


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(bookings())
def test_every_slot_booked_leaves_a_day_the_optimizer_serves_without_breaking_a_promise(case) -> None:
    """Book offered slots one by one; the optimizer then serves every promised visit within its window."""
    empty, requests, picks = case
    booked: list[Job] = []
    for request, pick in zip(requests, picks, strict=True):
        current = replace(empty, jobs=tuple(booked))
        offers = offer_slots(day_state(current), request, SLOTS)
        if not offers:
            continue
        chosen = offers[pick % len(offers)]
        booked.append(
            replace(
                request,
                window=chosen.window,
                promised=True,
                technician_id=chosen.insertion.technician_id,
            )
        )
    if not booked:
        return
    final = day_state(replace(empty, jobs=tuple(booked)))
    assert final.unplaced == ()
    # The booked sequence is the optimizer's starting point, as it would be for a real day.
    order = {j.id: n for s in final.technicians for n, j in enumerate(s.jobs)}
    jobs = tuple(replace(j, planned_start=order[j.id]) for j in booked)
    problem = replace(empty, jobs=jobs)
    plan = plan_day(problem, SolveOptions(time_limit_s=1), processes=1)
    assert plan_violations(problem, plan) == []
    assert plan.unassigned == ()


def test_a_shared_day_gives_the_same_offers_as_one_built_for_the_customer() -> None:
    """Adding the customer's site to a day built without it offers exactly what a day built with it does."""
    from dispatch.slots import with_site

    booked = job(1, location=1, window=TimeWindow(10 * HOUR, 12 * HOUR))
    shared = day_state(DayProblem(SECONDS[:2, :2], METRES[:2, :2], (TECH,), (booked,)))
    extended, location = with_site(shared, SECONDS[2, :2], SECONDS[:2, 2])
    assert location == 2
    assert offer_slots(extended, job(99, location=2), SLOTS) == offer_slots(
        state(booked), job(99, location=2), SLOTS
    )
