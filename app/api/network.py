"""The technician network: who works where, with which skills."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask_smorest import Blueprint

from app.schemas.network import RegionOut, TechnicianOut
from app.security import OFFICE_ROLES, current_scope, token_required
from app.services.network import list_regions, list_technicians

blp = Blueprint("network", __name__, url_prefix="/api/v1", description="Technicians and regions")


class TechnicianQuery(ma.Schema):
    include_inactive = ma.fields.Boolean(load_default=False)


@blp.get("/technicians")
@token_required(*OFFICE_ROLES)
@blp.arguments(TechnicianQuery, location="query")
@blp.response(200, TechnicianOut(many=True))
def technicians(args: dict[str, Any]) -> Any:
    """Technicians working in the dispatcher's regions, with skills and levels."""
    return list_technicians(scope=current_scope(), include_inactive=args["include_inactive"])


@blp.get("/regions")
@token_required(*OFFICE_ROLES)
@blp.response(200, RegionOut(many=True))
def regions() -> Any:
    """The regions the dispatcher works in, with their time zones."""
    return list_regions(scope=current_scope())
