"""The database model, one module per aggregate."""

from app.models.booking import SlotTemplate
from app.models.catalogue import Product, ProductWork, ProductWorkSkill
from app.models.clock import OrderClock
from app.models.customer import Customer, Site
from app.models.event import AppendOnlyError, Event
from app.models.mobile import Attachment, IdempotencyKey, TechnicianPosition, VisitProgress
from app.models.order import Order, OrderItem, OrderSkill, Visit
from app.models.plan import PLAN_STATUSES, PlanRun
from app.models.quality import Complaint, Survey
from app.models.region import Region, RegionPostalCode
from app.models.technician import (
    Absence,
    ShiftPattern,
    Skill,
    Technician,
    TechnicianSkill,
    technician_help_regions,
)
from app.models.types import UTCDateTime, utcnow
from app.models.user import ROLES, ApiToken, User

__all__ = [
    "PLAN_STATUSES",
    "ROLES",
    "Absence",
    "ApiToken",
    "AppendOnlyError",
    "Attachment",
    "Complaint",
    "Customer",
    "Event",
    "IdempotencyKey",
    "Order",
    "OrderClock",
    "OrderItem",
    "OrderSkill",
    "PlanRun",
    "Product",
    "ProductWork",
    "ProductWorkSkill",
    "Region",
    "RegionPostalCode",
    "ShiftPattern",
    "Site",
    "Skill",
    "SlotTemplate",
    "Survey",
    "Technician",
    "TechnicianPosition",
    "TechnicianSkill",
    "UTCDateTime",
    "User",
    "Visit",
    "VisitProgress",
    "technician_help_regions",
    "utcnow",
]
