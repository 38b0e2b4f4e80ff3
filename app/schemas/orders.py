"""The order API's request and response shapes."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import validate as v

from app.schemas import fields
from app.schemas.common import PhoneNumber, one_of
from app.schemas.sla import OrderClocks
from app.services.booking_links import booking_token
from app.services.orders import OrderIntake, SiteInput
from dispatch import OrderKind, OrderStatus, Priority
from dispatch.goods import GoodsReport, GoodsReportError, GoodsStatus


class CustomerIn(ma.Schema):
    name = fields.String(required=True, validate=v.Length(min=1, max=120))
    phone = PhoneNumber(required=True)
    email = fields.Email(load_default=None, allow_none=True)


class SiteIn(ma.Schema):
    address = fields.String(required=True, validate=v.Length(min=3, max=300))
    lat = fields.Float(load_default=None, allow_none=True, validate=v.Range(min=-90, max=90))
    lon = fields.Float(load_default=None, allow_none=True, validate=v.Range(min=-180, max=180))
    postal_code = fields.String(
        load_default=None,
        allow_none=True,
        validate=v.Regexp(r"^[0-9A-Za-z -]{3,12}$", error="not a postal code"),
    )

    @ma.validates_schema
    def _both_or_neither(self, data: dict[str, Any], **kwargs: Any) -> None:
        if (data.get("lat") is None) != (data.get("lon") is None):
            field = "lon" if data.get("lon") is None else "lat"
            raise ma.ValidationError("lat and lon come together", field)


class ItemIn(ma.Schema):
    sku = fields.String(required=True, validate=v.Length(min=1, max=64))
    qty = fields.Integer(load_default=1, validate=v.Range(min=1, max=99))


class OrderIn(ma.Schema):
    channel = fields.String(required=True, validate=v.Length(min=1, max=40))
    external_ref = fields.String(required=True, validate=v.Length(min=1, max=80))
    kind = fields.String(required=True, validate=one_of(OrderKind))
    customer = fields.Nested(CustomerIn, required=True)
    site = fields.Nested(SiteIn, required=True)
    items = fields.List(fields.Nested(ItemIn), required=True, validate=v.Length(min=1, max=50))
    priority = fields.String(load_default="normal", validate=one_of(Priority))
    earliest_start = fields.Date(load_default=None, allow_none=True)
    notes = fields.String(load_default="", validate=v.Length(max=2000))

    @ma.post_load
    def _intake(self, data: dict[str, Any], **kwargs: Any) -> OrderIntake:
        customer = data["customer"]
        return OrderIntake(
            channel=data["channel"],
            external_ref=data["external_ref"],
            kind=data["kind"],
            customer_name=customer["name"],
            customer_phone=customer["phone"],
            customer_email=customer.get("email"),
            site=SiteInput(**data["site"]),
            items=tuple((item["sku"], item["qty"]) for item in data["items"]),
            priority=data["priority"],
            earliest_start=data["earliest_start"],
            notes=data["notes"],
        )


class OrderListQuery(ma.Schema):
    status = fields.String(validate=one_of(OrderStatus))
    region = fields.String(validate=v.Length(min=1, max=32))
    date = fields.Date()


class LocationIn(ma.Schema):
    """A dispatcher's pin for an order nobody could place, in GCJ-02 like every point."""

    lat = fields.Float(required=True, validate=v.Range(min=-90, max=90))
    lon = fields.Float(required=True, validate=v.Range(min=-180, max=180))


class ReasonIn(ma.Schema):
    reason = fields.String(required=True, validate=v.Length(min=1, max=500))


class GoodsIn(ma.Schema):
    """The seller's logistics report: goods on the way (with the day expected), or delivered."""

    status = fields.String(required=True, validate=one_of(GoodsStatus))
    expected = fields.Date(load_default=None, allow_none=True)

    @ma.post_load
    def _report(self, data: dict[str, Any], **kwargs: Any) -> GoodsReport:
        try:
            return GoodsReport(GoodsStatus(data["status"]), data["expected"])
        except GoodsReportError as exc:
            raise ma.ValidationError(str(exc), exc.field) from exc


class CustomerOut(ma.Schema):
    name = fields.String()
    phone = fields.String()
    email = fields.String(allow_none=True)


class SiteOut(ma.Schema):
    address = fields.String()
    lat = fields.Float(allow_none=True)  # none until an order nobody could place is placed
    lon = fields.Float(allow_none=True)
    postal_code = fields.String(allow_none=True)


class ItemOut(ma.Schema):
    sku = fields.String(attribute="product.sku")
    name = fields.String(attribute="product.name")
    qty = fields.Integer()


class SkillNeedOut(ma.Schema):
    code = fields.String(attribute="skill.code")
    level = fields.Integer(attribute="min_level")


class VisitOut(ma.Schema):
    id = fields.Integer()
    status = fields.String()
    day = fields.Date()
    window_start = fields.AwareDateTime()
    window_end = fields.AwareDateTime()
    planned_arrival = fields.AwareDateTime(allow_none=True)
    technician = fields.Function(lambda visit: visit.technician.code if visit.technician else None)
    locked = fields.Boolean()


class OrderOut(ma.Schema):
    id = fields.Integer()
    channel = fields.String()
    external_ref = fields.String()
    kind = fields.String()
    status = fields.String()
    priority = fields.String()
    region = fields.Function(lambda order: order.region.code if order.region else None)
    location_quality = fields.String()
    customer = fields.Nested(CustomerOut)
    site = fields.Nested(SiteOut)
    items = fields.List(fields.Nested(ItemOut))
    required_skills = fields.List(fields.Nested(SkillNeedOut), attribute="skills")
    duration_min = fields.Integer()
    crew_size = fields.Integer()
    volume_l = fields.Integer()
    earliest_start = fields.Date()
    sla_due = fields.Date()
    goods_status = fields.String(allow_none=True)
    goods_expected_on = fields.Date(allow_none=True)
    notes = fields.String()
    visit = fields.Nested(VisitOut, attribute="current_visit", allow_none=True)
    booking_token = fields.Method("_booking_token")
    sla = OrderClocks()
    recall_of = fields.Function(lambda order: None, allow_none=True)  # the order this one redoes: none yet
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()

    def _booking_token(self, order: Any) -> str:
        return booking_token(order)
