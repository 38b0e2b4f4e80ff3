"""Complaints: opened by a dispatcher, or by a customer or a bad survey, and worked to their close."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from app.schemas.quality import (
    ComplaintIn,
    ComplaintListOut,
    ComplaintListQuery,
    ComplaintOut,
    ComplaintPatch,
)
from app.security import OFFICE_ROLES, current_scope, current_user, token_required
from app.services.complaints import (
    NewComplaint,
    create_complaint,
    get_complaint,
    list_complaints,
    update_complaint,
)
from app.services.events import Actor

blp = Blueprint("complaints", __name__, url_prefix="/api/v1/complaints", description="Complaints")


@blp.get("")
@token_required(*OFFICE_ROLES)
@blp.arguments(ComplaintListQuery, location="query")
@blp.response(200, ComplaintListOut)
def list_(args: dict[str, Any]) -> Any:
    """Complaints in the caller's regions, newest first; filter by order, status or region."""
    items = list_complaints(
        scope=current_scope(),
        order_id=args.get("order_id"),
        status=args.get("status"),
        region_code=args.get("region"),
    )
    return {"items": items}


@blp.post("")
@token_required(*OFFICE_ROLES)
@blp.arguments(ComplaintIn)
@blp.response(201, ComplaintOut)
@blp.alt_response(404, description="No such order, or not one the caller may see")
def create(intake: tuple[int, NewComplaint]) -> Any:
    """Open a complaint on an order, on the customer's behalf."""
    order_id, new = intake
    return create_complaint(order_id=order_id, new=new, actor=Actor.of(current_user()), scope=current_scope())


# One view for both methods, so that an id too large for a row is 404 for each (two rules on one path would
# answer 405 for the method of the other).
@blp.route("/<int:complaint_id>")
class OneComplaint(MethodView):
    @token_required(*OFFICE_ROLES)
    @blp.response(200, ComplaintOut)
    def get(self, complaint_id: int) -> Any:
        """One complaint with what was found and done."""
        return get_complaint(complaint_id, scope=current_scope())

    @token_required(*OFFICE_ROLES)
    @blp.arguments(ComplaintPatch)
    @blp.response(200, ComplaintOut)
    @blp.alt_response(409, description="The complaint cannot go to that status from its own, or is closed")
    def patch(self, changes: dict[str, Any], complaint_id: int) -> Any:
        """Acknowledge, resolve, close or reopen a complaint; record its fault, root cause and resolution."""
        return update_complaint(
            complaint_id, changes=changes, actor=Actor.of(current_user()), scope=current_scope()
        )
