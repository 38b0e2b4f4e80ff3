"""Day plans: run the optimizer in the background, watch it, and publish its routes."""

from __future__ import annotations

from typing import Any

from flask import current_app, url_for
from flask.views import MethodView
from flask_smorest import Blueprint

from app.schemas.plans import PlanIn, PlanOut
from app.security import OFFICE_ROLES, current_scope, current_user, token_required
from app.services.events import Actor
from app.services.planning import get_plan, request_plan
from app.services.publishing import publish_plan

blp = Blueprint("plans", __name__, url_prefix="/api/v1/plans", description="Day plans")


@blp.route("")
class Plans(MethodView):
    @token_required(*OFFICE_ROLES)
    @blp.arguments(PlanIn)
    @blp.response(202, PlanOut)
    @blp.alt_response(503, description="The planning queue does not answer; the run is stored as failed")
    def post(self, args: dict[str, Any]) -> tuple[Any, int, dict[str, str]]:
        """Queue a plan of the day; poll it until it is done or failed."""
        plan = request_plan(
            day=args["date"],
            region_codes=args["regions"],
            time_limit_s=args["time_limit_s"] or current_app.config["PLAN_TIME_LIMIT_S"],
            requested_by=current_user(),
            scope=current_scope(),
            enqueue=current_app.extensions["fieldops.enqueue_plan"],
            not_before=args["from_"],
        )
        return plan, 202, {"Location": url_for("plans.show_plan", plan_id=plan.id)}


@blp.get("/<int:plan_id>")
@token_required(*OFFICE_ROLES)
@blp.response(200, PlanOut)
def show_plan(plan_id: int) -> Any:
    """The plan's status and progress; its routes, unassigned orders and totals once it is done."""
    return get_plan(plan_id, scope=current_scope())


@blp.post("/<int:plan_id>/publish")
@token_required(*OFFICE_ROLES)
@blp.response(200, PlanOut)
@blp.alt_response(409, description="Already published, superseded, or it would move work under way")
def publish(plan_id: int) -> Any:
    """Make the plan the technicians' schedule, atomically."""
    return publish_plan(plan_id, actor=Actor.of(current_user()), scope=current_scope())
