"""May-help regions drawn so that every district's team, with its neighbours' help, covers the catalogue."""

from __future__ import annotations

import random
from collections.abc import Sequence

from seeds.model import ProductSeed
from seeds.regions import District

Skills = dict[str, int]
Need = tuple[tuple[tuple[str, int], ...], int]  # (skill, minimum level) pairs and the crew size

MAX_HELP = 3  # a van serves its own district and at most three neighbours, or its days are spent driving


def catalogue_needs(products: Sequence[ProductSeed]) -> tuple[Need, ...]:
    """Every distinct set of skills and crew a unit of work in the catalogue asks for."""
    return tuple(sorted({(work.skills, work.crew_size) for product in products for work in product.work}))


def can_do(skills: Skills, crew_size: int, need: Need) -> bool:
    """Whether a van's crew has every skill at its level and enough people for the work."""
    wanted, crew = need
    return crew_size >= crew and all(skills.get(code, 0) >= level for code, level in wanted)


def help_regions(
    rng: random.Random,
    homes: Sequence[str],
    skills: Sequence[Skills],
    crews: Sequence[int],
    districts: Sequence[District],
    needs: Sequence[Need],
) -> list[tuple[str, ...]]:
    """Each technician's may-help districts: first where a neighbour lacks their skills, then one or two."""
    helps: list[set[str]] = [set() for _ in homes]
    by_code = {district.code: district for district in districts}
    able = {need: [i for i in range(len(homes)) if can_do(skills[i], crews[i], need)] for need in needs}
    # The thinnest teams choose helpers first, and the rarest work is placed before the common work.
    order = sorted(by_code, key=lambda code: (homes.count(code), -by_code[code].demand_weight, code))
    for code in order:
        for need in sorted(needs, key=lambda need: (len(able[need]), need)):
            if any(homes[i] == code or code in helps[i] for i in able[need]):
                continue
            nearby = [
                i for i in able[need] if homes[i] in by_code[code].neighbours and len(helps[i]) < MAX_HELP
            ]
            if nearby:
                helps[min(nearby, key=lambda i: (len(helps[i]), i))].add(code)
    for i, home in enumerate(homes):
        # Everybody lends a hand next door now and then, whether or not the catalogue needs it.
        spare = sorted(set(by_code[home].neighbours) - helps[i])
        if not helps[i] and spare:
            helps[i].update(rng.sample(spare, min(len(spare), rng.randint(1, 2))))
    return [tuple(sorted(found)) for found in helps]
