"""The phone itself: logging out, reporting where it is, and a bare liveness check."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_smorest import Blueprint

from app.schemas.mobile import MobileLocationIn, MobileLocationOut
from app.security import bearer_token, current_user, token_required
from app.services.mobile import record_position
from app.services.users import revoke_token
from mobile_api.visits import TECHNICIAN

blp = Blueprint(
    "mobile_device", __name__, url_prefix="/api/mobile/v1", description="Technician phones: the device"
)


@blp.delete("/session")
@token_required(TECHNICIAN)
@blp.response(204)
def log_out() -> None:
    """The token of this request stops working at once (a lost or handed-over phone)."""
    token = bearer_token()
    assert token is not None  # token_required let the request in
    revoke_token(token)


@blp.post("/location")
@token_required(TECHNICIAN)
@blp.arguments(MobileLocationIn)
@blp.response(202, MobileLocationOut)
def report_location(ping: dict[str, Any]) -> dict[str, bool]:
    """Keep the technician's position for the console and ETAs; pings closer together are dropped."""
    stored = record_position(
        user=current_user(),
        lat=ping["lat"],
        lon=ping["lon"],
        at=ping["at"],
        min_interval_s=float(current_app.config["LOCATION_MIN_INTERVAL_S"]),
    )
    return {"stored": stored}


@blp.get("/ping")
@blp.response(200)
def ping() -> dict[str, bool]:
    """Answer without touching the database: for load balancers and as a baseline for benchmarks."""
    return {"ok": True}
