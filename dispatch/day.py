"""A day to plan, in the core's terms: integer seconds from the day's origin and locations by index."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from routing.problem import Break, TimeWindow


@dataclass(frozen=True, slots=True)
class Reason:
    """Why something cannot be done, as a code for machines, a sentence for people and what would fix it."""

    code: str
    detail: str
    hint: str = ""  # the change a dispatcher can make: "T007 has aircon_install level 1; level 2 needed"


# The reasons an order can be left out of a plan, each decided by a check in dispatch.explain.
OUTSIDE_ALL_REGIONS = "outside_all_regions"
NO_SKILLED_TECHNICIAN = "no_skilled_technician"
NO_SHIFT_COVERS_WINDOW = "no_shift_covers_window"
WINDOW_SHORTER_THAN_WORK = "window_shorter_than_work"
VAN_CAPACITY = "van_capacity"
DAY_FULL = "day_full"
WINDOW_PASSED = "window_passed"
# Not a cause but a flag that follows the cause: the order had a window booked with the customer, and the plan
# breaks that promise, so the dispatcher must call the customer or make room by hand.
PROMISE_BROKEN = "promise_broken"


@dataclass(frozen=True, slots=True)
class TechnicianDay:
    """One technician's availability on the day being planned."""

    id: int
    code: str
    location: int  # home base, index into the day's matrix: where the day ends
    primary_region: str
    help_regions: frozenset[str] = frozenset()
    skills: tuple[tuple[str, int], ...] = ()
    crew_size: int = 1
    shift: TimeWindow | None = None  # None: not working that day; from the plan's start when it has one
    hours: TimeWindow | None = None  # the whole shift of the day, for people to read; None: as `shift`
    off_reason: str = ""  # why shift is None: "absent (annual leave)", "does not work on Sundays"
    breaks: tuple[Break, ...] = ()
    capacity: int | None = None  # van volume in litres
    working_days: tuple[int, ...] = ()  # weekdays of the weekly pattern (0 = Monday), for hints; () unknown
    # Where the technician sets out from, when not home: the site of the visit they are at or just left,
    # for a plan made while the day is under way.
    start_location: int | None = None

    @property
    def departs_from(self) -> int:
        """The location the technician's route starts from."""
        return self.location if self.start_location is None else self.start_location

    def level(self, skill: str) -> int:
        """The technician's level in a skill, 0 when they do not have it."""
        return dict(self.skills).get(skill, 0)


@dataclass(frozen=True, slots=True)
class Job:
    """An order to place on the day, with what it needs and what was already promised."""

    id: int
    location: int
    region: str | None  # None: the site is outside every region
    duration: int  # seconds of work on site
    window: TimeWindow  # when work may start: the promised window, or the whole working day
    promised: bool = False  # the window was promised to the customer and must be kept
    skills: tuple[tuple[str, int], ...] = ()
    crew_size: int = 1
    demand: int = 0  # van volume it takes, for exchanges and pickups
    priority: str = "normal"
    overdue_days: int = 0  # days past the service-level due date if it is not done today
    due_today: bool = False
    # The technician it is with now, and whether the optimizer must leave it there.
    technician_id: int | None = None
    frozen: bool = False
    planned_start: int | None = None
    # The technician's visit in a region this plan does not cover: busy time that the plan works around
    # and never reports or changes.
    busy: bool = False

    def __post_init__(self) -> None:
        if self.duration <= 0:
            raise ValueError(f"job {self.id}: duration must be positive, got {self.duration}")
        if self.frozen and self.technician_id is None:
            raise ValueError(f"job {self.id}: a frozen job must name its technician")
        if self.busy and not self.frozen:
            raise ValueError(f"job {self.id}: busy time elsewhere is frozen on its technician")


@dataclass(frozen=True, slots=True)
class PlanSettings:
    """The trade-offs of a plan, all in the currency of seconds of travel."""

    help_cost: int = 1800  # a technician working outside their primary region
    # What leaving an order out costs: the base times a ladder of weights, a rung per thing the seller owes.
    # Each rung outweighs ten orders of every rung below it put together, so that the plan gives up a booked
    # window only when nothing else can give way, then urgent, then high, then the service-level clock.
    # Measured on the field day (README): with promised 20x and urgent 10x as factors, eligible technicians
    # did normal, not-due orders while 8 of 53 urgent and 20 of 153 high-priority orders waited.
    base_drop_penalty: int = 200_000  # an order with nothing owed on it: far above any route's travel
    due_today_weight: int = 10  # its service-level clock breaches if it is not done today
    overdue_day_weight: int = 5  # and more for each day it is already past it, up to `clock_weight_cap`
    clock_weight_cap: int = 30
    priority_factor: tuple[tuple[str, int], ...] = (("normal", 0), ("high", 400), ("urgent", 5000))
    promised_factor: int = 60_000  # a window booked with the customer: a promise, above every priority
    busy_factor: int = 1_000_000  # above any order: a technician's time booked elsewhere stays booked
    soft_max_work: int | None = 8 * 3600  # above this, work is spread to others
    workload_cost: int = 2
    vehicle_fixed_cost: int = (
        0  # using one more technician at all; large values mean "fewest technicians first"
    )
    objective: str = "time"  # what travel costs: "time" (seconds) or "distance" (metres)


@dataclass(frozen=True, slots=True, eq=False)
class DayProblem:
    """The technicians and jobs of one day, with travel between all their locations."""

    durations: np.ndarray
    distances: np.ndarray
    technicians: tuple[TechnicianDay, ...]
    jobs: tuple[Job, ...]
    settings: PlanSettings = field(default_factory=PlanSettings)
    label: str = ""  # the day as people name it, for explanations: "2026-11-24"
    not_before: int | None = None  # a plan made during the day places nothing before this moment

    def __post_init__(self) -> None:
        n = self.durations.shape[0]
        if self.durations.shape != (n, n) or self.distances.shape != (n, n):
            raise ValueError("durations and distances must be square matrices of the same size")
        ids = [t.id for t in self.technicians]
        if len(ids) != len(set(ids)):
            raise ValueError("technician ids must be unique")
        job_ids = [j.id for j in self.jobs]
        if len(job_ids) != len(set(job_ids)):
            raise ValueError("job ids must be unique")
        for thing in (*self.technicians, *self.jobs):
            if not 0 <= thing.location < n:
                raise ValueError(
                    f"{type(thing).__name__} {thing.id}: location {thing.location} not in the matrix"
                )
        known = set(ids)
        for job in self.jobs:
            if job.technician_id is not None and job.technician_id not in known and job.frozen:
                raise ValueError(f"job {job.id} is frozen on unknown technician {job.technician_id}")
