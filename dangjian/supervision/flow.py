"""整改: the states of a rectification, the allowed transitions and who may make each. Pure: no database.

    待整改 ──开始整改──▶ 整改中 ──提交验收──▶ 待验收 ──验收销号──▶ 已销号
                          ▲                     │
                          └──────退回（须说明理由）┘
    待整改 ──撤销（检查结论更正为非“不符合”）──▶ 已撤销

The organisation responsible (its admins, and the bureau admin) starts the work, adds evidence and submits it;
the inspector (and the bureau admin) verifies: closes it (销号) or returns it with a reason. The deadline may be
changed by the inspector side while the rectification is open.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class State(StrEnum):
    PENDING = "pending"
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"
    CLOSED = "closed"
    CANCELLED = "cancelled"


STATE_LABELS = {
    State.PENDING: "待整改",
    State.IN_PROGRESS: "整改中",
    State.SUBMITTED: "待验收",
    State.CLOSED: "已销号",
    State.CANCELLED: "已撤销",
}
OPEN_STATES = frozenset({State.PENDING, State.IN_PROGRESS, State.SUBMITTED})
FINAL_STATES = frozenset({State.CLOSED, State.CANCELLED})


class Party(StrEnum):
    ORG = "org"  # the organisation responsible for the fix
    INSPECTOR = "inspector"  # who verifies


class Action(StrEnum):
    START = "start"
    EVIDENCE = "evidence"
    SUBMIT = "submit"
    RETURN = "return"
    CLOSE = "close"
    CANCEL = "cancel"
    DEADLINE = "deadline"


ACTION_LABELS = {
    Action.START: "开始整改",
    Action.EVIDENCE: "提交整改材料",
    Action.SUBMIT: "提交验收",
    Action.RETURN: "退回重改",
    Action.CLOSE: "验收销号",
    Action.CANCEL: "撤销",
    Action.DEADLINE: "调整整改期限",
}


@dataclass(frozen=True)
class Rule:
    moves: dict[State, State]  # source state -> state after the action
    parties: frozenset[Party]
    needs_text: bool = False  # a reason or a description is required

    @property
    def sources(self) -> frozenset[State]:
        return frozenset(self.moves)


_ORG = frozenset({Party.ORG})
_INSPECTOR = frozenset({Party.INSPECTOR})
RULES: dict[Action, Rule] = {
    Action.START: Rule({State.PENDING: State.IN_PROGRESS}, _ORG),
    # Handing in material while still 待整改 means the work has started.
    Action.EVIDENCE: Rule(
        {State.PENDING: State.IN_PROGRESS, State.IN_PROGRESS: State.IN_PROGRESS}, _ORG, needs_text=True
    ),
    Action.SUBMIT: Rule({State.IN_PROGRESS: State.SUBMITTED}, _ORG),
    Action.RETURN: Rule({State.SUBMITTED: State.IN_PROGRESS}, _INSPECTOR, needs_text=True),
    Action.CLOSE: Rule({State.SUBMITTED: State.CLOSED}, _INSPECTOR),
    Action.CANCEL: Rule({State.PENDING: State.CANCELLED}, _INSPECTOR, needs_text=True),
    Action.DEADLINE: Rule({s: s for s in OPEN_STATES}, _INSPECTOR, needs_text=True),
}


class TransitionError(ValueError):
    """Refused; the message is Chinese and says why."""


def check(
    action: Action | str,
    state: State | str,
    parties: frozenset[Party] | set[Party],
    text: str = "",
    *,
    has_evidence: bool = True,
) -> State:
    """The state after `action`, or TransitionError. `parties` are the capacities in which the user acts;
    `has_evidence`: material has been handed in since the last return (required to submit)."""
    try:
        action = Action(action)
    except ValueError:
        raise TransitionError("未知的操作")
    state = State(state)
    rule = RULES[action]
    label = ACTION_LABELS[action]
    if not (rule.parties & set(parties)):
        who = "被检查党组织" if Party.ORG in rule.parties else "督查员或局党建管理员"
        raise TransitionError(f"“{label}”只能由{who}操作")
    if state not in rule.sources:
        allowed = "、".join(STATE_LABELS[s] for s in sorted(rule.sources, key=list(State).index))
        raise TransitionError(f"当前状态为“{STATE_LABELS[state]}”，不能{label}（仅限{allowed}时）")
    if rule.needs_text and not text.strip():
        what = "退回理由" if action == Action.RETURN else "说明"
        raise TransitionError(f"{label}须填写{what}")
    if action == Action.SUBMIT and not has_evidence:
        raise TransitionError("请先提交整改材料（文字说明或照片、文件），再提交验收")
    return rule.moves[state]


def available(state: State | str, parties: frozenset[Party] | set[Party]) -> list[Action]:
    """The actions this user may take now, in display order."""
    state = State(state)
    return [a for a, r in RULES.items() if state in r.sources and r.parties & set(parties)]


def is_overdue(state: State | str, deadline: date, as_of: date) -> bool:
    """Overdue: the deadline has passed (the deadline day itself is still in time) and it is not closed."""
    return State(state) in OPEN_STATES and deadline < as_of
