"""Building a day's planning problem from plain records of technicians and orders.

The app fills the records from its database and a benchmark from its seeds. Travel is looked up in between,
so the core does no I/O: `day_locations` lists the points, the caller asks a travel-time provider for the
matrix between them, and `build_day_problem` turns records and matrix into a `DayProblem` in seconds from the
start of the local day.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

from dispatch.calendar import DayOff, WeeklyShift, day_start, local_instant, lunch_window, working_window
from dispatch.day import DayProblem, Job, PlanSettings, TechnicianDay
from routing.geo import Point
from routing.matrix import TravelMatrix
from routing.problem import Break, TimeWindow

# Kinds of order whose goods come back in the van, so that they take up its volume.
LOADING_KINDS = frozenset({"exchange", "pickup"})
# When work may be done for a customer who was promised no particular window.
WORKING_DAY = (time(8), time(20))


@dataclass(frozen=True, slots=True)
class TechnicianRecord:
    """A technician as the planner needs them, with the weekly pattern in their primary region's time."""

    id: int
    code: str
    home: Point
    primary_region: str
    help_regions: tuple[str, ...] = ()
    skills: tuple[tuple[str, int], ...] = ()
    crew_size: int = 1
    van_volume_l: int | None = None
    shifts: tuple[tuple[int, time, time], ...] = ()  # (weekday, start, end), 0 = Monday
    absences: tuple[tuple[date, date, str], ...] = ()  # (first day, last day, reason)
    lunch_start: time = time(11, 30)
    lunch_end: time = time(13, 30)
    lunch_minutes: int = 45
    time_zone: str = "UTC"
    # For a plan made while the day is under way: where the technician will set out from (the site of the
    # visit they are at or just finished) and from when; None for home at the start of the shift.
    start_site: Point | None = None
    available_from: datetime | None = None  # aware


@dataclass(frozen=True, slots=True)
class OrderRecord:
    """An order waiting to be served, with the visit already planned for it, if any."""

    id: int
    site: Point
    region: str | None  # None: the site is outside every region served
    kind: str
    duration_min: int
    earliest_start: date
    sla_due: date
    priority: str = "normal"
    skills: tuple[tuple[str, int], ...] = ()
    crew_size: int = 1
    volume_l: int = 0
    promised: tuple[datetime, datetime] | None = None  # aware; the window the customer was given
    technician_id: int | None = None
    planned_arrival: datetime | None = None  # aware; when work was planned to start
    frozen: bool = False  # under way, or locked by a dispatcher: stays with its technician
    busy: bool = False  # the technician's visit in a region not being planned: fixed busy time

    def __post_init__(self) -> None:
        for name in ("promised", "planned_arrival"):
            value = getattr(self, name)
            for moment in value if isinstance(value, tuple) else (value,):
                if moment is not None and moment.tzinfo is None:
                    raise ValueError(f"order {self.id}: {name} must be an aware datetime")
        if self.promised is not None and self.promised[0] >= self.promised[1]:
            raise ValueError(f"order {self.id}: the promised window ends before it starts")


def plannable(day: date, orders: Sequence[OrderRecord]) -> list[OrderRecord]:
    """The orders that may be served on the day: their goods are due by then."""
    return [order for order in orders if order.earliest_start <= day]


def day_locations(technicians: Sequence[TechnicianRecord], orders: Sequence[OrderRecord]) -> list[Point]:
    """Every home and site once, homes first: the points to ask a travel-time provider about."""
    starts = [t.start_site for t in technicians if t.start_site is not None]
    return list(dict.fromkeys([*(t.home for t in technicians), *starts, *(o.site for o in orders)]))


def build_day_problem(
    day: date,
    time_zone: str,
    technicians: Sequence[TechnicianRecord],
    orders: Sequence[OrderRecord],
    matrix: TravelMatrix,
    settings: PlanSettings | None = None,
    *,
    working_day: tuple[time, time] = WORKING_DAY,
    not_before: datetime | None = None,
) -> tuple[DayProblem, datetime]:
    """The day's problem in seconds from the local midnight of `time_zone`, and that midnight in UTC.

    `matrix` holds travel between the points of `day_locations(technicians, orders)`, in that order.
    Orders whose goods arrive after the day are left out. With `not_before` (aware), nobody sets out
    before that moment and work already taken on that was due earlier is placed as soon as it can be.
    """
    points = day_locations(technicians, orders)
    _check_matrix(matrix, len(points))
    index = {point: n for n, point in enumerate(points)}
    origin = day_start(day, time_zone)
    now = None if not_before is None else _seconds(not_before, origin)
    techs = tuple(_technician_day(day, t, index, origin, now) for t in technicians)
    known = {t.id for t in techs}
    open_from, open_until = (local_instant(day, at, time_zone) for at in working_day)
    jobs = tuple(
        _job(day, o, index[o.site], origin, (open_from, open_until), known, now)
        for o in plannable(day, orders)
    )
    problem = DayProblem(
        durations=matrix.seconds,
        distances=matrix.metres,
        technicians=techs,
        jobs=jobs,
        settings=settings or PlanSettings(),
        label=day.isoformat(),
        not_before=now,
    )
    return problem, origin


def _check_matrix(matrix: TravelMatrix, places: int) -> None:
    if matrix.seconds.shape != (places, places):
        raise ValueError(
            f"the matrix is {matrix.seconds.shape[0]}x{matrix.seconds.shape[1]} "
            f"but the day has {places} locations"
        )


def _seconds(moment: datetime, origin: datetime) -> int:
    return int((moment - origin).total_seconds())


def _technician_day(
    day: date, tech: TechnicianRecord, index: dict[Point, int], origin: datetime, now: int | None
) -> TechnicianDay:
    window = working_window(
        day,
        [WeeklyShift(*shift) for shift in tech.shifts],
        [DayOff(*absence) for absence in tech.absences],
        tech.time_zone,
    )
    shift = None
    off_reason = window.off_reason
    breaks: tuple[Break, ...] = ()
    hours = None
    if window.start is not None and window.end is not None:
        hours = TimeWindow(_seconds(window.start, origin), _seconds(window.end, origin))
        shift = _remaining(hours, tech, origin, now)
        if shift is None:
            off_reason = "the shift is over"
        else:
            breaks = _lunch(day, tech, shift, origin)
    return TechnicianDay(
        id=tech.id,
        code=tech.code,
        location=index[tech.home],
        start_location=None if tech.start_site is None else index[tech.start_site],
        working_days=tuple(sorted(shift[0] for shift in tech.shifts)),
        primary_region=tech.primary_region,
        help_regions=frozenset(tech.help_regions),
        skills=tech.skills,
        crew_size=tech.crew_size,
        shift=shift,
        hours=hours,
        off_reason=off_reason,
        breaks=breaks,
        capacity=tech.van_volume_l,
    )


def _remaining(
    hours: TimeWindow, tech: TechnicianRecord, origin: datetime, now: int | None
) -> TimeWindow | None:
    """What is left of the shift from the plan's start and from when the technician is free; None: nothing."""
    free = max(
        hours.start,
        now if now is not None else hours.start,
        _seconds(tech.available_from, origin) if tech.available_from is not None else hours.start,
    )
    return TimeWindow(free, hours.end) if free < hours.end else None


def _lunch(day: date, tech: TechnicianRecord, shift: TimeWindow, origin: datetime) -> tuple[Break, ...]:
    lunch = lunch_window(day, tech.lunch_start, tech.lunch_end, tech.lunch_minutes, tech.time_zone)
    if lunch is None:
        return ()
    duration = lunch.minutes * 60
    # A short shift that ends before lunch (or starts after it) has no lunch break to plan.
    earliest = max(_seconds(lunch.earliest, origin), shift.start)
    latest = min(_seconds(lunch.latest, origin), shift.end) - duration
    if earliest > latest:
        return ()
    return (Break(earliest=earliest, latest=latest, duration=duration),)


def _job(
    day: date,
    order: OrderRecord,
    location: int,
    origin: datetime,
    working_day: tuple[datetime, datetime],
    technicians: set[int],
    now: int | None = None,
) -> Job:
    duration = order.duration_min * 60
    frozen = (order.frozen or order.busy) and order.technician_id in technicians
    planned = None if order.planned_arrival is None else _seconds(order.planned_arrival, origin)
    window = _window(order, duration, origin, working_day)
    if frozen and now is not None:
        window, planned = _from_now(window, planned, now)
    overdue = (day - order.sla_due).days
    return Job(
        id=order.id,
        location=location,
        region=order.region,
        duration=duration,
        window=window,
        promised=order.promised is not None,
        skills=order.skills,
        crew_size=order.crew_size,
        demand=order.volume_l if order.kind in LOADING_KINDS else 0,
        priority=order.priority,
        overdue_days=max(0, overdue),
        due_today=overdue == 0,
        technician_id=order.technician_id,
        # Work can only stay with a technician who is part of the day; otherwise it is planned afresh.
        frozen=frozen,
        planned_start=planned,
        busy=order.busy and frozen,
    )


def _from_now(window: TimeWindow, planned: int | None, now: int) -> tuple[TimeWindow, int | None]:
    """Fixed work in a plan made during the day: nothing before now; work due earlier goes first, late."""
    window = TimeWindow(max(window.start, now), max(window.end, now))
    return window, (None if planned is None else max(planned, now))


def _window(
    order: OrderRecord, duration: int, origin: datetime, working_day: tuple[datetime, datetime]
) -> TimeWindow:
    """When the work may start: the promised slot, else any time that lets it end within the working day."""
    if order.promised is not None:
        return TimeWindow(_seconds(order.promised[0], origin), _seconds(order.promised[1], origin))
    # Work starts early enough to end within the working day, when the day is long enough for it.
    opens, closes = (_seconds(moment, origin) for moment in working_day)
    return TimeWindow(opens, max(opens, closes - duration))
