"""The plan API's request and response shapes."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

import marshmallow as ma
from marshmallow import validate as v

from app.models import PLAN_STATUSES
from app.schemas import fields

MAX_TIME_LIMIT_S = 600
LOCAL_TIME = {"format": "date-time", "description": "Local time with its offset"}


def _local_time(**kwargs: object) -> fields.String:
    # Stored already rendered in the regions' time zone, so they are served as they are.
    return fields.String(metadata=LOCAL_TIME, **kwargs)  # type: ignore[arg-type]


class PlanIn(ma.Schema):
    date = fields.Date(required=True, metadata={"description": "The day, in the regions' time zone"})
    regions = fields.List(
        fields.String(validate=v.Length(min=1, max=32)),
        load_default=None,
        validate=v.Length(min=1, max=200),
        metadata={"description": "Region codes; all the caller dispatches when left out"},
    )
    time_limit_s = fields.Integer(
        load_default=None,
        validate=v.Range(min=1, max=MAX_TIME_LIMIT_S),
        metadata={"description": "How long the optimizer may search, in seconds"},
    )
    from_ = fields.AwareDateTime(
        data_key="from",
        load_default=None,
        metadata={
            "description": "Place nothing before this moment (with its offset, on the plan's day); "
            "for today the default is now"
        },
    )


class TechnicianRefOut(ma.Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()


class PlannedVisitOut(ma.Schema):
    order_id = fields.Integer()
    sequence = fields.Integer()
    arrival = _local_time()
    start = _local_time()
    end = _local_time()
    window_start = _local_time()
    window_end = _local_time()
    promised = fields.Boolean(metadata={"description": "The window was already given to the customer"})
    helping = fields.Boolean(metadata={"description": "Outside the technician's primary region"})


class BreakOut(ma.Schema):
    start = _local_time()
    end = _local_time()


class RouteOut(ma.Schema):
    technician = fields.Nested(TechnicianRefOut)
    departure = _local_time()
    back = _local_time(data_key="return", attribute="return")
    travel_seconds = fields.Integer()
    travel_metres = fields.Integer()
    breaks = fields.List(fields.Nested(BreakOut))
    visits = fields.List(fields.Nested(PlannedVisitOut), metadata={"description": "In visit order"})


class ReasonOut(ma.Schema):
    code = fields.String()
    detail = fields.String()
    hint = fields.String(metadata={"description": "What a dispatcher can do about it"})


class UnassignedOut(ma.Schema):
    order_id = fields.Integer()
    reasons = fields.List(fields.Nested(ReasonOut))


class TotalsOut(ma.Schema):
    travel_seconds = fields.Integer()
    travel_metres = fields.Integer()
    assigned = fields.Integer()
    unassigned = fields.Integer()
    technicians = fields.Integer()


class SkippedOut(ma.Schema):
    order_id = fields.Integer()
    detail = fields.String()


class PublicationOut(ma.Schema):
    published_at = _local_time()
    visits_created = fields.Integer()
    visits_updated = fields.Integer()
    visits_unchanged = fields.Integer()
    visits_released = fields.Integer()
    skipped = fields.List(
        fields.Nested(SkippedOut), metadata={"description": "Orders that changed since the plan was made"}
    )


class PlanOut(ma.Schema):
    id = fields.Integer()
    date = fields.Date(attribute="day")
    regions = fields.List(fields.String(), attribute="region_codes")
    time_zone = fields.String()
    status = fields.String(metadata={"enum": list(PLAN_STATUSES)})
    progress = fields.Integer(metadata={"description": "Percent done, 0 to 100"})
    time_limit_s = fields.Integer()
    from_ = fields.Method("_from", data_key="from", allow_none=True, metadata=LOCAL_TIME)
    requested_by = fields.Function(lambda plan: plan.requested_by.login if plan.requested_by else None)
    created_at = fields.AwareDateTime()
    started_at = fields.AwareDateTime(allow_none=True)
    finished_at = fields.AwareDateTime(allow_none=True)
    error = fields.String(allow_none=True)
    published_at = fields.AwareDateTime(allow_none=True)
    published_by = fields.Function(lambda plan: plan.published_by.login if plan.published_by else None)
    # Present once the plan is done.
    routes = fields.List(fields.Nested(RouteOut), attribute="result.routes")
    unassigned = fields.List(fields.Nested(UnassignedOut), attribute="result.unassigned")
    totals = fields.Nested(TotalsOut, attribute="result.totals")
    publication = fields.Nested(PublicationOut, attribute="result.publication", allow_none=True)

    def _from(self, plan: Any) -> str | None:
        """When the plan places work from, in the regions' own time."""
        if plan.not_before is None:
            return None
        return plan.not_before.astimezone(ZoneInfo(plan.time_zone)).isoformat()
