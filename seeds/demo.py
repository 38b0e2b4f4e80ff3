"""The whole demo city in one call: same seed and start, same data."""

from __future__ import annotations

import random
from datetime import date

from seeds.catalogue import products, skills
from seeds.model import DemoCity
from seeds.orders import build_orders
from seeds.regions import districts, regions
from seeds.technicians import build_technicians


def build_demo(
    *, seed: int = 7, technicians: int = 40, orders: int = 300, days: int = 7, start: date
) -> DemoCity:
    """Shanghai with its districts, skills, catalogue, a workforce and a week of orders, all reproducible."""
    if technicians < 0:
        raise ValueError(f"technicians must be zero or more, not {technicians}")
    if orders < 0:
        raise ValueError(f"orders must be zero or more, not {orders}")
    if days < 1:
        raise ValueError(f"days must be at least 1, not {days}")
    master = random.Random(seed)
    # Separate streams, so asking for more orders leaves the workforce as it was.
    workforce_rng = random.Random(master.getrandbits(64))
    orders_rng = random.Random(master.getrandbits(64))
    city = districts()
    catalogue = products()
    workforce = build_technicians(
        workforce_rng, count=technicians, start=start, days=days, districts=city, products=catalogue
    )
    week = build_orders(orders_rng, count=orders, start=start, days=days, districts=city, products=catalogue)
    return DemoCity(
        regions=regions(), skills=skills(), products=catalogue, technicians=workforce, orders=week
    )
