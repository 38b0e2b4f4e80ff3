"""Who may do a job: region, skills and crew, shift, time and van — and, when nobody may, why not."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dispatch.day import (
    NO_SHIFT_COVERS_WINDOW,
    NO_SKILLED_TECHNICIAN,
    OUTSIDE_ALL_REGIONS,
    VAN_CAPACITY,
    WINDOW_PASSED,
    WINDOW_SHORTER_THAN_WORK,
    DayProblem,
    Job,
    Reason,
    TechnicianDay,
)
from dispatch.hints import clock, shift_hint, skills_hint, timing_hint, van_hint


@dataclass(frozen=True, slots=True)
class Candidate:
    """A technician who may do a job; `helping` when it is outside their primary region."""

    technician: TechnicianDay
    helping: bool


def works_in(tech: TechnicianDay, region: str | None) -> bool | None:
    """True for the primary region, False for a may-help region, None when the region is not theirs."""
    if region is None:
        return None
    if region == tech.primary_region:
        return True
    return False if region in tech.help_regions else None


def missing_skills(tech: TechnicianDay, job: Job) -> list[str]:
    """What the technician lacks for the job, in words: "aircon_install level 2 (has 1)"."""
    gaps = []
    for code, level in job.skills:
        have = tech.level(code)
        if have < level:
            gaps.append(f"{code} level {level} (has {have})" if have else f"{code} level {level}")
    if tech.crew_size < job.crew_size:
        gaps.append(f"a crew of {job.crew_size} (has {tech.crew_size})")
    return gaps


def fits_in_shift(problem: DayProblem, tech: TechnicianDay, job: Job) -> bool:
    """Whether the technician could leave home, start in the window, finish and get back within the shift."""
    if tech.shift is None:
        return False
    go = int(problem.durations[tech.departs_from, job.location])
    back = int(problem.durations[job.location, tech.location])
    earliest = max(job.window.start, tech.shift.start + go)
    return earliest <= job.window.end and earliest + job.duration + back <= tech.shift.end


def shift_overlaps_window(tech: TechnicianDay, job: Job) -> bool:
    """Whether the shift and the window share any time at all."""
    return tech.shift is not None and tech.shift.start <= job.window.end and job.window.start < tech.shift.end


def candidates(problem: DayProblem, job: Job) -> list[Candidate]:
    """Every technician who may take the job, by every rule that does not depend on the rest of the day."""
    found = []
    for tech in problem.technicians:
        if job.frozen:
            # Started or locked work stays with its technician whatever else changed.
            if tech.id == job.technician_id and tech.shift is not None:
                found.append(Candidate(tech, works_in(tech, job.region) is False))
            continue
        relation = works_in(tech, job.region)
        if relation is None or missing_skills(tech, job) or not fits_in_shift(problem, tech, job):
            continue
        if tech.capacity is not None and job.demand > tech.capacity:
            continue
        found.append(Candidate(tech, helping=not relation))
    return found


def explain_ineligible(problem: DayProblem, job: Job) -> list[Reason]:
    """Why nobody may take the job, rule by rule: the first rule that no technician passes is the reason."""
    day = f" on {problem.label}" if problem.label else ""
    if job.region is None:
        hint = "check the address and its map point, or draw a region around it"
        return [Reason(OUTSIDE_ALL_REGIONS, "the site is outside every region served", hint)]
    if problem.not_before is not None and job.window.end < problem.not_before:
        return [
            Reason(
                WINDOW_PASSED,
                f"the window closed at {clock(job.window.end)}, before this plan starts at "
                f"{clock(problem.not_before)}{day}",
                "offer the customer a new window",
            )
        ]
    needs = _needs(job)
    in_region = [t for t in problem.technicians if works_in(t, job.region) is not None]
    skilled = [t for t in in_region if not missing_skills(t, job)]
    if not skilled:
        detail = f"needs {needs}; region {job.region} has none{day}"
        return [Reason(NO_SKILLED_TECHNICIAN, detail, skills_hint(problem, job, in_region))]
    working = [t for t in skilled if shift_overlaps_window(t, job)]
    if not working:
        off = _names(skilled, lambda t: t.off_reason or "shift outside the window")
        detail = f"no technician with {needs} works during the window{day}: {off}"
        return [Reason(NO_SHIFT_COVERS_WINDOW, detail, shift_hint(skilled, job))]
    fitting = [t for t in working if fits_in_shift(problem, t, job)]
    if not fitting:
        detail = (
            f"{job.duration // 60} min of work cannot start in the window and finish within the shift of "
            f"{_names(working)}{day}"
        )
        return [Reason(WINDOW_SHORTER_THAN_WORK, detail, timing_hint(problem, working, job))]
    roomy = [t for t in fitting if t.capacity is None or job.demand <= t.capacity]
    if not roomy:
        largest = max(t.capacity or 0 for t in fitting)
        detail = f"needs {job.demand} l of van space; the largest eligible van holds {largest} l"
        return [Reason(VAN_CAPACITY, detail, van_hint(fitting, job))]
    return []


def _needs(job: Job) -> str:
    parts = [f"{code} level {level}" for code, level in job.skills] or ["no special skill"]
    if job.crew_size > 1:
        parts.append(f"a crew of {job.crew_size}")
    return " and ".join(parts)


def _names(techs: Sequence[TechnicianDay], why=None, limit: int = 5) -> str:
    shown = [f"{t.code} ({why(t)})" if why else t.code for t in techs[:limit]]
    more = len(techs) - limit
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")

