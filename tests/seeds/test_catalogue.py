"""Skills and the SKU catalogue."""

from __future__ import annotations

import pytest

from seeds.catalogue import KINDS, products, skills

SKILL_CODES = {skill.code for skill in skills()}


def by_sku(sku: str):
    """The catalogue entry for a SKU."""
    return next(product for product in products() if product.sku == sku)


def work(sku: str, kind: str):
    """A product's work for an order kind."""
    return next(item for item in by_sku(sku).work if item.kind == kind)


def test_catalogue_has_about_thirty_distinct_skus() -> None:
    """There are around thirty SKUs and no SKU is listed twice."""
    skus = [product.sku for product in products()]
    assert 28 <= len(skus) <= 36
    assert len(set(skus)) == len(skus)


def test_only_air_conditioner_installation_is_a_certification() -> None:
    """Air-conditioner installation is the certified skill among the trades."""
    assert {skill.code for skill in skills() if skill.certified} == {"aircon_install"}


def test_every_work_item_is_well_formed() -> None:
    """Kinds are known and unique per product, durations and crews positive, skills known at levels 1-3."""
    for product in products():
        kinds = [item.kind for item in product.work]
        assert len(kinds) == len(set(kinds)) and set(kinds) <= set(KINDS), product.sku
        assert product.volume_l > 0
        for item in product.work:
            assert item.duration_min > 0 and item.crew_size in (1, 2)
            assert all(code in SKILL_CODES and 1 <= level <= 3 for code, level in item.skills)


def test_most_products_support_all_four_kinds() -> None:
    """Only a few products, such as flooring, lack an order kind."""
    partial = [product.sku for product in products() if len(product.work) < len(KINDS)]
    assert 0 < len(partial) <= len(products()) // 4


def test_exchange_is_pickup_then_install() -> None:
    """An exchange takes as long as a pickup and an install together, with the stricter skills of both."""
    for product in products():
        kinds = {item.kind: item for item in product.work}
        assert ("exchange" in kinds) == ("install" in kinds and "pickup" in kinds)
        if "exchange" in kinds:
            exchange, pickup, install = kinds["exchange"], kinds["pickup"], kinds["install"]
            assert exchange.duration_min == pickup.duration_min + install.duration_min
            assert exchange.crew_size == max(pickup.crew_size, install.crew_size)
            assert dict(install.skills).items() <= dict(exchange.skills).items()


@pytest.mark.parametrize(
    ("sku", "kind", "minutes", "crew", "needs"),
    [
        ("WARD-3D", "install", 150, 2, {"furniture_assembly": 2}),
        ("HOOD-90", "install", 90, 1, {"appliance_install": 2, "electrical": 1}),
        ("AC-W15", "install", 120, 2, {"aircon_install": 2}),
        ("AC-MS3", "install", 480, 2, {"aircon_install": 3, "electrical": 1}),
        ("LOCK-SM", "install", 45, 1, {"appliance_install": 1}),
    ],
)
def test_known_jobs_take_realistic_work(sku: str, kind: str, minutes: int, crew: int, needs: dict) -> None:
    """Familiar jobs have the durations, crews and skill levels the trade expects."""
    item = work(sku, kind)
    assert (item.duration_min, item.crew_size, dict(item.skills)) == (minutes, crew, needs)


def test_repairs_are_shorter_than_installs_of_big_items() -> None:
    """Repairing a wardrobe or a multi-split takes less time than installing it."""
    for sku in ("WARD-SL", "AC-MS3", "DW-13"):
        assert work(sku, "repair").duration_min < work(sku, "install").duration_min


@pytest.mark.parametrize(("bulky", "small"), [("SOFA-L", "FR-FD"), ("FR-FD", "HOB-2"), ("HOB-2", "LOCK-SM")])
def test_volumes_rank_as_in_life(bulky: str, small: str) -> None:
    """A corner sofa outsizes a fridge, which outsizes a hob, which outsizes a smart lock."""
    assert by_sku(bulky).volume_l > by_sku(small).volume_l
