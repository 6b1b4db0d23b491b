"""The review flow of a 党建品牌 / 特色做法 case. Pure: (status, action) → next status.

草稿 → 提交 → 待审核 → 通过 → 已通过 → 发布 → 已发布 (展示页可见; may be marked 典型)
待审核 / 已通过 → 退回 (with a comment) → 已退回 → 修改后再提交
已发布 → 撤回发布 → 已通过 (the 典型 mark is cleared with it)
"""

from __future__ import annotations

from enum import StrEnum


class CaseStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    APPROVED = "approved"
    PUBLISHED = "published"


CASE_STATUS_LABELS = {
    CaseStatus.DRAFT: "草稿",
    CaseStatus.SUBMITTED: "待审核",
    CaseStatus.RETURNED: "已退回",
    CaseStatus.APPROVED: "已通过",
    CaseStatus.PUBLISHED: "已发布",
}


class CaseAction(StrEnum):
    SUBMIT = "submit"
    APPROVE = "approve"
    RETURN = "return"
    PUBLISH = "publish"
    UNPUBLISH = "unpublish"


CASE_ACTION_LABELS = {
    CaseAction.SUBMIT: "提交审核",
    CaseAction.APPROVE: "审核通过",
    CaseAction.RETURN: "退回修改",
    CaseAction.PUBLISH: "发布展示",
    CaseAction.UNPUBLISH: "撤回发布",
}

TRANSITIONS: dict[tuple[CaseStatus, CaseAction], CaseStatus] = {
    (CaseStatus.DRAFT, CaseAction.SUBMIT): CaseStatus.SUBMITTED,
    (CaseStatus.RETURNED, CaseAction.SUBMIT): CaseStatus.SUBMITTED,
    (CaseStatus.SUBMITTED, CaseAction.APPROVE): CaseStatus.APPROVED,
    (CaseStatus.SUBMITTED, CaseAction.RETURN): CaseStatus.RETURNED,
    (CaseStatus.APPROVED, CaseAction.RETURN): CaseStatus.RETURNED,
    (CaseStatus.APPROVED, CaseAction.PUBLISH): CaseStatus.PUBLISHED,
    (CaseStatus.PUBLISHED, CaseAction.UNPUBLISH): CaseStatus.APPROVED,
}
# Actions the submitting organisation takes; every other action is the bureau's.
ORG_ACTIONS = frozenset({CaseAction.SUBMIT})
EDITABLE = frozenset({CaseStatus.DRAFT, CaseStatus.RETURNED})


class TransitionError(ValueError):
    """The message is Chinese and says what state the case is in."""


def next_status(status: CaseStatus | str, action: CaseAction | str, *, comment: str = "") -> CaseStatus:
    status, action = CaseStatus(status), CaseAction(action)
    target = TRANSITIONS.get((status, action))
    if target is None:
        raise TransitionError(
            f"案例当前为“{CASE_STATUS_LABELS[status]}”，不能执行“{CASE_ACTION_LABELS[action]}”"
        )
    if action is CaseAction.RETURN and not comment.strip():
        raise TransitionError("退回时须填写审核意见，说明需要修改的内容")
    return target


def allowed_actions(status: CaseStatus | str) -> list[CaseAction]:
    status = CaseStatus(status)
    return [a for (s, a) in TRANSITIONS if s is status]
