"""Small, explicit test data: two regions of Shanghai, a catalogue, technicians and logins."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import time
from typing import Any

from flask.testing import FlaskClient

from app.extensions import db
from app.models import (
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
    User,
)
from app.services.users import create_user

# Two boxes that stand in for Xuhui and Pudong; the real outlines live in seeds/.
WEST = [(121.40, 31.15), (121.48, 31.15), (121.48, 31.22), (121.40, 31.22)]
EAST = [(121.50, 31.15), (121.60, 31.15), (121.60, 31.25), (121.50, 31.25)]
PASSWORD = "lantern-copper-47"


def make_region(
    code: str,
    *,
    polygon: Sequence[tuple[float, float]] | None = None,
    postal_codes: Sequence[str] = (),
    time_zone: str = "Asia/Shanghai",
    parent: Region | None = None,
) -> Region:
    """A region with an outline and/or postal codes."""
    region = Region(
        code=code,
        name=f"Region {code}",
        time_zone=time_zone,
        polygon=[list(p) for p in polygon] if polygon else None,
        postal_codes=[RegionPostalCode(postal_code=c) for c in postal_codes],
        parent=parent,
    )
    db.session.add(region)
    return region


def make_slot_templates(region: Region, specs: Sequence[str], *, active: bool = True) -> list[SlotTemplate]:
    """The region's own booking slots, each given as "HH:MM-HH:MM" local time."""
    templates = []
    for spec in specs:
        first, last = (time.fromisoformat(part) for part in spec.split("-"))
        templates.append(SlotTemplate(region=region, start_time=first, end_time=last, active=active))
    db.session.add_all(templates)
    return templates


def make_skill(code: str, *, certified: bool = False) -> Skill:
    skill = Skill(code=code, name=code.replace("_", " ").title(), certified=certified)
    db.session.add(skill)
    return skill


def make_product(
    sku: str, work: dict[str, tuple[int, int, Sequence[tuple[Skill, int]]]], *, volume_l: int = 100
) -> Product:
    """A product with, per kind, (duration_min, crew_size, [(skill, min_level)])."""
    product = Product(sku=sku, name=f"Product {sku}", category="test", volume_l=volume_l)
    for kind, (duration, crew, skills) in work.items():
        product.work.append(
            ProductWork(
                kind=kind,
                duration_min=duration,
                crew_size=crew,
                skills=[ProductWorkSkill(skill=s, min_level=level) for s, level in skills],
            )
        )
    db.session.add(product)
    return product


def make_technician(
    code: str,
    region: Region,
    skills: Sequence[tuple[Skill, int]],
    *,
    help_regions: Sequence[Region] = (),
    crew_size: int = 2,
) -> Technician:
    """A technician working Monday to Saturday, 08:00-18:00."""
    tech = Technician(
        code=code,
        name=f"Technician {code}",
        phone="+8613800000000",
        home_lat=31.18,
        home_lon=121.44,
        primary_region=region,
        help_regions=list(help_regions),
        crew_size=crew_size,
        skills=[TechnicianSkill(skill=s, level=level) for s, level in skills],
        shifts=[ShiftPattern(weekday=d, start_time=time(8), end_time=time(18)) for d in range(6)],
    )
    db.session.add(tech)
    return tech


@dataclass
class Network:
    west: Region
    east: Region
    furniture: Skill
    aircon: Skill
    sofa: Product
    aircon_unit: Product
    technician: Technician
    users: dict[str, User]


def make_network() -> Network:
    """The standard test network, committed, with logins of every role."""
    west = make_region("XH", polygon=WEST, postal_codes=["200030", "200031"])
    east = make_region("PD", polygon=EAST, postal_codes=["200120"])
    furniture = make_skill("furniture_assembly")
    aircon = make_skill("aircon_install", certified=True)
    sofa = make_product(
        "SOFA-3", {"install": (60, 2, [(furniture, 1)]), "pickup": (20, 1, [])}, volume_l=1500
    )
    aircon_unit = make_product("AC-SPLIT", {"install": (120, 2, [(aircon, 2), (furniture, 1)])}, volume_l=300)
    technician = make_technician("T001", west, [(furniture, 2), (aircon, 2)])
    db.session.commit()
    users = {
        "admin": create_user(login="admin", password=PASSWORD, role="admin"),
        "dispatcher": create_user(login="dispatcher", password=PASSWORD, role="dispatcher"),
        "east_dispatcher": create_user(
            login="east", password=PASSWORD, role="dispatcher", region_codes=["PD"]
        ),
        "technician": create_user(login="T001", password=PASSWORD, role="technician", technician_code="T001"),
    }
    return Network(west, east, furniture, aircon, sofa, aircon_unit, technician, users)


def token(client: FlaskClient, login: str, password: str = PASSWORD) -> dict[str, str]:
    """Authorization headers for a login."""
    response = client.post("/api/v1/auth/tokens", json={"login": login, "password": password})
    assert response.status_code == 201, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def order_body(**overrides: Any) -> dict[str, Any]:
    """A valid order for a site in the west region."""
    body: dict[str, Any] = {
        "channel": "tmall",
        "external_ref": "TM-1",
        "kind": "install",
        "customer": {"name": "王伟", "phone": "13812345678", "email": "wang@example.com"},
        "site": {
            "address": "No. 8, Zhaojiabang Road, Xuhui",
            "lat": 31.19,
            "lon": 121.44,
            "postal_code": "200030",
        },
        "items": [{"sku": "SOFA-3", "qty": 1}],
    }
    body.update(overrides)
    return body
