"""The technician network: who works where, with which skills."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask_smorest import Blueprint

from app.schemas import fields
from app.schemas.network import DayQuery, RegionOut, TechnicianDayOut, TechnicianOut
from app.security import OFFICE_ROLES, current_scope, token_required
from app.services.network import list_regions, list_technicians, technician_day_view

blp = Blueprint("network", __name__, url_prefix="/api/v1", description="Technicians and regions")


class TechnicianQuery(ma.Schema):
    include_inactive = fields.Boolean(load_default=False)


@blp.get("/technicians")
@token_required(*OFFICE_ROLES)
@blp.arguments(TechnicianQuery, location="query")
@blp.response(200, TechnicianOut(many=True))
def technicians(args: dict[str, Any]) -> Any:
    """Technicians working in the dispatcher's regions, with skills and levels."""
    return list_technicians(scope=current_scope(), include_inactive=args["include_inactive"])


@blp.get("/technicians/<int:technician_id>/day")
@token_required(*OFFICE_ROLES)
@blp.arguments(DayQuery, location="query")
@blp.response(200, TechnicianDayOut)
def technician_day(args: dict[str, Any], technician_id: int) -> Any:
    """The technician's visits of the day in every region, in time order: no two of them overlap."""
    return technician_day_view(technician_id=technician_id, day=args["date"], scope=current_scope())


@blp.get("/regions")
@token_required(*OFFICE_ROLES)
@blp.response(200, RegionOut(many=True))
def regions() -> Any:
    """The regions the dispatcher works in, with their time zones."""
    return list_regions(scope=current_scope())
