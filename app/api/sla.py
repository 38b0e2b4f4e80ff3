"""Service levels: the clocks that need someone's attention."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from app.schemas.sla import AtRiskOut, AtRiskQuery
from app.security import OFFICE_ROLES, current_scope, token_required
from app.services.order_clocks import at_risk

blp = Blueprint("sla", __name__, url_prefix="/api/v1/sla", description="Service levels")


@blp.get("/at-risk")
@token_required(*OFFICE_ROLES)
@blp.arguments(AtRiskQuery, location="query")
@blp.response(200, AtRiskOut)
@blp.alt_response(422, description="Unknown region")
def at_risk_clocks(args: dict[str, Any]) -> Any:
    """Open clocks in warning or breached in the caller's regions, soonest due first."""
    return {"items": at_risk(scope=current_scope(), region_code=args.get("region"))}
