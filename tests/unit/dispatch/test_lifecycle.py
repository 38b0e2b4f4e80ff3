"""The order lifecycle state machine."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dispatch import OrderAction, OrderStatus, ReasonRequired, TransitionError, allowed_actions, transition

S, A = OrderStatus, OrderAction

HAPPY_PATH = [
    (S.NEW, A.AWAIT_GOODS, S.AWAITING_GOODS),
    (S.AWAITING_GOODS, A.RELEASE, S.READY_TO_SCHEDULE),
    (S.READY_TO_SCHEDULE, A.SCHEDULE, S.SCHEDULED),
    (S.SCHEDULED, A.DISPATCH, S.DISPATCHED),
    (S.DISPATCHED, A.START, S.IN_PROGRESS),
    (S.IN_PROGRESS, A.COMPLETE, S.COMPLETED),
    (S.COMPLETED, A.CLOSE, S.CLOSED),
]


@pytest.mark.parametrize(("state", "action", "target"), HAPPY_PATH)
def test_happy_path_steps(state: OrderStatus, action: OrderAction, target: OrderStatus) -> None:
    """Each step of an uneventful order leads to the next status."""
    step = transition(state, action)
    assert (step.from_status, step.to_status, step.reason) == (state, target, None)


@pytest.mark.parametrize("state", [S.DISPATCHED, S.IN_PROGRESS])
def test_cannot_complete_sends_the_order_back_to_scheduling(state: OrderStatus) -> None:
    """A visit that could not finish the job puts the order back in the scheduling queue."""
    assert transition(state, A.CANNOT_COMPLETE, "customer_absent").to_status == S.READY_TO_SCHEDULE


@pytest.mark.parametrize("action", [A.HOLD, A.CANCEL, A.CANNOT_COMPLETE])
@pytest.mark.parametrize("reason", [None, "", "   "])
def test_reason_is_required(action: OrderAction, reason: str | None) -> None:
    """Hold, cancel and cannot-complete without a reason are refused."""
    with pytest.raises(ReasonRequired):
        transition(S.DISPATCHED, action, reason)


def test_reason_is_kept_trimmed() -> None:
    """The reason given is what the event log records."""
    assert transition(S.SCHEDULED, A.HOLD, "  goods damaged ").reason == "goods damaged"


@pytest.mark.parametrize("state", [S.CLOSED, S.CANCELLED])
def test_terminal_states_allow_nothing(state: OrderStatus) -> None:
    """A closed or cancelled order never changes again."""
    assert allowed_actions(state) == frozenset()
    for action in A:
        with pytest.raises(TransitionError):
            transition(state, action, "reason")


@pytest.mark.parametrize(
    ("state", "action"),
    [(S.NEW, A.COMPLETE), (S.COMPLETED, A.CANCEL), (S.IN_PROGRESS, A.CANCEL), (S.READY_TO_SCHEDULE, A.START)],
)
def test_illegal_transitions_name_what_is_allowed(state: OrderStatus, action: OrderAction) -> None:
    """The error says what the state does allow, for the 409 message."""
    with pytest.raises(TransitionError) as raised:
        transition(state, action, "reason")
    for allowed in allowed_actions(state):
        assert allowed.value in str(raised.value)


def test_on_hold_resumes_to_scheduling() -> None:
    """An order taken off hold is scheduled again, whatever it was before."""
    assert transition(S.ON_HOLD, A.RESUME).to_status == S.READY_TO_SCHEDULE


@given(st.lists(st.sampled_from(list(A)), max_size=30))
def test_random_walks_stay_in_known_states(actions: list[OrderAction]) -> None:
    """Any sequence of actions either is refused or moves between known statuses, and terminal is final."""
    state = S.NEW
    for action in actions:
        try:
            step = transition(state, action, "because")
        except TransitionError:
            assert action not in allowed_actions(state)
            continue
        assert state not in (S.CLOSED, S.CANCELLED)
        assert step.to_status in S
        state = step.to_status


def test_an_order_waiting_for_a_location_can_only_be_located_or_cancelled() -> None:
    """needs_location leads back to new once placed; holding it would let it be resumed without a region."""
    assert transition(S.NEW, A.AWAIT_LOCATION).to_status == S.NEEDS_LOCATION
    assert transition(S.NEEDS_LOCATION, A.LOCATE).to_status == S.NEW
    assert allowed_actions(S.NEEDS_LOCATION) == {A.LOCATE, A.CANCEL}
    with pytest.raises(TransitionError, match="allowed: cancel, locate"):
        transition(S.NEEDS_LOCATION, A.HOLD, "customer away")
