"""A technician's visit events, reported online or synced from a phone that was offline, applied once each."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from app.extensions import db
from app.models import Order, User, Visit, VisitProgress, utcnow
from app.services.completion import check_completion
from app.services.errors import Conflict, Invalid, ServiceError
from app.services.events import Actor, record_order_transition, record_visit_change
from app.services.idempotency import Reply, once
from app.services.mobile import check_phone_clock, ensure_progress, keep_position, own_visit, technician_id
from dispatch import TransitionError
from dispatch import transition as lifecycle_step
from dispatch.lifecycle import Transition
from dispatch.visits import (
    CLOSED,
    OutcomeReasonError,
    VisitDayError,
    VisitEventType,
    VisitStep,
    VisitTransitionError,
    already_passed,
    check_event_day,
    visit_step,
)
from routing import Point
from routing.matrix import GeodesicProvider

# A phone's clock may run a little ahead of the server's; further than this, the event is refused.


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
    """Decide the event against the visit's state machine, then record it on the visit and its order."""
    visit = own_visit(user, visit_id, lock=True)
    check_phone_clock(event.at)
    progress = ensure_progress(visit)
    actor = Actor.of(user)
    decided = _decide(visit, progress, event, actor, offline=offline)
    if isinstance(decided, Reply):
        return decided
    step = decided
    order = db.session.scalar(
        select(Order)
        .where(Order.id == visit.order_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assert order is not None
    order_step = _order_step(order, step)
    data = _progress(order, progress, step, event)
    visit.status = step.to_status.value
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
        keep_position(technician_id(user), event.lat, event.lon, event.at)
    db.session.flush()
    zone = ZoneInfo(order.region.time_zone)
    return Reply(201, _event_body(entry.id, visit, order, progress, event, zone, entry.at))


def _progress(
    order: Order, progress: VisitProgress, step: VisitStep, event: VisitEventInput
) -> dict[str, Any]:
    """Keep what the event tells of the visit's progress (ETA, checklist, outcome); the event's log data."""
    data = _event_data(event)
    if step.event is VisitEventType.DEPART and event.lat is not None and event.lon is not None:
        progress.eta = _eta(order, event)
        progress.eta_computed_at = utcnow()
        data["eta"] = progress.eta.isoformat()
    _record_outcome(progress, step, event)
    progress.last_event_at = max(event.at, progress.last_event_at or event.at)
    return data


def _decide(
    visit: Visit, progress: VisitProgress, event: VisitEventInput, actor: Actor, *, offline: bool
) -> VisitStep | Reply:
    """The visit's next step, allowed by its status and on the event's day in the region's time, or the
    stale reply for a late offline report already overtaken."""
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
    zone = ZoneInfo(visit.order.region.time_zone)
    try:
        check_event_day(step.event, visit_day=visit.day, event_day=event.at.astimezone(zone).date())
    except VisitDayError as exc:
        raise Conflict(str(exc)) from exc
    if step.event is VisitEventType.COMPLETE:
        check_completion(visit, progress, event.checklist, event.confirmation_code)
    return step


def _order_step(order: Order, step: VisitStep) -> Transition | None:
    """What the visit's step does to its order, if anything; 409 when the order cannot follow."""
    if step.order_action is None:
        return None
    try:
        return lifecycle_step(order.status, step.order_action, step.order_reason)
    except TransitionError as exc:
        raise Conflict(f"the visit's order cannot follow: {exc}") from exc


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
