"""Surveys and complaints, as the customer and the office send and see them."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import validate as v

from app.schemas import fields
from app.schemas.common import one_of
from app.services.complaints import NewComplaint
from app.services.surveys import SurveyAnswers
from dispatch.complaints import ComplaintCategory, ComplaintSource, ComplaintStatus, Fault, Severity

_NOT_BLANK = v.Regexp(r"\s*\S", error="must not be blank")


def _text(maximum: int, **kwargs: Any) -> fields.String:
    return fields.String(validate=[v.Length(min=1, max=maximum), _NOT_BLANK], **kwargs)


class SurveyIn(ma.Schema):
    rating = fields.Integer(required=True, validate=v.Range(1, 5), metadata={"description": "Overall, 1-5"})
    technician_rating = fields.Integer(required=True, validate=v.Range(1, 5))
    solved = fields.Boolean(required=True, metadata={"description": "Was the problem solved?"})
    tags = fields.List(
        fields.String(validate=v.Length(min=1, max=32)), load_default=list, validate=v.Length(max=10)
    )
    comment = fields.String(load_default="", validate=v.Length(max=2000))
    nps = fields.Integer(
        load_default=None,
        allow_none=True,
        validate=v.Range(0, 10),
        metadata={"description": "0-10; at most once per customer every 90 days"},
    )

    @ma.post_load
    def _answers(self, data: dict[str, Any], **kwargs: Any) -> SurveyAnswers:
        return SurveyAnswers(**{**data, "tags": tuple(data["tags"]), "comment": data["comment"].strip()})


class SurveyOut(ma.Schema):
    id = fields.Integer()
    order_id = fields.Integer()
    rating = fields.Integer()
    technician_rating = fields.Integer()
    solved = fields.Boolean()
    tags = fields.List(fields.String())
    comment = fields.String()
    nps = fields.Integer(allow_none=True)
    complaint_id = fields.Function(
        lambda survey: survey.complaint.id if survey.complaint else None,
        metadata={"description": "The id of the complaint the answers opened, or null"},
    )
    created_at = fields.AwareDateTime()


class CustomerComplaintIn(ma.Schema):
    description = _text(2000, required=True)
    category = fields.String(load_default=None, allow_none=True, validate=one_of(ComplaintCategory))


class CustomerComplaintOut(ma.Schema):
    id = fields.Integer()
    status = fields.String()


class ComplaintIn(ma.Schema):
    order_id = fields.Id(required=True)
    category = fields.String(required=True, validate=one_of(ComplaintCategory))
    severity = fields.String(required=True, validate=one_of(Severity))
    description = _text(2000, required=True)

    @ma.post_load
    def _new(self, data: dict[str, Any], **kwargs: Any) -> tuple[int, NewComplaint]:
        return data["order_id"], NewComplaint(
            category=ComplaintCategory(data["category"]),
            severity=Severity(data["severity"]),
            description=data["description"],
            source=ComplaintSource.DISPATCHER,
        )


class ComplaintPatch(ma.Schema):
    status = fields.String(validate=one_of(ComplaintStatus))
    fault = fields.String(validate=one_of(Fault))
    root_cause = _text(2000)
    resolution = _text(2000, metadata={"description": "What was done; needed to resolve"})

    @ma.validates_schema
    def _something(self, data: dict[str, Any], **kwargs: Any) -> None:
        if not data:
            raise ma.ValidationError("send at least one of status, fault, root_cause, resolution")


class ComplaintListQuery(ma.Schema):
    order_id = fields.Id(strict=False)
    status = fields.String(validate=one_of(ComplaintStatus))
    region = fields.String(validate=v.Length(min=1, max=32))


class ComplaintOut(ma.Schema):
    id = fields.Integer()
    order_id = fields.Integer()
    region = fields.Function(lambda c: c.order.region.code if c.order.region else None)
    status = fields.String()
    source = fields.String()
    category = fields.String()
    severity = fields.String()
    description = fields.String()
    fault = fields.String(allow_none=True)
    root_cause = fields.String(allow_none=True)
    resolution = fields.String(allow_none=True)
    reopen_count = fields.Integer()
    survey_id = fields.Integer(allow_none=True)
    created_at = fields.AwareDateTime()
    acknowledged_at = fields.AwareDateTime(allow_none=True)
    resolved_at = fields.AwareDateTime(allow_none=True)
    closed_at = fields.AwareDateTime(allow_none=True)
    updated_at = fields.AwareDateTime()


class ComplaintListOut(ma.Schema):
    items = fields.List(fields.Nested(ComplaintOut))
