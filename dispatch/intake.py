"""What an order needs, derived from the catalogue, and when it is due."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum


class OrderKind(StrEnum):
    INSTALL = "install"
    REPAIR = "repair"
    EXCHANGE = "exchange"
    PICKUP = "pickup"


class LocationQuality(StrEnum):
    """How well the site of an order is known, best first."""

    EXACT = "exact"  # coordinates sent with the order, or a pin a dispatcher dropped
    STREET = "street"  # the street found in the gazetteer or by an online geocoder
    DISTRICT = "district"  # only the district (its centre) or the postal code: the board flags it
    UNKNOWN = "unknown"  # not even a district: the order waits in needs_location


class Priority(StrEnum):
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


@dataclass(frozen=True, slots=True)
class Work:
    """The work one unit of a product needs for one kind of order."""

    duration_min: int
    crew_size: int
    skills: tuple[tuple[str, int], ...]
    volume_l: int = 0

    def __post_init__(self) -> None:
        if self.duration_min <= 0:
            raise ValueError(f"duration_min must be positive, got {self.duration_min}")
        if self.crew_size < 1:
            raise ValueError(f"crew_size must be at least 1, got {self.crew_size}")
        for code, level in self.skills:
            if not 1 <= level <= 3:
                raise ValueError(f"skill {code}: level must be 1-3, got {level}")


@dataclass(frozen=True, slots=True)
class WorkNeeds:
    """The whole visit: how long, how many people, which skills at which level, what volume."""

    duration_min: int
    crew_size: int
    skills: tuple[tuple[str, int], ...]
    volume_l: int


# Each further unit of the same product goes faster than the first: tools are out, the crew knows it.
REPEAT_UNIT_FACTOR = 0.75

# Working days from the day the order can be served to its service-level due date.
SLA_DAYS = {
    (OrderKind.INSTALL, Priority.NORMAL): 3,
    (OrderKind.INSTALL, Priority.HIGH): 2,
    (OrderKind.INSTALL, Priority.URGENT): 1,
    (OrderKind.REPAIR, Priority.NORMAL): 2,
    (OrderKind.REPAIR, Priority.HIGH): 1,
    (OrderKind.REPAIR, Priority.URGENT): 0,
    (OrderKind.EXCHANGE, Priority.NORMAL): 3,
    (OrderKind.EXCHANGE, Priority.HIGH): 2,
    (OrderKind.EXCHANGE, Priority.URGENT): 1,
    (OrderKind.PICKUP, Priority.NORMAL): 4,
    (OrderKind.PICKUP, Priority.HIGH): 2,
    (OrderKind.PICKUP, Priority.URGENT): 1,
}


def combine_work(lines: Iterable[tuple[Work, int]]) -> WorkNeeds:
    """Add up the items of an order into one visit's needs."""
    duration = 0.0
    crew = 1
    volume = 0
    skills: dict[str, int] = {}
    for work, qty in lines:
        if qty < 1:
            raise ValueError(f"quantity must be at least 1, got {qty}")
        duration += work.duration_min * (1 + REPEAT_UNIT_FACTOR * (qty - 1))
        crew = max(crew, work.crew_size)
        volume += work.volume_l * qty
        for code, level in work.skills:
            skills[code] = max(level, skills.get(code, 0))
    if duration <= 0:
        raise ValueError("an order needs at least one item")
    # Visits are planned on a five-minute grid, as dispatchers and customers think of them.
    rounded = int(-(-duration // 5) * 5)
    return WorkNeeds(
        duration_min=rounded, crew_size=crew, skills=tuple(sorted(skills.items())), volume_l=volume
    )


def sla_due(kind: OrderKind | str, priority: Priority | str, ready_on: date) -> date:
    """The last day the visit should happen on, counting working days (Monday to Saturday)."""
    days = SLA_DAYS[(OrderKind(kind), Priority(priority))]
    day = ready_on
    while days > 0:
        day += timedelta(days=1)
        if day.weekday() != 6:
            days -= 1
    return day
