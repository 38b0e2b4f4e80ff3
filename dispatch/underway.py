"""A day already under way: where each technician sets out from, and whether two visits clash.

A plan made during the day starts from the moment it is made: a technician at a customer's finishes there
first, one who has finished a visit leaves from its site, and nothing is placed in the past. And whatever
plans, moves and bookings did, a technician's visits of a day, in every region, must leave time to drive
from one to the next.
"""

from __future__ import annotations

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
