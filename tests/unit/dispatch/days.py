"""Random small days for property tests: technicians and jobs on a plane, with every kind of rule."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from dispatch.day import DayProblem, Job, PlanSettings, TechnicianDay
from routing.problem import Break, TimeWindow

SKILLS = ("furniture_assembly", "aircon_install", "plumbing")
REGIONS = ("XH", "PD")
HOUR = 3600


@st.composite
def technicians(draw: st.DrawFn, index: int) -> TechnicianDay:
    """A technician with a random region, skills, shift, lunch and van."""
    start = draw(st.sampled_from([7, 8, 9])) * HOUR
    working = draw(st.booleans() | st.just(True))
    skills = draw(st.dictionaries(st.sampled_from(SKILLS), st.integers(1, 3), min_size=1, max_size=3))
    primary = draw(st.sampled_from(REGIONS))
    helps = draw(st.sets(st.sampled_from(REGIONS))) - {primary}
    return TechnicianDay(
        id=index,
        code=f"T{index:03d}",
        location=index,
        primary_region=primary,
        help_regions=frozenset(helps),
        skills=tuple(sorted(skills.items())),
        crew_size=draw(st.sampled_from([1, 2])),
        shift=TimeWindow(start, start + draw(st.sampled_from([8, 9, 10])) * HOUR) if working else None,
        off_reason="" if working else "absent: training",
        breaks=(Break(11 * HOUR + 1800, 13 * HOUR, 45 * 60),),
        capacity=draw(st.sampled_from([None, 500, 2000])),
    )


@st.composite
def jobs(draw: st.DrawFn, index: int, location: int) -> Job:
    """A job with random needs and either a promised two-hour window or the whole day."""
    promised = draw(st.booleans())
    if promised:
        begin = draw(st.sampled_from([8, 10, 13, 15])) * HOUR
        window = TimeWindow(begin, begin + 2 * HOUR)
    else:
        window = TimeWindow(8 * HOUR, 20 * HOUR)
    needs = draw(st.dictionaries(st.sampled_from(SKILLS), st.integers(1, 3), max_size=2))
    return Job(
        id=1000 + index,
        location=location,
        region=draw(st.sampled_from([*REGIONS, None]))
        if draw(st.integers(0, 9)) == 0
        else draw(st.sampled_from(REGIONS)),
        duration=draw(st.sampled_from([30, 45, 60, 90, 120, 180])) * 60,
        window=window,
        promised=promised,
        skills=tuple(sorted(needs.items())),
        crew_size=draw(st.sampled_from([1, 1, 2])),
        demand=draw(st.sampled_from([0, 0, 100, 800])),
        priority=draw(st.sampled_from(["normal", "high", "urgent"])),
    )


@st.composite
def days(draw: st.DrawFn, max_technicians: int = 4, max_jobs: int = 12) -> DayProblem:
    """A whole small day with travel on a 20 km square at 25 km/h."""
    n_tech = draw(st.integers(1, max_technicians))
    n_jobs = draw(st.integers(1, max_jobs))
    seed = draw(st.integers(0, 2**31))
    points = np.random.default_rng(seed).random((n_tech + n_jobs, 2)) * 20_000
    metres = np.rint(np.sqrt(((points[:, None] - points[None]) ** 2).sum(-1)) * 1.3).astype(np.int64)
    seconds = np.rint(metres / (25 / 3.6)).astype(np.int64)
    techs = tuple(draw(technicians(i)) for i in range(n_tech))
    work = tuple(draw(jobs(i, n_tech + i)) for i in range(n_jobs))
    return DayProblem(
        durations=seconds,
        distances=metres,
        technicians=techs,
        jobs=work,
        settings=PlanSettings(),
        label="2026-11-24",
    )
