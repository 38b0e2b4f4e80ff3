"""A week of customer orders from online and own-shop channels, at addresses inside the districts."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date, timedelta

from seeds.geometry import point_near
from seeds.model import OrderSeed, ProductSeed
from seeds.people import email_address, mobile_number, person_name
from seeds.regions import District

KIND_WEIGHTS = {"install": 55, "repair": 30, "exchange": 8, "pickup": 7}
CHANNELS = {"tmall": ("TM", 40), "jd": ("JD", 35), "own_shop": ("OS", 25)}  # channel: (ref prefix, weight)
# Weights of one, two and three items per order.
ITEM_COUNT_WEIGHTS = {
    "install": (70, 22, 8),
    "repair": (92, 8, 0),
    "exchange": (85, 15, 0),
    "pickup": (75, 25, 0),
}
# Repairs are urgent far more often than deliveries; together these give ~10% high and ~3% urgent.
PRIORITY_WEIGHTS = {"repair": (77, 15, 8), "other": (91.2, 8, 0.8)}  # normal, high, urgent
ADDRESS_JITTER_M = 400.0

# How often each category is ordered; repairs lean on appliances, which break more than furniture does.
CATEGORY_WEIGHTS = {
    "sofa": 10,
    "wardrobe": 8,
    "bed": 8,
    "mattress": 5,
    "dining_set": 4,
    "desk": 5,
    "washing_machine": 8,
    "dryer": 3,
    "dishwasher": 3,
    "fridge": 6,
    "range_hood": 5,
    "gas_hob": 3,
    "water_heater": 6,
    "air_conditioner": 10,
    "water_purifier": 3,
    "smart_lock": 5,
    "lighting": 4,
    "bathroom_cabinet": 3,
    "toilet": 4,
    "shower": 3,
    "flooring": 2,
}
APPLIANCES = frozenset(
    {
        "washing_machine",
        "dryer",
        "dishwasher",
        "fridge",
        "range_hood",
        "gas_hob",
        "water_heater",
        "air_conditioner",
        "water_purifier",
    }
)
# Items bought together come from the same room.
ROOMS = {
    "living": {"sofa", "dining_set", "lighting"},
    "bedroom": {"bed", "mattress", "wardrobe"},
    "study": {"desk", "lighting"},
    "kitchen": {"fridge", "range_hood", "gas_hob", "dishwasher", "water_purifier"},
    "laundry": {"washing_machine", "dryer"},
    "bathroom": {"bathroom_cabinet", "toilet", "shower", "water_heater"},
    "climate": {"air_conditioner"},
    "entrance": {"smart_lock", "lighting"},
    "floors": {"flooring"},
}
MULTI_UNIT = {"AC-W15": (1, 1, 2, 3), "LGT-LED": (1, 1, 2, 3), "DESK-STU": (1, 1, 2)}

ACCESS_NOTES = (
    "Call 30 minutes before arrival.",
    "No lift: sixth-floor walk-up.",
    "Book the service lift with property management first.",
    "Park in the basement; the entrance is on the east side.",
    "Customer at home after 14:00 only.",
    "Please bring shoe covers.",
    "Dog at home.",
    "Tell the compound guard the flat number; visitors must register.",
)
KIND_NOTES = {
    "install": (
        "Take the packaging away.",
        "Concrete walls: bring the hammer drill.",
        "Keep the old unit; the customer sells it on.",
    ),
    "exchange": ("Replacement for a unit delivered damaged.", "Customer chose a different colour."),
    "pickup": ("Return within the seven-day no-reason window.", "Customer moving out; collect the old unit."),
}
REPAIR_NOTES = {
    "washing_machine": ("Drum does not spin.", "Leaks during the spin cycle."),
    "fridge": ("Not cooling enough.", "Water pooling under the crisper drawers."),
    "air_conditioner": ("Blows warm air.", "Water dripping from the indoor unit."),
    "water_heater": ("No hot water.", "Leaking at the inlet valve."),
    "toilet": ("Cistern keeps running.", "Seat heater does not work."),
    "smart_lock": ("Fingerprint reader does not respond.", "Latch sticks when locking."),
    "lighting": ("Flickers when dimmed.", "Half the panel stays dark."),
    "flooring": ("Boards lifting near the balcony door.", "Gap opening along one wall."),
    "shower": ("Thermostat does not hold the temperature.", "Dripping from the handset."),
    "appliance": ("Error code on the display.", "Trips the circuit breaker when switched on."),
    "furniture": ("Door hinge loose.", "Drawer runner broken.", "Wobbles; joints need re-tightening."),
}


def build_orders(
    rng: random.Random,
    *,
    count: int,
    start: date,
    days: int,
    districts: Sequence[District],
    products: Sequence[ProductSeed],
) -> tuple[OrderSeed, ...]:
    """Orders spread over the districts by demand, dated within the week that starts on start."""
    weights = [d.demand_weight for d in districts]
    sequence = {channel: rng.randint(100, 900) for channel in CHANNELS}
    orders = []
    for _ in range(count):
        district = rng.choices(districts, weights)[0]
        kind = rng.choices(list(KIND_WEIGHTS), list(KIND_WEIGHTS.values()))[0]
        channel = rng.choices(list(CHANNELS), [weight for _, weight in CHANNELS.values()])[0]
        sequence[channel] += 1
        items = _items(rng, kind, products)
        earliest = _earliest_start(rng, kind, start, days)
        # Every order is already on the books when the week starts; goods bought online ship within days.
        lead_days = rng.randint(0, 2) if kind in ("repair", "pickup") else rng.randint(0, 6)
        placed = start - timedelta(days=lead_days)
        name, pinyin = person_name(rng)
        anchor = rng.choice(district.anchors)
        lon, lat = point_near(rng, anchor.lon, anchor.lat, district.region.polygon, max_m=ADDRESS_JITTER_M)
        orders.append(
            OrderSeed(
                channel=channel,
                external_ref=f"{CHANNELS[channel][0]}-{placed:%Y%m%d}-{sequence[channel]:06d}",
                kind=kind,
                customer_name=name,
                phone=mobile_number(rng),
                email=email_address(rng, pinyin) if rng.random() < 0.55 else None,
                address=f"No. {rng.randint(1, 1500)}, {anchor.street}, {district.address_label}, Shanghai",
                lat=lat,
                lon=lon,
                postal_code=anchor.postal_code,
                items=items,
                priority=_priority(rng, kind),
                earliest_start=earliest,
                notes=_notes(rng, kind, items[0][0], products),
            )
        )
    return tuple(orders)


def _items(rng: random.Random, kind: str, products: Sequence[ProductSeed]) -> tuple[tuple[str, int], ...]:
    wanted = rng.choices((1, 2, 3), ITEM_COUNT_WEIGHTS[kind])[0]
    eligible = [p for p in products if p.supports(kind)]
    first = rng.choices(eligible, [_weight(p, kind) for p in eligible])[0]
    rooms = [members for members in ROOMS.values() if first.category in members]
    companions = [p for p in eligible if p.sku != first.sku and any(p.category in room for room in rooms)]
    chosen = [first, *rng.sample(companions, min(wanted - 1, len(companions)))]
    return tuple((p.sku, _quantity(rng, p, kind)) for p in chosen)


def _weight(product: ProductSeed, kind: str) -> float:
    weight = float(CATEGORY_WEIGHTS.get(product.category, 1))
    if kind == "repair":
        weight *= 2.0 if product.category in APPLIANCES else 0.5
    return weight


def _quantity(rng: random.Random, product: ProductSeed, kind: str) -> int:
    if kind == "install" and product.sku in MULTI_UNIT:
        return rng.choice(MULTI_UNIT[product.sku])
    return 1


def _earliest_start(rng: random.Random, kind: str, start: date, days: int) -> date:
    # Repairs and pickups can start at once; installs and exchanges wait for the goods to arrive.
    if kind == "pickup":
        offset = 0
    elif kind == "repair":
        offset = 0 if rng.random() < 0.7 else rng.randint(1, 2)
    else:
        offset = rng.randrange(days)
    return start + timedelta(days=min(offset, days - 1))


def _priority(rng: random.Random, kind: str) -> str:
    weights = PRIORITY_WEIGHTS["repair" if kind == "repair" else "other"]
    return rng.choices(("normal", "high", "urgent"), weights)[0]


def _notes(rng: random.Random, kind: str, first_sku: str, products: Sequence[ProductSeed]) -> str:
    notes = []
    if kind == "repair":
        category = next(p.category for p in products if p.sku == first_sku)
        fallback = "appliance" if category in APPLIANCES else "furniture"
        notes.append(rng.choice(REPAIR_NOTES.get(category, REPAIR_NOTES[fallback])))
    elif rng.random() < 0.5:
        notes.append(rng.choice(KIND_NOTES[kind]))
    if rng.random() < 0.45:
        notes.append(rng.choice(ACCESS_NOTES))
    return " ".join(notes)
