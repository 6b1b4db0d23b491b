"""学习记录 import (design §5): exports of online study platforms (学习强国 and the like)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone

from dangjian.accounts.typing import Actor
from dangjian.core import audit
from dangjian.core.dates import DateParseError, parse_date
from dangjian.core.idnumber import IdNumberError, parse_id_number
from dangjian.core.importing import CREATE, UNCHANGED, UPDATE, Column, Importer, RowErrors
from dangjian.core.models import AuditAction
from dangjian.members.models import Member

from .models import FORM_SYNONYMS, StudyForm, StudyRecord
from .services import MAX_HOURS_PER_DAY

COLUMNS = (
    Column("姓名", required=True, example="张三"),
    Column(
        "公民身份号码", ("身份证号", "身份证号码"), required=True, text=True, example="11010519491231002X"
    ),
    Column("日期", ("学习日期",), required=True, example="2026-03-01"),
    Column("学时", ("学习时长", "时长（学时）"), required=True, example=2),
    Column("学习内容", ("内容", "课程名称"), required=True, example="学习党的二十届三中全会精神"),
    Column(
        "学习形式",
        ("形式", "学习方式", "学习平台"),
        required=True,
        choices=tuple(StudyForm.values) + ("学习强国",),
        example="网络平台",
    ),
)


@dataclass
class StudyRow:
    id_number: str
    name: str
    day: date
    hours: Decimal
    content: str
    form: str
    member_id: int | None = None
    existing_id: int | None = None


class StudyImporter(Importer[StudyRow]):
    title = "学习记录导入"
    columns = COLUMNS

    def __init__(self, actor: Actor = None, actor_name: str = "", member_scope=None):
        super().__init__(actor, actor_name)
        # member_scope: a Member queryset the importing user may write to (None = everyone, for the command line)
        self.member_scope = member_scope
        self.today = timezone.localdate()

    def prepare(self, values: dict[str, Any], row: int) -> StudyRow:
        errors: list[tuple[str, Any, str]] = []
        name = str(values.get("姓名") or "").strip()
        if not name:
            errors.append(("姓名", "", "姓名不能为空"))
        id_number = ""
        try:
            id_number = parse_id_number(values.get("公民身份号码")).number
        except IdNumberError as exc:
            errors.append(("公民身份号码", values.get("公民身份号码"), str(exc)))
        day = None
        try:
            day = parse_date(values.get("日期"))
            if day is None:
                errors.append(("日期", "", "日期不能为空"))
            elif day > self.today:
                errors.append(("日期", values.get("日期"), "学习日期不能晚于今天"))
        except DateParseError as exc:
            errors.append(("日期", values.get("日期"), str(exc)))
        hours = None
        raw_hours = values.get("学时")
        try:
            hours = Decimal(str(raw_hours).strip()).quantize(Decimal("0.1"))
            if not (Decimal(0) < hours <= MAX_HOURS_PER_DAY):
                errors.append(("学时", raw_hours, "学时应大于 0 且不超过 24"))
        except (InvalidOperation, ValueError):
            errors.append(("学时", raw_hours, "学时应为数字，如 2 或 1.5"))
        content = str(values.get("学习内容") or "").strip()
        if not content:
            errors.append(("学习内容", "", "学习内容不能为空"))
        elif len(content) > 200:
            errors.append(("学习内容", content[:30], "学习内容不能超过 200 字，请精简"))
        raw_form = str(values.get("学习形式") or "").strip()
        form = FORM_SYNONYMS.get(raw_form)
        if form is None:
            errors.append(
                (
                    "学习形式",
                    raw_form,
                    f"学习形式应为：{'、'.join(StudyForm.values)}（“学习强国”按网络平台计）",
                )
            )
        if errors:
            raise RowErrors(errors)
        return StudyRow(id_number, name, day, hours, content, str(form))  # type: ignore[arg-type]

    def key(self, record: StudyRow) -> Any:
        return (record.id_number, record.day, record.content, record.form)

    def duplicate_message(self) -> tuple[str, str]:
        return ("公民身份号码", "同一党员同一天相同内容和形式的学习记录重复")

    def load_existing(self, records: list[StudyRow]) -> None:
        ids = {r.id_number for r in records}
        members = Member.objects.filter(id_number__in=ids)
        self.members = {m.id_number: m for m in members.only("id", "name", "id_number", "organization_id")}
        self.in_scope = None
        if self.member_scope is not None:
            self.in_scope = set(self.member_scope.filter(id_number__in=ids).values_list("id", flat=True))
        member_ids = [m.id for m in self.members.values()]
        days = {r.day for r in records}
        existing = StudyRecord.objects.filter(member_id__in=member_ids, date__in=days, is_deleted=False)
        self.existing = {(e.member_id, e.date, e.content, e.form): e for e in existing}
        self.day_totals: dict[tuple[int, date], Decimal] = defaultdict(Decimal)
        for e in existing:
            self.day_totals[(e.member_id, e.date)] += e.hours

    def plan(self, record: StudyRow) -> tuple[str, dict[str, list[Any]]]:
        member = self.members.get(record.id_number)
        if member is None:
            raise RowErrors(
                [
                    (
                        "公民身份号码",
                        record.id_number,
                        "系统中没有该身份证号对应的党员；请先在党员名册中登记，或核对号码",
                    )
                ]
            )
        if self.in_scope is not None and member.id not in self.in_scope:
            raise RowErrors(
                [("公民身份号码", record.id_number, "该党员不在您的管理范围内，不能为其导入学习记录")]
            )
        if member.name != record.name:
            raise RowErrors(
                [("姓名", record.name, f"姓名与该身份证号登记的党员（{member.name}）不一致；请核对")]
            )
        record.member_id = member.id
        old = self.existing.get((member.id, record.day, record.content, record.form))
        if old is not None:
            record.existing_id = old.id
            if old.hours == record.hours:
                return UNCHANGED, {}
            delta = record.hours - old.hours
            changes = {"学时": [str(old.hours), str(record.hours)]}
            action = UPDATE
        else:
            delta = record.hours
            changes = {}
            action = CREATE
        key = (member.id, record.day)
        if self.day_totals[key] + delta > MAX_HOURS_PER_DAY:
            raise RowErrors(
                [
                    (
                        "学时",
                        str(record.hours),
                        f"该党员 {record.day:%Y-%m-%d} 的学时合计将超过 24 学时；请核对",
                    )
                ]
            )
        self.day_totals[key] += delta
        return action, changes

    def write(self, outcomes) -> None:
        label = audit.actor_label(self.actor, self.actor_name)
        new = [
            StudyRecord(
                member_id=o.record.member_id,
                date=o.record.day,
                hours=o.record.hours,
                content=o.record.content,
                form=o.record.form,
                source="import",
                recorded_by=label,
            )
            for o in outcomes
            if o.action == CREATE
        ]
        created = StudyRecord.objects.bulk_create(new, batch_size=1000)
        updates = []
        for o in outcomes:
            if o.action == UPDATE:
                rec = StudyRecord(pk=o.record.existing_id, hours=o.record.hours)
                updates.append(rec)
        StudyRecord.objects.bulk_update(updates, ["hours"], batch_size=1000)
        entries = [
            audit.Entry(
                AuditAction.CREATE,
                actor=self.actor,
                actor_name=self.actor_name,
                model="study.studyrecord",
                object_id=str(r.pk or ""),
                object_repr=f"{r.date} {r.content}"[:200],
                changes={"hours": [None, str(r.hours)], "member": [None, r.member_id]},
            )
            for r in created
        ]
        entries += [
            audit.Entry(
                AuditAction.UPDATE,
                actor=self.actor,
                actor_name=self.actor_name,
                model="study.studyrecord",
                object_id=str(o.record.existing_id),
                object_repr=o.record.content[:200],
                changes={"hours": o.changes.get("学时", [])},
            )
            for o in outcomes
            if o.action == UPDATE
        ]
        audit.record_many(entries)
