"""Complaints about orders: opened by a dispatcher, a customer or a bad survey, and taken to their close."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select

from app.extensions import db
from app.models import Complaint, Order, Survey, utcnow
from app.services.appointments import CUSTOMER
from app.services.errors import Conflict, Invalid, NotFound
from app.services.events import Actor, record_order_event
from app.services.orders import get_order
from app.services.regions import find_region
from dispatch.complaints import (
    ComplaintCategory,
    ComplaintSource,
    ComplaintStatus,
    ComplaintStep,
    ComplaintTransitionError,
    Severity,
    complaint_step,
)

# What a dispatcher may fill in as the case is worked on, besides its status.
DETAILS = ("fault", "root_cause", "resolution")
_STAMPS = {
    ComplaintStatus.ACKNOWLEDGED: "acknowledged_at",
    ComplaintStatus.RESOLVED: "resolved_at",
    ComplaintStatus.CLOSED: "closed_at",
}


@dataclass(frozen=True, slots=True)
class NewComplaint:
    """What a complaint starts with."""

    category: ComplaintCategory
    severity: Severity
    description: str
    source: ComplaintSource


def open_complaint(
    order: Order, new: NewComplaint, *, actor: Actor, survey: Survey | None = None
) -> Complaint:
    """Add an open complaint and log it, in the caller's transaction."""
    complaint = Complaint(
        order=order,
        survey=survey,
        source=new.source.value,
        category=new.category.value,
        severity=new.severity.value,
        status=ComplaintStatus.OPEN.value,
        description=new.description,
        reopen_count=0,
    )
    db.session.add(complaint)
    db.session.flush()
    record_order_event(
        order,
        subject="complaint",
        action="open",
        actor=actor,
        to_state=complaint.status,
        data={"complaint_id": complaint.id, "source": complaint.source, "severity": complaint.severity},
    )
    return complaint


def create_complaint(*, order_id: int, new: NewComplaint, actor: Actor, scope: set[int] | None) -> Complaint:
    """Open a complaint on an order the caller may see."""
    order = get_order(order_id, scope=scope)
    complaint = open_complaint(order, new, actor=actor)
    db.session.commit()
    return complaint


def customer_complaint(*, order: Order, description: str, category: ComplaintCategory | None) -> Complaint:
    """A complaint the customer opens from their page."""
    new = NewComplaint(
        category=category or ComplaintCategory.OTHER,
        severity=Severity.MEDIUM,
        description=description,
        source=ComplaintSource.CUSTOMER,
    )
    complaint = open_complaint(order, new, actor=CUSTOMER)
    db.session.commit()
    return complaint


def get_complaint(complaint_id: int, *, scope: set[int] | None) -> Complaint:
    """One complaint, if the caller may see its order; another region's is answered as missing."""
    complaint = db.session.get(Complaint, complaint_id)
    region_id = complaint.order.region_id if complaint is not None else None
    if complaint is None or (scope is not None and region_id is not None and region_id not in scope):
        raise NotFound(f"complaint {complaint_id} not found")
    return complaint


def list_complaints(
    *,
    scope: set[int] | None,
    order_id: int | None = None,
    status: str | None = None,
    region_code: str | None = None,
) -> list[Complaint]:
    """The complaints the caller may see, newest first."""
    query: Select = select(Complaint).join(Order, Complaint.order_id == Order.id)
    if scope is not None:
        query = query.where(Order.region_id.in_(scope) | Order.region_id.is_(None))
    if order_id is not None:
        query = query.where(Complaint.order_id == order_id)
    if status:
        query = query.where(Complaint.status == status)
    if region_code:
        region = find_region(region_code)
        if region is None:
            raise Invalid({"region": f"unknown region {region_code!r}"})
        query = query.where(Order.region_id == region.id)
    return list(db.session.scalars(query.order_by(Complaint.id.desc()).limit(500)))


def update_complaint(
    complaint_id: int, *, changes: Mapping[str, Any], actor: Actor, scope: set[int] | None
) -> Complaint:
    """Move a complaint through its life and fill in what was found; every change is logged.

    Everything is checked before anything is changed, so a refused request leaves the complaint as it was.
    """
    complaint = get_complaint(complaint_id, scope=scope)
    details = {name: changes[name] for name in DETAILS if name in changes}
    target = changes.get("status")
    step = None
    if target is not None and target != complaint.status:
        try:
            step = complaint_step(complaint.status, target)
        except ComplaintTransitionError as exc:
            raise Conflict(str(exc)) from exc
    if complaint.status == ComplaintStatus.CLOSED and details and step is None:
        raise Conflict("a closed complaint cannot be changed; reopen it first (status: open)")
    resolving = step is not None and step.to_status == ComplaintStatus.RESOLVED
    if resolving and not (details.get("resolution") or complaint.resolution):
        raise Invalid({"resolution": "say what was done before resolving the complaint"})
    if details:
        _fill_in(complaint, details, actor)
    if step is not None:
        _move(complaint, step, actor)
    db.session.commit()
    return complaint


def _fill_in(complaint: Complaint, details: Mapping[str, Any], actor: Actor) -> None:
    changed = {name: value for name, value in details.items() if getattr(complaint, name) != value}
    for name, value in changed.items():
        setattr(complaint, name, value)
    if changed:
        record_order_event(
            complaint.order,
            subject="complaint",
            action="update",
            actor=actor,
            data={"complaint_id": complaint.id, **changed},
        )


def _move(complaint: Complaint, step: ComplaintStep, actor: Actor) -> None:
    complaint.status = step.to_status.value
    if step.reopens:
        complaint.reopen_count += 1
    if step.to_status in _STAMPS:
        setattr(complaint, _STAMPS[step.to_status], utcnow())
    record_order_event(
        complaint.order,
        subject="complaint",
        action=step.action,
        actor=actor,
        from_state=step.from_status.value,
        to_state=step.to_status.value,
        data={"complaint_id": complaint.id, "reopen_count": complaint.reopen_count},
    )
