"""The technician's day: visits in route order, one visit, its ETA, and the events the phone reports."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from flask import Response, request
from flask_smorest import Blueprint

from app.schemas.mobile import (
    MobileDayQuery,
    MobileEtaOut,
    MobileEventResultOut,
    MobileVisitEventIn,
    MobileVisitSheetOut,
)
from app.security import current_user, token_required
from app.services.field_events import VisitEventInput, report_event
from app.services.idempotency import fingerprint
from app.services.mobile import VisitSheet, day_sheets, visit_eta, visit_sheet
from mobile_api.http import IDEMPOTENCY_KEY_HEADER, idempotency_key, json_body, reply_response

TECHNICIAN = "technician"

blp = Blueprint(
    "mobile_visits", __name__, url_prefix="/api/mobile/v1", description="Technician phones: the day's visits"
)


@blp.get("/visits")
@token_required(TECHNICIAN)
@blp.arguments(MobileDayQuery, location="query")
@blp.response(200, MobileVisitSheetOut(many=True))
def list_visits(args: dict[str, Any]) -> list[VisitSheet]:
    """The caller's visits of a day in route order, with what is needed at each door."""
    _, sheets = day_sheets(user=current_user(), day=args.get("date"))
    return sheets


@blp.get("/visits/<int:visit_id>")
@token_required(TECHNICIAN)
@blp.response(200, MobileVisitSheetOut)
def show_visit(visit_id: int) -> VisitSheet:
    """One of the caller's visits, as on the day's list."""
    return visit_sheet(user=current_user(), visit_id=visit_id)


@blp.get("/visits/<int:visit_id>/eta")
@token_required(TECHNICIAN)
@blp.response(200, MobileEtaOut)
def show_eta(visit_id: int) -> dict[str, Any]:
    """The arrival time computed when the technician set off, as the customer sees it."""
    visit, progress = visit_eta(user=current_user(), visit_id=visit_id)
    zone = visit.order.region.time_zone
    return {
        "visit_id": visit.id,
        "status": visit.status,
        "eta": _local(progress.eta, zone),
        "computed_at": _local(progress.eta_computed_at, zone),
    }


def _local(moment: Any, zone: str) -> str | None:
    return moment.astimezone(ZoneInfo(zone)).isoformat() if moment else None


@blp.post("/visits/<int:visit_id>/events")
@token_required(TECHNICIAN)
@blp.arguments(MobileVisitEventIn)
@blp.doc(parameters=[IDEMPOTENCY_KEY_HEADER])
@blp.response(201, MobileEventResultOut)
@blp.alt_response(409, description="The visit's status does not allow this event; nothing changed")
@blp.alt_response(
    422, description="Invalid body, missing Idempotency-Key, or the key reused for another body"
)
def post_event(event: VisitEventInput, visit_id: int) -> Response:
    """Report a status event; send the same Idempotency-Key on retries to get the first answer back."""
    reply = report_event(
        user=current_user(),
        visit_id=visit_id,
        event=event,
        key=idempotency_key(),
        request_hash=fingerprint(request.method, request.path, json_body()),
    )
    return reply_response(reply)
