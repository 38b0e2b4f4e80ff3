"""Technicians and regions as the dispatcher's API shows them."""

from __future__ import annotations

from typing import Any

import marshmallow as ma


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
