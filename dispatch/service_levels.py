"""Service-level policies and the order events their clocks are measured from.

A policy holds, for an order kind and priority (and optionally a region), the targets an order must meet.
It is versioned: an order keeps the policy version it was received under, so a new version changes only
the clocks of orders received after it takes effect. The clocks themselves are `dispatch.clocks`.

Targets and what each event kind does to them (anything else leaves a target alone):

| target               | starts at             | stops at                                          | paused |
|----------------------|-----------------------|---------------------------------------------------|--------|
| response             | received              | appointment_confirmed, closed                     | yes    |
| resolution           | received              | completed and confirmed_by_customer (the later of | yes    |
|                      |                       | the two), or closed                               |        |
| arrival              | appointment_confirmed | arrived; due at the window's end + duration       | no     |
| complaint_response   | complaint_opened      | complaint_first_response, complaint_resolved      | no     |
| complaint_resolution | complaint_opened      | complaint_resolved                                | no     |

`paused` .. `resumed` is a pause (awaiting goods, or on hold at the customer's request). A confirmed
appointment whose slot starts after the earliest slot offered adds a pause of its own, `customer_chose_later`,
from the earliest offered start to the chosen one. `cancelled` voids every order clock still running (it is
left out of the result) unless it had already breached; `closed` voids a running arrival clock the same way.
A later `appointment_confirmed` (a rebooking) moves the arrival clock to the new window, unless its due
time has already passed. Complaint clocks run on a complaint's own log, one complaint per log.

A due time is the last moment on time: a clock that stops then is met, one still running after it breached.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from dispatch.calendars import utc


class TargetName(StrEnum):
    RESPONSE = "response"
    ARRIVAL = "arrival"
    RESOLUTION = "resolution"
    COMPLAINT_RESPONSE = "complaint_response"
    COMPLAINT_RESOLUTION = "complaint_resolution"


class ClockStatus(StrEnum):
    RUNNING = "running"
    PAUSED = "paused"
    WARNING = "warning"
    BREACHED = "breached"
    MET = "met"


class PauseReason(StrEnum):
    AWAITING_GOODS = "awaiting_goods"
    CUSTOMER_HOLD = "customer_hold"  # on hold at the customer's request
    CUSTOMER_CHOSE_LATER = "customer_chose_later"  # derived from a confirmed appointment, never logged


class EventKind(StrEnum):
    RECEIVED = "received"
    PAUSED = "paused"
    RESUMED = "resumed"
    APPOINTMENT_CONFIRMED = "appointment_confirmed"
    ARRIVED = "arrived"
    COMPLETED = "completed"
    CONFIRMED_BY_CUSTOMER = "confirmed_by_customer"
    CLOSED = "closed"
    CANCELLED = "cancelled"
    COMPLAINT_OPENED = "complaint_opened"
    COMPLAINT_FIRST_RESPONSE = "complaint_first_response"
    COMPLAINT_RESOLVED = "complaint_resolved"


LOGGED_PAUSES = frozenset({PauseReason.AWAITING_GOODS, PauseReason.CUSTOMER_HOLD})


class NoPolicy(LookupError):
    """No service-level policy covers an order's kind, priority and region."""


@dataclass(frozen=True, slots=True)
class Target:
    """One promise: `duration_s` of business time (or of calendar time) from the clock's start.

    The warning comes `warn_before_s` before the due time, counted in the target's own time: with business
    time, when that much working time is left. For arrival the due time is the promised window's end, and
    `duration_s` is a grace after it (0: none); arrival is always on calendar time.
    """

    name: TargetName
    duration_s: int
    warn_before_s: int = 0
    business_time: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", TargetName(self.name))
        if self.duration_s < 0 or (self.duration_s == 0 and self.name is not TargetName.ARRIVAL):
            raise ValueError(f"{self.name.value}: a target needs a positive duration, got {self.duration_s}")
        if self.warn_before_s < 0:
            raise ValueError(f"{self.name.value}: warn_before_s cannot be negative, got {self.warn_before_s}")
        if self.name is TargetName.ARRIVAL and self.business_time:
            raise ValueError("arrival is measured against a promised moment: business_time must be False")

    @property
    def duration(self) -> timedelta:
        return timedelta(seconds=self.duration_s)

    @property
    def warn_after(self) -> timedelta:
        """How much of the target's time runs before the warning."""
        return timedelta(seconds=max(self.duration_s - self.warn_before_s, 0))


@dataclass(frozen=True, slots=True)
class Policy:
    """The targets for a kind and priority of order, in one region or (region None) everywhere."""

    name: str
    version: int
    kind: str
    priority: str
    targets: tuple[Target, ...]
    region: str | None = None
    effective_from: datetime | None = None  # None: since always

    def __post_init__(self) -> None:
        names = [target.name for target in self.targets]
        if len(set(names)) != len(names):
            raise ValueError(f"policy {self.name} v{self.version} names a target twice: {names}")
        if self.effective_from is not None:
            object.__setattr__(self, "effective_from", utc(self.effective_from, "effective_from"))

    def target(self, name: TargetName | str) -> Target | None:
        """The policy's target of that name, if it has one."""
        return next((target for target in self.targets if target.name == name), None)


def choose_policy(
    policies: Iterable[Policy],
    kind: str,
    priority: str,
    region: str | None = None,
    at: datetime | None = None,
) -> Policy:
    """The policy for an order: its region's over the general one, then the newest version in force `at`.

    Raises NoPolicy when none covers the order, and ValueError when two equally specific ones tie.
    """
    moment = None if at is None else utc(at, "at")
    fitting = [
        policy
        for policy in policies
        if policy.kind == kind
        and policy.priority == priority
        and policy.region in (None, region)
        and (moment is None or policy.effective_from is None or policy.effective_from <= moment)
    ]
    if not fitting:
        raise NoPolicy(f"no service-level policy for {kind}/{priority} in region {region}")

    def rank(policy: Policy) -> tuple[bool, int]:
        return policy.region is not None, policy.version

    best = max(fitting, key=rank)
    tied = [policy.name for policy in fitting if rank(policy) == rank(best)]
    if len(tied) > 1:
        raise ValueError(f"policies {tied} tie for {kind}/{priority} in region {region}")
    return best


@dataclass(frozen=True, slots=True)
class ClockEvent:
    """One entry of an order's append-only log, as the clocks read it; `actor` is who caused it."""

    at: datetime
    kind: EventKind
    actor: str
    reason: PauseReason | None = None  # paused only
    window_start: datetime | None = None  # appointment_confirmed only: the chosen slot
    window_end: datetime | None = None
    earliest_offered: datetime | None = None  # the earliest slot start the customer was offered

    def __post_init__(self) -> None:
        kind = EventKind(self.kind)
        object.__setattr__(self, "kind", kind)
        object.__setattr__(self, "at", utc(self.at, "at"))
        if not self.actor.strip():
            raise ValueError(f"{kind.value}: every event records who caused it")
        if (self.reason is not None) != (kind is EventKind.PAUSED):
            raise ValueError(f"{kind.value}: a reason goes with a pause, and a pause needs one")
        if self.reason is not None:
            object.__setattr__(self, "reason", PauseReason(self.reason))
            if self.reason not in LOGGED_PAUSES:
                raise ValueError(f"a pause is {' or '.join(sorted(LOGGED_PAUSES))}, not {self.reason}")
        self._check_window(kind)

    def _check_window(self, kind: EventKind) -> None:
        moments = ("window_start", "window_end", "earliest_offered")
        given = {name: getattr(self, name) for name in moments if getattr(self, name) is not None}
        if kind is not EventKind.APPOINTMENT_CONFIRMED:
            if given:
                raise ValueError(f"{kind.value}: only appointment_confirmed has a window: {sorted(given)}")
            return
        if self.window_start is None or self.window_end is None:
            raise ValueError("appointment_confirmed needs the window it promises")
        for name, moment in given.items():
            object.__setattr__(self, name, utc(moment, name))
        if self.window_end <= self.window_start:
            raise ValueError("the promised window ends before it starts")
        if self.earliest_offered is not None and self.earliest_offered > self.window_start:
            raise ValueError("the earliest slot offered starts after the one the customer chose")


@dataclass(frozen=True, slots=True)
class ClockState:
    """Where one target's clock stands at a moment; what the order page shows and the alert task indexes."""

    target: TargetName
    status: ClockStatus
    started_at: datetime
    due_at: datetime  # while paused: the earliest it can be, were the clock to resume now
    warn_at: datetime
    paused_s: int  # the target's own time (business or calendar) spent paused so far
    stopped_at: datetime | None = None
    # When a clock left alone next alerts: warn_at while running, due_at in warning (it breaches just after).
    next_alert_at: datetime | None = None
