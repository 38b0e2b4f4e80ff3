"""A dispatcher placing an order nobody could locate: a pin dropped on the map, or coordinates typed in."""

from __future__ import annotations

from app.extensions import db
from app.models import Order
from app.services.errors import Conflict
from app.services.events import Actor, record_order_transition
from app.services.locations import SiteLocation, place_site
from app.services.orders import first_action, get_order, serving_region
from app.services.regions import local_today
from dispatch import LocationQuality, OrderAction, TransitionError
from dispatch import transition as lifecycle_step
from routing import Point


def place_order(order_id: int, *, lat: float, lon: float, actor: Actor, scope: set[int] | None) -> Order:
    """Put the order's site at the point (GCJ-02), give it the region there, and move the order on."""
    order = get_order(order_id, scope=scope)
    try:
        step = lifecycle_step(order.status, OrderAction.LOCATE)
    except TransitionError as exc:
        raise Conflict(str(exc)) from exc
    point = Point(lat=lat, lon=lon)
    # The dispatcher's pin outranks the postal code the customer wrote.
    region = serving_region(SiteLocation(point, None, LocationQuality.EXACT), scope)
    assert region is not None  # a point always has a region, or serving_region refused it
    place_site(order.site, point, region)
    order.region = region
    order.location_quality = LocationQuality.EXACT.value
    record_order_transition(order, step, actor, data={"lat": lat, "lon": lon})
    record_order_transition(
        order, lifecycle_step(order.status, first_action(order, local_today(region))), actor
    )
    db.session.commit()
    return order
