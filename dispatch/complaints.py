"""After-sales quality: a complaint's life, and when a survey's answers open one by themselves."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ComplaintStatus(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"
    CLOSED = "closed"


class ComplaintCategory(StrEnum):
    WORKMANSHIP = "workmanship"
    DAMAGE = "damage"
    PUNCTUALITY = "punctuality"
    CONDUCT = "conduct"
    PRODUCT = "product"
    UNRESOLVED = "unresolved"  # the problem the visit was for is still there
    OTHER = "other"


class Severity(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class Fault(StrEnum):
    TECHNICIAN = "technician"
    PRODUCT = "product"
    LOGISTICS = "logistics"
    CUSTOMER = "customer"
    UNKNOWN = "unknown"


class ComplaintSource(StrEnum):
    DISPATCHER = "dispatcher"
    CUSTOMER = "customer"
    SURVEY = "survey"


C = ComplaintStatus
# A resolved or closed complaint goes back to open when the customer is not satisfied after all.
_NEXT: dict[ComplaintStatus, frozenset[ComplaintStatus]] = {
    C.OPEN: frozenset({C.ACKNOWLEDGED}),
    C.ACKNOWLEDGED: frozenset({C.RESOLVED}),
    C.RESOLVED: frozenset({C.CLOSED, C.OPEN}),
    C.CLOSED: frozenset({C.OPEN}),
}
_ACTIONS = {C.ACKNOWLEDGED: "acknowledge", C.RESOLVED: "resolve", C.CLOSED: "close", C.OPEN: "reopen"}
# The lowest scores that do not open a complaint.
FAIR_RATING = 3
FAIR_NPS = 7
NPS_INTERVAL_DAYS = 90  # a customer is asked "would you recommend us" at most this often


class ComplaintTransitionError(ValueError):
    """A status a complaint cannot go to from where it is."""

    def __init__(self, status: ComplaintStatus, target: ComplaintStatus) -> None:
        allowed = ", ".join(sorted(s.value for s in _NEXT[status])) or "none"
        super().__init__(
            f"a complaint that is {status.value} cannot become {target.value} (allowed: {allowed})"
        )
        self.status = status
        self.target = target


@dataclass(frozen=True, slots=True)
class ComplaintStep:
    """One change of a complaint's status, ready for the event log."""

    from_status: ComplaintStatus
    to_status: ComplaintStatus

    @property
    def action(self) -> str:
        """The verb the event log records: acknowledge, resolve, close or reopen."""
        return _ACTIONS[self.to_status]

    @property
    def reopens(self) -> bool:
        """Whether this step counts as a reopening."""
        return self.to_status is C.OPEN


def allowed_statuses(status: ComplaintStatus | str) -> frozenset[ComplaintStatus]:
    """Where a complaint may go next."""
    return _NEXT[ComplaintStatus(status)]


def complaint_step(status: ComplaintStatus | str, target: ComplaintStatus | str) -> ComplaintStep:
    """Decide a status change so that every caller obeys the same rules."""
    status, target = ComplaintStatus(status), ComplaintStatus(target)
    if target not in _NEXT[status]:
        raise ComplaintTransitionError(status, target)
    return ComplaintStep(from_status=status, to_status=target)


@dataclass(frozen=True, slots=True)
class SurveyVerdict:
    """Why a survey opens a complaint, and how serious it is."""

    reasons: tuple[str, ...]
    category: ComplaintCategory
    severity: Severity


def survey_verdict(*, rating: int, solved: bool, nps: int | None) -> SurveyVerdict | None:
    """The complaint a survey's answers call for, or None when they are fair."""
    reasons = []
    if rating < FAIR_RATING:
        reasons.append(f"rating {rating}")
    if nps is not None and nps < FAIR_NPS:
        reasons.append(f"NPS {nps}")
    if not solved:
        reasons.append("problem not solved")
    if not reasons:
        return None
    category = ComplaintCategory.OTHER if solved else ComplaintCategory.UNRESOLVED
    if rating == 1 or (not solved and rating < FAIR_RATING):
        severity = Severity.HIGH
    elif rating < FAIR_RATING or not solved:
        severity = Severity.MEDIUM
    else:
        severity = Severity.LOW
    return SurveyVerdict(reasons=tuple(reasons), category=category, severity=severity)
