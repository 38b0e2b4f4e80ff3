"""Orders waiting for a location: the dispatcher drops a pin on the map, or types the coordinates."""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import login_required

from app.console import bp
from app.console.auth import office_scope, office_user
from app.services.errors import Conflict, Invalid
from app.services.events import Actor
from app.services.orders import list_orders
from app.services.placing import place_order
from dispatch import OrderStatus

# Where the map opens: People's Square, in GCJ-02 like every point in the system.
CITY_CENTRE = (31.2304, 121.4737)


@bp.get("/orders/unplaced")
@login_required
def unplaced_orders() -> str:
    """The orders whose address could not be placed even in a district, oldest first, with a map."""
    orders, _ = list_orders(scope=office_scope(), status=OrderStatus.NEEDS_LOCATION, page_size=200)
    return render_template(
        "console/unplaced.html",
        orders=list(reversed(orders)),
        centre=CITY_CENTRE,
        tile_url=current_app.config["MAP_TILE_URL"],
        tile_attribution=current_app.config["MAP_TILE_ATTRIBUTION"],
        region=None,
        day=None,
    )


@bp.post("/orders/<int:order_id>/location")
@login_required
def place_unplaced_order(order_id: int) -> Any:
    """Place one order at the pin or the typed lat and lon."""
    try:
        lat, lon = float(request.form.get("lat", "")), float(request.form.get("lon", ""))
    except ValueError:
        flash(f"Order {order_id}: give a latitude and a longitude, or drop a pin on the map.", "error")
        return redirect(url_for("console.unplaced_orders"))
    try:
        order = place_order(order_id, lat=lat, lon=lon, actor=Actor.of(office_user()), scope=office_scope())
    except (Invalid, Conflict, ValueError) as exc:
        if isinstance(exc, Invalid):
            detail = "; ".join(message for messages in exc.errors.values() for message in messages)
        else:
            detail = exc.detail if isinstance(exc, Conflict) else str(exc)
        flash(f"Order {order_id}: {detail}", "error")
    else:
        flash(f"Order {order_id} placed in {order.region.code if order.region else '?'}.", "success")
    return redirect(url_for("console.unplaced_orders"))
