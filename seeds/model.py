"""The immutable records a demo city is made of; a loader elsewhere turns them into rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class RegionSeed:
    """A dispatch region: Shanghai itself (no outline) or one of its districts."""

    code: str
    name: str
    name_zh: str
    time_zone: str
    parent_code: str | None
    postal_codes: tuple[str, ...]
    polygon: tuple[tuple[float, float], ...]  # one outer ring of (lon, lat), closed; empty for the parent


@dataclass(frozen=True)
class SkillSeed:
    """A trade skill; when certified, its level is a certificate rather than experience."""

    code: str
    name: str
    certified: bool


@dataclass(frozen=True)
class WorkSeed:
    """The work one unit of a product needs for one order kind."""

    kind: str  # install | repair | exchange | pickup
    duration_min: int
    crew_size: int
    skills: tuple[tuple[str, int], ...]  # (skill code, minimum level 1-3)


@dataclass(frozen=True)
class ProductSeed:
    """A SKU with its packed volume and the work each supported order kind takes."""

    sku: str
    name: str
    category: str
    volume_l: int
    work: tuple[WorkSeed, ...]

    def supports(self, kind: str) -> bool:
        """Whether orders of this kind can carry this product."""
        return any(work.kind == kind for work in self.work)


@dataclass(frozen=True)
class ShiftSeed:
    """One weekly working window in local time."""

    weekday: int  # 0 = Monday
    start: str  # "08:00"
    end: str  # "18:00"


@dataclass(frozen=True)
class AbsenceSeed:
    """Days a technician is away, both ends included."""

    start: date
    end: date
    reason: str


@dataclass(frozen=True)
class TechnicianSeed:
    """A technician with a home base, regions, skills, weekly shifts, absences and a van."""

    code: str
    name: str
    phone: str  # E.164
    home_lat: float
    home_lon: float
    primary_region: str
    help_regions: tuple[str, ...]
    skills: tuple[tuple[str, int], ...]
    shifts: tuple[ShiftSeed, ...]
    absences: tuple[AbsenceSeed, ...]
    lunch_start: str
    lunch_end: str
    lunch_minutes: int  # the break is taken somewhere in [lunch_start, lunch_end]
    van_volume_l: int
    crew_size: int = 1  # people working from the van: two-person teams carry wardrobes and air conditioners


@dataclass(frozen=True)
class OrderSeed:
    """A customer order as it arrives from a sales channel."""

    channel: str
    external_ref: str
    kind: str
    customer_name: str
    phone: str
    email: str | None
    address: str
    lat: float
    lon: float
    postal_code: str
    items: tuple[tuple[str, int], ...]  # (sku, quantity)
    priority: str  # normal | high | urgent
    earliest_start: date
    notes: str


@dataclass(frozen=True)
class GazetteerEntry:
    """An anchor point on a real road, for addresses and an offline geocoder."""

    street: str
    region_code: str
    postal_code: str
    lat: float
    lon: float
    street_zh: str | None = None  # how the street is written in Chinese, e.g. 东方路


@dataclass(frozen=True)
class DemoCity:
    """Everything the demo needs, in loading order."""

    regions: tuple[RegionSeed, ...]
    skills: tuple[SkillSeed, ...]
    products: tuple[ProductSeed, ...]
    technicians: tuple[TechnicianSeed, ...]
    orders: tuple[OrderSeed, ...]
