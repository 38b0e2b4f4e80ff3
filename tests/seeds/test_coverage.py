"""The demo workforce covers the catalogue the way a seller's team would, region by region."""

from __future__ import annotations

from datetime import date

import pytest

from dispatch.intake import Work, WorkNeeds, combine_work
from seeds import DemoCity, OrderSeed, TechnicianSeed, build_demo
from seeds.technicians import SCARCE

START = date(2026, 11, 23)  # a Monday
MOST_LEFT_UNCOVERED = 0.03


@pytest.fixture(scope="module")
def city() -> DemoCity:
    """The default demo week."""
    return build_demo(start=START)


def needs(city: DemoCity, order: OrderSeed) -> WorkNeeds:
    """What the order asks of one visit, combined the way intake combines it."""
    catalogue = {product.sku: product for product in city.products}
    lines = []
    for sku, quantity in order.items:
        product = catalogue[sku]
        work = next(w for w in product.work if w.kind == order.kind)
        lines.append((Work(work.duration_min, work.crew_size, work.skills, product.volume_l), quantity))
    return combine_work(lines)


def region_of(city: DemoCity, order: OrderSeed) -> str:
    """The district of the order's postal code."""
    return next(region.code for region in city.regions if order.postal_code in region.postal_codes)


def can_do(technician: TechnicianSeed, region: str, need: WorkNeeds) -> bool:
    """Whether the technician works in the region (primary or may-help) with every skill and the crew."""
    held = dict(technician.skills)
    in_region = region == technician.primary_region or region in technician.help_regions
    skilled = all(held.get(code, 0) >= level for code, level in need.skills)
    return in_region and skilled and technician.crew_size >= need.crew_size


def uncovered(city: DemoCity) -> list[tuple[OrderSeed, WorkNeeds]]:
    """Orders that no technician of their region could take, whatever the day."""
    found = []
    for order in city.orders:
        need, region = needs(city, order), region_of(city, order)
        if not any(can_do(t, region, need) for t in city.technicians):
            found.append((order, need))
    return found


@pytest.mark.parametrize("seed", [7, 8, 11, 12345])
def test_almost_every_order_has_a_skilled_technician_in_its_region(seed: int) -> None:
    """At most 3 % of a demo week's orders find nobody in their region with the skills, levels and crew."""
    demo = build_demo(seed=seed, start=START)
    assert len(uncovered(demo)) <= MOST_LEFT_UNCOVERED * len(demo.orders)


@pytest.mark.parametrize("seed", [7, 8, 11, 12345])
def test_orders_left_uncovered_need_a_skill_the_demo_keeps_scarce(seed: int) -> None:
    """Each order nobody can take needs a skill level that the seeds say is deliberately rare."""
    demo = build_demo(seed=seed, start=START)
    for order, need in uncovered(demo):
        scarce = [(code, level) for code, level in need.skills if level >= SCARCE.get(code, 4)]
        assert scarce, (order.external_ref, need)


def test_every_district_has_a_two_person_crew_of_its_own(city: DemoCity) -> None:
    """Common work (furniture, large appliances) has a two-person crew based in every district."""
    for region in (r for r in city.regions if r.parent_code):
        crews = [t for t in city.technicians if t.primary_region == region.code and t.crew_size == 2]
        assert any(dict(t.skills).get("furniture_assembly", 0) >= 2 for t in crews), region.code


@pytest.mark.parametrize(("skill", "level"), [("aircon_install", 2), ("aircon_install", 3), ("plumbing", 3)])
def test_specialists_are_few_but_reach_beyond_their_home_districts(
    city: DemoCity, skill: str, level: int
) -> None:
    """A specialist skill is held by a minority, who help in more districts than they live in."""
    holders = [t for t in city.technicians if dict(t.skills).get(skill, 0) >= level]
    homes = {t.primary_region for t in holders}
    reached = homes.union(*(t.help_regions for t in holders))
    assert 0 < len(holders) < len(city.technicians) / 4
    assert len(reached) >= 2 * len(homes)
