"""The routing problem and its solution: typed, immutable, in integer seconds and metres."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

Objective = Literal["time", "distance"]


@dataclass(frozen=True, slots=True)
class TimeWindow:
    """Inclusive [start, end], in seconds from the problem's origin."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if self.start > self.end:
            raise ValueError(f"window starts at {self.start} after it ends at {self.end}")

    def __contains__(self, t: int) -> bool:
        return self.start <= t <= self.end


@dataclass(frozen=True, slots=True)
class Break:
    """A break of `duration` seconds that starts somewhere in [earliest, latest]."""

    earliest: int
    latest: int
    duration: int

    def __post_init__(self) -> None:
        if self.earliest > self.latest:
            raise ValueError(f"break may start from {self.earliest} but must start by {self.latest}")
        if self.duration <= 0:
            raise ValueError(f"break duration must be positive, got {self.duration}")


@dataclass(frozen=True, slots=True)
class Vehicle:
    """A technician (or crew) for the day: where they start and end, when, and what their van holds."""

    start: int  # location index
    end: int
    shift: TimeWindow  # leave start no earlier than shift.start, back at end by shift.end
    capacity: int | None = None  # None: the van's volume does not matter
    breaks: tuple[Break, ...] = ()
    fixed_cost: int = 0  # paid once if the vehicle is used at all
    # Work (travel and service) above this many seconds costs workload_cost per second: evens out the team.
    soft_max_work: int | None = None
    workload_cost: int = 0


@dataclass(frozen=True, slots=True)
class Stop:
    """A visit to make: when service may start, how long it takes, what it puts in the van."""

    location: int
    window: TimeWindow  # service must start within it
    service: int = 0
    demand: int = 0
    drop_penalty: int | None = None  # None: the stop must be served
    allowed_vehicles: tuple[int, ...] | None = None  # None: any vehicle; () : none can
    # Starting service after soft_due costs lateness_cost per second.
    soft_due: int | None = None
    lateness_cost: int = 0
    # Extra cost when served by a given vehicle, e.g. a technician helping outside their own region.
    vehicle_costs: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True, slots=True, eq=False)
class RoutingProblem:
    """Everything the solver needs; constructed once, validated once."""

    durations: np.ndarray  # seconds between locations
    distances: np.ndarray  # metres between locations
    vehicles: tuple[Vehicle, ...]
    stops: tuple[Stop, ...]
    objective: Objective = "time"
    # Warm start: for each vehicle, the stop indices it served in an earlier plan, in order.
    initial_routes: tuple[tuple[int, ...], ...] | None = None

    def __post_init__(self) -> None:
        n = self.durations.shape[0] if self.durations.ndim == 2 else -1
        if self.durations.shape != (n, n) or self.distances.shape != (n, n):
            raise ValueError(
                f"durations {self.durations.shape} and distances {self.distances.shape} "
                "must be square and of equal size"
            )
        if (self.durations < 0).any() or (self.distances < 0).any():
            raise ValueError("durations and distances cannot be negative")
        if self.objective not in ("time", "distance"):
            raise ValueError(f"objective must be 'time' or 'distance', got {self.objective!r}")
        for v, vehicle in enumerate(self.vehicles):
            for loc in (vehicle.start, vehicle.end):
                if not 0 <= loc < n:
                    raise ValueError(f"vehicle {v}: location {loc} is not in the {n}x{n} matrix")
        for s, stop in enumerate(self.stops):
            if not 0 <= stop.location < n:
                raise ValueError(f"stop {s}: location {stop.location} is not in the {n}x{n} matrix")
            if stop.service < 0 or stop.demand < 0:
                raise ValueError(f"stop {s}: service and demand cannot be negative")
            for v in (stop.allowed_vehicles or ()) + tuple(v for v, _ in stop.vehicle_costs):
                if not 0 <= v < len(self.vehicles):
                    raise ValueError(f"stop {s}: vehicle {v} does not exist")
        if self.initial_routes is not None:
            if len(self.initial_routes) != len(self.vehicles):
                raise ValueError("initial_routes needs one route per vehicle")
            seen = [s for route in self.initial_routes for s in route]
            if len(seen) != len(set(seen)) or any(not 0 <= s < len(self.stops) for s in seen):
                raise ValueError("initial_routes must name each stop at most once")


@dataclass(frozen=True, slots=True)
class ScheduledStop:
    """When the vehicle arrives at a stop, starts and finishes the service."""

    stop: int
    arrival: int
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class ScheduledBreak:
    start: int
    duration: int


@dataclass(frozen=True, slots=True)
class Route:
    vehicle: int
    stops: tuple[ScheduledStop, ...]
    breaks: tuple[ScheduledBreak, ...]
    departure: int
    arrival: int  # back at the end location
    travel_seconds: int
    travel_metres: int


@dataclass(frozen=True, slots=True)
class Solution:
    """Routes for every vehicle (possibly empty) and the stops left out."""

    routes: tuple[Route, ...]
    unassigned: tuple[int, ...]
    objective_value: int
    status: str
    wall_seconds: float
    stats: dict[str, float] = field(default_factory=dict)

    @property
    def travel_seconds(self) -> int:
        """Total driving time of all routes."""
        return sum(r.travel_seconds for r in self.routes)

    @property
    def travel_metres(self) -> int:
        """Total driving distance of all routes."""
        return sum(r.travel_metres for r in self.routes)
