"""A technician workforce spread over the districts by demand, with trades, shifts, absences and vans.

The workforce is drawn the way a seller staffs a network: every district has a two-person install crew of
its own for the common work (furniture, large appliances and connecting them up); the specialists (certified
air-conditioner crews, kitchen-and-bath fitters, plumbers, electricians and floor layers) are fewer, the top
level of each trade goes first to the busiest districts, and may-help regions are drawn so that a district's
team, with its neighbours' help, covers every piece of work in the catalogue (seeds.coverage). What is left
uncovered is kept so on purpose and named in SCARCE.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from seeds.coverage import Skills, catalogue_needs, help_regions
from seeds.geometry import point_near
from seeds.model import AbsenceSeed, ProductSeed, ShiftSeed, TechnicianSeed
from seeds.people import mobile_number, person_name
from seeds.regions import District

LUNCH = ("11:30", "13:30", 45)
ABSENCE_REASONS = ("annual leave", "sick leave", "training", "van servicing")
ABSENT_SHARE = 0.1  # a handful of a forty-strong workforce is away on some day of the week

# Skills the demo keeps deliberately rare, from this level up, so that a plan shows no_skilled_technician
# for a cause a dispatcher recognises: floor laying is done by a few two-person crews for the whole city,
# and multi-split air conditioners need the level-3 refrigerant-handling certificate that few crews hold.
# Orders needing them in a district that no such crew reaches are left unassigned on purpose.
SCARCE = {"flooring": 1, "aircon_install": 3}


def _install_crew(rng: random.Random, senior: bool) -> Skills:
    # Delivery-and-installation crews carry furniture and large appliances in and connect them up.
    skills = {
        "furniture_assembly": 3 if senior else 2,
        "appliance_install": 2,
        "plumbing": 1,
        "electrical": 1,
    }
    if senior or rng.random() < 0.3:
        skills["electrical"] = 2
    return skills


def _aircon(rng: random.Random, senior: bool) -> Skills:
    # Level 3 is the refrigerant-handling certificate for multi-split and central systems.
    return {"aircon_install": 3 if senior else 2, "electrical": 1, "appliance_install": rng.choice((1, 2))}


def _appliance(rng: random.Random, senior: bool) -> Skills:
    # Kitchen-and-bath fitters plumb in the dishwashers, heaters and vanity units they bring.
    return {
        "appliance_install": 3 if senior else 2,
        "plumbing": 2,
        "electrical": 1,
        "water_heater_install": 2,
        "furniture_assembly": 1,
    }


def _plumber(rng: random.Random, senior: bool) -> Skills:
    return {
        "plumbing": 3 if senior else 2,
        "water_heater_install": 2,
        "electrical": 1,
        "furniture_assembly": 1,
    }


def _electrician(rng: random.Random, senior: bool) -> Skills:
    skills = {"electrical": 3 if senior else 2, "appliance_install": 1, "furniture_assembly": 1}
    if rng.random() < 0.5:
        skills["furniture_assembly"] = 2
    return skills


def _flooring(rng: random.Random, senior: bool) -> Skills:
    return {"flooring": 2 if senior else rng.choice((1, 2)), "furniture_assembly": 2}


@dataclass(frozen=True)
class Trade:
    """A kind of van on the road: its share of the workforce, crew, skills and van sizes."""

    share: float
    crew_size: int
    senior_share: float  # how many hold the top level of their main skill
    skills: Callable[[random.Random, bool], Skills]
    vans_l: tuple[int, ...]


# Every district has an install crew of its own; the specialists are fewer and help their neighbours.
TRADES: dict[str, Trade] = {
    "install": Trade(0.40, 2, 0.4, _install_crew, (6500, 8000)),
    "aircon": Trade(0.17, 2, 0.7, _aircon, (5000, 6500)),
    "appliance": Trade(0.18, 1, 0.75, _appliance, (5000, 6500)),
    "plumber": Trade(0.09, 1, 0.3, _plumber, (3000, 3500, 4000)),
    "electrician": Trade(0.10, 1, 0.3, _electrician, (3000, 3500)),
    "flooring": Trade(0.06, 2, 0.5, _flooring, (6500, 8000)),
}
FIRST_TRADE = "install"


# pattern: (share, {weekday: (start, end)})
_WEEKDAYS = range(5)
SHIFT_PATTERNS: dict[str, tuple[float, dict[int, tuple[str, str]]]] = {
    "early": (0.45, {day: ("08:00", "18:00") for day in range(6)}),
    "late": (0.30, {day: ("09:00", "19:00") for day in range(6)}),
    "weekend": (0.15, {day: ("09:00", "19:00") for day in range(1, 7)}),
    "short_saturday": (0.10, {**{day: ("08:00", "18:00") for day in _WEEKDAYS}, 5: ("08:00", "14:00")}),
}


def build_technicians(
    rng: random.Random,
    *,
    count: int,
    start: date,
    days: int,
    districts: Sequence[District],
    products: Sequence[ProductSeed] = (),
) -> tuple[TechnicianSeed, ...]:
    """A workforce placed by demand: a crew in every district, specialists helping where they are lacking."""
    homes = _shuffled(rng, _apportion(count, {d.code: d.demand_weight for d in districts}, floor_one=True))
    trades = _spread_trades(homes, _apportion(count, {name: trade.share for name, trade in TRADES.items()}))
    patterns = [rng.choices(list(SHIFT_PATTERNS), [p[0] for p in SHIFT_PATTERNS.values()])[0] for _ in homes]
    seniors = _seniority(homes, trades)
    skills = [TRADES[trade].skills(rng, senior) for trade, senior in zip(trades, seniors, strict=True)]
    crews = [TRADES[trade].crew_size for trade in trades]
    helps = help_regions(rng, homes, skills, crews, districts, catalogue_needs(products))
    by_code = {d.code: d for d in districts}
    absent = set(rng.sample(range(count), min(count, round(count * ABSENT_SHARE)))) if days > 0 else set()
    names: set[str] = set()
    phones: set[str] = set()
    technicians = []
    for index, (code, trade, pattern) in enumerate(zip(homes, trades, patterns, strict=True)):
        home_lon, home_lat = _home(rng, by_code[code])
        technicians.append(
            TechnicianSeed(
                code=f"T{index + 1:03d}",
                name=_unique(lambda: person_name(rng, technician=True)[0], names),
                phone=_unique(lambda: mobile_number(rng), phones),
                home_lat=home_lat,
                home_lon=home_lon,
                primary_region=code,
                help_regions=helps[index],
                skills=tuple(sorted(skills[index].items())),
                shifts=_shifts(pattern),
                absences=_absences(rng, start, days) if index in absent else (),
                lunch_start=LUNCH[0],
                lunch_end=LUNCH[1],
                lunch_minutes=LUNCH[2],
                van_volume_l=rng.choice(TRADES[trade].vans_l),
                crew_size=crews[index],
            )
        )
    return tuple(technicians)


def _seniority(homes: Sequence[str], trades: Sequence[str]) -> list[bool]:
    """Who holds the top level of their trade: busiest districts first, then evenly spaced over the rest."""
    size = Counter(homes)
    seen: Counter[str] = Counter()
    senior = [False] * len(trades)
    for index in sorted(range(len(trades)), key=lambda index: (-size[homes[index]], index)):
        share, nth = TRADES[trades[index]].senior_share, seen[trades[index]]
        senior[index] = int((nth + 1) * share) > int(nth * share) or nth == 0
        seen[trades[index]] += 1
    return senior


def _shifts(pattern: str) -> tuple[ShiftSeed, ...]:
    days = sorted(SHIFT_PATTERNS[pattern][1].items())
    return tuple(ShiftSeed(weekday=day, start=begin, end=end) for day, (begin, end) in days)


def _apportion(total: int, weights: dict[str, float], *, floor_one: bool = False) -> list[str]:
    """Split a count over keys in proportion to weights (largest remainder), one each first if asked."""
    keys = sorted(weights, key=lambda key: -weights[key])
    base = {key: 0 for key in keys}
    if floor_one and total >= len(keys):
        base = {key: 1 for key in keys}
    left = total - sum(base.values())
    scale = sum(weights.values())
    quotas = {key: left * weights[key] / scale for key in keys}
    for key in keys:
        base[key] += int(quotas[key])
    remainder = total - sum(base.values())
    for key in sorted(keys, key=lambda key: quotas[key] - int(quotas[key]), reverse=True)[:remainder]:
        base[key] += 1
    return [key for key in keys for _ in range(base[key])]


def _spread_trades(homes: list[str], trades: list[str]) -> list[str]:
    """An install crew in every district first, then a mix of the other trades, biggest teams first."""
    pool = Counter(trades)
    spread = [""] * len(homes)
    teams: dict[str, list[int]] = {}
    for index, code in enumerate(homes):
        teams.setdefault(code, []).append(index)
    ranked = sorted(teams, key=lambda code: (-len(teams[code]), code))
    for code in ranked:
        if pool[FIRST_TRADE]:
            spread[teams[code][0]] = FIRST_TRADE
            pool[FIRST_TRADE] -= 1
    for code in ranked:
        present = {spread[index] for index in teams[code]}
        for index in (index for index in teams[code] if not spread[index]):
            # The trade the district lacks that is most plentiful, so that none runs out early.
            trade = max(pool, key=lambda name: (pool[name] > 0, name not in present, pool[name]))
            pool[trade] -= 1
            present.add(trade)
            spread[index] = trade
    return spread


def _shuffled(rng: random.Random, items: list[str]) -> list[str]:
    rng.shuffle(items)
    return items


def _unique(draw: Callable[[], str], seen: set[str]) -> str:
    # Namesakes are real enough in a large workforce, so give up after a few draws rather than loop forever.
    value = draw()
    for _ in range(20):
        if value not in seen:
            break
        value = draw()
    seen.add(value)
    return value


def _home(rng: random.Random, district: District) -> tuple[float, float]:
    # Technicians live in the neighbourhoods they serve, a short way off a main road.
    anchor = rng.choice(district.anchors)
    return point_near(rng, anchor.lon, anchor.lat, district.region.polygon, max_m=1500.0, min_m=300.0)


def _absences(rng: random.Random, start: date, days: int) -> tuple[AbsenceSeed, ...]:
    first = rng.randrange(days)
    length = min(rng.choice((1, 1, 2)), days - first)
    begin = start + timedelta(days=first)
    end = begin + timedelta(days=length - 1)
    return (AbsenceSeed(start=begin, end=end, reason=rng.choice(ABSENCE_REASONS)),)
