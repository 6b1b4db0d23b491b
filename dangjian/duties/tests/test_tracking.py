"""Notice tracking and the case review flow are pure functions."""

from datetime import date

import pytest

from dangjian.duties.tracking import (
    TargetStatus,
    ack_due_on,
    acknowledged_on_time,
    fed_back_on_time,
    target_status,
)
from dangjian.duties.workflow import CaseAction, CaseStatus, TransitionError, allowed_actions, next_status

DEADLINE = date(2026, 3, 25)


def status(ack=None, fb=None, as_of=date(2026, 3, 10), **kw):
    return target_status(deadline=DEADLINE, acknowledged_on=ack, fed_back_on=fb, as_of=as_of, **kw)


def test_status_progression():
    assert status() is TargetStatus.UNACKED
    assert status(ack=date(2026, 3, 3)) is TargetStatus.ACKED
    assert status(ack=date(2026, 3, 3), fb=date(2026, 3, 9)) is TargetStatus.FED_BACK


def test_overdue_after_the_deadline_whether_acknowledged_or_not():
    assert status(as_of=DEADLINE) is TargetStatus.UNACKED  # the deadline day itself is still in time
    assert status(as_of=date(2026, 3, 26)) is TargetStatus.OVERDUE
    assert status(ack=date(2026, 3, 3), as_of=date(2026, 3, 26)) is TargetStatus.OVERDUE
    # feedback given late still counts as 已反馈 (its lateness is recorded separately)
    assert status(fb=date(2026, 3, 30), as_of=date(2026, 4, 1)) is TargetStatus.FED_BACK


def test_status_is_reproducible_for_a_past_day():
    assert (
        status(ack=date(2026, 3, 12), fb=date(2026, 3, 20), as_of=date(2026, 3, 11)) is TargetStatus.UNACKED
    )
    assert status(ack=date(2026, 3, 12), fb=date(2026, 3, 20), as_of=date(2026, 3, 15)) is TargetStatus.ACKED


def test_notice_without_feedback_is_finished_when_acknowledged():
    assert status(ack=date(2026, 3, 3), requires_feedback=False) is TargetStatus.ACKED
    assert status(ack=date(2026, 3, 3), as_of=date(2026, 4, 1), requires_feedback=False) is TargetStatus.ACKED
    assert status(as_of=date(2026, 4, 1), requires_feedback=False) is TargetStatus.OVERDUE


def test_acknowledgement_and_feedback_on_time():
    issued = date(2026, 3, 2)
    assert ack_due_on(issued, DEADLINE, 3) == date(2026, 3, 5)
    assert ack_due_on(issued, date(2026, 3, 3), 3) == date(2026, 3, 3)  # never after the deadline
    assert acknowledged_on_time(issued, DEADLINE, date(2026, 3, 5), 3)
    assert not acknowledged_on_time(issued, DEADLINE, date(2026, 3, 6), 3)
    assert not acknowledged_on_time(issued, DEADLINE, None, 3)
    assert fed_back_on_time(DEADLINE, DEADLINE)
    assert not fed_back_on_time(DEADLINE, date(2026, 3, 26))
    assert not fed_back_on_time(DEADLINE, None)


def test_case_flow():
    s = next_status(CaseStatus.DRAFT, CaseAction.SUBMIT)
    assert s is CaseStatus.SUBMITTED
    assert next_status(s, CaseAction.RETURN, comment="补充照片") is CaseStatus.RETURNED
    assert next_status(CaseStatus.RETURNED, CaseAction.SUBMIT) is CaseStatus.SUBMITTED
    assert next_status(s, CaseAction.APPROVE) is CaseStatus.APPROVED
    assert next_status(CaseStatus.APPROVED, CaseAction.PUBLISH) is CaseStatus.PUBLISHED
    assert next_status(CaseStatus.PUBLISHED, CaseAction.UNPUBLISH) is CaseStatus.APPROVED
    assert set(allowed_actions(CaseStatus.SUBMITTED)) == {CaseAction.APPROVE, CaseAction.RETURN}


def test_case_flow_refuses_skips_and_silent_returns():
    with pytest.raises(TransitionError, match="草稿"):
        next_status(CaseStatus.DRAFT, CaseAction.PUBLISH)
    with pytest.raises(TransitionError, match="审核意见"):
        next_status(CaseStatus.SUBMITTED, CaseAction.RETURN, comment="  ")
    with pytest.raises(TransitionError):
        next_status(CaseStatus.PUBLISHED, CaseAction.SUBMIT)
