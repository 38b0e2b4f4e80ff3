"""A technician's day on the phone: the route, visit events (online and synced), ETAs and positions."""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import Attachment, Order, TechnicianPosition, User, Visit, VisitProgress, utcnow
from app.services.errors import Conflict, Invalid, NotFound, ServiceError
from app.services.events import Actor, record_order_transition, record_visit_change
from app.services.idempotency import Reply, once
from app.services.regions import local_today
from dispatch import TransitionError
from dispatch import transition as lifecycle_step
from dispatch.checklists import ChecklistItem, checklist_for, unanswered
from dispatch.visits import (
    CLOSED,
    VISIBLE_TO_TECHNICIAN,
    OutcomeReasonError,
    VisitEventType,
    VisitStep,
    VisitTransitionError,
    already_passed,
    visit_step,
)
from routing import Point
from routing.matrix import GeodesicProvider

VISIBLE = sorted(s.value for s in VISIBLE_TO_TECHNICIAN)
HISTORY_LIMIT = 5
# Phones' clocks drift; an event from further ahead than this would make every later one look stale.
MAX_CLOCK_AHEAD = timedelta(minutes=15)


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


@dataclass(frozen=True, slots=True)
class VisitEventInput:
    """One status report from a phone, validated for shape but not yet against the visit."""

    type: VisitEventType
    at: datetime
    lat: float | None = None
    lon: float | None = None
    reason: str | None = None
    note: str | None = None
    checklist: dict[str, bool] | None = None
    confirmation_code: str | None = None


@dataclass(frozen=True, slots=True)
class SyncItem:
    """One event of an offline batch; `errors` when its shape was already refused."""

    index: int
    key: str | None
    visit_id: int | None
    request_hash: str | None
    event: VisitEventInput | None
    errors: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SyncResult:
    """What became of one event of a batch."""

    key: str | None
    status: str  # applied, replayed, stale or rejected
    http_status: int
    error: str | None = None
    errors: dict[str, list[str]] | None = None
    body: dict[str, Any] | None = None


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
    if visit is None or visit.technician_id != technician_id(user) or visit.status in ("booked", "planned"):
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


def visit_eta(*, user: User, visit_id: int) -> tuple[Visit, VisitProgress]:
    """The caller's own visit and its ETA as last computed."""
    visit = own_visit(user, visit_id)
    progress = ensure_progress(visit)
    db.session.commit()
    return visit, progress


def report_event(*, user: User, visit_id: int, event: VisitEventInput, key: str, request_hash: str) -> Reply:
    """Apply one event reported online, once per key: 201 with the new state, or the first reply again."""
    return once(
        user_id=user.id,
        key=key,
        request_hash=request_hash,
        run=lambda: _apply(user, visit_id, event, offline=False),
    )


def sync_events(*, user: User, items: Sequence[SyncItem]) -> list[SyncResult]:
    """Apply an offline batch in the order things happened; one result per item, in the order sent."""
    results: dict[int, SyncResult] = {}
    for item in items:
        if item.errors or item.event is None:
            results[item.index] = SyncResult(item.key, "rejected", 422, "invalid event", item.errors)
    pending = [(i.event.at, i.index, i) for i in items if i.event is not None and i.index not in results]
    for _, _, item in sorted(pending, key=lambda entry: entry[:2]):
        results[item.index] = _sync_one(user, item)
    return [results[item.index] for item in items]


def _sync_one(user: User, item: SyncItem) -> SyncResult:
    assert item.key and item.visit_id is not None and item.request_hash and item.event
    event, visit_id = item.event, item.visit_id
    try:
        reply = once(
            user_id=user.id,
            key=item.key,
            request_hash=item.request_hash,
            run=lambda: _apply(user, visit_id, event, offline=True),
        )
    except ServiceError as exc:
        return SyncResult(item.key, "rejected", exc.status, exc.detail, getattr(exc, "errors", None))
    status = "replayed" if reply.replayed else "stale" if reply.body.get("stale") else "applied"
    error = reply.body.get("detail") if reply.status >= 400 else None
    return SyncResult(item.key, status, reply.status, error, body=reply.body if reply.status < 400 else None)


def _apply(user: User, visit_id: int, event: VisitEventInput, *, offline: bool) -> Reply:
    visit = own_visit(user, visit_id, lock=True)
    if event.at > utcnow() + MAX_CLOCK_AHEAD:
        raise Invalid({"at": "is in the future; check the phone's clock"})
    progress = ensure_progress(visit)
    actor = Actor.of(user)
    late = progress.last_event_at is not None and event.at < progress.last_event_at
    if offline and late:
        return _stale(visit, event, actor, "it happened before the last event already applied")
    try:
        step = visit_step(visit.status, event.type, reason=event.reason, note=event.note)
    except VisitTransitionError as exc:
        if offline and already_passed(visit.status, event.type):
            return _stale(visit, event, actor, f"the visit is already {visit.status}")
        raise Conflict(str(exc)) from exc
    except OutcomeReasonError as exc:
        raise Invalid({exc.field: str(exc)}) from exc
    if step.event is VisitEventType.COMPLETE:
        _check_completion(visit, progress, event)

    order = db.session.scalar(
        select(Order)
        .where(Order.id == visit.order_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assert order is not None
    order_step = None
    if step.order_action is not None:
        try:
            order_step = lifecycle_step(order.status, step.order_action, step.order_reason)
        except TransitionError as exc:
            raise Conflict(f"the visit's order cannot follow: {exc}") from exc

    zone = ZoneInfo(order.region.time_zone)
    data = _event_data(event)
    if step.event is VisitEventType.DEPART and event.lat is not None and event.lon is not None:
        progress.eta = _eta(order, event)
        progress.eta_computed_at = utcnow()
        data["eta"] = progress.eta.isoformat()
    _record_outcome(progress, step, event)
    visit.status = step.to_status.value
    progress.last_event_at = max(event.at, progress.last_event_at or event.at)
    entry = record_visit_change(
        visit,
        action=step.event.value,
        from_state=step.from_status.value,
        to_state=step.to_status.value,
        actor=actor,
        reason=step.order_reason,
        reported_at=event.at,
        data=data or None,
    )
    if order_step is not None:
        record_order_transition(order, order_step, actor, data={"visit_id": visit.id})
    if event.lat is not None and event.lon is not None:
        _keep_position(technician_id(user), event.lat, event.lon, event.at)
    db.session.flush()
    return Reply(201, _event_body(entry.id, visit, order, progress, event, zone, entry.at))


def _stale(visit: Visit, event: VisitEventInput, actor: Actor, why: str) -> Reply:
    """Log a late report for the record without applying it."""
    record_visit_change(
        visit,
        action=f"stale_{event.type.value}",
        from_state=visit.status,
        to_state=visit.status,
        actor=actor,
        reason=f"not applied: {why}",
        reported_at=event.at,
        data=_event_data(event) or None,
    )
    db.session.flush()
    detail = f"{event.type.value} was not applied: {why}"
    body = {"type": "about:blank", "title": "Stale event", "status": 409, "detail": detail, "stale": True}
    return Reply(409, {**body, "visit_id": visit.id, "visit_status": visit.status})


def _check_completion(visit: Visit, progress: VisitProgress, event: VisitEventInput) -> None:
    """Done means the checklist answered and proof of it: a photo and a signature, or the customer's code."""
    errors: dict[str, str] = {}
    answers = event.checklist if event.checklist is not None else progress.checklist
    problems = unanswered(visit.order.kind, answers)
    if problems:
        errors["checklist"] = "; ".join(f"{code}: {text}" for code, text in problems.items())
    if event.confirmation_code:
        if not secrets.compare_digest(event.confirmation_code.strip(), progress.confirmation_code):
            errors["confirmation_code"] = "does not match the code the customer was given"
    else:
        counts = dict(
            db.session.execute(
                select(Attachment.kind, func.count())
                .where(Attachment.visit_id == visit.id)
                .group_by(Attachment.kind)
            ).all()
        )
        missing = [kind for kind in ("photo", "signature") if not counts.get(kind)]
        if missing:
            errors["attachments"] = (
                f"needs at least one photo and the customer's signature (missing: {', '.join(missing)}), "
                "or the customer's confirmation code"
            )
    if errors:
        raise Invalid(errors)


def _record_outcome(progress: VisitProgress, step: VisitStep, event: VisitEventInput) -> None:
    if event.checklist is not None:
        progress.checklist = dict(event.checklist)
    if step.reason is not None:
        progress.outcome_reason, progress.outcome_note = step.reason.value, step.note


def _eta(order: Order, event: VisitEventInput) -> datetime:
    """Straight-line travel at the region's speed, from where the technician set off."""
    assert event.lat is not None and event.lon is not None
    region = order.region
    provider = GeodesicProvider(speed_kmh=region.speed_kmh, detour_factor=region.detour_factor)
    travel = provider.matrix([Point(event.lat, event.lon)], [Point(order.site.lat, order.site.lon)])
    return event.at + timedelta(seconds=int(travel.seconds[0, 0]))


def _event_data(event: VisitEventInput) -> dict[str, Any]:
    data: dict[str, Any] = {}
    if event.lat is not None and event.lon is not None:
        data["lat"], data["lon"] = event.lat, event.lon
    if event.note:
        data["note"] = event.note
    if event.checklist is not None:
        data["checklist"] = dict(event.checklist)
    if event.confirmation_code:
        data["confirmed_by_code"] = True
    return data


def _event_body(
    event_id: int,
    visit: Visit,
    order: Order,
    progress: VisitProgress,
    event: VisitEventInput,
    zone: ZoneInfo,
    received_at: datetime | None,
) -> dict[str, Any]:
    """The 201 body, kept for replays: plain JSON with times in the region's zone."""

    def local(moment: datetime | None) -> str | None:
        return moment.astimezone(zone).isoformat() if moment else None

    return {
        "event_id": event_id,
        "visit_id": visit.id,
        "type": event.type.value,
        "at": local(event.at),
        "received_at": local(received_at or utcnow()),
        "visit_status": visit.status,
        "order_status": order.status,
        "eta": local(progress.eta),
        "closed": visit.status in CLOSED,
    }


def record_position(*, user: User, lat: float, lon: float, at: datetime, min_interval_s: float) -> bool:
    """Keep a phone's position unless the last one kept is under `min_interval_s` older; True if kept."""
    kept = _keep_position(technician_id(user), lat, lon, at, min_interval=timedelta(seconds=min_interval_s))
    db.session.commit()
    return kept


def _keep_position(
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
