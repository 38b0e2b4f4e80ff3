"""Service-level clocks as the API shows them: on an order's page and in the at-risk list."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import validate as v

from app.schemas import fields
from app.schemas.common import one_of
from app.services.order_clocks import order_sla
from dispatch.service_levels import ClockStatus, TargetName


class ClockOut(ma.Schema):
    target = fields.String(validate=one_of(TargetName))
    status = fields.String(validate=one_of(ClockStatus))
    due_at = fields.AwareDateTime()
    paused_s = fields.Integer()


class OrderClocks(fields.Nested):
    """An order's clocks, read from the stored clocks as they stand at the request."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(ClockOut, many=True, **kwargs)

    def get_value(self, obj: Any, attr: str, accessor: Any = None, default: Any = ma.missing) -> Any:
        return order_sla(obj)


class AtRiskQuery(ma.Schema):
    region = fields.String(validate=v.Length(min=1, max=32))


class AtRiskClockOut(ma.Schema):
    order_id = fields.Integer()
    target = fields.String(validate=one_of(TargetName))
    status = fields.String(validate=one_of(ClockStatus))
    due_at = fields.AwareDateTime()


class AtRiskOut(ma.Schema):
    items = fields.List(fields.Nested(AtRiskClockOut))
