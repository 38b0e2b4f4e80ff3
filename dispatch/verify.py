"""An independent check of a plan against every rule, recomputed from the problem alone.

It shares no code with the solver adapter, so a modelling mistake there cannot hide here.
"""

from __future__ import annotations

from dispatch.day import DayProblem
from dispatch.eligibility import missing_skills, works_in
from dispatch.plan import DayPlan, TechnicianPlan


def plan_violations(problem: DayProblem, plan: DayPlan) -> list[str]:
    """Every broken rule of the plan, in words; an empty list means the plan is sound."""
    jobs = {j.id: j for j in problem.jobs}
    techs = {t.id: t for t in problem.technicians}
    problems: list[str] = []
    placed: list[int] = []
    for route in plan.routes:
        tech = techs[route.technician_id]
        problems.extend(_route_violations(problem, route))
        for visit in route.visits:
            job = jobs[visit.job_id]
            placed.append(job.id)
            where = f"job {job.id} on {tech.code}"
            if job.frozen and job.technician_id != tech.id:
                problems.append(f"{where}: frozen on technician {job.technician_id}")
            if not job.frozen:
                if works_in(tech, job.region) is None:
                    problems.append(f"{where}: region {job.region} is not theirs")
                if missing_skills(tech, job):
                    problems.append(f"{where}: lacks {', '.join(missing_skills(tech, job))}")
            if not job.window.start <= visit.start <= job.window.end:
                problems.append(f"{where}: starts at {visit.start}, outside {job.window}")
            if visit.end - visit.start != job.duration:
                problems.append(f"{where}: {visit.end - visit.start} s of work instead of {job.duration}")
        if tech.capacity is not None:
            load = sum(jobs[v.job_id].demand for v in route.visits)
            if load > tech.capacity:
                problems.append(f"{tech.code}: load {load} over van capacity {tech.capacity}")
    unassigned = [u.job_id for u in plan.unassigned]
    for u in plan.unassigned:
        if not u.reasons:
            problems.append(f"job {u.job_id}: left out without a reason")
    everything = placed + unassigned
    if sorted(everything) != sorted(jobs):
        missing = set(jobs) - set(everything)
        twice = {j for j in everything if everything.count(j) > 1}
        problems.append(f"jobs missing {sorted(missing)[:10]}, placed twice {sorted(twice)[:10]}")
    return problems


def _route_violations(problem: DayProblem, route: TechnicianPlan) -> list[str]:
    """Shift, travel times and breaks along one route."""
    tech = next(t for t in problem.technicians if t.id == route.technician_id)
    if not route.visits:
        return []
    if tech.shift is None:
        return [f"{tech.code}: has visits but no shift"]
    found = []
    travel = problem.durations
    if route.departure < tech.shift.start:
        found.append(
            f"{tech.code}: leaves at {route.departure}, before the shift starts at {tech.shift.start}"
        )
    # Each gap between two fixed points of the day must hold the driving in it and any break taken there.
    segments: list[tuple[int, int, int]] = []
    prev_end, prev_place, t = tech.shift.start, tech.departs_from, route.departure
    for visit in route.visits:
        job = next(j for j in problem.jobs if j.id == visit.job_id)
        drive = int(travel[prev_place, job.location])
        if visit.start < t + drive:
            found.append(
                f"{tech.code}: job {job.id} starts at {visit.start}, cannot arrive before {t + drive}"
            )
        segments.append((prev_end, visit.start, drive))
        prev_end, prev_place, t = visit.end, job.location, visit.end
    back = t + int(travel[prev_place, tech.location])
    if back > tech.shift.end:
        found.append(f"{tech.code}: back at {back}, after the shift ends at {tech.shift.end}")
    segments.append((prev_end, tech.shift.end, int(travel[prev_place, tech.location])))
    for brk in tech.breaks:
        if not any(_break_fits(brk, taken, segments) for taken in route.breaks):
            found.append(
                f"{tech.code}: no {brk.duration // 60}-minute break between {brk.earliest} and {brk.latest}"
            )
    return found


def _break_fits(brk, taken: tuple[int, int], segments: list[tuple[int, int, int]]) -> bool:
    start, duration = taken
    if not (brk.earliest <= start <= brk.latest and duration >= brk.duration):
        return False
    return any(
        begin <= start and start + duration <= end and end - begin >= drive + duration
        for begin, end, drive in segments
    )
