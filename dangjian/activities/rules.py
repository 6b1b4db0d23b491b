"""Pure rules of organisational life: who was on the roll on a date, the quorum, who attends a kind of
meeting, and the reading of 台账 cells. No database, no Django: unit-tested on plain values.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation

# Member.status / MembershipEvent.kind values (dangjian.members.choices), repeated here to keep this pure.
STATUS_NORMAL = "正常"
MOVE_KINDS = frozenset({"转入", "转出", "组织内转接"})
SUSPEND, RESTORE = "停止党籍", "恢复党籍"

# KindAudience values (models), from the narrowest to the widest.
AUDIENCE_TALK, AUDIENCE_GROUP, AUDIENCE_COMMITTEE, AUDIENCE_ALL = "talk", "group", "committee", "all"
_AUDIENCE_WIDTH = {AUDIENCE_TALK: 0, AUDIENCE_GROUP: 1, AUDIENCE_COMMITTEE: 2, AUDIENCE_ALL: 3}

ABSENCE_REASONS = ("因公", "因病", "事假", "其他")


# --- the roll on a date -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class MemberFacts:
    """What the roster says about a member today."""

    organization_id: int
    join_date: date
    status: str = STATUS_NORMAL
    left_on: date | None = None


@dataclass(frozen=True)
class Move:
    """A MembershipEvent: kind, date and the organisations it moved the member between."""

    kind: str
    date: date
    from_org_id: int | None = None
    to_org_id: int | None = None


def org_on(member: MemberFacts, events: Sequence[Move], day: date) -> int | None:
    """The organisation whose roll held this member on `day`, or None when they were not on any roll.

    The roster only knows where a member is now; the history of moves tells where they were before: the
    first move after `day` names the organisation they left. A move takes effect on its own date, and so does
    leaving (left_on): a member who transferred out on the day of a meeting no longer counts for it.
    """
    if day < member.join_date:
        return None
    if not events and member.status == STATUS_NORMAL:
        return member.organization_id  # the common case: joined, never moved, still here
    ordered = sorted(events, key=lambda e: e.date)
    suspended = [e for e in ordered if e.kind in (SUSPEND, RESTORE) and e.date <= day]
    if suspended and suspended[-1].kind == SUSPEND:
        return None  # 停止党籍 on that day (perhaps restored later)
    later_move = next((e for e in ordered if e.kind in MOVE_KINDS and e.date > day), None)
    if later_move is not None:
        if later_move.from_org_id is not None:
            return later_move.from_org_id
        if later_move.kind == "转入":
            return None  # came from outside the bureau's tree after that day
        return member.organization_id
    if member.status == STATUS_NORMAL:
        return member.organization_id
    left = member.left_on or next(
        (e.date for e in reversed(ordered) if e.kind not in ("入党", "转正", RESTORE)), None
    )
    if left is not None and left > day:
        return member.organization_id
    return None


def has_vote(full_date: date | None, day: date) -> bool:
    """正式党员 vote; 预备党员 do not (选举条例 第五条)."""
    return full_date is not None and full_date <= day


def quorum_met(voting_present: int, voting_expected: int) -> bool:
    """支部条例 第十一条: more than half of the members with a vote must be present; exactly half is not enough."""
    return voting_expected > 0 and voting_present * 2 > voting_expected


# --- QR 签到 window -------------------------------------------------------------------------------------------
CHECKIN_LEAD = timedelta(hours=1)  # the QR code may be shown this long before the start


def checkin_window(day: date, start: time | None, end: time | None) -> tuple[datetime, datetime]:
    """When members may check in, as naive local times (opens, closes), both inclusive: from an hour before the
    start to the end; without a start from the day's beginning, without an end to the day's end."""
    opens = datetime.combine(day, start) - CHECKIN_LEAD if start else datetime.combine(day, time.min)
    closes = datetime.combine(day, end) if end else datetime.combine(day, time.max.replace(microsecond=0))
    return opens, closes


def in_checkin_window(day: date, start: time | None, end: time | None, at: datetime) -> bool:
    """`at`: naive local time."""
    opens, closes = checkin_window(day, start, end)
    return opens <= at <= closes


def window_text(day: date, start: time | None, end: time | None) -> str:
    opens, closes = checkin_window(day, start, end)
    if start is None and end is None:
        return f"{day:%Y-%m-%d} 当天"
    return f"{opens:%Y-%m-%d %H:%M} 至 {closes:%H:%M}"


def times_error(start: time | None, end: time | None) -> str:
    """Why a start and end time do not make a meeting ("" when they do)."""
    if start is not None and end is not None and end <= start:
        return "结束时间须晚于开始时间"
    return ""


def audience_of(audiences: Iterable[str]) -> str:
    """A record of several kinds expects the widest of their audiences (a 主题党日 + 支委会 is for everyone)."""
    widest = AUDIENCE_TALK
    seen = False
    for a in audiences:
        seen = True
        if _AUDIENCE_WIDTH.get(a, 3) > _AUDIENCE_WIDTH[widest]:
            widest = a if a in _AUDIENCE_WIDTH else AUDIENCE_ALL
    return widest if seen else AUDIENCE_ALL


# --- 台账 cells ------------------------------------------------------------------------------------------------
KIND_SEPARATORS = re.compile(r"[、,，；;]")
# design §5; ActivityKind.synonyms adds the bureau's own.
IMPORT_KIND_SYNONYMS = {
    "党员大会": "branch_assembly",
    "支委会": "branch_committee",
    "主题党日活动": "theme_day",
    "民主评议": "member_appraisal",
}


def split_kinds(text: str) -> list[str]:
    """'主题党日、党员大会；党课' → ['主题党日', '党员大会', '党课'] (spaces dropped, repeats kept once)."""
    out: list[str] = []
    for part in KIND_SEPARATORS.split(text or ""):
        name = "".join(part.split())
        if name and name not in out:
            out.append(name)
    return out


def split_synonyms(text: str) -> list[str]:
    return [s for s in ("".join(p.split()) for p in re.split(r"[、,，；;/]", text or "")) if s]


def kind_words(name: str, synonyms: str) -> set[str]:
    """Every way a 台账 may write one kind: its name and its synonyms, spaces dropped."""
    return {"".join(name.split()), *split_synonyms(synonyms)}


_REASON_WORDS = (
    ("因公", ("因公", "公差", "出差", "公务", "因公外出", "工作", "值班", "培训", "开会")),
    ("因病", ("因病", "病假", "生病", "住院", "身体原因", "养病", "病")),
    ("事假", ("事假", "请假", "私事", "家中有事", "有事", "探亲")),
)
_NONE_WORDS = {"无", "没有", "全到", "全部到会", "—", "-", "/", "无缺席"}
_ABSENTEE = re.compile(
    r"^(?P<name>[^（(：:\s]+?)\s*(?:[（(]\s*(?P<r1>[^）)]*?)\s*[）)]|[：:\s]+(?P<r2>.+))?$"
)


def normalize_reason(text: str) -> tuple[str, str]:
    """A reason as written → (因公 | 因病 | 事假 | 其他, the original wording when it is not one of them)."""
    t = "".join((text or "").split())
    if t in ABSENCE_REASONS:
        return t, ""
    for reason, words in _REASON_WORDS:
        if any(w in t for w in words):
            return reason, t
    return "其他", t


@dataclass(frozen=True)
class Absentee:
    name: str
    reason: str
    note: str = ""


def parse_absentees(text: str) -> list[Absentee]:
    """'张三（因病）、李四(出差)、王五' → absentees; ValueError (Chinese) for an unreadable entry."""
    t = (text or "").strip()
    if not t or t in _NONE_WORDS:
        return []
    out: list[Absentee] = []
    seen: set[str] = set()
    for part in re.split(r"[、,，；;\n]", t):
        part = part.strip()
        if not part:
            continue
        m = _ABSENTEE.match(part)
        if not m or not 2 <= len(m.group("name")) <= 20:
            raise ValueError(
                f"“{part[:30]}”无法识别；请写作“姓名（原因）”，多人用顿号分隔，如“张三（因病）、李四（因公）”"
            )
        name = m.group("name")
        if name in seen:
            raise ValueError(f"“{name}”在缺席名单中出现了多次")
        seen.add(name)
        raw = m.group("r1") or m.group("r2") or ""
        reason, note = normalize_reason(raw) if raw else ("其他", "台账未注明原因")
        out.append(Absentee(name, reason, note))
    return out


def parse_count(value: object) -> int:
    """A head count: 12, 12.0 or '12人'. ValueError (Chinese) otherwise."""
    if isinstance(value, bool):
        raise ValueError("应为整数")
    if isinstance(value, int):
        n = value
    elif isinstance(value, float):
        if not value.is_integer():
            raise ValueError("人数应为整数")
        n = int(value)
    else:
        text = "".join(str(value or "").split()).removesuffix("人").removesuffix("名")
        try:
            d = Decimal(text)
        except InvalidOperation:
            raise ValueError("人数应为整数，如 12")
        if d != d.to_integral_value():
            raise ValueError("人数应为整数")
        n = int(d)
    if n < 0:
        raise ValueError("人数不能为负数")
    return n


def import_key(org_id: int, day: date, kind_keys: Iterable[str], topic: str) -> str:
    """The identity of a 台账 row (design §4: org + date + kinds + topic); spaces in the topic do not count."""
    text = "|".join([str(org_id), day.isoformat(), ",".join(sorted(set(kind_keys))), "".join(topic.split())])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
