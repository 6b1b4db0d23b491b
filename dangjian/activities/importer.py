"""台账 import (design §4–§5): rows of a branch's own Excel ledger become activity records.

There is no natural key; a row is identified by organisation + date + kinds + topic (`Activity.import_key`),
so importing the same file again changes nothing, and a corrected head count or summary updates the record.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils import timezone

from dangjian.accounts.typing import Actor
from dangjian.core import progress
from dangjian.core.dates import DateParseError, parse_date
from dangjian.core.importing import CREATE, UNCHANGED, UPDATE, Column, Importer, RowErrors, RowOutcome
from dangjian.members.models import Member
from dangjian.orgs.models import Organization

from . import rules, services
from .models import Activity, ActivityKind, ActivityStatus, KindAudience

ORG, KINDS, DATE, TOPIC, HOST = "党组织", "活动类型", "日期", "主题", "主持人"
EXPECTED, PRESENT, ABSENT, SUMMARY = "应到人数", "实到人数", "缺席人员及原因", "内容摘要"

COLUMNS: tuple[Column, ...] = (
    Column(
        ORG,
        synonyms=("党组织名称", "党支部", "所在党组织", "组织名称"),
        required=True,
        example="中共某某党支部",
    ),
    Column(
        KINDS,
        synonyms=("活动形式", "会议类型", "类型"),
        required=True,
        example="主题党日、支部党员大会、党课",
    ),
    Column(
        DATE, synonyms=("活动日期", "会议日期", "活动时间", "时间"), required=True, example=date(2025, 7, 1)
    ),
    Column(
        TOPIC,
        synonyms=("活动主题", "会议主题", "议题"),
        required=True,
        example="学习贯彻党的二十届四中全会精神",
    ),
    Column(HOST, synonyms=("主持",), required=True, example="张三"),
    Column(EXPECTED, synonyms=("应到", "应到人数（人）"), required=True, example=12),
    Column(PRESENT, synonyms=("实到", "实到人数（人）"), required=True, example=11),
    Column(ABSENT, synonyms=("缺席人员", "缺席情况", "缺席人员及缺席原因"), example="李四（因公）"),
    Column(
        SUMMARY,
        synonyms=("会议内容", "主要内容", "内容", "会议记录"),
        example="传达学习上级文件精神，讨论本支部下阶段工作。",
    ),
)

RULES = (
    "党组织：填写组织全称或组织代码；只能导入您管理范围内的党组织。",
    "活动类型：一条记录可同时计入多种类型，用顿号、逗号或分号分隔，如“主题党日、支部党员大会、党课”；"
    "“党员大会”“支委会”“主题党日活动”“民主评议”等常见写法可自动识别。",
    "日期：不能晚于今天；可写作 2025-07-01、2025/7/1、2025.07.01 或 2025年7月1日。",
    "实到人数不能多于应到人数；支部党员大会实到人数未超过应到人数一半的，照常导入，但标记为“未达法定人数”，不计入制度要求（支部条例 第十一条）。",
    "缺席人员及原因：选填，如“张三（因病）、李四（因公）”，姓名须是该组织当日在册的党员；原因可写因公、因病、事假、其他或具体事由。",
    "同一党组织、同一日期、同样的活动类型和主题视为同一条记录：重复导入不会重复登记，人数或内容有变化的会更新原记录。",
)


@dataclass(slots=True)  # one per 台账 row, all held until written
class Row:
    org: Organization
    kinds: list[ActivityKind]
    day: date
    topic: str
    host: str
    expected: int
    present: int
    absentees: list[rules.Absentee]
    absent_text: str
    minutes: str
    key: str
    # filled by plan()
    absences: dict[int, tuple[str, str]] = field(default_factory=dict)
    existing: Activity | None = None


def kind_lookup(kinds: Iterable[ActivityKind]) -> dict[str, ActivityKind]:
    """Every way a 台账 may name a kind (name, synonyms, design §5's common forms) → the kind."""
    by_key = {k.key: k for k in kinds}
    out: dict[str, ActivityKind] = {}
    for word, key in rules.IMPORT_KIND_SYNONYMS.items():
        if key in by_key:
            out[word] = by_key[key]
    for k in by_key.values():
        for w in rules.kind_words(k.name, k.synonyms):
            out.setdefault(w, k)
        out["".join(k.name.split())] = k
    return out


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


class ActivityImporter(Importer[Row]):
    title = "导入组织生活台账"
    columns = COLUMNS

    def __init__(
        self,
        actor: Actor = None,
        actor_name: str = "",
        *,
        allowed_org_ids: Iterable[int] | None = None,
        today: date | None = None,
    ):
        super().__init__(actor=actor, actor_name=actor_name or ("台账导入" if actor is None else ""))
        self.allowed = set(allowed_org_ids) if allowed_org_ids is not None else None
        self.today = today or timezone.localdate()
        self._orgs: dict[str, Organization] | None = None
        self._kinds: dict[str, ActivityKind] | None = None
        self._kind_names = ""
        self.existing: dict[str, Activity] = {}
        self.index: services.RosterIndex | None = None
        self._subtrees: dict[int, list[int]] = {}

    # -- lookups (loaded once) ------------------------------------------------------------------------------
    def _org_lookup(self) -> dict[str, Organization]:
        if self._orgs is None:
            orgs = list(Organization.objects.all())
            short_counts: dict[str, int] = defaultdict(int)
            for o in orgs:
                if o.short_name:
                    short_counts[o.short_name] += 1
            lookup: dict[str, Organization] = {}
            for o in orgs:
                if o.short_name and short_counts[o.short_name] == 1:
                    lookup["".join(o.short_name.split())] = o
            for o in orgs:
                lookup["".join(o.name.split())] = o
            for o in orgs:
                lookup[o.code.strip().upper()] = o
            self._orgs = lookup
            self._all_orgs = orgs
        return self._orgs

    def _kind_lookup(self) -> dict[str, ActivityKind]:
        if self._kinds is None:
            kinds = list(ActivityKind.objects.all())
            self._kinds = kind_lookup(kinds)
            self._kind_names = "、".join(k.name for k in kinds if k.is_active)
        return self._kinds

    # -- per row -------------------------------------------------------------------------------------------
    def prepare(self, values: dict[str, Any], row: int) -> Row:
        errors: list[tuple[str, Any, str]] = []
        org = self._org(values.get(ORG), errors)
        kinds = self._kinds_of(values.get(KINDS), errors)
        day = self._date(values.get(DATE), org, errors)
        topic = _text(values.get(TOPIC))
        if not topic:
            errors.append((TOPIC, None, "请填写活动主题"))
        elif len(topic) > 200:
            errors.append((TOPIC, topic, "主题不能超过 200 个字"))
        host = _text(values.get(HOST))
        if len(host) > 40:
            errors.append((HOST, host, "主持人不能超过 40 个字"))
        expected = self._count(values.get(EXPECTED), EXPECTED, errors)
        present = self._count(values.get(PRESENT), PRESENT, errors)
        if expected is not None and expected == 0:
            errors.append((EXPECTED, values.get(EXPECTED), "应到人数应至少为 1"))
        if expected is not None and present is not None and present > expected:
            errors.append(
                (PRESENT, values.get(PRESENT), f"实到人数（{present}）不能多于应到人数（{expected}）")
            )
        absent_text = _text(values.get(ABSENT))
        absentees: list[rules.Absentee] = []
        try:
            absentees = rules.parse_absentees(absent_text)
        except ValueError as exc:
            errors.append((ABSENT, absent_text, str(exc)))
        if expected is not None and present is not None and len(absentees) > max(expected - present, 0):
            errors.append(
                (
                    ABSENT,
                    absent_text,
                    f"列出了 {len(absentees)} 名缺席人员，多于应到与实到之差（{max(expected - present, 0)} 人）；请核对人数",
                )
            )
        minutes = _text(values.get(SUMMARY))
        if errors:
            raise RowErrors(errors)
        assert org is not None and day is not None and expected is not None and present is not None
        key = rules.import_key(org.pk, day, [k.key for k in kinds], topic)
        return Row(org, kinds, day, topic, host, expected, present, absentees, absent_text, minutes, key)

    def _org(self, value: Any, errors: list) -> Organization | None:
        text = _text(value)
        if not text:
            errors.append((ORG, None, "请填写党组织全称或组织代码"))
            return None
        lookup = self._org_lookup()
        org = lookup.get("".join(text.split())) or lookup.get(text.upper())
        if org is None:
            errors.append((ORG, text, "找不到该党组织；请填写系统中党组织的全称或组织代码"))
            return None
        if self.allowed is not None and org.pk not in self.allowed:
            errors.append((ORG, text, f"“{org.name}”不在您的管理范围内，不能导入其台账"))
            return None
        return org

    def _kinds_of(self, value: Any, errors: list) -> list[ActivityKind]:
        text = _text(value)
        names = rules.split_kinds(text)
        if not names:
            errors.append((KINDS, None, "请填写活动类型，多种类型用顿号分隔"))
            return []
        lookup = self._kind_lookup()
        out: list[ActivityKind] = []
        for name in names:
            kind = lookup.get(name)
            if kind is None:
                errors.append((KINDS, text, f"“{name}”不是可识别的活动类型；可填写：{self._kind_names}"))
            elif not kind.is_active:
                errors.append((KINDS, text, f"活动类型“{kind.name}”已停用"))
            elif kind not in out:
                out.append(kind)
        return sorted(out, key=lambda k: (k.sort, k.pk))

    def _date(self, value: Any, org: Organization | None, errors: list) -> date | None:
        try:
            day = parse_date(value)
        except DateParseError as exc:
            errors.append((DATE, value, str(exc)))
            return None
        if day is None:
            errors.append((DATE, None, "请填写活动日期"))
            return None
        if day > self.today:
            errors.append((DATE, value, f"日期 {day:%Y-%m-%d} 晚于今天；不能登记尚未开展的活动"))
            return None
        if org is not None and org.founded_on and day < org.founded_on:
            errors.append(
                (DATE, value, f"{org.name}成立于 {org.founded_on:%Y-%m-%d}，活动日期不能早于成立日期")
            )
        if org is not None and org.dissolved_on and day > org.dissolved_on:
            errors.append(
                (DATE, value, f"{org.name}已于 {org.dissolved_on:%Y-%m-%d} 撤销，活动日期不能晚于撤销日期")
            )
        return day

    @staticmethod
    def _count(value: Any, column: str, errors: list) -> int | None:
        if value is None or _text(value) == "":
            errors.append((column, None, f"请填写{column}"))
            return None
        try:
            n = rules.parse_count(value)
        except ValueError as exc:
            errors.append((column, value, str(exc)))
            return None
        if n > 10000:
            errors.append((column, value, "人数过大，请核对"))
            return None
        return n

    def key(self, record: Row) -> Any:
        return record.key

    def duplicate_message(self) -> tuple[str, str]:
        return (TOPIC, "同一党组织、同一日期、同样活动类型和主题的记录在文件中出现了多次；请删除重复行")

    # -- all rows ------------------------------------------------------------------------------------------
    def load_existing(self, records: list[Row]) -> None:
        if not records:
            return
        found = (
            Activity.objects.filter(import_key__in=[r.key for r in records])
            .prefetch_related("kinds", "attendance")
            .order_by("is_deleted", "-id")
        )
        for a in found:
            self.existing.setdefault(a.import_key, a)  # a live record wins over a voided one
        ids: set[int] = set()
        for r in records:
            ids.update(self._roll_ids(r.org))
        self.index = services.RosterIndex.for_orgs(ids, slim=True)

    def _roll_ids(self, org: Organization) -> list[int]:
        if org.pk not in self._subtrees:
            self._org_lookup()
            self._subtrees[org.pk] = (
                [org.pk] if org.is_branch else [o.pk for o in self._all_orgs if o.path.startswith(org.path)]
            )
        return self._subtrees[org.pk]

    def plan(self, record: Row) -> tuple[str, dict[str, list[Any]]]:
        assert self.index is not None
        everyone = self.index.on(self._roll_ids(record.org), record.day)
        by_name: dict[str, list[Member]] = defaultdict(list)
        for m in everyone:
            by_name[m.name].append(m)
        absences: dict[int, tuple[str, str]] = {}
        problems: list[str] = []
        for a in record.absentees:
            matches = by_name.get(a.name, [])
            if not matches:
                problems.append(
                    f"“{a.name}”不是{record.org.name}在 {record.day:%Y-%m-%d} 在册的党员，请核对姓名"
                )
            elif len(matches) > 1:
                problems.append(
                    f"{record.org.name}有 {len(matches)} 名党员叫“{a.name}”，无法区分；请在页面上登记此条"
                )
            else:
                absences[matches[0].pk] = (a.reason, a.note)
        if problems:
            raise RowErrors([(ABSENT, record.absent_text, p) for p in problems])
        record.absences = absences
        existing = self.existing.get(record.key)
        if existing is None:
            return CREATE, {}
        record.existing = existing
        if existing.is_deleted:
            raise RowErrors(
                [
                    (
                        "",
                        None,
                        f"与已作废的记录（编号 {existing.pk}，作废原因：{existing.void_reason or '未注明'}）相同；"
                        "如确需重新登记，请在页面上新建，或从文件中删除此行",
                    )
                ]
            )
        changes = self._changes(existing, record)
        if not changes:
            return UNCHANGED, {}
        # an approved record changes only with a reviewer's consent: the command line (acting for the bureau)
        # or a superior's import may update it, a branch's own import may not (issue 13)
        if existing.status == ActivityStatus.APPROVED and not services.approves_at_entry(
            self.actor, existing.organization
        ):
            raise RowErrors(
                [
                    (
                        "",
                        None,
                        f"该记录（编号 {existing.pk}）已审核通过并锁定，不能通过导入修改；如需修改，请在记录页面填写修改原因",
                    )
                ]
            )
        return UPDATE, changes

    @staticmethod
    def _changes(a: Activity, r: Row) -> dict[str, list[Any]]:
        old_absent = sorted(
            (x.member_id, x.absence_reason, x.note) for x in a.attendance.all() if not x.present
        )
        new_absent = sorted((mid, reason, note[:100]) for mid, (reason, note) in r.absences.items())
        pairs = {
            HOST: (a.host, r.host),
            EXPECTED: (a.expected, r.expected),
            PRESENT: (a.present, r.present),
            SUMMARY: (a.minutes, r.minutes),
            ABSENT: (a.absence_note, r.absent_text),
        }
        changes = {k: [old, new] for k, (old, new) in pairs.items() if old != new}
        if old_absent != new_absent and ABSENT not in changes:
            changes[ABSENT] = [a.absence_note, r.absent_text]
        return changes

    def write(self, outcomes: list[RowOutcome[Row]]) -> None:
        # new records set-based (bulk inserts in batches); the rare corrected ones through the form's service
        creates = [o for o in outcomes if o.action == CREATE and o.record is not None]
        services.record_activities(
            self._new_records(creates),
            total=len(creates),
            actor=self.actor,
            actor_name=self.actor_name,
            source="import",
            today=self.today,
        )
        updates = [o for o in outcomes if o.action == UPDATE]
        for i, o in enumerate(updates, start=1):
            r = o.record
            assert r is not None
            common = {
                "kinds": r.kinds,
                "date": r.day,
                "topic": r.topic,
                "host": r.host,
                "minutes": r.minutes,
                "counts": (r.expected, r.present),
                "absences": r.absences,
                "absence_note": r.absent_text,
                "strict": False,
                "actor": self.actor,
                "actor_name": self.actor_name,
                "today": self.today,
            }
            if r.existing is not None:
                e = r.existing
                services.update_activity(
                    e,
                    version=e.version,
                    organization=e.organization,
                    reason="台账导入更新",
                    roster=self._roster(r),
                    place=e.place,
                    speaker=e.speaker,
                    site=e.site,
                    party_group=e.party_group,
                    talk_a=e.talk_a,
                    talk_b=e.talk_b,
                    resolutions=e.resolutions,
                    hours=e.hours,
                    **common,
                )
            progress.every(100, "更新", i, len(updates))

    def _roster(self, record: Row) -> services.Roster:
        """Who was expected: the roll on the day, or for a committee, group or talk (whose 台账 row gives only
        counts) the named absentees. Drawn again when the record is written rather than kept from `plan` for
        every row of a big file."""
        assert self.index is not None
        everyone = self.index.on(self._roll_ids(record.org), record.day)
        audience = rules.audience_of(k.audience for k in record.kinds)
        if audience == KindAudience.ALL:
            return services.Roster(audience, everyone)
        return services.Roster(audience, [m for m in everyone if m.pk in record.absences])

    def _new_records(self, outcomes: list[RowOutcome[Row]]) -> Iterator[services.NewRecord]:
        """The new records one at a time (a written batch keeps nothing alive)."""
        for o in outcomes:
            r = o.record
            assert r is not None
            roster = self._roster(r)
            yield services.NewRecord(
                organization=r.org,
                kinds=r.kinds,
                date=r.day,
                topic=r.topic,
                roster=roster,
                import_key=r.key,
                host=r.host,
                minutes=r.minutes,
                counts=(r.expected, r.present),
                absences=r.absences,
                absence_note=r.absent_text,
            )
