"""What planning a day hands back: each working technician's route, and every job left out with why."""

from __future__ import annotations

from dataclasses import dataclass

from dispatch.day import Reason


@dataclass(frozen=True, slots=True)
class PlannedVisit:
    job_id: int
    technician_id: int
    sequence: int
    arrival: int
    start: int
    end: int
    helping: bool


@dataclass(frozen=True, slots=True)
class TechnicianPlan:
    technician_id: int
    visits: tuple[PlannedVisit, ...]
    breaks: tuple[tuple[int, int], ...]  # (start, duration)
    departure: int
    arrival: int
    travel_seconds: int
    travel_metres: int


@dataclass(frozen=True, slots=True)
class Unassigned:
    job_id: int
    reasons: tuple[Reason, ...]


@dataclass(frozen=True, slots=True)
class DayPlan:
    """The result of planning: the working technicians' routes, and every job left out with its reasons."""

    routes: tuple[TechnicianPlan, ...]
    unassigned: tuple[Unassigned, ...]
    wall_seconds: float
    groups: int

    @property
    def travel_seconds(self) -> int:
        return sum(r.travel_seconds for r in self.routes)

    @property
    def travel_metres(self) -> int:
        return sum(r.travel_metres for r in self.routes)

    @property
    def assigned(self) -> int:
        return sum(len(r.visits) for r in self.routes)
