"""Administration of the network: technicians and regions, each checked before it is saved."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from sqlalchemy import select

from app.extensions import db
from app.models import (
    Absence,
    Region,
    RegionPostalCode,
    ShiftPattern,
    Skill,
    Technician,
    TechnicianSkill,
    User,
)
from app.services.admin_checks import existing, is_taken, known_regions, known_skills, require
from app.services.errors import Invalid
from dispatch.calendar import zone
from routing import validate_ring


@dataclass(frozen=True, slots=True)
class TechnicianInput:
    """A technician as an administrator describes them; levels 1-3 per skill code."""

    code: str
    name: str
    phone: str
    home_lat: float
    home_lon: float
    primary_region: str
    help_regions: tuple[str, ...] = ()
    skills: tuple[tuple[str, int], ...] = ()
    shifts: tuple[tuple[int, time, time], ...] = ()  # (weekday, start, end), 0 = Monday
    absences: tuple[tuple[date, date, str], ...] = ()
    crew_size: int = 1
    van_volume_l: int = 4000
    lunch_start: time = time(11, 30)
    lunch_end: time = time(13, 30)
    lunch_minutes: int = 45


@dataclass(frozen=True, slots=True)
class RegionInput:
    """A region as an administrator describes it: an outline, postal codes, or both."""

    code: str
    name: str
    time_zone: str
    name_local: str | None = None
    parent: str | None = None
    polygon: tuple[tuple[float, float], ...] = ()  # (lon, lat), GeoJSON order
    postal_codes: tuple[str, ...] = ()
    speed_kmh: float = 25.0
    detour_factor: float = 1.35


def save_technician(*, technician_id: int | None, data: TechnicianInput) -> Technician:
    """Create a technician, or replace an existing one's details, skills, shifts and absences."""
    tech = existing(Technician, technician_id) if technician_id else None
    errors: dict[str, str] = {}
    _check_identity_and_home(errors, data, technician_id)
    regions = known_regions(errors, "primary_region", [data.primary_region])
    helps = known_regions(errors, "help_regions", data.help_regions)
    if data.primary_region in data.help_regions:
        errors["help_regions"] = "the primary region is not a may-help region"
    skills = known_skills(errors, "skills", data.skills)
    _check_crew_and_hours(errors, data)
    if errors:
        raise Invalid(errors)
    if tech is None:
        tech = Technician(code=data.code)
        db.session.add(tech)
    _write_technician(tech, data, regions, helps)
    _replace_skills_and_week(tech, data, skills)
    db.session.commit()
    return tech


def _check_identity_and_home(
    errors: dict[str, str], data: TechnicianInput, technician_id: int | None
) -> None:
    for name in ("code", "name", "phone"):
        require(errors, name, getattr(data, name))
    if data.code and is_taken(Technician, "code", data.code, technician_id):
        errors["code"] = f"code {data.code!r} is taken"
    if not (-90 <= data.home_lat <= 90 and -180 <= data.home_lon <= 180):
        errors["home"] = "latitude -90..90 and longitude -180..180"


def _check_crew_and_hours(errors: dict[str, str], data: TechnicianInput) -> None:
    if not 1 <= data.crew_size <= 4:
        errors["crew_size"] = "a crew of 1 to 4"
    if data.van_volume_l < 0:
        errors["van_volume_l"] = "must not be negative"
    for weekday, start, end in data.shifts:
        if start >= end:
            errors[f"shift_{weekday}"] = "the shift must end after it starts"
    for index, (first, last, _) in enumerate(data.absences):
        if first > last:
            errors[f"absence_{index}"] = "the absence must end on or after its first day"
    if not _lunch_fits(data):
        errors["lunch"] = f"a {data.lunch_minutes}-minute lunch must fit between its start and end"


def _lunch_fits(data: TechnicianInput) -> bool:
    minutes_between = (data.lunch_end.hour * 60 + data.lunch_end.minute) - (
        data.lunch_start.hour * 60 + data.lunch_start.minute
    )
    return not (data.lunch_minutes < 0 or (data.lunch_minutes and minutes_between < data.lunch_minutes))


def _write_technician(
    tech: Technician, data: TechnicianInput, regions: dict[str, Region], helps: dict[str, Region]
) -> None:
    tech.code, tech.name, tech.phone = data.code.strip(), data.name.strip(), data.phone.strip()
    tech.home_lat, tech.home_lon = data.home_lat, data.home_lon
    tech.primary_region = regions[data.primary_region]
    tech.help_regions = [helps[c] for c in data.help_regions]
    tech.crew_size, tech.van_volume_l = data.crew_size, data.van_volume_l
    tech.lunch_start, tech.lunch_end, tech.lunch_minutes = (
        data.lunch_start,
        data.lunch_end,
        data.lunch_minutes,
    )


def _replace_skills_and_week(tech: Technician, data: TechnicianInput, skills: dict[str, Skill]) -> None:
    # Old rows go first: the new ones reuse their keys (a skill, a weekday).
    tech.skills, tech.shifts, tech.absences = [], [], []
    db.session.flush()
    tech.skills = [TechnicianSkill(skill=skills[code], level=level) for code, level in data.skills]
    tech.shifts = [ShiftPattern(weekday=d, start_time=s, end_time=e) for d, s, e in data.shifts]
    tech.absences = [Absence(start_date=a, end_date=b, reason=r) for a, b, r in data.absences]


def set_technician_active(*, technician_id: int, active: bool) -> Technician:
    """Deactivate a technician (kept for history; their login closes too) or bring them back."""
    tech = existing(Technician, technician_id)
    tech.active = active
    login = db.session.scalar(select(User).where(User.technician_id == tech.id))
    if login is not None:
        login.active = active
    db.session.commit()
    return tech


def save_region(*, region_id: int | None, data: RegionInput) -> Region:
    """Create or change a region: its time zone must exist and its outline must be a valid ring."""
    region = existing(Region, region_id) if region_id else None
    errors: dict[str, str] = {}
    for name in ("code", "name"):
        require(errors, name, getattr(data, name))
    if data.code and is_taken(Region, "code", data.code, region_id):
        errors["code"] = f"code {data.code!r} is taken"
    _check_time_zone(errors, data.time_zone)
    parent = _parent(errors, data.parent, region)
    ring = _outline(errors, data.polygon)
    _check_postal_codes(errors, data.postal_codes, region_id)
    if not data.polygon and not data.postal_codes:
        errors["polygon"] = "give an outline, postal codes, or both"
    if not (data.speed_kmh > 0 and data.detour_factor >= 1):
        errors["speed_kmh"] = "speed must be positive and the detour factor at least 1"
    if errors:
        raise Invalid(errors)
    if region is None:
        region = Region(code=data.code)
        db.session.add(region)
    _write_region(region, data, parent, ring)
    db.session.commit()
    return region


def _check_time_zone(errors: dict[str, str], time_zone: str) -> None:
    try:
        zone(time_zone)
    except ValueError as exc:
        errors["time_zone"] = str(exc)


def _parent(errors: dict[str, str], code: str | None, region: Region | None) -> Region | None:
    if not code:
        return None
    parent = known_regions(errors, "parent", [code]).get(code)
    if parent is not None and region is not None and _descends(parent, region):
        errors["parent"] = "a region cannot sit inside itself"
    return parent


def _descends(candidate: Region, region: Region) -> bool:
    node: Region | None = candidate
    while node is not None:
        if node.id == region.id:
            return True
        node = node.parent
    return False


def _outline(errors: dict[str, str], polygon: tuple[tuple[float, float], ...]) -> list[list[float]] | None:
    if not polygon:
        return None
    try:
        return [list(p) for p in validate_ring(list(polygon))]
    except ValueError as exc:
        errors["polygon"] = str(exc)
        return None


def _check_postal_codes(errors: dict[str, str], postal_codes: tuple[str, ...], region_id: int | None) -> None:
    taken = db.session.scalars(
        select(RegionPostalCode).where(RegionPostalCode.postal_code.in_(postal_codes))
    ).all()
    clashes = sorted(p.postal_code for p in taken if p.region_id != region_id)
    if clashes:
        errors["postal_codes"] = f"already in another region: {', '.join(clashes)}"


def _write_region(
    region: Region, data: RegionInput, parent: Region | None, ring: list[list[float]] | None
) -> None:
    region.code, region.name, region.name_local = data.code.strip(), data.name.strip(), data.name_local
    region.time_zone, region.parent, region.polygon = data.time_zone, parent, ring
    region.speed_kmh, region.detour_factor = data.speed_kmh, data.detour_factor
    # Old codes go first: a code kept by the region is inserted again.
    region.postal_codes = []
    db.session.flush()
    region.postal_codes = [RegionPostalCode(postal_code=c) for c in data.postal_codes]


def set_region_active(*, region_id: int, active: bool) -> Region:
    """Stop placing new orders in a region, or start again; its history stays."""
    region = existing(Region, region_id)
    region.active = active
    db.session.commit()
    return region


def all_regions() -> list[Region]:
    """Every region, active or not, for administration."""
    return list(db.session.scalars(select(Region).order_by(Region.code)))
