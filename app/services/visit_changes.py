"""The one way the office side writes a visit: the core's table decides its status, and the log records it."""

from __future__ import annotations

from typing import Any

from app.extensions import db
from app.models import Visit
from app.services.events import Actor, record_visit_change
from dispatch.visits import VisitChange, visit_change


def new_visit(
    change: VisitChange, *, actor: Actor, data: dict[str, Any] | None = None, **fields: Any
) -> Visit:
    """Create a visit (booked by a customer, placed by a plan or by hand) and record how it came to be.

    The log keeps the window the visit was created with: it is the appointment the order's clocks hold to.
    """
    status = visit_change(None, change)
    start, end = fields.get("window_start"), fields.get("window_end")
    if start is not None and end is not None:
        data = {"start": start.isoformat(), "end": end.isoformat(), **(data or {})}
    visit = Visit(status=status.value, **fields)
    db.session.add(visit)
    db.session.flush()
    record_visit_change(
        visit, action=change.value, from_state=None, to_state=status.value, actor=actor, data=data
    )
    return visit


def change_visit(
    visit: Visit,
    change: VisitChange,
    *,
    actor: Actor,
    reason: str | None = None,
    data: dict[str, Any] | None = None,
    **fields: Any,
) -> Visit:
    """Apply an office change to a visit: its new status from the core, its fields, one log entry."""
    before = visit.status
    status = visit_change(before, change)
    for name, value in fields.items():
        setattr(visit, name, value)
    visit.status = status.value
    record_visit_change(
        visit,
        action=change.value,
        from_state=before,
        to_state=status.value,
        actor=actor,
        reason=reason,
        data=data,
    )
    return visit
