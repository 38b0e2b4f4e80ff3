"""Optimize from the board: start a plan run, follow its progress, review it against the day, publish it."""

from __future__ import annotations

from typing import Any

from flask import current_app, jsonify, request
from flask_login import login_required
from werkzeug.wrappers import Response

from app.console import bp
from app.console.auth import office_scope, office_user
from app.services.console import choose_region, load_region_day, parse_day, plan_status
from app.services.events import Actor
from app.services.plan_review import review_plan
from app.services.plan_store import decode, encode
from app.services.planning import get_plan, request_plan
from app.services.publishing import publish_plan
from app.services.regions import find_region


@bp.post("/api/plans")
@login_required
def start_plan() -> tuple[Response, int]:
    """Queue a plan of the board's region and day; the board then polls it."""
    body = request.get_json(silent=True) or {}
    region = choose_region(user=office_user(), code=body.get("region"))
    plan = request_plan(
        day=parse_day(body.get("date"), region),
        region_codes=[region.code],
        time_limit_s=current_app.config["CONSOLE_PLAN_TIME_LIMIT_S"]
        or current_app.config["PLAN_TIME_LIMIT_S"],
        requested_by=office_user(),
        scope=office_scope(),
        enqueue=current_app.extensions["fieldops.enqueue_plan"],
    )
    return jsonify(plan_status(plan)), 202


@bp.get("/api/plans/<int:plan_id>")
@login_required
def show_plan(plan_id: int) -> Response:
    """The run's progress; once done, what publishing it would change on the board's region."""
    plan = get_plan(plan_id, scope=office_scope())
    answer: dict[str, Any] = {**(plan_status(plan) or {})}
    if plan.status == "done":
        region = choose_region(user=office_user(), code=request.args.get("region") or plan.region_codes[0])
        answer["review"] = review_plan(plan, load_region_day(region, plan.day))
    return jsonify(answer)


@bp.post("/api/plans/<int:plan_id>/publish")
@login_required
def publish(plan_id: int) -> Response:
    """Make the plan the technicians' schedule."""
    plan = publish_plan(plan_id, actor=Actor.of(office_user()), scope=office_scope())
    publication = encode(decode(plan.result or {})).get("publication") or {}
    region = find_region(plan.region_codes[0])
    return jsonify(
        {**(plan_status(plan) or {}), "publication": publication, "region": region.code if region else None}
    )
