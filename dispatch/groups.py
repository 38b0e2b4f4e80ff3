"""Who is planned with whom: independent groups of technicians and jobs, and a large group split by region.

A large group is planned in two stages: first each region's own technicians take their region's jobs, then
every region searches on from its routes, joined by the jobs left out that its technicians may help with.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from dispatch.day import Job, TechnicianDay
from dispatch.eligibility import Candidate
from dispatch.plan import TechnicianPlan


@dataclass(frozen=True, slots=True, eq=False)
class Group:
    """Technicians and jobs that interact; groups share nobody and are solved independently."""

    technicians: tuple[TechnicianDay, ...]
    jobs: tuple[Job, ...]
    options: tuple[tuple[Candidate, ...], ...]  # per job


# A group's routes by technician, the ids of the jobs it left out, and the seconds its search took.
GroupResult = tuple[list[TechnicianPlan], list[int], float]


def independent_groups(
    technicians: Sequence[TechnicianDay], placeable: Sequence[tuple[Job, tuple[Candidate, ...]]]
) -> list[Group]:
    """Connected components of the technician-job eligibility graph."""
    parent = {t.id: t.id for t in technicians}

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for _, found in placeable:
        first = find(found[0].technician.id)
        for candidate in found[1:]:
            parent[find(candidate.technician.id)] = first
    members: dict[int, list[TechnicianDay]] = {}
    for tech in technicians:
        members.setdefault(find(tech.id), []).append(tech)
    jobs: dict[int, list[tuple[Job, tuple[Candidate, ...]]]] = {}
    for job, found in placeable:
        jobs.setdefault(find(found[0].technician.id), []).append((job, found))
    return [
        Group(tuple(members[root]), tuple(j for j, _ in jobs[root]), tuple(f for _, f in jobs[root]))
        for root in sorted(jobs)
    ]


def by_region(group: Group) -> list[Group]:
    """The group's technicians by region, each job kept to its own region's technicians, if it has any."""
    own = []
    for job, found in zip(group.jobs, group.options, strict=True):
        # A frozen job keeps its technician, helping or not.
        keep = found if job.frozen else tuple(c for c in found if not c.helping)
        if keep:
            own.append((job, keep))
    parts = independent_groups(group.technicians, own)
    # Technicians with no job of their own region yet join their region's part, or make one.
    placed = {t.id for part in parts for t in part.technicians}
    part_of = {t.primary_region: n for n, part in enumerate(parts) for t in part.technicians}
    for tech in group.technicians:
        if tech.id in placed:
            continue
        n = part_of.setdefault(tech.primary_region, len(parts))
        if n == len(parts):
            parts.append(Group((tech,), (), ()))
        else:
            parts[n] = replace(parts[n], technicians=(*parts[n].technicians, tech))
    return parts


def with_leftovers(
    group: Group, parts: Sequence[Group], plans: dict[int, TechnicianPlan]
) -> tuple[list[Group], list[int]]:
    """The parts joined by the jobs the first stage left out, and the jobs that no part can take."""
    part_of = {t.id: n for n, part in enumerate(parts) for t in part.technicians}
    idle = []
    for part in parts:
        shifts = sum(t.shift.end - t.shift.start for t in part.technicians if t.shift is not None)
        spans = sum(plans[t.id].arrival - plans[t.id].departure for t in part.technicians if t.id in plans)
        idle.append(shifts - spans)
    jobs: list[dict[int, tuple[Job, tuple[Candidate, ...]]]] = [
        {job.id: (job, found) for job, found in zip(part.jobs, part.options, strict=True)} for part in parts
    ]
    home_of = {job.id: n for n, part in enumerate(parts) for job in part.jobs}
    served = {v.job_id for plan in plans.values() for v in plan.visits}
    dropped = []
    for job, found in zip(group.jobs, group.options, strict=True):
        if job.id in served or job.frozen:
            continue
        home = home_of.get(job.id)
        helpers = sorted({part_of[c.technician.id] for c in found} - {home})
        if not helpers:
            if home is None:
                dropped.append(job.id)
            continue
        target = max(helpers, key=lambda n: idle[n])
        idle[target] -= job.duration
        if home is not None:
            del jobs[home][job.id]
        keep = tuple(c for c in found if part_of[c.technician.id] == target)
        jobs[target][job.id] = (job, keep)
    joined = [
        Group(part.technicians, tuple(j for j, _ in own.values()), tuple(f for _, f in own.values()))
        for part, own in zip(parts, jobs, strict=True)
        if own
    ]
    return joined, dropped


def first_stage_result(group: Group, plans: dict[int, TechnicianPlan]) -> GroupResult:
    """The first stage's plans for the group's technicians, and its jobs they do not serve."""
    kept = [plans[t.id] for t in group.technicians if t.id in plans]
    served = {v.job_id for plan in kept for v in plan.visits}
    return kept, [job.id for job in group.jobs if job.id not in served], 0.0
