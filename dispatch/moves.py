"""Checking a dispatcher's manual move before it is made: feasible, or the rules it would break."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from dispatch.day import DayProblem, Job, Reason, TechnicianDay
from dispatch.eligibility import missing_skills, works_in
from dispatch.hints import clock

# Rule codes a move can break.
REGION = "region"
SKILL = "skill"
SHIFT = "shift"
WINDOW = "window"
VAN_CAPACITY = "van_capacity"
OVERLAP = "overlap"
LATE_NEXT = "makes_next_late"
BREAK = "break"
PAST = "past"


@dataclass(frozen=True, slots=True)
class MoveCheck:
    """The verdict on a move: feasible, or every rule it breaks."""

    violations: tuple[Reason, ...]

    @property
    def feasible(self) -> bool:
        return not self.violations


def check_assignment(
    problem: DayProblem,
    job: Job,
    technician: TechnicianDay,
    start: int,
    route: Sequence[tuple[Job, int]] = (),
) -> MoveCheck:
    """Would `technician` doing `job` at `start`, next to the jobs already on their `route`, break any rule?

    `route` holds the technician's other jobs of the day with their planned starts; the job itself is
    ignored if present, so moving a visit within a route is checked the same way.
    """
    others = sorted(((j, s) for j, s in route if j.id != job.id), key=lambda item: item[1])
    violations = [*_static_rules(job, technician), *_time_rules(problem, job, technician, start, others)]
    violations.extend(_fixed_pushed(problem, job, start, others))
    if technician.capacity is not None:
        load = job.demand + sum(j.demand for j, _ in others)
        if load > technician.capacity:
            violations.append(
                Reason(VAN_CAPACITY, f"the van would carry {load} l; it holds {technician.capacity} l")
            )
    return MoveCheck(tuple(violations))


def _static_rules(job: Job, technician: TechnicianDay) -> list[Reason]:
    found = []
    if job.region is None:
        found.append(Reason(REGION, "the site is outside every region served"))
    elif works_in(technician, job.region) is None:
        found.append(Reason(REGION, f"{technician.code} does not work in region {job.region}"))
    gaps = missing_skills(technician, job)
    if gaps:
        found.append(Reason(SKILL, f"{technician.code} lacks {', '.join(gaps)}"))
    return found


def _time_rules(
    problem: DayProblem, job: Job, technician: TechnicianDay, start: int, others: list[tuple[Job, int]]
) -> list[Reason]:
    if problem.not_before is not None and start < problem.not_before:
        return [Reason(PAST, f"{clock(start)} has passed; it is {clock(problem.not_before)} now")]
    if technician.shift is None:
        return [Reason(SHIFT, f"{technician.code} is not working: {technician.off_reason or 'no shift'}")]
    found = []
    end = start + job.duration
    if start not in job.window:
        window = f"{clock(job.window.start)}-{clock(job.window.end)}"
        found.append(Reason(WINDOW, f"starts at {clock(start)}, outside the window {window}"))
    before = [(j, s) for j, s in others if s <= start]
    after = [(j, s) for j, s in others if s > start]
    found.extend(_reach_rules(problem, job, technician, start, before))
    later, slid = _later_rules(problem, job, technician, start, after)
    found.extend(later)
    schedule: list[tuple[int, int]] = [(s, s + j.duration) for j, s in before] + [(start, end)] + slid
    found.extend(_break_rules(technician, schedule))
    return found


def _reach_rules(
    problem: DayProblem, job: Job, technician: TechnicianDay, start: int, before: list[tuple[Job, int]]
) -> list[Reason]:
    """The technician must get to the site by `start`, from the visit before or from where the day begins."""
    assert technician.shift is not None
    travel = problem.durations
    if before:
        prev, prev_start = before[-1]
        ready = prev_start + prev.duration + int(travel[prev.location, job.location])
        if ready > start:
            why = f"cannot arrive before {clock(ready)} after the visit for order {prev.id}"
            return [Reason(OVERLAP, why)]
    else:
        ready = technician.shift.start + int(travel[technician.departs_from, job.location])
        if ready > start:
            return [Reason(SHIFT, f"{technician.code} cannot reach the site before {clock(ready)}")]
    return []


def _later_rules(
    problem: DayProblem, job: Job, technician: TechnicianDay, start: int, after: list[tuple[Job, int]]
) -> tuple[list[Reason], list[tuple[int, int]]]:
    """Later visits that would start after their windows or bring the technician home late; their times."""
    assert technician.shift is not None
    found = []
    # Later visits may slide within their own windows to make room.
    pushed = later_starts(problem, job, start, after)
    for nxt, _, begin in pushed:
        if begin > nxt.window.end:
            found.append(
                Reason(
                    LATE_NEXT,
                    f"the visit for order {nxt.id} could not start before {clock(begin)}, "
                    f"after its window ends at {clock(nxt.window.end)}",
                )
            )
    last, last_start = (pushed[-1][0], pushed[-1][2]) if pushed else (job, start)
    home = last_start + last.duration + int(problem.durations[last.location, technician.location])
    if home > technician.shift.end:
        found.append(
            Reason(
                SHIFT,
                f"{technician.code} would be back at {clock(home)}, after the shift ends at "
                f"{clock(technician.shift.end)}",
            )
        )
    return found, [(begin, begin + nxt.duration) for nxt, _, begin in pushed]


def _break_rules(technician: TechnicianDay, schedule: list[tuple[int, int]]) -> list[Reason]:
    """Every break must still fit in an idle gap of the day."""
    assert technician.shift is not None
    busy = sorted(schedule)
    gaps, t = [], technician.shift.start
    for begin, finish in busy:
        gaps.append((t, begin))
        t = max(t, finish)
    gaps.append((t, technician.shift.end))
    found = []
    for brk in technician.breaks:
        fits = any(
            max(gap_start, brk.earliest) + brk.duration <= gap_end
            and max(gap_start, brk.earliest) <= brk.latest
            for gap_start, gap_end in gaps
        )
        if not fits:
            found.append(
                Reason(
                    BREAK,
                    f"no room left for the {brk.duration // 60}-minute break between "
                    f"{clock(brk.earliest)} and {clock(brk.latest + brk.duration)}",
                )
            )
    return found


def routes_by_technician(problem: DayProblem) -> Mapping[int, list[tuple[Job, int]]]:
    """Each technician's current jobs with their planned starts, as check_assignment takes them."""
    routes: dict[int, list[tuple[Job, int]]] = {}
    for job in problem.jobs:
        if job.technician_id is not None and job.planned_start is not None:
            routes.setdefault(job.technician_id, []).append((job, job.planned_start))
    return routes


def later_starts(
    problem: DayProblem, job: Job, start: int, route: Sequence[tuple[Job, int]]
) -> list[tuple[Job, int, int]]:
    """The route's visits after `job` at `start`, each with its planned and its new start: pushed on to
    leave time for the work before and the drive, never earlier than planned."""
    following = sorted(((j, s) for j, s in route if j.id != job.id and s > start), key=lambda item: item[1])
    t, here, found = start + job.duration, job.location, []
    for nxt, planned in following:
        begin = max(planned, t + int(problem.durations[here, nxt.location]))
        found.append((nxt, planned, begin))
        t, here = begin + nxt.duration, nxt.location
    return found


def _fixed_pushed(
    problem: DayProblem, job: Job, start: int, route: Sequence[tuple[Job, int]]
) -> list[Reason]:
    """Work that cannot move (under way, locked, or another region's visit) must not be pushed later."""
    found = []
    for nxt, planned, begin in later_starts(problem, job, start, route):
        if nxt.frozen and begin > planned:
            where = f" in region {nxt.region}" if nxt.busy and nxt.region else ""
            fixed = f"the visit for order {nxt.id}{where} is fixed at {clock(planned)}"
            found.append(Reason(OVERLAP, f"{fixed}; this would push it to {clock(begin)}"))
    return found
