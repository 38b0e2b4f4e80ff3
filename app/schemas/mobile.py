"""The phone API's request and response shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote

import marshmallow as ma
from marshmallow import validate as v

from app.schemas.common import one_of
from app.services.field_events import VisitEventInput
from app.services.mobile import VisitSheet
from dispatch.visits import CannotCompleteReason, VisitEventType

LAT = v.Range(min=-90, max=90)
LON = v.Range(min=-180, max=180)


class MobileDayQuery(ma.Schema):
    date = ma.fields.Date(metadata={"description": "The day in the region's time zone; default today"})


class MobileVisitEventIn(ma.Schema):
    type = ma.fields.String(required=True, validate=one_of(VisitEventType))
    at = ma.fields.AwareDateTime(required=True, metadata={"description": "The phone's clock, with offset"})
    lat = ma.fields.Float(load_default=None, allow_none=True, validate=LAT)
    lon = ma.fields.Float(load_default=None, allow_none=True, validate=LON)
    reason = ma.fields.String(load_default=None, allow_none=True, validate=one_of(CannotCompleteReason))
    note = ma.fields.String(load_default=None, allow_none=True, validate=v.Length(max=2000))
    checklist = ma.fields.Dict(
        keys=ma.fields.String(validate=v.Length(min=1, max=64)),
        values=ma.fields.Boolean(),
        load_default=None,
        allow_none=True,
        metadata={"description": "Answers by checklist item code"},
    )
    confirmation_code = ma.fields.String(load_default=None, allow_none=True, validate=v.Length(min=1, max=12))

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
    idempotency_key = ma.fields.String(required=True, validate=v.Length(min=1, max=200))
    visit_id = ma.fields.Integer(required=True, strict=True)

    @ma.post_load
    def _event(self, data: dict[str, Any], **kwargs: Any) -> VisitEventInput:
        data = {k: value for k, value in data.items() if k not in ("idempotency_key", "visit_id")}
        return VisitEventInput(**{**data, "type": VisitEventType(data["type"])})


class MobileSyncIn(ma.Schema):
    # Each event is checked on its own, so that one bad event does not refuse the batch.
    events = ma.fields.List(
        ma.fields.Dict(),
        required=True,
        validate=v.Length(min=1),
        metadata={"description": "Events as for /visits/{id}/events, each with idempotency_key and visit_id"},
    )


class MobileSyncResultOut(ma.Schema):
    idempotency_key = ma.fields.String(attribute="key", allow_none=True)
    status = ma.fields.String(metadata={"description": "applied, replayed, stale or rejected"})
    http_status = ma.fields.Integer()
    error = ma.fields.String(allow_none=True)
    errors = ma.fields.Dict(
        keys=ma.fields.String(), values=ma.fields.List(ma.fields.String()), allow_none=True
    )
    result = ma.fields.Dict(attribute="body", allow_none=True)


class MobileSyncOut(ma.Schema):
    results = ma.fields.List(ma.fields.Nested(MobileSyncResultOut))


class MobileEventResultOut(ma.Schema):
    event_id = ma.fields.Integer()
    visit_id = ma.fields.Integer()
    type = ma.fields.String()
    at = ma.fields.String(metadata={"description": "The phone's time of the event"})
    received_at = ma.fields.String()
    visit_status = ma.fields.String()
    order_status = ma.fields.String()
    eta = ma.fields.String(allow_none=True)
    closed = ma.fields.Boolean()


class MobileLocationIn(ma.Schema):
    lat = ma.fields.Float(required=True, validate=LAT)
    lon = ma.fields.Float(required=True, validate=LON)
    at = ma.fields.AwareDateTime(required=True)


class MobileLocationOut(ma.Schema):
    stored = ma.fields.Boolean()


class MobileAttachmentForm(ma.Schema):
    kind = ma.fields.String(required=True, validate=one_of(("photo", "signature")))


class MobileAttachmentOut(ma.Schema):
    id = ma.fields.Integer()
    visit_id = ma.fields.Integer()
    kind = ma.fields.String()
    content_type = ma.fields.String()
    size_bytes = ma.fields.Integer()
    sha256 = ma.fields.String()
    created_at = ma.fields.AwareDateTime()


class MobileAttachmentRefOut(ma.Schema):
    id = ma.fields.Integer()
    kind = ma.fields.String()
    created_at = ma.fields.AwareDateTime()


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
    code = ma.fields.String()
    text = ma.fields.String()


class MobilePastVisitOut(ma.Schema):
    date = ma.fields.Date(attribute="day")
    kind = ma.fields.String()
    outcome = ma.fields.String()
    reason = ma.fields.String(allow_none=True)


class MobileItemOut(ma.Schema):
    sku = ma.fields.String(attribute="product.sku")
    name = ma.fields.String(attribute="product.name")
    qty = ma.fields.Integer()


class MobileVisitSheetOut(ma.Schema):
    """One visit as the phone shows it; times are in the region's zone."""

    id = ma.fields.Integer(attribute="visit.id")
    order_id = ma.fields.Integer(attribute="visit.order_id")
    sequence = ma.fields.Integer(attribute="visit.sequence", allow_none=True)
    status = ma.fields.String(attribute="visit.status")
    kind = ma.fields.String(attribute="visit.order.kind")
    customer = ma.fields.Function(
        lambda s: {"name": s.visit.order.customer.name, "phone": s.visit.order.customer.phone}
    )
    site = ma.fields.Function(
        lambda s: {
            "address": s.visit.order.site.address,
            "postal_code": s.visit.order.site.postal_code,
            "lat": s.visit.order.site.lat,
            "lon": s.visit.order.site.lon,
        }
    )
    navigation = ma.fields.Function(
        lambda s: navigation(s.visit.order.site.lat, s.visit.order.site.lon, s.visit.order.site.address)
    )
    window_start = ma.fields.Function(lambda s: _local(s.visit.window_start, s))
    window_end = ma.fields.Function(lambda s: _local(s.visit.window_end, s))
    planned_arrival = ma.fields.Function(lambda s: _local(s.visit.planned_arrival, s))
    eta = ma.fields.Function(lambda s: _local(s.progress.eta, s))
    items = ma.fields.List(ma.fields.Nested(MobileItemOut), attribute="visit.order.items")
    notes = ma.fields.String(attribute="visit.order.notes")
    checklist = ma.fields.List(ma.fields.Nested(MobileChecklistItemOut))
    checklist_answers = ma.fields.Dict(attribute="progress.checklist", allow_none=True)
    history = ma.fields.List(ma.fields.Nested(MobilePastVisitOut))
    attachments = ma.fields.List(ma.fields.Nested(MobileAttachmentRefOut))


class MobileEtaOut(ma.Schema):
    visit_id = ma.fields.Integer()
    status = ma.fields.String()
    eta = ma.fields.String(allow_none=True)
    computed_at = ma.fields.String(allow_none=True)
