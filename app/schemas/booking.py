"""What a customer sends and sees on the booking API."""

from __future__ import annotations

import marshmallow as ma

from app.schemas import fields


class BookingSlotQuery(ma.Schema):
    from_ = fields.Date(data_key="from", metadata={"description": "First day, in the region's time zone"})
    days = fields.Integer(
        strict=False,  # a query string is text: "2" is read as 2, "1.5" is still refused
        load_default=None, validate=ma.validate.Range(1, 31), metadata={"description": "How many days"}
    )


class BookingSlotOut(ma.Schema):
    start = fields.String(metadata={"description": "ISO 8601 with the region's offset"})
    end = fields.String()
    grade = fields.Integer(metadata={"description": "0-100; higher is better for the route and the team"})


class BookingSlotsOut(ma.Schema):
    slots = fields.List(fields.Nested(BookingSlotOut), metadata={"description": "Best first"})


class BookingAppointmentIn(ma.Schema):
    start = fields.AwareDateTime(
        required=True, metadata={"description": "The chosen slot's start, as offered"}
    )


class CustomerItemOut(ma.Schema):
    sku = fields.String()
    name = fields.String()
    qty = fields.Integer()


class CustomerSiteOut(ma.Schema):
    address = fields.String()


class CustomerAppointmentOut(ma.Schema):
    start = fields.DateTime()
    end = fields.DateTime()
    stage = fields.String(metadata={"description": "scheduled, on_the_way, arrived, in_progress or done"})
    eta = fields.DateTime(allow_none=True, metadata={"description": "Expected arrival when on the way"})
    changeable = fields.Boolean(metadata={"description": "Whether it can still be moved or cancelled"})


class CustomerOrderOut(ma.Schema):
    reference = fields.String()
    kind = fields.String()
    status = fields.String()
    items = fields.List(fields.Nested(CustomerItemOut))
    site = fields.Nested(CustomerSiteOut)
    time_zone = fields.String(allow_none=True)
    earliest_start = fields.Date()
    bookable = fields.Boolean()
    appointment = fields.Nested(CustomerAppointmentOut, allow_none=True)
