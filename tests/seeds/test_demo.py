"""The demo city: reproducible, internally consistent, and shaped like a real week in Shanghai."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, timedelta

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seeds import DemoCity, build_demo, point_in_ring

START = date(2026, 11, 23)  # a Monday
DAYS = 7


@pytest.fixture(scope="module")
def city() -> DemoCity:
    """The default demo week."""
    return build_demo(start=START)


def district_of(city: DemoCity, postal_code: str):
    """The district a postal code belongs to."""
    return next(region for region in city.regions if postal_code in region.postal_codes)


def test_same_seed_and_start_give_the_same_city(city: DemoCity) -> None:
    """Building twice with the same arguments yields equal data."""
    assert build_demo(start=START) == city


def test_a_different_seed_gives_different_orders(city: DemoCity) -> None:
    """Another seed changes the orders."""
    assert build_demo(seed=8, start=START).orders != city.orders


def test_more_orders_leave_the_workforce_alone(city: DemoCity) -> None:
    """Asking for more orders does not reshuffle the technicians."""
    assert build_demo(orders=50, start=START).technicians == city.technicians


@pytest.mark.parametrize(
    ("technicians", "orders", "days"), [(40, 300, 7), (0, 0, 1), (5, 12, 3), (120, 900, 14)]
)
def test_counts_and_dates_honour_the_arguments(technicians: int, orders: int, days: int) -> None:
    """There are as many technicians and orders as asked, dated and absent only within the days asked."""
    demo = build_demo(seed=3, technicians=technicians, orders=orders, days=days, start=START)
    last = START + timedelta(days=days - 1)
    assert len(demo.technicians) == technicians
    assert len(demo.orders) == orders
    assert all(START <= order.earliest_start <= last for order in demo.orders)
    for technician in demo.technicians:
        assert all(START <= a.start <= a.end <= last for a in technician.absences)


@pytest.mark.parametrize(("field", "value"), [("technicians", -1), ("orders", -1), ("days", 0)])
def test_impossible_arguments_are_refused(field: str, value: int) -> None:
    """Negative counts and an empty week raise ValueError naming the argument."""
    with pytest.raises(ValueError, match=field):
        build_demo(start=START, **{field: value})


def test_every_order_lies_inside_the_district_of_its_postal_code(city: DemoCity) -> None:
    """An order's point is inside its postal code's district, and its address names that district."""
    for order in city.orders:
        region = district_of(city, order.postal_code)
        assert point_in_ring(order.lon, order.lat, region.polygon), order
        label = "Pudong New Area" if region.code == "PD" else f"{region.name} District"
        assert re.fullmatch(rf"No\. \d+, [^,]+, {re.escape(label)}, Shanghai", order.address), order.address


@settings(max_examples=15, deadline=None)
@given(st.integers(min_value=0, max_value=2**32))
def test_orders_stay_inside_their_district_for_any_seed(seed: int) -> None:
    """Whatever the seed, jittered addresses never leave their district."""
    demo = build_demo(seed=seed, technicians=0, orders=60, start=START)
    for order in demo.orders:
        assert point_in_ring(order.lon, order.lat, district_of(demo, order.postal_code).polygon)


def test_every_technician_lives_in_their_primary_region(city: DemoCity) -> None:
    """A technician's home base is inside their primary district."""
    polygons = {region.code: region.polygon for region in city.regions}
    for technician in city.technicians:
        assert point_in_ring(technician.home_lon, technician.home_lat, polygons[technician.primary_region])


def test_help_regions_are_one_to_three_other_districts(city: DemoCity) -> None:
    """Technicians help in one to three districts other than their own."""
    districts = {region.code for region in city.regions if region.parent_code}
    for technician in city.technicians:
        assert 1 <= len(technician.help_regions) <= 3
        assert set(technician.help_regions) <= districts - {technician.primary_region}


def test_order_items_exist_and_support_the_order_kind(city: DemoCity) -> None:
    """Each order carries one to three distinct SKUs, each of which supports the order's kind."""
    catalogue = {product.sku: product for product in city.products}
    for order in city.orders:
        skus = [sku for sku, _ in order.items]
        assert 1 <= len(skus) <= 3 and len(set(skus)) == len(skus)
        for sku, quantity in order.items:
            assert catalogue[sku].supports(order.kind) and quantity >= 1


def test_every_skill_referenced_exists_at_levels_one_to_three(city: DemoCity) -> None:
    """Technicians and products only name known skills, at levels 1 to 3."""
    known = {skill.code for skill in city.skills}
    needs = [pair for product in city.products for work in product.work for pair in work.skills]
    held = [pair for technician in city.technicians for pair in technician.skills]
    assert held and all(code in known and 1 <= level <= 3 for code, level in needs + held)


def test_phone_numbers_are_valid_e164_mobiles(city: DemoCity) -> None:
    """Every phone number parses and is valid for mainland China."""
    for phone in [t.phone for t in city.technicians] + [o.phone for o in city.orders]:
        number = phonenumbers.parse(phone)
        assert phonenumbers.is_valid_number(number) and number.country_code == 86
        assert phone == phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def test_names_are_chinese_characters(city: DemoCity) -> None:
    """People are named in two to four Chinese characters."""
    for name in [t.name for t in city.technicians] + [o.customer_name for o in city.orders]:
        assert re.fullmatch(r"[\u4e00-\u9fff]{2,4}", name)


def test_external_refs_are_unique_and_dated_before_the_week(city: DemoCity) -> None:
    """References look like TM-20261123-000123, are unique, and no order is placed after the week starts."""
    refs = [order.external_ref for order in city.orders]
    assert len(set(refs)) == len(refs)
    prefixes = {"tmall": "TM", "jd": "JD", "own_shop": "OS"}
    for order in city.orders:
        match = re.fullmatch(r"([A-Z]{2})-(\d{8})-(\d{6})", order.external_ref)
        assert match and match.group(1) == prefixes[order.channel]
        assert match.group(2) <= f"{START:%Y%m%d}"


def test_repairs_and_pickups_can_start_at_once(city: DemoCity) -> None:
    """Pickups all start on day one; installs spread over the week as goods arrive."""
    assert {o.earliest_start for o in city.orders if o.kind == "pickup"} == {START}
    assert len({o.earliest_start for o in city.orders if o.kind == "install"}) == DAYS


def test_order_mix_is_realistic() -> None:
    """Over many orders: about 55% installs, 30% repairs, 8% exchanges, 7% pickups; ~10% high, ~3% urgent."""
    demo = build_demo(seed=11, technicians=0, orders=4000, start=START)
    kinds = Counter(order.kind for order in demo.orders)
    priorities = Counter(order.priority for order in demo.orders)
    for kind, share in {"install": 0.55, "repair": 0.30, "exchange": 0.08, "pickup": 0.07}.items():
        assert kinds[kind] / 4000 == pytest.approx(share, abs=0.03)
    assert priorities["high"] / 4000 == pytest.approx(0.10, abs=0.025)
    assert priorities["urgent"] / 4000 == pytest.approx(0.03, abs=0.015)


def test_workforce_is_spread_by_demand(city: DemoCity) -> None:
    """Every district has a technician, Pudong the most, and the outer districts one or two."""
    homes = Counter(technician.primary_region for technician in city.technicians)
    assert len(homes) == 16
    assert homes.most_common(1)[0][0] == "PD"
    assert all(homes[code] <= 2 for code in ("JS", "QP", "FX", "CM"))


def test_trades_come_in_their_usual_proportions(city: DemoCity) -> None:
    """About two fifths are two-person install crews, and a few are certified AC crews at level 2 or 3."""
    skills = [dict(technician.skills) for technician in city.technicians]
    crews = [
        t
        for t in city.technicians
        if t.crew_size == 2 and {"furniture_assembly", "appliance_install"} <= {c for c, _ in t.skills}
    ]
    assert len(crews) / len(skills) == pytest.approx(0.4, abs=0.05)
    aircon = [s["aircon_install"] for s in skills if "aircon_install" in s]
    assert len(aircon) >= 4 and set(aircon) <= {2, 3} and 3 in aircon


def test_shifts_lunch_and_vans_are_plausible(city: DemoCity) -> None:
    """Shifts are whole days from 08:00 or 09:00, most rest on Sunday, lunch is 45 minutes, vans 3-8 m³."""
    for technician in city.technicians:
        days = [shift.weekday for shift in technician.shifts]
        assert len(days) == len(set(days)) >= 5 and all(0 <= day <= 6 for day in days)
        assert all(s.start in ("08:00", "09:00") and s.start < s.end for s in technician.shifts)
        lunch = (technician.lunch_start, technician.lunch_end, technician.lunch_minutes)
        assert lunch == ("11:30", "13:30", 45)
        assert 3000 <= technician.van_volume_l <= 8000
    sunday_workers = sum(1 for t in city.technicians if any(shift.weekday == 6 for shift in t.shifts))
    assert 0 < sunday_workers < len(city.technicians) / 3


def test_a_handful_of_technicians_are_away_some_days(city: DemoCity) -> None:
    """A few technicians have one or two days of absence within the week, with a reason."""
    away = [t for t in city.technicians if t.absences]
    assert 2 <= len(away) <= 6
    for technician in away:
        for absence in technician.absences:
            assert (absence.end - absence.start).days in (0, 1) and absence.reason
