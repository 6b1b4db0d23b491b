"""整改 state machine: pure rules (no database)."""

from datetime import date

import pytest

from dangjian.supervision.flow import (
    Action,
    Party,
    State,
    TransitionError,
    available,
    check,
    is_overdue,
)

ORG = {Party.ORG}
INSP = {Party.INSPECTOR}
BOTH = {Party.ORG, Party.INSPECTOR}


def test_the_happy_path():
    s = State.PENDING
    s = check(Action.START, s, ORG)
    assert s == State.IN_PROGRESS
    s = check(Action.EVIDENCE, s, ORG, "已补齐 2026 年第三季度支部党员大会记录")
    assert s == State.IN_PROGRESS
    s = check(Action.SUBMIT, s, ORG)
    assert s == State.SUBMITTED
    assert check(Action.CLOSE, s, INSP) == State.CLOSED


def test_return_goes_back_to_in_progress_with_a_reason():
    assert check(Action.RETURN, State.SUBMITTED, INSP, "照片不清晰") == State.IN_PROGRESS
    with pytest.raises(TransitionError, match="退回理由"):
        check(Action.RETURN, State.SUBMITTED, INSP, "  ")


def test_evidence_while_pending_starts_the_work():
    assert check(Action.EVIDENCE, State.PENDING, ORG, "整改方案") == State.IN_PROGRESS


@pytest.mark.parametrize(
    "action,state,parties",
    [
        (Action.CLOSE, State.SUBMITTED, ORG),  # the organisation cannot close its own item
        (Action.RETURN, State.SUBMITTED, ORG),
        (Action.START, State.PENDING, INSP),  # the inspector does not do the work
        (Action.SUBMIT, State.IN_PROGRESS, INSP),
        (Action.EVIDENCE, State.IN_PROGRESS, INSP),
        (Action.CANCEL, State.PENDING, ORG),
        (Action.DEADLINE, State.PENDING, ORG),
    ],
)
def test_who_may_act(action, state, parties):
    with pytest.raises(TransitionError, match="只能由"):
        check(action, state, parties, "说明")


@pytest.mark.parametrize(
    "action,state",
    [
        (Action.CLOSE, State.IN_PROGRESS),  # not before it is submitted
        (Action.CLOSE, State.PENDING),
        (Action.SUBMIT, State.PENDING),
        (Action.START, State.IN_PROGRESS),
        (Action.EVIDENCE, State.SUBMITTED),
        (Action.EVIDENCE, State.CLOSED),
        (Action.RETURN, State.CLOSED),
        (Action.CANCEL, State.IN_PROGRESS),
        (Action.DEADLINE, State.CLOSED),
        (Action.DEADLINE, State.CANCELLED),
    ],
)
def test_wrong_state_refused(action, state):
    with pytest.raises(TransitionError, match="当前状态"):
        check(action, state, BOTH, "说明")


def test_submit_needs_evidence():
    with pytest.raises(TransitionError, match="先提交整改材料"):
        check(Action.SUBMIT, State.IN_PROGRESS, ORG, has_evidence=False)


def test_unknown_action():
    with pytest.raises(TransitionError, match="未知"):
        check("delete", State.PENDING, BOTH)


def test_deadline_may_change_in_any_open_state():
    for s in (State.PENDING, State.IN_PROGRESS, State.SUBMITTED):
        assert check(Action.DEADLINE, s, INSP, "疫情延期") == s


def test_available_actions():
    assert available(State.PENDING, ORG) == [Action.START, Action.EVIDENCE]
    assert available(State.PENDING, INSP) == [Action.CANCEL, Action.DEADLINE]
    assert available(State.SUBMITTED, INSP) == [Action.RETURN, Action.CLOSE, Action.DEADLINE]
    assert available(State.SUBMITTED, ORG) == []
    assert available(State.CLOSED, BOTH) == []


def test_overdue():
    d = date(2026, 10, 31)
    assert not is_overdue(State.IN_PROGRESS, d, date(2026, 10, 31))  # the deadline day is still in time
    assert is_overdue(State.IN_PROGRESS, d, date(2026, 11, 1))
    assert is_overdue(State.SUBMITTED, d, date(2026, 11, 1))
    assert is_overdue(State.PENDING, d, date(2026, 11, 1))
    assert not is_overdue(State.CLOSED, d, date(2026, 11, 1))
    assert not is_overdue(State.CANCELLED, d, date(2026, 11, 1))
