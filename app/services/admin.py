"""Administration of the network: technicians, regions and the catalogue, each checked before it is saved."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, time
from typing import TypeVar

from sqlalchemy import select

from app.extensions import db
from app.models import (
    Absence,
    Product,
    ProductWork,
    ProductWorkSkill,
    Region,
    RegionPostalCode,
    ShiftPattern,
    Skill,
    Technician,
    TechnicianSkill,
    User,
)
from app.services.errors import Invalid, NotFound
from dispatch.calendar import zone
from routing import validate_ring

KINDS = ("install", "repair", "exchange", "pickup")
T = TypeVar("T")


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
    code: str
    name: str
    time_zone: str
    name_local: str | None = None
    parent: str | None = None
    polygon: tuple[tuple[float, float], ...] = ()  # (lon, lat), GeoJSON order
    postal_codes: tuple[str, ...] = ()
    speed_kmh: float = 25.0
    detour_factor: float = 1.35


@dataclass(frozen=True, slots=True)
class WorkInput:
    kind: str
    duration_min: int
    crew_size: int = 1
    skills: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True, slots=True)
class ProductInput:
    sku: str
    name: str
    category: str = ""
    volume_l: int = 0
    work: tuple[WorkInput, ...] = field(default=())


def _require(errors: dict[str, str], name: str, value: str) -> None:
    if not value.strip():
        errors[name] = "required"


def _taken(model: type, column: str, value: str, own_id: int | None) -> bool:
    found = db.session.scalar(select(model.id).where(getattr(model, column) == value))  # type: ignore[attr-defined]
    return found is not None and found != own_id


def _skills(errors: dict[str, str], name: str, levels: Sequence[tuple[str, int]]) -> dict[str, Skill]:
    codes = [code for code, _ in levels]
    known = {s.code: s for s in db.session.scalars(select(Skill).where(Skill.code.in_(codes)))}
    unknown = sorted(set(codes) - set(known))
    if unknown:
        errors[name] = f"unknown skill(s): {', '.join(unknown)}"
    if any(not 1 <= level <= 3 for _, level in levels):
        errors[name] = "levels go from 1 to 3"
    return known


def _regions(errors: dict[str, str], name: str, codes: Sequence[str]) -> dict[str, Region]:
    found = {r.code: r for r in db.session.scalars(select(Region).where(Region.code.in_(codes)))}
    missing = sorted(set(codes) - set(found))
    if missing:
        errors[name] = f"unknown region(s): {', '.join(missing)}"
    return found


def save_technician(*, technician_id: int | None, data: TechnicianInput) -> Technician:
    """Create a technician, or replace an existing one's details, skills, shifts and absences."""
    tech = _get(Technician, technician_id) if technician_id else None
    errors: dict[str, str] = {}
    for name in ("code", "name", "phone"):
        _require(errors, name, getattr(data, name))
    if data.code and _taken(Technician, "code", data.code, technician_id):
        errors["code"] = f"code {data.code!r} is taken"
    if not (-90 <= data.home_lat <= 90 and -180 <= data.home_lon <= 180):
        errors["home"] = "latitude -90..90 and longitude -180..180"
    regions = _regions(errors, "primary_region", [data.primary_region])
    helps = _regions(errors, "help_regions", data.help_regions)
    if data.primary_region in data.help_regions:
        errors["help_regions"] = "the primary region is not a may-help region"
    skills = _skills(errors, "skills", data.skills)
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
    minutes_between = (data.lunch_end.hour * 60 + data.lunch_end.minute) - (
        data.lunch_start.hour * 60 + data.lunch_start.minute
    )
    if data.lunch_minutes < 0 or (data.lunch_minutes and minutes_between < data.lunch_minutes):
        errors["lunch"] = f"a {data.lunch_minutes}-minute lunch must fit between its start and end"
    if errors:
        raise Invalid(errors)
    if tech is None:
        tech = Technician(code=data.code)
        db.session.add(tech)
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
    # Old rows go first: the new ones reuse their keys (a skill, a weekday).
    tech.skills, tech.shifts, tech.absences = [], [], []
    db.session.flush()
    tech.skills = [TechnicianSkill(skill=skills[code], level=level) for code, level in data.skills]
    tech.shifts = [ShiftPattern(weekday=d, start_time=s, end_time=e) for d, s, e in data.shifts]
    tech.absences = [Absence(start_date=a, end_date=b, reason=r) for a, b, r in data.absences]
    db.session.commit()
    return tech


def set_technician_active(*, technician_id: int, active: bool) -> Technician:
    """Deactivate a technician (kept for history; their login closes too) or bring them back."""
    tech = _get(Technician, technician_id)
    tech.active = active
    login = db.session.scalar(select(User).where(User.technician_id == tech.id))
    if login is not None:
        login.active = active
    db.session.commit()
    return tech


def save_region(*, region_id: int | None, data: RegionInput) -> Region:
    """Create or change a region: its time zone must exist and its outline must be a valid ring."""
    region = _get(Region, region_id) if region_id else None
    errors: dict[str, str] = {}
    for name in ("code", "name"):
        _require(errors, name, getattr(data, name))
    if data.code and _taken(Region, "code", data.code, region_id):
        errors["code"] = f"code {data.code!r} is taken"
    try:
        zone(data.time_zone)
    except ValueError as exc:
        errors["time_zone"] = str(exc)
    parent = None
    if data.parent:
        parent = _regions(errors, "parent", [data.parent]).get(data.parent)
        if parent is not None and region is not None and _descends(parent, region):
            errors["parent"] = "a region cannot sit inside itself"
    ring = None
    if data.polygon:
        try:
            ring = [list(p) for p in validate_ring(list(data.polygon))]
        except ValueError as exc:
            errors["polygon"] = str(exc)
    taken = db.session.scalars(
        select(RegionPostalCode).where(RegionPostalCode.postal_code.in_(data.postal_codes))
    ).all()
    clashes = sorted(p.postal_code for p in taken if p.region_id != region_id)
    if clashes:
        errors["postal_codes"] = f"already in another region: {', '.join(clashes)}"
    if not data.polygon and not data.postal_codes:
        errors["polygon"] = "give an outline, postal codes, or both"
    if not (data.speed_kmh > 0 and data.detour_factor >= 1):
        errors["speed_kmh"] = "speed must be positive and the detour factor at least 1"
    if errors:
        raise Invalid(errors)
    if region is None:
        region = Region(code=data.code)
        db.session.add(region)
    region.code, region.name, region.name_local = data.code.strip(), data.name.strip(), data.name_local
    region.time_zone, region.parent, region.polygon = data.time_zone, parent, ring
    region.speed_kmh, region.detour_factor = data.speed_kmh, data.detour_factor
    region.postal_codes = []
    db.session.flush()
    region.postal_codes = [RegionPostalCode(postal_code=c) for c in data.postal_codes]
    db.session.commit()
    return region


def _descends(candidate: Region, region: Region) -> bool:
    node: Region | None = candidate
    while node is not None:
        if node.id == region.id:
            return True
        node = node.parent
    return False


def set_region_active(*, region_id: int, active: bool) -> Region:
    """Stop placing new orders in a region, or start again; its history stays."""
    region = _get(Region, region_id)
    region.active = active
    db.session.commit()
    return region


def save_product(*, product_id: int | None, data: ProductInput) -> Product:
    """Create or change a product and the work each kind of order for it takes."""
    product = _get(Product, product_id) if product_id else None
    errors: dict[str, str] = {}
    for name in ("sku", "name"):
        _require(errors, name, getattr(data, name))
    if data.sku and _taken(Product, "sku", data.sku, product_id):
        errors["sku"] = f"SKU {data.sku!r} is taken"
    if data.volume_l < 0:
        errors["volume_l"] = "must not be negative"
    if not data.work:
        errors["work"] = "give the work for at least one kind of order"
    skills: dict[str, Skill] = {}
    for work in data.work:
        if work.kind not in KINDS:
            errors[f"work_{work.kind}"] = f"kind must be one of {', '.join(KINDS)}"
        if work.duration_min <= 0:
            errors[f"work_{work.kind}"] = "the work must take some minutes"
        if not 1 <= work.crew_size <= 4:
            errors[f"work_{work.kind}"] = "a crew of 1 to 4"
        skills.update(_skills(errors, f"work_{work.kind}", work.skills))
    if errors:
        raise Invalid(errors)
    if product is None:
        product = Product(sku=data.sku)
        db.session.add(product)
    product.sku, product.name = data.sku.strip(), data.name.strip()
    product.category, product.volume_l = data.category.strip(), data.volume_l
    product.work = []
    db.session.flush()
    product.work = [
        ProductWork(
            kind=w.kind,
            duration_min=w.duration_min,
            crew_size=w.crew_size,
            skills=[ProductWorkSkill(skill=skills[c], min_level=level) for c, level in w.skills],
        )
        for w in data.work
    ]
    db.session.commit()
    return product


def set_product_active(*, product_id: int, active: bool) -> Product:
    """Withdraw a product from new orders, or offer it again."""
    product = _get(Product, product_id)
    product.active = active
    db.session.commit()
    return product


def _get(model: type[T], ident: int) -> T:
    found = db.session.get(model, ident)
    if found is None:
        raise NotFound(f"{model.__name__.lower()} {ident} not found")
    return found


def all_skills() -> list[Skill]:
    """Every skill, for the forms' pickers."""
    return list(db.session.scalars(select(Skill).order_by(Skill.code)))


def all_regions() -> list[Region]:
    """Every region, active or not, for administration."""
    return list(db.session.scalars(select(Region).order_by(Region.code)))


def all_products() -> list[Product]:
    """The whole catalogue, withdrawn products included."""
    return list(db.session.scalars(select(Product).order_by(Product.sku)))
