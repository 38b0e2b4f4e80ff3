"""The map and the live status of a day: outlines, homes, visits, routes and where the phones are."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from app.extensions import db
from app.models import Order, Region, TechnicianPosition, Visit
from app.services.console import RegionDay, board
from app.services.network import list_regions

# What a technician is doing, read from the visit furthest along; the first match wins.
FIELD_STATUSES = ("in_progress", "paused", "arrived", "en_route", "accepted")


def map_layers(rd: RegionDay, *, scope: set[int] | None) -> dict[str, Any]:
    """Everything the map draws, in Leaflet's [lat, lon] order: outlines, homes, visits and routes."""
    board_day = board(rd)
    homes = {t.id: [t.home_lat, t.home_lon] for t in rd.technicians}
    by_tech: dict[int, list[dict[str, Any]]] = {}
    for item in sorted(board_day["visits"], key=lambda v: v["start"]):
        by_tech.setdefault(item["technician_id"], []).append(item)
    routes = [
        {
            "technician_id": tech_id,
            "points": [homes[tech_id], *([v["lat"], v["lon"]] for v in visits), homes[tech_id]],
        }
        for tech_id, visits in by_tech.items()
        if tech_id in homes
    ]
    return {
        "region": board_day["region"],
        "date": board_day["date"],
        "regions": [
            {
                "code": r.code,
                "name": r.name,
                "current": r.id == rd.region.id,
                "outline": [[lat, lon] for lon, lat in r.polygon or []],
            }
            for r in list_regions(scope=scope)
            if r.polygon
        ],
        "technicians": [{**row, "home": homes[row["id"]]} for row in board_day["technicians"]],
        "visits": board_day["visits"],
        "unassigned": board_day["unassigned"],
        "routes": routes,
        "live": live_status(rd.region, rd.day),
    }


def live_status(region: Region, day: date) -> dict[str, Any]:
    """Each technician's field status and last known position, and each visit's status, for the day."""
    visits = db.session.scalars(
        select(Visit)
        .join(Order)
        .where(Visit.day == day, Order.region_id == region.id, Visit.technician_id.is_not(None))
        .order_by(Visit.id)
    ).all()
    statuses: dict[int, list[str]] = {}
    for visit in visits:
        statuses.setdefault(visit.technician_id or 0, []).append(visit.status)
    positions = last_positions(set(statuses))
    technicians = []
    for tech_id, seen in statuses.items():
        status = next((s for s in FIELD_STATUSES if s in seen), None)
        if status is None:
            status = "done" if all(s in Visit.CLOSED_STATUSES for s in seen) else "planned"
        technicians.append({"id": tech_id, "status": status, "position": positions.get(tech_id)})
    return {
        "technicians": technicians,
        "visits": [{"id": v.id, "status": v.status, "locked": v.locked} for v in visits],
    }


def last_positions(technician_ids: set[int]) -> dict[int, dict[str, Any]]:
    """Where the technicians' phones last reported being."""
    rows = db.session.scalars(
        select(TechnicianPosition).where(TechnicianPosition.technician_id.in_(technician_ids))
    )
    return {
        row.technician_id: {"lat": row.lat, "lon": row.lon, "reported_at": row.reported_at.isoformat()}
        for row in rows
    }
