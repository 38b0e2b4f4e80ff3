"""Technicians and regions as the dispatcher's API shows them."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import marshmallow as ma

from app.schemas import fields
from app.schemas.plans import TechnicianRefOut


class SkillLevelOut(ma.Schema):
    code = fields.String(attribute="skill.code")
    level = fields.Integer()


class TechnicianOut(ma.Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    phone = fields.String()
    primary_region = fields.String(attribute="primary_region.code")
    regions = fields.Method("_regions", metadata={"description": "Primary region first, then may-help"})
    skills = fields.List(fields.Nested(SkillLevelOut))
    van_volume_l = fields.Integer()
    crew_size = fields.Integer()
    active = fields.Boolean()

    def _regions(self, technician: Any) -> list[str]:
        return [technician.primary_region.code, *(r.code for r in technician.help_regions)]


class RegionOut(ma.Schema):
    code = fields.String()
    name = fields.String()
    name_local = fields.String(allow_none=True)
    time_zone = fields.String()
    parent = fields.String(attribute="parent.code", allow_none=True)
    postal_codes = fields.Method("_postal_codes")

    def _postal_codes(self, region: Any) -> list[str]:
        return [p.postal_code for p in region.postal_codes]


class DayQuery(ma.Schema):
    date = fields.Date(required=True, metadata={"description": "The day, in the regions' time zone"})


class DayVisitOut(ma.Schema):
    """A TimedVisit: the visit and when it takes place."""

    visit_id = fields.Integer(attribute="visit.id")
    order_id = fields.Integer(attribute="visit.order_id")
    region = fields.String(attribute="visit.order.region.code")
    status = fields.String(attribute="visit.status")
    sequence = fields.Integer(attribute="visit.sequence", allow_none=True)
    start = fields.Method("_start", metadata={"description": "Planned start of work on site, local time"})
    end = fields.Method("_end", metadata={"description": "Planned end of work on site, local time"})
    placed = fields.Boolean(
        metadata={
            "description": "False for a visit a customer booked that no plan or dispatcher has placed yet: "
            "start is then the earliest moment in its window that the technician's day leaves free"
        }
    )
    window_start = fields.Method("_window_start")
    window_end = fields.Method("_window_end")

    def _local(self, timed: Any, moment: datetime) -> str:
        return moment.astimezone(ZoneInfo(timed.visit.order.region.time_zone)).isoformat()

    def _start(self, timed: Any) -> str:
        return self._local(timed, timed.start)

    def _end(self, timed: Any) -> str:
        return self._local(timed, timed.end)

    def _window_start(self, timed: Any) -> str:
        return self._local(timed, timed.visit.window_start)

    def _window_end(self, timed: Any) -> str:
        return self._local(timed, timed.visit.window_end)


class TechnicianDayOut(ma.Schema):
    technician = fields.Nested(TechnicianRefOut)  # the plan API's reference
    date = fields.Date(attribute="day")
    visits = fields.List(fields.Nested(DayVisitOut))
