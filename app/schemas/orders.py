"""The order API's request and response shapes."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import validate as v

from app.schemas.common import PhoneNumber, one_of
from app.services.booking_links import booking_token
from app.services.orders import OrderIntake, SiteInput
from dispatch import OrderKind, OrderStatus, Priority


class CustomerIn(ma.Schema):
    name = ma.fields.String(required=True, validate=v.Length(min=1, max=120))
    phone = PhoneNumber(required=True)
    email = ma.fields.Email(load_default=None, allow_none=True)


class SiteIn(ma.Schema):
    address = ma.fields.String(required=True, validate=v.Length(min=3, max=300))
    lat = ma.fields.Float(load_default=None, allow_none=True, validate=v.Range(min=-90, max=90))
    lon = ma.fields.Float(load_default=None, allow_none=True, validate=v.Range(min=-180, max=180))
    postal_code = ma.fields.String(
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
    sku = ma.fields.String(required=True, validate=v.Length(min=1, max=64))
    qty = ma.fields.Integer(load_default=1, validate=v.Range(min=1, max=99))


class OrderIn(ma.Schema):
    channel = ma.fields.String(required=True, validate=v.Length(min=1, max=40))
    external_ref = ma.fields.String(required=True, validate=v.Length(min=1, max=80))
    kind = ma.fields.String(required=True, validate=one_of(OrderKind))
    customer = ma.fields.Nested(CustomerIn, required=True)
    site = ma.fields.Nested(SiteIn, required=True)
    items = ma.fields.List(ma.fields.Nested(ItemIn), required=True, validate=v.Length(min=1, max=50))
    priority = ma.fields.String(load_default="normal", validate=one_of(Priority))
    earliest_start = ma.fields.Date(load_default=None, allow_none=True)
    notes = ma.fields.String(load_default="", validate=v.Length(max=2000))

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
    status = ma.fields.String(validate=one_of(OrderStatus))
    region = ma.fields.String(validate=v.Length(min=1, max=32))
    date = ma.fields.Date()


class LocationIn(ma.Schema):
    """A dispatcher's pin for an order nobody could place, in GCJ-02 like every point."""

    lat = ma.fields.Float(required=True, validate=v.Range(min=-90, max=90))
    lon = ma.fields.Float(required=True, validate=v.Range(min=-180, max=180))


class ReasonIn(ma.Schema):
    reason = ma.fields.String(required=True, validate=v.Length(min=1, max=500))


class CustomerOut(ma.Schema):
    name = ma.fields.String()
    phone = ma.fields.String()
    email = ma.fields.String(allow_none=True)


class SiteOut(ma.Schema):
    address = ma.fields.String()
    lat = ma.fields.Float(allow_none=True)  # none until an order nobody could place is placed
    lon = ma.fields.Float(allow_none=True)
    postal_code = ma.fields.String(allow_none=True)


class ItemOut(ma.Schema):
    sku = ma.fields.String(attribute="product.sku")
    name = ma.fields.String(attribute="product.name")
    qty = ma.fields.Integer()


class SkillNeedOut(ma.Schema):
    code = ma.fields.String(attribute="skill.code")
    level = ma.fields.Integer(attribute="min_level")


class VisitOut(ma.Schema):
    id = ma.fields.Integer()
    status = ma.fields.String()
    day = ma.fields.Date()
    window_start = ma.fields.AwareDateTime()
    window_end = ma.fields.AwareDateTime()
    planned_arrival = ma.fields.AwareDateTime(allow_none=True)
    technician = ma.fields.Function(lambda visit: visit.technician.code if visit.technician else None)
    locked = ma.fields.Boolean()


class OrderOut(ma.Schema):
    id = ma.fields.Integer()
    channel = ma.fields.String()
    external_ref = ma.fields.String()
    kind = ma.fields.String()
    status = ma.fields.String()
    priority = ma.fields.String()
    region = ma.fields.Function(lambda order: order.region.code if order.region else None)
    location_quality = ma.fields.String()
    customer = ma.fields.Nested(CustomerOut)
    site = ma.fields.Nested(SiteOut)
    items = ma.fields.List(ma.fields.Nested(ItemOut))
    required_skills = ma.fields.List(ma.fields.Nested(SkillNeedOut), attribute="skills")
    duration_min = ma.fields.Integer()
    crew_size = ma.fields.Integer()
    volume_l = ma.fields.Integer()
    earliest_start = ma.fields.Date()
    sla_due = ma.fields.Date()
    notes = ma.fields.String()
    visit = ma.fields.Nested(VisitOut, attribute="current_visit", allow_none=True)
    booking_token = ma.fields.Method("_booking_token")
    created_at = ma.fields.AwareDateTime()
    updated_at = ma.fields.AwareDateTime()

    def _booking_token(self, order: Any) -> str:
        return booking_token(order)
