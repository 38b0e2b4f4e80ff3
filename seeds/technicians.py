"""A technician workforce spread over the districts by demand, with trades, shifts, absences and vans."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from datetime import date, timedelta

from seeds.geometry import point_near
from seeds.model import AbsenceSeed, ShiftSeed, TechnicianSeed
from seeds.people import mobile_number, person_name
from seeds.regions import District

Skills = dict[str, int]

LUNCH = ("11:30", "13:30", 45)
ABSENCE_REASONS = ("annual leave", "sick leave", "training", "van servicing")
ABSENT_SHARE = 0.1  # a handful of a forty-strong workforce is away on some day of the week

# Skills the demo keeps deliberately rare, from this level up, so that a plan shows no_skilled_technician
# for a cause a dispatcher recognises: floor laying is done by a few two-person crews for the whole city,
# and multi-split air conditioners need the level-3 refrigerant-handling certificate that few crews hold.
# Orders needing them in a district that no such crew reaches are left unassigned on purpose.
SCARCE = {"flooring": 1, "aircon_install": 3}


def _furniture(rng: random.Random) -> Skills:
    skills = {"furniture_assembly": rng.choice((2, 2, 3))}
    if rng.random() < 0.35:
        skills["flooring"] = rng.choice((1, 2))
    return skills


def _appliance(rng: random.Random) -> Skills:
    skills = {"appliance_install": rng.choice((2, 2, 3))}
    if rng.random() < 0.6:
        skills["electrical"] = 1
    if rng.random() < 0.4:
        skills["plumbing"] = 1
    if rng.random() < 0.4:
        skills["water_heater_install"] = rng.choice((1, 2))
    return skills


def _aircon(rng: random.Random) -> Skills:
    skills = {"aircon_install": rng.choice((2, 2, 3)), "appliance_install": rng.choice((1, 2))}
    if rng.random() < 0.7:
        skills["electrical"] = 1
    return skills


def _plumber(rng: random.Random) -> Skills:
    skills = {"plumbing": rng.choice((2, 3))}
    if rng.random() < 0.7:
        skills["water_heater_install"] = rng.choice((1, 2))
    if rng.random() < 0.3:
        skills["appliance_install"] = 1
    return skills


def _electrician(rng: random.Random) -> Skills:
    skills = {"electrical": rng.choice((2, 3))}
    if rng.random() < 0.5:
        skills["appliance_install"] = 1
    if rng.random() < 0.3:
        skills["water_heater_install"] = 1
    return skills


def _all_rounder(rng: random.Random) -> Skills:
    skills = {"furniture_assembly": 2, "appliance_install": 2, "plumbing": 1, "electrical": 1}
    if rng.random() < 0.3:
        skills["water_heater_install"] = 1
    if rng.random() < 0.3:
        skills["flooring"] = 1
    return skills


# trade: (share of the workforce, skills, van sizes in litres)
TRADES: dict[str, tuple[float, Callable[[random.Random], Skills], tuple[int, ...]]] = {
    "furniture": (0.33, _furniture, (6500, 8000)),
    "appliance": (0.25, _appliance, (5000, 6500, 8000)),
    "aircon": (0.15, _aircon, (5000, 6500)),
    "plumber": (0.10, _plumber, (3000, 3500, 4000)),
    "electrician": (0.07, _electrician, (3000, 3500)),
    "all_rounder": (0.10, _all_rounder, (5000, 6500)),
}

# Furniture and air-conditioner technicians work in two-person teams, as heavy and high work needs.
TEAM_TRADES = frozenset({"furniture", "aircon"})

# pattern: (share, {weekday: (start, end)})
_WEEKDAYS = range(5)
SHIFT_PATTERNS: dict[str, tuple[float, dict[int, tuple[str, str]]]] = {
    "early": (0.45, {day: ("08:00", "18:00") for day in range(6)}),
    "late": (0.30, {day: ("09:00", "19:00") for day in range(6)}),
    "weekend": (0.15, {day: ("09:00", "19:00") for day in range(1, 7)}),
    "short_saturday": (0.10, {**{day: ("08:00", "18:00") for day in _WEEKDAYS}, 5: ("08:00", "14:00")}),
}


def build_technicians(
    rng: random.Random, *, count: int, start: date, days: int, districts: Sequence[District]
) -> tuple[TechnicianSeed, ...]:
    """A workforce of the given size, placed by demand, with trades in their usual proportions."""
    homes = _shuffled(rng, _apportion(count, {d.code: d.demand_weight for d in districts}, floor_one=True))
    shares = {name: share for name, (share, _, _) in TRADES.items()}
    trades = _spread_trades(homes, _shuffled(rng, _apportion(count, shares)))
    patterns = [rng.choices(list(SHIFT_PATTERNS), [p[0] for p in SHIFT_PATTERNS.values()])[0] for _ in homes]
    by_code = {d.code: d for d in districts}
    absent = set(rng.sample(range(count), min(count, round(count * ABSENT_SHARE)))) if days > 0 else set()
    names: set[str] = set()
    phones: set[str] = set()
    technicians = []
    for index, (code, trade, pattern) in enumerate(zip(homes, trades, patterns, strict=True)):
        district = by_code[code]
        home_lon, home_lat = _home(rng, district)
        technicians.append(
            TechnicianSeed(
                code=f"T{index + 1:03d}",
                name=_unique(lambda: person_name(rng, technician=True)[0], names),
                phone=_unique(lambda: mobile_number(rng), phones),
                home_lat=home_lat,
                home_lon=home_lon,
                primary_region=code,
                help_regions=_help_regions(rng, district),
                skills=tuple(sorted(TRADES[trade][1](rng).items())),
                shifts=tuple(
                    ShiftSeed(weekday=day, start=begin, end=end)
                    for day, (begin, end) in sorted(SHIFT_PATTERNS[pattern][1].items())
                ),
                absences=_absences(rng, start, days) if index in absent else (),
                lunch_start=LUNCH[0],
                lunch_end=LUNCH[1],
                lunch_minutes=LUNCH[2],
                van_volume_l=rng.choice(TRADES[trade][2]),
                crew_size=2 if trade in TEAM_TRADES else 1,
            )
        )
    return tuple(technicians)


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
    """Give each district a mix of trades, biggest teams first, keeping the overall proportions."""
    pool = list(trades)
    spread = [""] * len(homes)
    teams: dict[str, list[int]] = {}
    for index, code in enumerate(homes):
        teams.setdefault(code, []).append(index)
    for code in sorted(teams, key=lambda code: (-len(teams[code]), code)):
        present: set[str] = set()
        for index in teams[code]:
            trade = next((trade for trade in pool if trade not in present), pool[0])
            pool.remove(trade)
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


def _help_regions(rng: random.Random, district: District) -> tuple[str, ...]:
    neighbours = sorted(district.neighbours)
    if not neighbours:
        return ()
    return tuple(sorted(rng.sample(neighbours, rng.randint(1, min(3, len(neighbours))))))


def _absences(rng: random.Random, start: date, days: int) -> tuple[AbsenceSeed, ...]:
    first = rng.randrange(days)
    length = min(rng.choice((1, 1, 2)), days - first)
    begin = start + timedelta(days=first)
    end = begin + timedelta(days=length - 1)
    return (AbsenceSeed(start=begin, end=end, reason=rng.choice(ABSENCE_REASONS)),)
