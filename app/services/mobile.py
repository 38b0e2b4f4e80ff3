"""A technician's day on the phone: the route, visit events (online and synced), ETAs and positions."""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import Attachment, Order, TechnicianPosition, User, Visit, VisitProgress, utcnow
from app.services.errors import Invalid, NotFound
from app.services.regions import local_today
from dispatch.checklists import ChecklistItem, checklist_for
from dispatch.visits import NOT_YET_DISPATCHED, VISIBLE_TO_TECHNICIAN

VISIBLE = sorted(s.value for s in VISIBLE_TO_TECHNICIAN)
HISTORY_LIMIT = 5
# Phones' clocks drift; an event from further ahead than this would make every later one look stale.


@dataclass(frozen=True, slots=True)
class PastVisit:
    """An earlier visit at the same site, as the technician needs to know it."""

    day: date
    kind: str
    outcome: str
    reason: str | None


@dataclass(frozen=True, slots=True)
class VisitSheet:
    """Everything the phone shows for one visit."""

    visit: Visit
    progress: VisitProgress
    zone: ZoneInfo
    checklist: tuple[ChecklistItem, ...]
    history: tuple[PastVisit, ...] = ()
    attachments: tuple[Attachment, ...] = ()


def technician_id(user: User) -> int:
    """The technician a phone's login speaks for."""
    if user.technician_id is None:  # the database refuses a technician login without one
        raise NotFound("no technician for this login")
    return user.technician_id


def own_visit(user: User, visit_id: int, *, lock: bool = False) -> Visit:
    """A visit on the caller's published route; anyone else's, or one not yet published, is 404."""
    query = select(Visit).where(Visit.id == visit_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    visit = db.session.scalar(query)
    if visit is None or visit.technician_id != technician_id(user) or visit.status in NOT_YET_DISPATCHED:
        raise NotFound(f"visit {visit_id} not found")
    return visit


def ensure_progress(visit: Visit) -> VisitProgress:
    """The visit's field record, created with its confirmation code on first use; flushes, does not commit."""
    progress = db.session.get(VisitProgress, visit.id)
    if progress is not None:
        return progress
    try:
        with db.session.begin_nested():
            progress = VisitProgress(visit_id=visit.id, confirmation_code=f"{secrets.randbelow(10**6):06d}")
            db.session.add(progress)
    except IntegrityError:  # another request created it first
        progress = db.session.get(VisitProgress, visit.id, populate_existing=True)
        if progress is None:
            raise
    return progress


def day_sheets(*, user: User, day: date | None) -> tuple[date, list[VisitSheet]]:
    """The caller's visits of a day in route order; the day defaults to today in their home region."""
    tech = technician_id(user)
    if day is None:
        assert user.technician is not None
        day = local_today(user.technician.primary_region)
    visits = db.session.scalars(
        select(Visit)
        .where(Visit.technician_id == tech, Visit.day == day, Visit.status.in_(VISIBLE))
        .order_by(Visit.planned_arrival.is_(None), Visit.planned_arrival, Visit.sequence, Visit.id)
        .options(selectinload(Visit.order).selectinload(Order.items))
    ).all()
    sheets = _sheets(list(visits))
    db.session.commit()  # confirmation codes made on this first read
    return day, sheets


def visit_sheet(*, user: User, visit_id: int) -> VisitSheet:
    """One of the caller's visits, as on the day's list."""
    sheet = _sheets([own_visit(user, visit_id)])[0]
    db.session.commit()
    return sheet


def _sheets(visits: list[Visit]) -> list[VisitSheet]:
    if not visits:
        return []
    history = _history(visits)
    ids = [v.id for v in visits]
    files: dict[int, list[Attachment]] = defaultdict(list)
    for attachment in db.session.scalars(
        select(Attachment).where(Attachment.visit_id.in_(ids)).order_by(Attachment.id)
    ):
        files[attachment.visit_id].append(attachment)
    return [
        VisitSheet(
            visit=visit,
            progress=ensure_progress(visit),
            zone=ZoneInfo(visit.order.region.time_zone),
            checklist=checklist_for(visit.order.kind),
            history=history.get(visit.id, ()),
            attachments=tuple(files[visit.id]),
        )
        for visit in visits
    ]


def _history(visits: Sequence[Visit]) -> dict[int, tuple[PastVisit, ...]]:
    """Closed visits at the same sites on or before each visit's day, newest first."""
    sites = {v.order.site_id for v in visits}
    rows = db.session.execute(
        select(Visit, Order.site_id, Order.kind, VisitProgress.outcome_reason)
        .join(Order, Visit.order_id == Order.id)
        .outerjoin(VisitProgress, VisitProgress.visit_id == Visit.id)
        .where(Order.site_id.in_(sites), Visit.status.in_(["completed", "cannot_complete"]))
        .where(Visit.day <= max(v.day for v in visits))
        .order_by(Visit.day.desc(), Visit.id.desc())
    ).all()
    result: dict[int, tuple[PastVisit, ...]] = {}
    for visit in visits:
        earlier = [
            PastVisit(day=past.day, kind=kind, outcome=past.status, reason=reason)
            for past, site_id, kind, reason in rows
            if site_id == visit.order.site_id and past.id != visit.id and past.day <= visit.day
        ]
        result[visit.id] = tuple(earlier[:HISTORY_LIMIT])
    return result


MAX_CLOCK_AHEAD = timedelta(minutes=15)
# A phone offline longer than this has a wrong clock, or news nobody can act on any more.
MAX_REPORT_AGE = timedelta(days=30)


def check_phone_clock(at: datetime) -> None:
    """Refuse a phone's time that cannot be right: ahead of ours, or a month and more ago."""
    if at > utcnow() + MAX_CLOCK_AHEAD:
        raise Invalid({"at": "is in the future; check the phone's clock"})
    if at < utcnow() - MAX_REPORT_AGE:
        raise Invalid({"at": "is more than 30 days ago; check the phone's clock"})


def visit_eta(*, user: User, visit_id: int) -> tuple[Visit, VisitProgress]:
    """The caller's own visit and its ETA as last computed."""
    visit = own_visit(user, visit_id)
    progress = ensure_progress(visit)
    db.session.commit()
    return visit, progress


def record_position(*, user: User, lat: float, lon: float, at: datetime, min_interval_s: float) -> bool:
    """Keep a phone's position unless the last one kept is under `min_interval_s` older; True if kept."""
    check_phone_clock(at)
    kept = keep_position(technician_id(user), lat, lon, at, min_interval=timedelta(seconds=min_interval_s))
    db.session.commit()
    return kept


def keep_position(
    tech: int, lat: float, lon: float, at: datetime, *, min_interval: timedelta = timedelta(0)
) -> bool:
    query = (
        select(TechnicianPosition)
        .where(TechnicianPosition.technician_id == tech)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    row = db.session.scalar(query)
    if row is None:
        try:
            with db.session.begin_nested():
                db.session.add(TechnicianPosition(technician_id=tech, lat=lat, lon=lon, reported_at=at))
            return True
        except IntegrityError:  # a ping from the same phone got there first
            row = db.session.scalar(query)
            assert row is not None
    if at - row.reported_at < min_interval or at <= row.reported_at:
        return False
    row.lat, row.lon, row.reported_at, row.received_at = lat, lon, at, utcnow()
    return True
