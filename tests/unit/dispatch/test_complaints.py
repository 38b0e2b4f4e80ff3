"""The complaint state machine and the survey rule that opens complaints."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dispatch.complaints import (
    ComplaintCategory,
    ComplaintStatus,
    ComplaintTransitionError,
    Severity,
    allowed_statuses,
    complaint_step,
    survey_verdict,
)

C = ComplaintStatus

STEPS = [
    (C.OPEN, C.ACKNOWLEDGED, "acknowledge", False),
    (C.ACKNOWLEDGED, C.RESOLVED, "resolve", False),
    (C.RESOLVED, C.CLOSED, "close", False),
    (C.RESOLVED, C.OPEN, "reopen", True),
    (C.CLOSED, C.OPEN, "reopen", True),
]


@pytest.mark.parametrize(("status", "target", "action", "reopens"), STEPS)
def test_allowed_steps(status: C, target: C, action: str, reopens: bool) -> None:
    """Each allowed step names its action and says whether it reopens."""
    step = complaint_step(status, target)
    assert (step.from_status, step.to_status, step.action, step.reopens) == (status, target, action, reopens)


@given(status=st.sampled_from(C), target=st.sampled_from(C))
def test_a_step_is_allowed_exactly_when_listed(status: C, target: C) -> None:
    """complaint_step and allowed_statuses agree on every pair."""
    if target in allowed_statuses(status):
        assert complaint_step(status, target).to_status == target
    else:
        with pytest.raises(ComplaintTransitionError):
            complaint_step(status, target)


def test_a_refused_step_names_the_allowed_ones() -> None:
    """The message lists where the complaint may go instead."""
    with pytest.raises(
        ComplaintTransitionError, match=r"open cannot become closed \(allowed: acknowledged\)"
    ):
        complaint_step("open", "closed")


@pytest.mark.parametrize(
    ("rating", "solved", "nps", "expected"),
    [
        (3, True, None, None),
        (5, True, 7, None),
        (2, True, None, (ComplaintCategory.OTHER, Severity.MEDIUM)),
        (1, True, 9, (ComplaintCategory.OTHER, Severity.HIGH)),
        (4, True, 6, (ComplaintCategory.OTHER, Severity.LOW)),
        (4, False, None, (ComplaintCategory.UNRESOLVED, Severity.MEDIUM)),
        (2, False, 0, (ComplaintCategory.UNRESOLVED, Severity.HIGH)),
    ],
)
def test_survey_verdict(rating: int, solved: bool, nps: int | None, expected: tuple | None) -> None:
    """A rating of 2 or less, an NPS of 6 or less, or an unsolved problem opens a complaint."""
    verdict = survey_verdict(rating=rating, solved=solved, nps=nps)
    found = None if verdict is None else (verdict.category, verdict.severity)
    assert found == expected
