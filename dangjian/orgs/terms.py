"""Terms and 换届, the pure rules: term status (换届提醒), the delay cap, the order of renewal steps, the
shape of a committee. No database.

Sources (rules.md §3): 支部条例 (一般提前6个月提醒); 选举条例 第三条 (延长或者提前期限一般不超过1年);
支部条例 第二十条 (不足7名正式党员的支部不设委员会，设书记1名，必要时设副书记1名).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from dangjian.core.periods import add_months, add_years

REMIND_MONTHS_AHEAD = 6
MAX_DELAY_YEARS = 1
DELAY_CITATION = "选举条例 第三条：延长或者提前期限一般不超过1年"
# 党章 第三十一条: 每届3–5年; terms elected before 2018-07 may legitimately be 2 years (rules.md gotcha 3).
MIN_TERM_YEARS, MAX_TERM_YEARS = 2, 5
COMMITTEE_THRESHOLD = 7  # 支部条例 第二十条: 正式党员7人以上的党支部设立支部委员会


class TermStatus(StrEnum):
    NORMAL = "正常"
    EXPIRING = "即将届满"
    OVERDUE = "已届满未换届"
    MISSING = "未录入任期"
    NOT_ELECTED = "不适用"  # 党组: appointed, not elected


# Most urgent first: the 换届 overview sorts by this, then by expiry.
URGENCY = {
    TermStatus.OVERDUE: 0,
    TermStatus.EXPIRING: 1,
    TermStatus.MISSING: 2,
    TermStatus.NORMAL: 3,
    TermStatus.NOT_ELECTED: 4,
}
STATUS_TAG = {
    TermStatus.NORMAL: "tag-ok",
    TermStatus.EXPIRING: "tag-warn",
    TermStatus.OVERDUE: "tag-bad",
    TermStatus.MISSING: "tag-info",
    TermStatus.NOT_ELECTED: "",
}


def term_status(
    expires_on: date | None, today: date, *, elected: bool = True, months_ahead: int = REMIND_MONTHS_AHEAD
) -> TermStatus:
    if not elected:
        return TermStatus.NOT_ELECTED
    if expires_on is None:
        return TermStatus.MISSING
    if expires_on < today:
        return TermStatus.OVERDUE
    if expires_on <= add_months(today, months_ahead):
        return TermStatus.EXPIRING
    return TermStatus.NORMAL


def urgency_key(status: TermStatus, expires_on: date | None, code: str) -> tuple[int, date, str]:
    return (URGENCY[status], expires_on or date.max, code)


# --- delay (延期) ------------------------------------------------------------------------------------------
def delay_problem(expires_on: date, extended_to: date) -> str | None:
    """Why a requested delay cannot be recorded, or None when it is acceptable."""
    if extended_to <= expires_on:
        return f"延期后的届满日期应晚于原届满日期（{expires_on:%Y-%m-%d}）"
    limit = add_years(expires_on, MAX_DELAY_YEARS)
    if extended_to > limit:
        return f"延期不能超过1年（最晚至 {limit:%Y-%m-%d}）；依据{DELAY_CITATION}"
    return None


def term_years_problem(years: int | None) -> str | None:
    if years is None:
        return "请填写任期年数"
    if not MIN_TERM_YEARS <= years <= MAX_TERM_YEARS:
        return f"任期应为 {MIN_TERM_YEARS}–{MAX_TERM_YEARS} 年（党章 第三十一条：每届3至5年；2018年以前选举的可能为2年）"
    return None


# --- renewal steps --------------------------------------------------------------------------------------
def step_after(order: Sequence[str], done: Iterable[str]) -> str | None:
    """The step after the last one done, or None when the renewal is complete. Earlier steps that were never
    recorded (a term entered after its election) stay skipped rather than asked for out of order."""
    done_set = set(done)
    last = max((order.index(k) for k in done_set if k in order), default=-1)
    return order[last + 1] if last + 1 < len(order) else None


def step_problem(
    order: Sequence[str],
    done: dict[str, date],
    kind: str,
    done_on: date,
    today: date,
    labels: dict[str, str],
) -> str | None:
    """Why step `kind` cannot be recorded on `done_on` now, or None. Steps go strictly in order."""
    if kind in done:
        return f"“{labels[kind]}”已于 {done[kind]:%Y-%m-%d} 登记，不能重复登记"
    expected = step_after(order, done)
    if expected is None:
        return "本次换届的各步骤均已完成"
    if kind != expected:
        return f"请按顺序办理：下一步应为“{labels[expected]}”"
    if done_on > today:
        return "完成日期不能晚于今天"
    if done and done_on < max(done.values()):
        return f"完成日期不能早于上一步骤的完成日期（{max(done.values()):%Y-%m-%d}）"
    return None


# --- committee shape ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PostSpec:
    """A seat to fill: title (PostTitle value), holder, 专职 or 兼职."""

    title: str
    person_name: str
    id_number: str = ""
    is_full_time: bool = False


SECRETARY, DEPUTY = "secretary", "deputy"


def posts_problems(posts: Sequence[PostSpec], *, secretary_only: bool, labels: dict[str, str]) -> list[str]:
    """What is wrong with a committee's seats (empty list when it is acceptable)."""
    problems: list[str] = []
    secretaries = sum(p.title == SECRETARY for p in posts)
    if secretaries != 1:
        problems.append(f"应有且只有1名书记（现有 {secretaries} 名）")
    if secretary_only:
        extra = sorted({labels.get(p.title, p.title) for p in posts if p.title not in (SECRETARY, DEPUTY)})
        if extra:
            problems.append(
                f"只设书记的党组织不设委员，不能有：{'、'.join(extra)}（支部条例 第二十条）；如需设委员请改为“设委员会”"
            )
        if sum(p.title == DEPUTY for p in posts) > 1:
            problems.append("只设书记的党组织最多设副书记1名（支部条例 第二十条）")
    # One person may hold two duties (书记兼纪检委员), but not the same seat twice.
    seen: set[tuple[str, str]] = set()
    for p in posts:
        key = (p.title, p.id_number or p.person_name)
        if key in seen:
            problems.append(f"{p.person_name}重复登记为{labels.get(p.title, p.title)}")
        seen.add(key)
    return problems
