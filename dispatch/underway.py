"""A day already under way: where each technician sets out from, and whether two visits clash.

A plan made during the day starts from the moment it is made: a technician at a customer's finishes there
first, one who has finished a visit leaves from its site, and nothing is placed in the past. And whatever
plans, moves and bookings did, a technician's visits of a day, in every region, must leave time to drive
from one to the next.
"""

from __future__ import annotations

from bisect import insort
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import pairwise

import numpy as np

from dispatch.visits import VisitStatus
from routing.geo import Point

# Visits whose technician is at the site now, and visits that are over.
ON_SITE = frozenset({VisitStatus.ARRIVED, VisitStatus.IN_PROGRESS, VisitStatus.PAUSED})
OVER = frozenset({VisitStatus.COMPLETED, VisitStatus.CANNOT_COMPLETE})
# A phone's position older than this says little about where the technician is now.
POSITION_FRESH_FOR = timedelta(minutes=30)


@dataclass(frozen=True, slots=True)
class FieldVisit:
    """One of a technician's visits of the day, as far as it has gone."""

    technician_id: int
    site: Point
    status: VisitStatus
    start: datetime  # aware: when work started or is planned to start
    duration_min: int


@dataclass(frozen=True, slots=True)
class SetOut:
    """Where and from when a technician's remaining day starts."""

    site: Point | None  # None: from home
    at: datetime


def set_out_points(
    now: datetime,
    visits: Iterable[FieldVisit],
    positions: dict[int, tuple[Point, datetime]] | None = None,
) -> dict[int, SetOut]:
    """Per technician with something to go on: the visit they are at, the last one done, or their phone."""
    found: dict[int, SetOut] = {}
    latest_done: dict[int, FieldVisit] = {}
    for visit in visits:
        if visit.status in ON_SITE:
            end = visit.start + timedelta(minutes=visit.duration_min)
            found[visit.technician_id] = SetOut(visit.site, max(now, end))
        elif visit.status in OVER:
            best = latest_done.get(visit.technician_id)
            if best is None or visit.start > best.start:
                latest_done[visit.technician_id] = visit
    for tech_id, visit in latest_done.items():
        found.setdefault(tech_id, SetOut(visit.site, now))
    for tech_id, (point, reported_at) in (positions or {}).items():
        if tech_id not in found and now - POSITION_FRESH_FOR <= reported_at <= now + POSITION_FRESH_FOR:
            found[tech_id] = SetOut(point, now)
    return found


@dataclass(frozen=True, slots=True)
class BookedSpan:
    """A visit's time on site, in seconds from any common origin, and where it is in a travel matrix."""

    order_id: int
    location: int
    start: int
    end: int
    region: str = ""


@dataclass(frozen=True, slots=True)
class Clash:
    """Two visits of one technician that overlap, or leave too little time to drive between them."""

    first: BookedSpan
    second: BookedSpan
    travel: int  # seconds needed between them

    @property
    def detail(self) -> str:
        """The clash in words, for a dispatcher."""
        gap = self.second.start - self.first.end
        return (
            f"order {self.second.order_id} starts {gap // 60} min after order {self.first.order_id} ends; "
            f"the drive takes {self.travel // 60} min"
            if gap >= 0
            else f"orders {self.first.order_id} and {self.second.order_id} overlap by {-gap // 60} min"
        )


def clashes(spans: Sequence[BookedSpan], durations: np.ndarray) -> list[Clash]:
    """Every pair of consecutive visits (by start) that one technician cannot both make."""
    ordered = sorted(spans, key=lambda s: (s.start, s.end, s.order_id))
    found = []
    for first, second in pairwise(ordered):
        travel = int(durations[first.location, second.location])
        if first.end + travel > second.start:
            found.append(Clash(first, second, travel))
    return found


@dataclass(frozen=True, slots=True)
class WindowedVisit:
    """A visit with a technician and a promised window but no time yet (a customer booked it), in seconds."""

    id: int
    window_start: int
    window_end: int
    duration: int


def expected_starts(placed: Iterable[tuple[int, int]], booked: Sequence[WindowedVisit]) -> dict[int, int]:
    """When each visit booked without a time can be expected to start, for showing one technician's day.

    In window order, each takes the earliest moment in its window that the day (placed visits and those
    laid out before it) leaves free for its whole duration; where no such moment is left, the window's
    start, so that the clash shows. Driving is not counted: this draws the day, the planner times it.
    """
    busy = sorted(placed)
    found: dict[int, int] = {}
    for visit in sorted(booked, key=lambda v: (v.window_start, v.window_end, v.id)):
        start = _first_gap(busy, visit.window_start, visit.duration)
        if start > visit.window_end:
            start = visit.window_start
        found[visit.id] = start
        insort(busy, (start, start + visit.duration))
    return found


def _first_gap(busy: Sequence[tuple[int, int]], earliest: int, duration: int) -> int:
    """The earliest start from `earliest` on at which `duration` overlaps none of the busy spans."""
    start = earliest
    for begin, end in busy:
        if begin >= start + duration:
            break
        start = max(start, end)
    return start
