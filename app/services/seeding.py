"""Loading the demo city into the database, through the same intake rules as real orders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from sqlalchemy import delete, select

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
    SlotTemplate,
    Technician,
    TechnicianSkill,
)
from app.services.booking import default_slot_templates
from app.services.events import Actor
from app.services.orders import OrderIntake, SiteInput, create_order
from app.services.users import create_user
from routing import District, GazetteerGeocoder, Place, Point, validate_ring
from seeds import DemoCity, OrderSeed
from seeds.regions import districts

SEED_ACTOR = Actor(type="system", name="seed")


@dataclass(frozen=True, slots=True)
class SeedReport:
    regions: int
    technicians: int
    products: int
    orders: int
    logins: tuple[str, ...]


class AlreadySeeded(RuntimeError):
    """The database already holds a network; seeding again would mix two cities."""


def demo_geocoder() -> GazetteerGeocoder:
    """The offline geocoder for the demo city's streets and districts, in Chinese and in English."""
    places = [
        Place(
            street=anchor.street,
            postal_code=anchor.postal_code,
            point=Point(lat=anchor.lat, lon=anchor.lon),
            district=district.region.name,
            local_name=anchor.street_zh,
        )
        for district in districts()
        for anchor in district.anchors
    ]
    areas = [
        District(
            name=district.region.name,
            other_names=(district.region.name_zh, district.address_label),
            centre=Point(lat=district.centre[1], lon=district.centre[0]),
        )
        for district in districts()
    ]
    return GazetteerGeocoder(places, areas)


def reset_database() -> None:
    """Empty every table, children first; the event log goes too, as this is for demos and tests only."""
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(delete(table))
    db.session.commit()


def load_demo(city: DemoCity, *, password: str) -> SeedReport:
    """Write the demo network and take its orders in, creating the demo logins."""
    if db.session.scalar(select(Region.id).limit(1)) is not None:
        raise AlreadySeeded("the database already has regions; use --reset to start again")
    regions = _regions(city)
    _slot_templates(regions)
    skills = {s.code: Skill(code=s.code, name=s.name, certified=s.certified) for s in city.skills}
    db.session.add_all(skills.values())
    _products(city, skills)
    technicians = _technicians(city, regions, skills)
    db.session.commit()

    logins = _logins(technicians, password)
    geocoder = demo_geocoder()
    for order in city.orders:
        create_order(intake=_intake(order), actor=SEED_ACTOR, geocoder=geocoder, scope=None)
    return SeedReport(
        regions=len(regions),
        technicians=len(technicians),
        products=len(city.products),
        orders=len(city.orders),
        logins=tuple(logins),
    )


def _slot_templates(regions: dict[str, Region]) -> None:
    for region in regions.values():
        # Written out, so that a dispatcher can see and change the demo's slots region by region.
        db.session.add_all(
            SlotTemplate(region=region, start_time=first, end_time=last)
            for first, last in default_slot_templates()
        )


def _logins(technicians: list[Technician], password: str) -> list[str]:
    logins = ["dispatcher", "admin"]
    # The demo's logins share one printed password (`demo` by default), short on purpose.
    create_user(login="dispatcher", password=password, role="dispatcher", demo_password=True)
    create_user(login="admin", password=password, role="admin", demo_password=True)
    for tech in technicians:
        create_user(
            login=tech.code,
            password=password,
            role="technician",
            technician_code=tech.code,
            demo_password=True,
        )
        logins.append(tech.code)
    return logins


def _intake(order: OrderSeed) -> OrderIntake:
    return OrderIntake(
        channel=order.channel,
        external_ref=order.external_ref,
        kind=order.kind,
        customer_name=order.customer_name,
        customer_phone=order.phone,
        customer_email=order.email,
        site=SiteInput(address=order.address, lat=order.lat, lon=order.lon, postal_code=order.postal_code),
        items=order.items,
        priority=order.priority,
        earliest_start=order.earliest_start,
        notes=order.notes,
    )


def _regions(city: DemoCity) -> dict[str, Region]:
    regions: dict[str, Region] = {}
    for seed in city.regions:
        region = Region(
            code=seed.code,
            name=seed.name,
            name_local=seed.name_zh,
            time_zone=seed.time_zone,
            polygon=[list(p) for p in validate_ring(seed.polygon)] if seed.polygon else None,
            postal_codes=[RegionPostalCode(postal_code=code) for code in seed.postal_codes],
        )
        regions[seed.code] = region
        db.session.add(region)
    for seed in city.regions:
        if seed.parent_code:
            regions[seed.code].parent = regions[seed.parent_code]
    return regions


def _products(city: DemoCity, skills: dict[str, Skill]) -> None:
    for seed in city.products:
        product = Product(sku=seed.sku, name=seed.name, category=seed.category, volume_l=seed.volume_l)
        for work in seed.work:
            product.work.append(
                ProductWork(
                    kind=work.kind,
                    duration_min=work.duration_min,
                    crew_size=work.crew_size,
                    skills=[
                        ProductWorkSkill(skill=skills[code], min_level=level) for code, level in work.skills
                    ],
                )
            )
        db.session.add(product)


def _technicians(city: DemoCity, regions: dict[str, Region], skills: dict[str, Skill]) -> list[Technician]:
    technicians = []
    for seed in city.technicians:
        tech = Technician(
            code=seed.code,
            name=seed.name,
            phone=seed.phone,
            home_lat=seed.home_lat,
            home_lon=seed.home_lon,
            primary_region=regions[seed.primary_region],
            help_regions=[regions[code] for code in seed.help_regions],
            skills=[TechnicianSkill(skill=skills[code], level=level) for code, level in seed.skills],
            shifts=[
                ShiftPattern(
                    weekday=s.weekday,
                    start_time=time.fromisoformat(s.start),
                    end_time=time.fromisoformat(s.end),
                )
                for s in seed.shifts
            ],
            absences=[Absence(start_date=a.start, end_date=a.end, reason=a.reason) for a in seed.absences],
            lunch_start=time.fromisoformat(seed.lunch_start),
            lunch_end=time.fromisoformat(seed.lunch_end),
            lunch_minutes=seed.lunch_minutes,
            van_volume_l=seed.van_volume_l,
            crew_size=seed.crew_size,
        )
        db.session.add(tech)
        technicians.append(tech)
    return technicians
