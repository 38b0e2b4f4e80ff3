"""Fix hints for orders nobody may take: the nearest thing a dispatcher can change, with codes and numbers."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations

from dispatch.day import DayProblem, Job, TechnicianDay

WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
SHOWN = 3  # technicians named in one hint; more only makes it harder to act on


def clock(seconds: int) -> str:
    """Seconds from the day's origin as a wall-clock time, "08:30"."""
    seconds %= 86400
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


def weekdays(days: Sequence[int]) -> str:
    """Working weekdays in words, runs of three or more as a range: "Mon-Fri", "Mon, Wed, Sat"."""
    runs: list[list[int]] = []
    for day in sorted(set(days)):
        if runs and day == runs[-1][-1] + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    parts = []
    for run in runs:
        if len(run) >= 3:
            parts.append(f"{WEEKDAY_NAMES[run[0]]}-{WEEKDAY_NAMES[run[-1]]}")
        else:
            parts.extend(WEEKDAY_NAMES[day] for day in run)
    return ", ".join(parts)


def skills_hint(problem: DayProblem, job: Job, in_region: Sequence[TechnicianDay]) -> str:
    """Who comes closest to the skills and crew: one level short, a pair, or someone from another region."""
    if not in_region:
        local = f"no technician works in region {job.region}"
    else:
        local = _one_short(job, in_region) or _pair(job, in_region) or _absent_skill(job, in_region)
    local_ids = {t.id for t in in_region}
    outside = [t for t in problem.technicians if t.id not in local_ids and _covers(job, (t,))]
    if outside:
        helper = outside[0]
        return f"{local}; or let {helper.code} of region {helper.primary_region} help in {job.region}"
    return local if in_region else f"{local}: add {job.region} to a technician's may-help regions"


def _covers(job: Job, crew: Sequence[TechnicianDay]) -> bool:
    """Whether these technicians together have every skill at its level and enough people."""
    people = sum(t.crew_size for t in crew)
    return people >= job.crew_size and all(max(t.level(c) for t in crew) >= lv for c, lv in job.skills)


def _one_short(job: Job, techs: Sequence[TechnicianDay]) -> str:
    """The first technician who lacks exactly one level of one skill, or only the second person."""
    for tech in techs:
        short = [(code, level, tech.level(code)) for code, level in job.skills if tech.level(code) < level]
        crew_ok = tech.crew_size >= job.crew_size
        if not short and not crew_ok:
            return f"{tech.code} works alone; a crew of {job.crew_size} needed: send a second technician"
        if len(short) == 1 and crew_ok and short[0][2] == short[0][1] - 1 > 0:
            code, level, have = short[0]
            return f"{tech.code} has {code} level {have}; level {level} needed"
    return ""


def _pair(job: Job, techs: Sequence[TechnicianDay]) -> str:
    """Two technicians of the region who together have the skills and the people."""
    for first, second in combinations(techs, 2):
        if _covers(job, (first, second)):
            return f"{first.code} and {second.code} together have the skills: send them as one crew"
    return ""


def _absent_skill(job: Job, techs: Sequence[TechnicianDay]) -> str:
    """A skill nobody in the region has at any level, else the technician with the fewest gaps."""
    for code, _ in job.skills:
        if all(t.level(code) == 0 for t in techs):
            return f"no technician of region {job.region} has {code} at any level: add it"
    best = min(techs, key=lambda t: sum(max(0, lv - t.level(c)) for c, lv in job.skills))
    gaps = [f"{c} level {best.level(c)} of {lv}" for c, lv in job.skills if best.level(c) < lv]
    if best.crew_size < job.crew_size:
        gaps.append(f"a crew of {best.crew_size} of {job.crew_size}")
    return f"nearest is {best.code} with {', '.join(gaps)}"


def shift_hint(skilled: Sequence[TechnicianDay], job: Job) -> str:
    """When the skilled technicians do work: their weekdays, or today's hours when the window misses them."""
    working = [t for t in skilled if t.shift is not None]
    if working:
        hours = ", ".join(f"{t.code} {clock(t.shift.start)}-{clock(t.shift.end)}" for t in working[:SHOWN])
        return f"today {hours}: offer a window within those hours"
    known = [t for t in skilled if t.working_days]
    if known:
        days = "; ".join(f"{t.code} works {weekdays(t.working_days)}" for t in known[:SHOWN])
        return f"{days}: offer one of those days"
    return f"{', '.join(t.code for t in skilled[:SHOWN])} not working today: offer another day"


def timing_hint(problem: DayProblem, working: Sequence[TechnicianDay], job: Job) -> str:
    """The start times that would work, from the technician who could start latest."""
    minutes = job.duration // 60
    spans = []
    for tech in working:
        if tech.shift is None:
            continue
        go = int(problem.durations[tech.departs_from, job.location])
        back = int(problem.durations[job.location, tech.location])
        spans.append((tech.shift.end - job.duration - back, tech.shift.start + go, tech))
    latest, earliest, tech = max(spans, key=lambda span: span[0] - span[1])
    code = tech.code
    if latest < earliest:
        assert tech.shift is not None
        hours = tech.hours or tech.shift
        if tech.shift.start > hours.start:  # a plan made during the day: the shift is partly gone
            left = (tech.shift.end - tech.shift.start) // 60
            return f"only {left} min of {code}'s shift are left today: offer another day"
        length = (hours.end - hours.start) // 60
        return f"{minutes} min of work and the travel exceed {code}'s {length}-min shift: split the visit"
    if latest < job.window.start:
        return f"{code} must start by {clock(latest)} to finish {minutes} min: offer a window opening by then"
    return f"{code} cannot arrive before {clock(earliest)}: offer a window that is open at {clock(earliest)}"


def van_hint(fitting: Sequence[TechnicianDay], job: Job) -> str:
    """The load against the largest van, and what to do about the difference."""
    largest = max(fitting, key=lambda t: t.capacity or 0)
    return (
        f"the load is {job.demand} l, {largest.code}'s van holds {largest.capacity} l: "
        f"split the pickup over two visits or send a larger van"
    )
