"""The review state machine (pure)."""

from __future__ import annotations

import pytest

from dangjian.activities import review
from dangjian.activities.models import ActivityStatus, ReviewAction
from dangjian.activities.review import APPROVED, DRAFT, RETURNED, SUBMITTED, Action, Actor, ReviewError

WRITER = Actor(can_write=True)
REVIEWER = Actor(can_review=True)
BOTH = Actor(can_write=True, can_review=True)
NOBODY = Actor()


def test_status_values_match_the_model():
    assert {DRAFT, SUBMITTED, APPROVED, RETURNED} == set(ActivityStatus.values)
    assert review.STATUS_LABELS == dict(ActivityStatus.choices)
    steps = {a.value for a in Action} - {"edit", "void_locked"}  # a locked void is stored as a void step
    assert steps == set(ReviewAction.values) - {"reject_change"}  # a step only (no status transition)


@pytest.mark.parametrize(
    "action,start,actor,end",
    [
        (Action.SUBMIT, DRAFT, WRITER, SUBMITTED),
        (Action.SUBMIT, RETURNED, WRITER, SUBMITTED),
        (Action.WITHDRAW, SUBMITTED, WRITER, DRAFT),
        (Action.APPROVE, SUBMITTED, REVIEWER, APPROVED),
        (Action.RETURN, SUBMITTED, REVIEWER, RETURNED),
        (Action.EDIT, DRAFT, WRITER, DRAFT),
        (Action.EDIT, RETURNED, WRITER, RETURNED),
        # issue 13: an approved record keeps counting; only a reviewer changes it, its writers request
        (Action.EDIT_LOCKED, APPROVED, REVIEWER, APPROVED),
        (Action.VOID_LOCKED, APPROVED, REVIEWER, APPROVED),
        (Action.REQUEST_CHANGE, APPROVED, WRITER, APPROVED),
        (Action.VOID, SUBMITTED, WRITER, SUBMITTED),
    ],
)
def test_transitions(action, start, actor, end):
    assert review.check(action, start, False, actor, comment="原因") == end


@pytest.mark.parametrize(
    "action,start,actor",
    [
        (Action.APPROVE, SUBMITTED, WRITER),  # the branch cannot approve its own record
        (Action.RETURN, SUBMITTED, WRITER),
        (Action.SUBMIT, DRAFT, REVIEWER),
        (Action.EDIT, DRAFT, REVIEWER),
        (Action.VOID, DRAFT, NOBODY),
        (Action.EDIT_LOCKED, APPROVED, WRITER),
        (Action.VOID_LOCKED, APPROVED, WRITER),
        (Action.REQUEST_CHANGE, APPROVED, REVIEWER),
    ],
)
def test_who_may(action, start, actor):
    with pytest.raises(ReviewError) as e:
        review.check(action, start, False, actor, comment="x")
    assert e.value.forbidden


@pytest.mark.parametrize(
    "action,start",
    [
        (Action.APPROVE, DRAFT),
        (Action.APPROVE, APPROVED),
        (Action.SUBMIT, SUBMITTED),
        (Action.SUBMIT, APPROVED),
        (Action.WITHDRAW, APPROVED),
        (Action.EDIT, APPROVED),  # a locked record is edited only as EDIT_LOCKED
    ],
)
def test_state_refusals_are_not_permission_errors(action, start):
    with pytest.raises(ReviewError) as e:
        review.check(action, start, False, BOTH, comment="x")
    assert not e.value.forbidden and "不能" in e.value.message


def test_comments_required_and_voided_records_frozen():
    for action, start in ((Action.RETURN, SUBMITTED), (Action.EDIT_LOCKED, APPROVED), (Action.VOID, DRAFT)):
        with pytest.raises(ReviewError):
            review.check(action, start, False, BOTH, comment="  ")
    with pytest.raises(ReviewError, match="作废"):
        review.check(Action.SUBMIT, DRAFT, True, WRITER)
    assert review.allowed_actions(DRAFT, True, BOTH) == []
    assert review.edit_action(APPROVED) == Action.EDIT_LOCKED and review.edit_action(DRAFT) == Action.EDIT


def test_allowed_actions():
    assert set(review.allowed_actions(SUBMITTED, False, REVIEWER)) == {Action.APPROVE, Action.RETURN}
    assert set(review.allowed_actions(SUBMITTED, False, WRITER)) == {
        Action.WITHDRAW,
        Action.EDIT,
        Action.VOID,
    }
    assert set(review.allowed_actions(APPROVED, False, WRITER)) == {Action.REQUEST_CHANGE}
    assert set(review.allowed_actions(APPROVED, False, REVIEWER)) == {Action.EDIT_LOCKED, Action.VOID_LOCKED}
    assert review.void_action(APPROVED) == Action.VOID_LOCKED and review.void_action(DRAFT) == Action.VOID


def test_may_review_only_strictly_below():
    assert review.may_review(is_bureau_admin=True, admin_root_path=None, org_path="0001")
    assert review.may_review(is_bureau_admin=False, admin_root_path="00010001", org_path="000100010002")
    assert not review.may_review(is_bureau_admin=False, admin_root_path="00010001", org_path="00010001")
    assert not review.may_review(is_bureau_admin=False, admin_root_path="00010001", org_path="00010002")
    assert not review.may_review(is_bureau_admin=False, admin_root_path=None, org_path="0001")
