"""Technicians and regions as the dispatcher's API shows them."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import marshmallow as ma

from app.schemas.plans import TechnicianRefOut


class SkillLevelOut(ma.Schema):
    code = ma.fields.String(attribute="skill.code")
    level = ma.fields.Integer()


class TechnicianOut(ma.Schema):
    id = ma.fields.Integer()
    code = ma.fields.String()
    name = ma.fields.String()
    phone = ma.fields.String()
    primary_region = ma.fields.String(attribute="primary_region.code")
    regions = ma.fields.Method("_regions", metadata={"description": "Primary region first, then may-help"})
    skills = ma.fields.List(ma.fields.Nested(SkillLevelOut))
    van_volume_l = ma.fields.Integer()
    crew_size = ma.fields.Integer()
    active = ma.fields.Boolean()

    def _regions(self, technician: Any) -> list[str]:
        return [technician.primary_region.code, *(r.code for r in technician.help_regions)]


class RegionOut(ma.Schema):
    code = ma.fields.String()
    name = ma.fields.String()
    name_local = ma.fields.String(allow_none=True)
    time_zone = ma.fields.String()
    parent = ma.fields.String(attribute="parent.code", allow_none=True)
    postal_codes = ma.fields.Method("_postal_codes")

    def _postal_codes(self, region: Any) -> list[str]:
        return [p.postal_code for p in region.postal_codes]


class DayQuery(ma.Schema):
    date = ma.fields.Date(required=True, metadata={"description": "The day, in the regions' time zone"})


class DayVisitOut(ma.Schema):
    """A TimedVisit: the visit and when it takes place."""

    visit_id = ma.fields.Integer(attribute="visit.id")
    order_id = ma.fields.Integer(attribute="visit.order_id")
    region = ma.fields.String(attribute="visit.order.region.code")
    status = ma.fields.String(attribute="visit.status")
    sequence = ma.fields.Integer(attribute="visit.sequence", allow_none=True)
    start = ma.fields.Method("_start", metadata={"description": "Planned start of work on site, local time"})
    end = ma.fields.Method("_end", metadata={"description": "Planned end of work on site, local time"})
    placed = ma.fields.Boolean(
        metadata={
            "description": "False for a visit a customer booked that no plan or dispatcher has placed yet: "
            "start is then the earliest moment in its window that the technician's day leaves free"
        }
    )
    window_start = ma.fields.Method("_window_start")
    window_end = ma.fields.Method("_window_end")

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
    technician = ma.fields.Nested(TechnicianRefOut)  # the plan API's reference
    date = ma.fields.Date(attribute="day")
    visits = ma.fields.List(ma.fields.Nested(DayVisitOut))
