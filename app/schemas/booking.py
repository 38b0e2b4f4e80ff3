"""What a customer sends and sees on the booking API."""

from __future__ import annotations

import marshmallow as ma


class BookingSlotQuery(ma.Schema):
    from_ = ma.fields.Date(data_key="from", metadata={"description": "First day, in the region's time zone"})
    days = ma.fields.Integer(
        load_default=None, validate=ma.validate.Range(1, 31), metadata={"description": "How many days"}
    )


class BookingSlotOut(ma.Schema):
    start = ma.fields.String(metadata={"description": "ISO 8601 with the region's offset"})
    end = ma.fields.String()
    grade = ma.fields.Integer(metadata={"description": "0-100; higher is better for the route and the team"})


class BookingSlotsOut(ma.Schema):
    slots = ma.fields.List(ma.fields.Nested(BookingSlotOut), metadata={"description": "Best first"})


class BookingAppointmentIn(ma.Schema):
    start = ma.fields.AwareDateTime(
        required=True, metadata={"description": "The chosen slot's start, as offered"}
    )


class CustomerItemOut(ma.Schema):
    sku = ma.fields.String()
    name = ma.fields.String()
    qty = ma.fields.Integer()


class CustomerSiteOut(ma.Schema):
    address = ma.fields.String()


class CustomerAppointmentOut(ma.Schema):
    start = ma.fields.DateTime()
    end = ma.fields.DateTime()
    stage = ma.fields.String(metadata={"description": "scheduled, on_the_way, arrived, in_progress or done"})
    eta = ma.fields.DateTime(allow_none=True, metadata={"description": "Expected arrival when on the way"})
    changeable = ma.fields.Boolean(metadata={"description": "Whether it can still be moved or cancelled"})


class CustomerOrderOut(ma.Schema):
    reference = ma.fields.String()
    kind = ma.fields.String()
    status = ma.fields.String()
    items = ma.fields.List(ma.fields.Nested(CustomerItemOut))
    site = ma.fields.Nested(CustomerSiteOut)
    time_zone = ma.fields.String(allow_none=True)
    earliest_start = ma.fields.Date()
    bookable = ma.fields.Boolean()
    appointment = ma.fields.Nested(CustomerAppointmentOut, allow_none=True)
