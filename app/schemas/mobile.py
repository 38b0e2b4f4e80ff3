"""The phone API's request and response shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote

import marshmallow as ma
from marshmallow import validate as v

from app.schemas import fields
from app.schemas.common import one_of
from app.services.field_events import VisitEventInput
from app.services.mobile import VisitSheet
from dispatch.visits import CannotCompleteReason, VisitEventType

LAT = v.Range(min=-90, max=90)
LON = v.Range(min=-180, max=180)


class MobileDayQuery(ma.Schema):
    date = fields.Date(metadata={"description": "The day in the region's time zone; default today"})


class MobileVisitEventIn(ma.Schema):
    type = fields.String(required=True, validate=one_of(VisitEventType))
    at = fields.AwareDateTime(required=True, metadata={"description": "The phone's clock, with offset"})
    lat = fields.Float(load_default=None, allow_none=True, validate=LAT)
    lon = fields.Float(load_default=None, allow_none=True, validate=LON)
    reason = fields.String(load_default=None, allow_none=True, validate=one_of(CannotCompleteReason))
    note = fields.String(load_default=None, allow_none=True, validate=v.Length(max=2000))
    checklist = fields.Dict(
        keys=fields.String(validate=v.Length(min=1, max=64)),
        values=fields.Boolean(),
        load_default=None,
        allow_none=True,
        metadata={"description": "Answers by checklist item code"},
    )
    confirmation_code = fields.String(load_default=None, allow_none=True, validate=v.Length(min=1, max=12))

    @ma.validates_schema
    def _rules(self, data: dict[str, Any], **kwargs: Any) -> None:
        errors: dict[str, str] = {}
        if (data.get("lat") is None) != (data.get("lon") is None):
            errors["lon" if data.get("lon") is None else "lat"] = "lat and lon come together"
        if data.get("type") == VisitEventType.CANNOT_COMPLETE:
            if not data.get("reason"):
                errors["reason"] = "cannot_complete needs a reason"
            elif data["reason"] == CannotCompleteReason.OTHER and not (data.get("note") or "").strip():
                errors["note"] = "a reason of `other` needs a note saying what happened"
        if errors:
            raise ma.ValidationError(errors)

    @ma.post_load
    def _event(self, data: dict[str, Any], **kwargs: Any) -> VisitEventInput:
        return VisitEventInput(**{**data, "type": VisitEventType(data["type"])})


class MobileSyncEventIn(MobileVisitEventIn):
    idempotency_key = fields.String(required=True, validate=v.Length(min=1, max=200))
    visit_id = fields.Id(required=True)

    @ma.post_load
    def _event(self, data: dict[str, Any], **kwargs: Any) -> VisitEventInput:
        data = {k: value for k, value in data.items() if k not in ("idempotency_key", "visit_id")}
        return VisitEventInput(**{**data, "type": VisitEventType(data["type"])})


class MobileSyncIn(ma.Schema):
    # Each event is checked on its own, so that one bad event does not refuse the batch.
    events = fields.List(
        fields.Dict(),
        required=True,
        validate=v.Length(min=1),
        metadata={"description": "Events as for /visits/{id}/events, each with idempotency_key and visit_id"},
    )


class MobileSyncResultOut(ma.Schema):
    idempotency_key = fields.String(attribute="key", allow_none=True)
    status = fields.String(metadata={"description": "applied, replayed, stale or rejected"})
    http_status = fields.Integer()
    error = fields.String(allow_none=True)
    errors = fields.Dict(
        keys=fields.String(), values=fields.List(fields.String()), allow_none=True
    )
    result = fields.Dict(attribute="body", allow_none=True)


class MobileSyncOut(ma.Schema):
    results = fields.List(fields.Nested(MobileSyncResultOut))


class MobileEventResultOut(ma.Schema):
    event_id = fields.Integer()
    visit_id = fields.Integer()
    type = fields.String()
    at = fields.String(metadata={"description": "The phone's time of the event"})
    received_at = fields.String()
    visit_status = fields.String()
    order_status = fields.String()
    eta = fields.String(allow_none=True)
    closed = fields.Boolean()


class MobileLocationIn(ma.Schema):
    lat = fields.Float(required=True, validate=LAT)
    lon = fields.Float(required=True, validate=LON)
    at = fields.AwareDateTime(required=True)


class MobileLocationOut(ma.Schema):
    stored = fields.Boolean()


class MobileAttachmentForm(ma.Schema):
    kind = fields.String(required=True, validate=one_of(("photo", "signature")))


class MobileAttachmentOut(ma.Schema):
    id = fields.Integer()
    visit_id = fields.Integer()
    kind = fields.String()
    content_type = fields.String()
    size_bytes = fields.Integer()
    sha256 = fields.String()
    created_at = fields.AwareDateTime()


class MobileAttachmentRefOut(ma.Schema):
    id = fields.Integer()
    kind = fields.String()
    created_at = fields.AwareDateTime()


def _local(moment: datetime | None, sheet: VisitSheet) -> str | None:
    return moment.astimezone(sheet.zone).isoformat() if moment else None


def navigation(lat: float, lon: float, label: str) -> dict[str, str]:
    """Links that open a navigation app at the site: the geo: URI, and a web map for anything else."""
    return {
        "geo": f"geo:{lat:.6f},{lon:.6f}?q={lat:.6f},{lon:.6f}({quote(label)})",
        # Amap reads GCJ-02 coordinates, the datum the site coordinates come in.
        "web": f"https://uri.amap.com/marker?position={lon:.6f},{lat:.6f}&name={quote(label)}&coordinate=gaode",
    }


class MobileChecklistItemOut(ma.Schema):
    code = fields.String()
    text = fields.String()


class MobilePastVisitOut(ma.Schema):
    date = fields.Date(attribute="day")
    kind = fields.String()
    outcome = fields.String()
    reason = fields.String(allow_none=True)


class MobileItemOut(ma.Schema):
    sku = fields.String(attribute="product.sku")
    name = fields.String(attribute="product.name")
    qty = fields.Integer()


class MobileVisitSheetOut(ma.Schema):
    """One visit as the phone shows it; times are in the region's zone."""

    id = fields.Integer(attribute="visit.id")
    order_id = fields.Integer(attribute="visit.order_id")
    sequence = fields.Integer(attribute="visit.sequence", allow_none=True)
    status = fields.String(attribute="visit.status")
    kind = fields.String(attribute="visit.order.kind")
    customer = fields.Function(
        lambda s: {"name": s.visit.order.customer.name, "phone": s.visit.order.customer.phone}
    )
    site = fields.Function(
        lambda s: {
            "address": s.visit.order.site.address,
            "postal_code": s.visit.order.site.postal_code,
            "lat": s.visit.order.site.lat,
            "lon": s.visit.order.site.lon,
        }
    )
    navigation = fields.Function(
        lambda s: navigation(s.visit.order.site.lat, s.visit.order.site.lon, s.visit.order.site.address)
    )
    window_start = fields.Function(lambda s: _local(s.visit.window_start, s))
    window_end = fields.Function(lambda s: _local(s.visit.window_end, s))
    planned_arrival = fields.Function(lambda s: _local(s.visit.planned_arrival, s))
    eta = fields.Function(lambda s: _local(s.progress.eta, s))
    items = fields.List(fields.Nested(MobileItemOut), attribute="visit.order.items")
    notes = fields.String(attribute="visit.order.notes")
    checklist = fields.List(fields.Nested(MobileChecklistItemOut))
    checklist_answers = fields.Dict(attribute="progress.checklist", allow_none=True)
    history = fields.List(fields.Nested(MobilePastVisitOut))
    attachments = fields.List(fields.Nested(MobileAttachmentRefOut))


class MobileEtaOut(ma.Schema):
    visit_id = fields.Integer()
    status = fields.String()
    eta = fields.String(allow_none=True)
    computed_at = fields.String(allow_none=True)
