"""Trade skills and the SKU catalogue: furniture, appliances and building materials with their work."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from seeds.model import ProductSeed, SkillSeed, WorkSeed

KINDS = ("install", "repair", "exchange", "pickup")

SKILLS = (
    SkillSeed("furniture_assembly", "Furniture assembly", certified=False),
    SkillSeed("appliance_install", "Appliance installation", certified=False),
    # Split units need a level-2 refrigerant handling certificate, multi-split and central systems level 3.
    SkillSeed("aircon_install", "Air-conditioner installation", certified=True),
    SkillSeed("plumbing", "Plumbing", certified=False),
    SkillSeed("electrical", "Electrical work", certified=False),
    SkillSeed("flooring", "Floor laying", certified=False),
    SkillSeed("water_heater_install", "Water-heater installation", certified=False),
)


def skills() -> tuple[SkillSeed, ...]:
    """Every skill a product or technician may name."""
    return SKILLS


@cache
def products() -> tuple[ProductSeed, ...]:
    """The SKU catalogue, each product with the work of every order kind it supports."""
    text = resources.files("seeds").joinpath("data").joinpath("products.json").read_text(encoding="utf-8")
    return tuple(_product(row) for row in json.loads(text)["products"])


def _product(row: dict[str, Any]) -> ProductSeed:
    given = [kind for kind in ("install", "repair", "pickup") if kind in row]
    work = {kind: _work(kind, row[kind], row["sku"]) for kind in given}
    if "install" in work and "pickup" in work:
        work["exchange"] = _exchange(work["pickup"], work["install"])
    return ProductSeed(
        sku=row["sku"],
        name=row["name"],
        category=row["category"],
        volume_l=int(row["volume_l"]),
        work=tuple(work[kind] for kind in KINDS if kind in work),
    )


def _work(kind: str, spec: list[Any], sku: str) -> WorkSeed:
    minutes, crew, needs = spec
    known = {skill.code for skill in SKILLS}
    for code, level in needs.items():
        if code not in known:
            raise ValueError(f"{sku} {kind}: unknown skill {code!r}")
        if not 1 <= level <= 3:
            raise ValueError(f"{sku} {kind}: level {level} of {code} is outside 1-3")
    return WorkSeed(
        kind=kind, duration_min=int(minutes), crew_size=int(crew), skills=tuple(sorted(needs.items()))
    )


def _exchange(pickup: WorkSeed, install: WorkSeed) -> WorkSeed:
    # Taking the old unit away and fitting the new one happen in the same visit by the same crew.
    needs: dict[str, int] = {}
    for code, level in (*pickup.skills, *install.skills):
        needs[code] = max(level, needs.get(code, 0))
    return WorkSeed(
        kind="exchange",
        duration_min=pickup.duration_min + install.duration_min,
        crew_size=max(pickup.crew_size, install.crew_size),
        skills=tuple(sorted(needs.items())),
    )
