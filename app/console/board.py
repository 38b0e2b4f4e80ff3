"""The day board and the map: pages, and the JSON that feeds their timeline, map and live updates."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import current_app, jsonify, render_template, request
from flask_login import login_required
from werkzeug.wrappers import Response

from app.console import bp
from app.console.auth import office_scope, office_user
from app.models import utcnow
from app.models.limits import day_in_range, id_in_range
from app.services.console import RegionDay, board, choose_region, load_region_day, parse_day
from app.services.errors import Invalid
from app.services.live import live_status, map_layers
from app.services.manual_moves import move_order, set_visit_lock
from app.services.network import list_regions
from app.services.regions import local_today


def _region_day() -> RegionDay:
    region = choose_region(user=office_user(), code=request.args.get("region"))
    day = parse_day(request.args.get("date"), region)
    # Today's board explains the queue as the day stands now: nothing can be placed in the past.
    now = utcnow() if day == local_today(region) else None
    return load_region_day(region, day, not_before=now)


def _page(template: str, rd: RegionDay, **extra: Any) -> str:
    return render_template(
        template,
        region=rd.region,
        day=rd.day,
        previous_day=rd.day - timedelta(days=1),
        next_day=rd.day + timedelta(days=1),
        regions=list_regions(scope=office_scope()),
        live_poll_s=current_app.config["CONSOLE_LIVE_POLL_S"],
        is_today=rd.day == local_today(rd.region),
        default_time=_default_time(rd),
        **extra,
    )


def _default_time(rd: RegionDay) -> str:
    """Where the assign form's clock starts: 09:00, or on today's board the next quarter hour."""
    if rd.not_before is None:
        return "09:00"
    local = rd.not_before.astimezone(rd.zone) + timedelta(minutes=15)
    return f"{local.hour:02d}:{local.minute - local.minute % 15:02d}"


@bp.get("/")
@login_required
def index() -> str:
    """Today's board for the dispatcher's first region."""
    rd = _region_day()
    return _page("console/board.html", rd, board=board(rd))


@bp.get("/board")
@login_required
def board_page() -> str:
    """A region's day: technicians' rows on a timeline and the queue of unassigned orders."""
    rd = _region_day()
    return _page("console/board.html", rd, board=board(rd))


@bp.get("/map")
@login_required
def map_page() -> str:
    """The region on a map: outlines, technicians, visits and routes."""
    rd = _region_day()
    return _page(
        "console/map.html",
        rd,
        tile_url=current_app.config["MAP_TILE_URL"],
        tile_attribution=current_app.config["MAP_TILE_ATTRIBUTION"],
    )


@bp.get("/api/board")
@login_required
def board_data() -> Response:
    """The board's rows, visits and queue, for the timeline."""
    return jsonify(board(_region_day()))


@bp.get("/api/map")
@login_required
def map_data() -> Response:
    """Outlines, technicians, visits and routes of the region's day."""
    return jsonify(map_layers(_region_day(), scope=office_scope()))


@bp.get("/api/live")
@login_required
def live_data() -> Response:
    """Technicians' statuses and positions and visits' statuses, polled by open boards."""
    region = choose_region(user=office_user(), code=request.args.get("region"))
    return jsonify(live_status(region, parse_day(request.args.get("date"), region)))


@bp.post("/api/moves")
@login_required
def move() -> Response:
    """Put an order on a technician at a time; 409 with the broken rules when the engine refuses."""
    body = request.get_json(silent=True) or {}
    errors: dict[str, str] = {}
    order_id, technician_id = body.get("order_id"), body.get("technician_id")
    if not id_in_range(order_id):
        errors["order_id"] = "an order id is required"
    if not id_in_range(technician_id):
        errors["technician_id"] = "a technician id is required"
    try:
        start = datetime.fromisoformat(str(body.get("start")))
    except ValueError:
        errors["start"] = "an ISO 8601 time with its offset is required"
    else:
        if start.tzinfo is None or not day_in_range(start.date()):
            errors["start"] = "an ISO 8601 time with its offset, between 2000 and 2100, is required"
    if errors:
        raise Invalid(errors)
    visit = move_order(
        order_id=order_id, technician_id=technician_id, start=start, user=office_user(), scope=office_scope()
    )
    return jsonify({"visit_id": visit.id, "order_id": visit.order_id, "technician_id": visit.technician_id})


@bp.post("/api/visits/<int:visit_id>/lock")
@login_required
def lock_visit(visit_id: int) -> Response:
    """Keep a visit with its technician and time whatever the optimizer finds."""
    visit = set_visit_lock(visit_id=visit_id, locked=True, user=office_user(), scope=office_scope())
    return jsonify({"visit_id": visit.id, "locked": visit.locked})


@bp.post("/api/visits/<int:visit_id>/unlock")
@login_required
def unlock_visit(visit_id: int) -> Response:
    """Let the optimizer move a visit again."""
    visit = set_visit_lock(visit_id=visit_id, locked=False, user=office_user(), scope=office_scope())
    return jsonify({"visit_id": visit.id, "locked": visit.locked})
