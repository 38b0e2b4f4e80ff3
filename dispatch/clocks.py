"""Service-level clocks: an order's event log, a calendar and a policy in, each target's clock out.

A clock's due time is when the target's duration of its own time (business time on the calendar, or
calendar time) has run outside its pauses. Pauses only ever push a due time later, and only from the
moment they are logged, so a clock that has breached stays breached whatever is logged after. A clock
reads only the events up to the one that stops it: nothing logged after a clock stopped changes it.
Which event starts, stops and pauses which target is in `dispatch.service_levels`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import pairwise

from dispatch.calendars import ALWAYS, BusinessCalendar, utc
from dispatch.service_levels import (
    ClockEvent,
    ClockState,
    ClockStatus,
    EventKind,
    PauseReason,
    Policy,
    Target,
    TargetName,
)

E = EventKind
ZERO = timedelta(0)
Interval = tuple[datetime, datetime]


@dataclass(frozen=True, slots=True)
class Pause:
    """Time that does not count against the order's clocks, and who caused it."""

    start: datetime
    end: datetime | None  # None: not resumed yet
    reason: PauseReason
    actor: str


@dataclass(frozen=True, slots=True)
class Span:
    """Where in the log a clock starts and stops, or is voided (cancelled before it stopped)."""

    start: int
    stop: int | None = None
    void: int | None = None


def pauses(events: Sequence[ClockEvent]) -> tuple[Pause, ...]:
    """The pauses in a log: each paused..resumed, and each later slot a customer chose over an earlier one.

    A pause while paused and a resume while running change nothing. A customer's later choice counts from
    the earliest slot offered, but never from before the confirmation that records it.
    """
    found: list[Pause] = []
    paused: ClockEvent | None = None
    for event in events:
        if event.kind is E.PAUSED and paused is None:
            paused = event
        elif event.kind is E.RESUMED and paused is not None:
            found.append(_logged(paused, event.at))
            paused = None
        elif event.kind is E.APPOINTMENT_CONFIRMED and event.earliest_offered is not None:
            start, chosen = max(event.earliest_offered, event.at), event.window_start
            if chosen is not None and start < chosen:
                found.append(Pause(start, chosen, PauseReason.CUSTOMER_CHOSE_LATER, event.actor))
    if paused is not None:
        found.append(_logged(paused, None))
    return tuple(found)


def _logged(paused: ClockEvent, until: datetime | None) -> Pause:
    """The pause a `paused` event began, resumed at `until` (None: not yet)."""
    assert paused.reason is not None  # ClockEvent refuses a pause without one
    return Pause(paused.at, until, paused.reason, paused.actor)


def clocks(
    events: Sequence[ClockEvent], calendar: BusinessCalendar, policy: Policy, now: datetime
) -> tuple[ClockState, ...]:
    """Each of the policy's targets whose clock has started, in the policy's order, as it stands at `now`.

    `events` is the log in the order it was written; an event out of time order or after `now` is refused.
    """
    at = utc(now, "now")
    log = tuple(events)
    for earlier, later in pairwise(log):
        if later.at < earlier.at:
            raise ValueError(f"the log goes back: {later.kind.value} at {later.at}, after {earlier.at}")
    if log and log[-1].at > at:
        raise ValueError(f"{log[-1].kind.value} at {log[-1].at} is after now ({at})")
    found = (_clock(target, log, calendar, at) for target in policy.targets)
    return tuple(state for state in found if state is not None)


def _clock(
    target: Target, log: tuple[ClockEvent, ...], calendar: BusinessCalendar, now: datetime
) -> ClockState | None:
    """One target's clock, or None when it has not started or was voided."""
    if target.name is TargetName.ARRIVAL:
        return _arrival(target, log, now)
    span = _span(target.name, log)
    if span is None:
        return None
    pausable = target.name in (TargetName.RESPONSE, TargetName.RESOLUTION)
    return _measure(target, calendar if target.business_time else ALWAYS, log, span, now, pausable)


def _first(log: tuple[ClockEvent, ...], kinds: frozenset[EventKind], after: int) -> int | None:
    """The index of the first event of those kinds after position `after`."""
    return next((i for i in range(after + 1, len(log)) if log[i].kind in kinds), None)


def _span(name: TargetName, log: tuple[ClockEvent, ...]) -> Span | None:
    """Where the clock of a target other than arrival starts, stops and is voided in the log."""
    complaint = name in (TargetName.COMPLAINT_RESPONSE, TargetName.COMPLAINT_RESOLUTION)
    start = _first(log, frozenset({E.COMPLAINT_OPENED if complaint else E.RECEIVED}), -1)
    if start is None:
        return None
    if name is TargetName.RESPONSE:
        stop = _first(log, frozenset({E.APPOINTMENT_CONFIRMED, E.CLOSED}), start)
    elif name is TargetName.RESOLUTION:
        stop = _resolved(log, start)
    elif name is TargetName.COMPLAINT_RESPONSE:
        stop = _first(log, frozenset({E.COMPLAINT_FIRST_RESPONSE, E.COMPLAINT_RESOLVED}), start)
    else:
        stop = _first(log, frozenset({E.COMPLAINT_RESOLVED}), start)
    void = None if complaint else _first(log, frozenset({E.CANCELLED}), start)
    if stop is not None and (void is None or stop < void):
        return Span(start, stop)
    return Span(start, None, void)


def _resolved(log: tuple[ClockEvent, ...], start: int) -> int | None:
    """Where the order is resolved: closed, or completed and confirmed by the customer, whichever is first."""
    closed = _first(log, frozenset({E.CLOSED}), start)
    completed = _first(log, frozenset({E.COMPLETED}), start)
    confirmed = _first(log, frozenset({E.CONFIRMED_BY_CUSTOMER}), start)
    both = None if completed is None or confirmed is None else max(completed, confirmed)
    found = [i for i in (closed, both) if i is not None]
    return min(found) if found else None


def _measure(
    target: Target,
    calendar: BusinessCalendar,
    log: tuple[ClockEvent, ...],
    span: Span,
    now: datetime,
    pausable: bool,
) -> ClockState | None:
    """A clock from its span in the log: due and warning moved by its pauses, and its status at `now`."""
    start = log[span.start].at
    ends = span.stop if span.stop is not None else span.void
    end = log[ends].at if ends is not None else now
    read = pauses(log[span.start : ends]) if pausable else ()
    breaks = _merged(read, start, end)
    due = _due(calendar, start, target.duration, breaks)
    warn = _due(calendar, start, target.warn_after, breaks)
    paused_time = sum((calendar.elapsed(a, min(b, end, now)) for a, b in breaks), ZERO)
    if span.stop is None and span.void is not None:
        if due >= end:
            return None  # cancelled by its due time: it measured nothing
        return _state(target, start, due, warn, paused_time, end, now, voided=True)
    paused_now = ends is None and (any(p.end is None for p in read) or any(a <= now < b for a, b in breaks))
    stopped = end if span.stop is not None else None
    return _state(target, start, due, warn, paused_time, stopped, now, paused=paused_now)


def _merged(read: Sequence[Pause], start: datetime, end: datetime) -> tuple[Interval, ...]:
    """The pauses as disjoint intervals from the clock's start; one not resumed yet runs to `end`."""
    spans = sorted((max(p.start, start), end if p.end is None else p.end) for p in read)
    merged: list[Interval] = []
    for a, b in spans:
        if b <= a:
            continue
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return tuple(merged)


def _due(
    calendar: BusinessCalendar, start: datetime, need: timedelta, breaks: Sequence[Interval]
) -> datetime:
    """The moment `need` of working time has run from `start` outside the breaks."""
    cursor, left = start, need
    for a, b in breaks:
        if a > cursor:
            chunk = calendar.elapsed(cursor, a)
            if chunk >= left:
                return calendar.add(cursor, left)
            left -= chunk
        cursor = max(cursor, b)
    return calendar.add(cursor, left)


def _arrival(target: Target, log: tuple[ClockEvent, ...], now: datetime) -> ClockState | None:
    """The arrival clock: due at the promised window's end (plus grace) until the technician arrives.

    A rebooking moves it to the new window only while the old one's due time has not passed.
    """
    started = due = None
    for event in log:
        if event.kind is E.APPOINTMENT_CONFIRMED and (due is None or event.at <= due):
            assert event.window_end is not None  # checked by ClockEvent
            started, due = event.at, event.window_end + target.duration
        elif started is None or due is None:
            continue
        elif event.kind is E.ARRIVED:
            return _state(target, started, due, due - _warning(target), ZERO, event.at, now)
        elif event.kind in (E.CANCELLED, E.CLOSED):
            if due >= event.at:
                return None  # called off by the window's end: nothing to measure
            return _state(target, started, due, due - _warning(target), ZERO, event.at, now, voided=True)
    if started is None or due is None:
        return None
    return _state(target, started, due, due - _warning(target), ZERO, None, now)


def _warning(target: Target) -> timedelta:
    return timedelta(seconds=target.warn_before_s)


def _state(
    target: Target,
    started: datetime,
    due: datetime,
    warn: datetime,
    paused_time: timedelta,
    stopped: datetime | None,
    now: datetime,
    *,
    paused: bool = False,
    voided: bool = False,
) -> ClockState:
    """The clock's status at `now` and the next moment it changes by itself.

    The due time is the last moment on time: a clock that stops then is met, and one still running is
    breached only after it. A voided clock (its order cancelled after it fell due) is breached.
    """
    alert = None
    if voided:
        status = ClockStatus.BREACHED
    elif stopped is not None:
        status = ClockStatus.MET if stopped <= due else ClockStatus.BREACHED
    elif now > due:
        status = ClockStatus.BREACHED
    elif paused:
        status = ClockStatus.PAUSED
    elif now >= warn:
        status, alert = ClockStatus.WARNING, due
    else:
        status, alert = ClockStatus.RUNNING, warn
    paused_s = int(paused_time.total_seconds())
    return ClockState(target.name, status, started, due, warn, paused_s, stopped, alert)
