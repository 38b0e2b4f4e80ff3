"""Which appointment slots of a day can really be served, and how good each one is.

A slot is offered only when some eligible technician can take the new visit into their day as it is already
booked: every visit they hold keeps its promised window, the driving between visits is real, the lunch break
still fits and they are home by the end of the shift. This is an insertion check, not a count of free hours.

The day's state (each technician's booked visits in window order, their load) is built once per day and reused
for every slot and every customer who asks about that day. How good a slot is, is `dispatch.grading`'s say.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from itertools import pairwise

import numpy as np

from dispatch.day import DayProblem, Job, TechnicianDay
from dispatch.eligibility import missing_skills, works_in
from dispatch.grading import SAFE_MARGIN, Insertion, grade, route_part, safety
from routing.problem import TimeWindow

INFINITY = 1 << 62


@dataclass(frozen=True, slots=True)
class TechnicianState:
    """A technician's day as booked: their visits in the order they will make them, and how busy they are."""

    technician: TechnicianDay
    jobs: tuple[Job, ...]
    load: int  # seconds of work booked
    demand: int  # litres of van space booked
    margins: tuple[int, ...]  # per position, the least margin of the visits from there on and the shift's end


@dataclass(frozen=True, slots=True, eq=False)
class DayState:
    """Every working technician's booked day, ready for insertion checks; built once per day."""

    durations: np.ndarray
    technicians: tuple[TechnicianState, ...]
    team_load: float  # average seconds of booked work per working technician
    unplaced: tuple[int, ...]  # promised jobs with no technician that nobody can take any more


@dataclass(frozen=True, slots=True)
class SlotOffer:
    """A slot that can be served, its grade (0-100, higher is better) and the insertion it was graded by."""

    window: TimeWindow
    grade: int
    insertion: Insertion


def day_state(problem: DayProblem) -> DayState:
    """The day as booked: promised jobs on their technicians in window order, the others placed greedily."""
    working = {t.id: t for t in problem.technicians if t.shift is not None}
    routes: dict[int, list[Job]] = {tech_id: [] for tech_id in working}
    loose: list[Job] = []
    for job in problem.jobs:
        if not job.promised:
            continue  # only promises bind a day; the optimizer fits unpromised work around them
        if job.technician_id in routes:
            routes[job.technician_id].append(job)
        else:
            loose.append(job)
    travel = problem.durations
    states = {tech_id: _state(working[tech_id], jobs, travel) for tech_id, jobs in routes.items()}
    unplaced = []
    for job in sorted(loose, key=lambda j: (j.window.start, j.window.end, j.id)):
        team = DayState(problem.durations, tuple(states.values()), 0.0, ())
        found = [i for state in eligible(team, job) if (i := best_insertion(team, state, job)) is not None]
        if not found:
            unplaced.append(job.id)
            continue
        best = min(found, key=lambda i: (i.detour, -i.slack, i.technician_id))
        state = states[best.technician_id]
        states[best.technician_id] = _state(state.technician, [*state.jobs, job], travel)
    team_load = sum(s.load for s in states.values()) / len(states) if states else 0.0
    return DayState(problem.durations, tuple(states.values()), team_load, tuple(unplaced))


def _state(tech: TechnicianDay, jobs: Sequence[Job], travel: np.ndarray) -> TechnicianState:
    ordered = tuple(sorted(jobs, key=_visit_order))
    # Watching after position - 1 measures the margin of everything from the position on, as booked.
    timings = [route_timing(tech, ordered, travel, watch_from=p - 1) for p in range(len(ordered) + 1)]
    return TechnicianState(
        technician=tech,
        jobs=ordered,
        load=sum(j.duration for j in ordered),
        demand=sum(j.demand for j in ordered),
        margins=tuple(0 if t is None else t[1] for t in timings),
    )


def _visit_order(job: Job) -> tuple[int, int, int, int]:
    return (job.window.start, job.window.end, job.planned_start or 0, job.id)


def eligible(state: DayState, job: Job) -> list[TechnicianState]:
    """Technicians whose region, skills, crew and van allow the job, whatever their day holds."""
    found = []
    for tech_state in state.technicians:
        tech = tech_state.technician
        if works_in(tech, job.region) is None or missing_skills(tech, job):
            continue
        if tech.capacity is not None and tech_state.demand + job.demand > tech.capacity:
            continue
        found.append(tech_state)
    return found


def best_insertion(state: DayState, tech_state: TechnicianState, job: Job) -> Insertion | None:
    """The feasible place for the job in the technician's day with the least detour, or None."""
    tech = tech_state.technician
    travel = state.durations
    locations = [tech.departs_from, *(j.location for j in tech_state.jobs), tech.location]
    trip = _trip(state, tech_state, job)
    best: Insertion | None = None
    for position in range(len(tech_state.jobs) + 1):
        # Jobs are in window order; a job whose window closes before the new one opens stays in front.
        if position < len(tech_state.jobs) and tech_state.jobs[position].window.end < job.window.start:
            continue
        if position > 0 and tech_state.jobs[position - 1].window.start > job.window.end:
            break
        before, after = locations[position], locations[position + 1]
        detour = int(travel[before, job.location] + travel[job.location, after] - travel[before, after])
        if best is not None and detour > best.detour:
            continue
        sequence = [*tech_state.jobs[:position], job, *tech_state.jobs[position:]]
        timing = route_timing(tech, sequence, travel, watch_from=position)
        if timing is None:
            continue
        start, later = timing
        slack = min(job.window.end - start, later)
        if best is not None and (detour, -slack) >= (best.detour, -best.slack):
            continue  # as much driving and no more margin: the earlier place stands
        spare = min(tech_state.margins[position], SAFE_MARGIN)
        eaten = max(0, spare - min(later, SAFE_MARGIN))
        best = Insertion(tech.id, position, start, detour, slack, trip, eaten, spare)
    return best


def route_timing(
    tech: TechnicianDay, jobs: Sequence[Job], travel: np.ndarray, *, watch_from: int = 0
) -> tuple[int, int] | None:
    """Earliest start of jobs[watch_from] and the least slack after it, or None if the day breaks.

    Starts are propagated forward at the earliest; each break may be taken in any gap, before driving on
    or after arriving, so the state is the earliest time for each number of breaks already taken.
    """
    shift = tech.shift
    if shift is None:
        return None
    breaks = sorted(tech.breaks, key=lambda b: (b.earliest, b.latest))
    # Per number of breaks taken: (earliest time free, least slack so far on that path).
    times = [shift.start] + [INFINITY] * len(breaks)
    slacks = [INFINITY] * (len(breaks) + 1)
    here, watched_start = tech.departs_from, -1
    for index, job in enumerate(jobs):
        watching = index > watch_from
        times, slacks = _gap(times, slacks, breaks, int(travel[here, job.location]))
        for k, arrive in enumerate(times):
            if arrive >= INFINITY:
                continue
            begin = max(arrive, job.window.start)
            if begin > job.window.end:
                times[k] = INFINITY
                continue
            times[k] = begin + job.duration
            if watching:
                slacks[k] = min(slacks[k], job.window.end - begin)
        if index == watch_from:
            reachable = [t - job.duration for t in times if t < INFINITY]
            if not reachable:
                return None
            watched_start = min(reachable)
        here = job.location
    times, slacks = _gap(times, slacks, breaks, int(travel[here, tech.location]))
    home = times[-1]
    if home > shift.end:
        return None
    return watched_start, min(slacks[-1], shift.end - home)


def _gap(times: list[int], slacks: list[int], breaks: Sequence, drive: int) -> tuple[list[int], list[int]]:
    """Drive to the next place, taking any breaks still due before leaving or after arriving."""
    times, slacks = _take_breaks(list(times), list(slacks), breaks)
    times = [t + drive if t < INFINITY else INFINITY for t in times]
    return _take_breaks(times, slacks, breaks)


def _take_breaks(times: list[int], slacks: list[int], breaks: Sequence) -> tuple[list[int], list[int]]:
    for k, brk in enumerate(breaks):
        if times[k] >= INFINITY:
            continue
        begin = max(times[k], brk.earliest)
        if begin <= brk.latest and begin + brk.duration < times[k + 1]:
            times[k + 1], slacks[k + 1] = begin + brk.duration, slacks[k]
    return times, slacks


def offer_slots(state: DayState, job: Job, windows: Sequence[TimeWindow]) -> list[SlotOffer]:
    """The windows the job can be promised in, each with its grade and tentative technician, best first."""
    # The most promising first: the route part with the least detour bounds a technician's grade from above.
    team = [(tech_state, _reach(state, tech_state, job)) for tech_state in eligible(state, job)]
    team.sort(key=lambda member: -member[1].route)
    offers = []
    for window in windows:
        best = _best_offer(state, replace(job, window=window, promised=True), team)
        if best is not None:
            offers.append(best)
    return sorted(offers, key=lambda o: (-o.grade, o.window.start))


@dataclass(frozen=True, slots=True)
class Reach:
    """What a technician's day allows a job at best, whatever its window: the bounds a grade can reach."""

    route: float  # the route part of the grade with the least detour the job could add to the day
    inbound: int  # the least driving to the job from any stop of the day
    outbound: int  # the least driving from the job to any stop of the day


def _best_offer(state: DayState, job: Job, team: Sequence[tuple[TechnicianState, Reach]]) -> SlotOffer | None:
    """The best-graded technician's offer for the job in its window, or None if nobody can serve it."""
    # The team comes best route first: once no route part left could beat the best grade found, nobody
    # can. A technician whose bound for this window (route and margin) cannot beat it is not tried.
    best: SlotOffer | None = None
    for tech_state, reach in team:
        if best is not None and round(100 * reach.route) < best.grade:
            break
        ceiling = _ceiling(tech_state, job, reach)
        if ceiling is None or (best is not None and ceiling < best.grade):
            continue
        insertion = best_insertion(state, tech_state, job)
        if insertion is None:
            continue
        offer = SlotOffer(job.window, grade(insertion, tech_state.load, state.team_load), insertion)
        if best is None or (offer.grade, -offer.insertion.detour) > (best.grade, -best.insertion.detour):
            best = offer
    return best


def _ceiling(tech_state: TechnicianState, job: Job, reach: Reach) -> int | None:
    """The best grade the technician could give the job in its window, or None if they surely cannot."""
    shift = tech_state.technician.shift
    if shift is None:
        return None
    # Work starts no earlier than the window opens, nor before the technician could drive there from the
    # nearest stop of their day; after it they must still drive somewhere and be home by the shift's end.
    start = max(job.window.start, shift.start + reach.inbound)
    slack = min(job.window.end - start, shift.end - start - job.duration - reach.outbound)
    if slack < 0:
        return None
    return round(100 * reach.route * safety(slack))  # as `grade` would, with nothing of later margins eaten


def _reach(state: DayState, tech_state: TechnicianState, job: Job) -> Reach:
    travel = state.durations
    tech = tech_state.technician
    stops = [tech.departs_from, *(j.location for j in tech_state.jobs), tech.location]
    site = job.location
    detour = inbound = outbound = INFINITY
    for a, b in pairwise(stops):  # one pass: this runs for every technician on every query
        into, out = int(travel[a, site]), int(travel[site, b])
        detour = min(detour, into + out - int(travel[a, b]))
        inbound, outbound = min(inbound, into), min(outbound, out)
    nearest = Insertion(0, 0, 0, detour, SAFE_MARGIN, _trip(state, tech_state, job), 0, SAFE_MARGIN)
    return Reach(route_part(nearest, tech_state.load, state.team_load), inbound, outbound)


def _trip(state: DayState, tech_state: TechnicianState, job: Job) -> int:
    home = tech_state.technician.location
    return int(state.durations[home, job.location] + state.durations[job.location, home])


def with_site(state: DayState, outbound: np.ndarray, inbound: np.ndarray) -> tuple[DayState, int]:
    """The same day with one more place (a new customer's site) and that place's index in the matrix.

    `outbound` is travel from the site to each existing location, `inbound` from each location to it; this
    lets a day's state be built once and shared by every customer who asks about the day.
    """
    n = state.durations.shape[0]
    if outbound.shape != (n,) or inbound.shape != (n,):
        raise ValueError(f"travel to and from the new site must have {n} entries")
    durations = np.zeros((n + 1, n + 1), dtype=state.durations.dtype)
    durations[:n, :n] = state.durations
    durations[n, :n], durations[:n, n] = outbound, inbound
    return replace(state, durations=durations), n
