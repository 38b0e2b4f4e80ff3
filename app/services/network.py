"""Reading the technician network: regions and the technicians who serve them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select

from app.extensions import db
from app.models import Region, Technician, technician_help_regions
from app.services.days import technician_visits
from app.services.errors import NotFound
from app.services.records import TimedVisit, timed_visits


def list_regions(*, scope: set[int] | None) -> list[Region]:
    """Regions the user may see, by code."""
    query = select(Region).where(Region.active.is_(True)).order_by(Region.code)
    if scope is not None:
        query = query.where(Region.id.in_(scope))
    return list(db.session.scalars(query))


def list_technicians(*, scope: set[int] | None, include_inactive: bool = False) -> list[Technician]:
    """Technicians whose primary or may-help regions the user may see."""
    query = select(Technician).order_by(Technician.code)
    if not include_inactive:
        query = query.where(Technician.active.is_(True))
    if scope is not None:
        helps = select(technician_help_regions.c.technician_id).where(
            technician_help_regions.c.region_id.in_(scope)
        )
        query = query.where(or_(Technician.primary_region_id.in_(scope), Technician.id.in_(helps)))
    return list(db.session.scalars(query))


@dataclass(frozen=True, slots=True)
class TechnicianDayView:
    """A technician's visits of one day in every region, in time order, placed or only booked."""

    technician: Technician
    day: date
    visits: list[TimedVisit]


def technician_day_view(*, technician_id: int, day: date, scope: set[int] | None) -> TechnicianDayView:
    """The technician's whole day, if the user dispatches a region they work in."""
    technician = db.session.get(Technician, technician_id)
    if technician is None or technician not in list_technicians(scope=scope, include_inactive=True):
        raise NotFound(f"technician {technician_id} not found")
    return TechnicianDayView(technician, day, timed_visits(technician_visits([technician.id], day)))
