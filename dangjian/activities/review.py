"""The review of activity records: status transitions and who may make each. Pure (no database).

A record is entered by its organisation (草稿 = 未提交), submitted to the superior organisation (待审核), and
approved (已通过) or sent back with a comment (已退回) by an admin of an ancestor organisation or by the bureau
admin. An approved record is locked.

Only approved records count towards 达标 (issue 13). So an approved record changes only with a reviewer's
consent: a reviewer (or the command line, which acts for the bureau) edits or voids it directly, with a reason;
the organisation's own admins *request* the edit or the void (REQUEST_CHANGE, with a reason) and the record
stays as it is — and keeps counting — until a reviewer approves the request (services.decide_change). Both the
request and the decision are audited and kept in the review history.

Voiding (作废) a record not yet approved is allowed to the organisation's writers and needs a reason; a voided
record makes no further transitions.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from dangjian.core.actions import Refusal

# ActivityStatus values (models)
DRAFT, SUBMITTED, APPROVED, RETURNED = "draft", "submitted", "approved", "returned"
STATUS_LABELS = {DRAFT: "未提交", SUBMITTED: "待审核", APPROVED: "已通过", RETURNED: "已退回"}


class Action(StrEnum):
    SUBMIT = "submit"
    WITHDRAW = "withdraw"
    APPROVE = "approve"
    RETURN = "return"
    EDIT = "edit"
    EDIT_LOCKED = "edit_locked"
    VOID = "void"
    VOID_LOCKED = "void_locked"
    REQUEST_CHANGE = "request_change"


ACTION_LABELS = {
    Action.SUBMIT: "提交审核",
    Action.WITHDRAW: "撤回",
    Action.APPROVE: "审核通过",
    Action.RETURN: "退回",
    Action.EDIT: "修改",
    Action.EDIT_LOCKED: "修改已通过的记录",
    Action.VOID: "作废",
    Action.VOID_LOCKED: "作废已通过的记录",
    Action.REQUEST_CHANGE: "申请修改或作废",
}

WRITER, REVIEWER = "writer", "reviewer"

# action → (statuses it starts from, the status it leads to (None = unchanged), who may make it)
TRANSITIONS: dict[Action, tuple[frozenset[str], str | None, str]] = {
    Action.SUBMIT: (frozenset({DRAFT, RETURNED}), SUBMITTED, WRITER),
    Action.WITHDRAW: (frozenset({SUBMITTED}), DRAFT, WRITER),
    Action.APPROVE: (frozenset({SUBMITTED}), APPROVED, REVIEWER),
    Action.RETURN: (frozenset({SUBMITTED}), RETURNED, REVIEWER),
    Action.EDIT: (frozenset({DRAFT, SUBMITTED, RETURNED}), None, WRITER),
    Action.EDIT_LOCKED: (frozenset({APPROVED}), None, REVIEWER),
    Action.VOID: (frozenset({DRAFT, SUBMITTED, RETURNED}), None, WRITER),
    Action.VOID_LOCKED: (frozenset({APPROVED}), None, REVIEWER),
    Action.REQUEST_CHANGE: (frozenset({APPROVED}), None, WRITER),
}
NEEDS_COMMENT = frozenset(
    {Action.RETURN, Action.EDIT_LOCKED, Action.VOID, Action.VOID_LOCKED, Action.REQUEST_CHANGE}
)
COMMENT_PROMPT = {
    Action.RETURN: "退回时请写明退回意见，告诉对方需要补正什么",
    Action.EDIT_LOCKED: "该记录已审核通过，修改须填写修改原因",
    Action.VOID: "作废须填写作废原因",
    Action.VOID_LOCKED: "该记录已审核通过，作废须填写作废原因",
    Action.REQUEST_CHANGE: "该记录已审核通过，须填写申请理由，经上级党组织同意后生效",
}


@dataclass(frozen=True)
class Actor:
    """What the acting user may do to this record's organisation."""

    can_write: bool = False  # the organisation lies in their write scope
    can_review: bool = False  # they administer a superior organisation (or the whole bureau)


class ReviewError(Refusal):
    """`forbidden`: the role does not allow it (403); otherwise the record's state does not (a message)."""

    def __init__(self, message: str, *, forbidden: bool = False):
        super().__init__(message, code="forbidden" if forbidden else None)
        self.forbidden = forbidden


def edit_action(status: str) -> Action:
    return Action.EDIT_LOCKED if status == APPROVED else Action.EDIT


def void_action(status: str) -> Action:
    return Action.VOID_LOCKED if status == APPROVED else Action.VOID


def check(action: Action, status: str, is_deleted: bool, actor: Actor, comment: str = "") -> str:
    """The status after `action`, or ReviewError saying why it may not happen."""
    starts, target, who = TRANSITIONS[action]
    if who == WRITER and not actor.can_write:
        raise ReviewError("您没有修改该记录的权限", forbidden=True)
    if who == REVIEWER and not actor.can_review:
        raise ReviewError("只有上级党组织的管理员或局党建管理员可以审核该记录", forbidden=True)
    if is_deleted:
        raise ReviewError("该记录已作废，不能再办理")
    if status not in starts:
        raise ReviewError(f"该记录当前为“{STATUS_LABELS.get(status, status)}”，不能{ACTION_LABELS[action]}")
    if action in NEEDS_COMMENT and not comment.strip():
        raise ReviewError(COMMENT_PROMPT[action])
    return target or status


def may(action: Action, status: str, is_deleted: bool, actor: Actor) -> bool:
    try:
        check(action, status, is_deleted, actor, comment="-")
    except ReviewError:
        return False
    return True


def allowed_actions(status: str, is_deleted: bool, actor: Actor) -> list[Action]:
    return [a for a in Action if may(a, status, is_deleted, actor)]


def may_review(*, is_bureau_admin: bool, admin_root_path: str | None, org_path: str) -> bool:
    """The bureau admin reviews every record; an org admin reviews the records of the organisations strictly
    below their own (never their own organisation's: a record goes to the superior)."""
    if is_bureau_admin:
        return True
    return bool(admin_root_path) and org_path.startswith(admin_root_path) and org_path != admin_root_path
