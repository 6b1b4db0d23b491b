"""`dangjian import_candidates`: the 发展党员 pipeline in progress (design §4–§5) on the shared import framework
(core.importing): atomic unless --skip-invalid, --errors-out, --dry-run, the roster's JSON; keyed by 公民身份号码.

A row is a person at a stage (申请人, 入党积极分子, 发展对象, 预备党员) with the dates that stage needs. Checked as the
steps would be (rules.py): 年满十八岁 at the application; each later date on or after the earlier one; 发展对象 at
least one year after 积极分子; the dates the stage needs present and none of a later stage; no future date; a
known 党支部; 培养联系人 (one or two) and 入党介绍人 (two; required for a 预备党员), each a 正式党员 of that branch whose
name is unique there. A 预备党员 row also creates the member (入党日期 = 接收预备党员日期). The steps before the stage
are taken as done (rules.implied_steps); the stage's own days are recorded as steps 1, 3, 7, 15 (and 5, 9 with
the people). Re-importing the same file changes nothing; a person already in the pipeline with other stage,
dates, branch or people is refused (a pipeline in progress moves on through its pages, step by step).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils import timezone

from dangjian.accounts.typing import Actor
from dangjian.core import actions, audit
from dangjian.core.importing import CREATE, UNCHANGED, UPDATE, Column, Importer, RowErrors, RowOutcome
from dangjian.core.periods import add_years
from dangjian.members import rules as member_rules
from dangjian.members import services as member_services
from dangjian.members.choices import ETHNICITIES, Category, Education, Gender
from dangjian.members.models import Member
from dangjian.members.rules import MemberFacts, RuleError, text_of
from dangjian.orgs.models import BRANCH_KINDS, Organization

from . import rules
from .models import Candidate, RecruitmentStep, Stage

NAME, ID_NUMBER, ORG, STAGE = "姓名", "公民身份号码", "所在党支部", "阶段"
APPLIED, ACTIVIST, TARGET, ADMITTED = "申请日期", "确定积极分子日期", "确定发展对象日期", "接收预备党员日期"
CONTACTS, INTRODUCERS = "培养联系人", "入党介绍人"
GENDER, ETHNICITY, EDUCATION, CATEGORY = "性别", "民族", "学历", "人员类别"
WORKPLACE, PHONE = "工作单位及职务", "联系电话"
STAGES = (rules.APPLICANT, rules.ACTIVIST, rules.TARGET, rules.PROBATIONARY)
STAGE_SYNONYMS = {"积极分子": rules.ACTIVIST, "预备": rules.PROBATIONARY, "入党申请人": rules.APPLICANT}
# The date each stage adds, in order: a stage needs its own and the earlier ones, and none of the later.
STAGE_DATES = ((rules.APPLICANT, APPLIED), (rules.ACTIVIST, ACTIVIST), (rules.TARGET, TARGET),
               (rules.PROBATIONARY, ADMITTED))  # fmt: skip
NAME_SEPARATORS = re.compile(r"[、，,;；\s]+")

COLUMNS: tuple[Column, ...] = (
    Column(NAME, required=True, example="李明"),
    Column(ID_NUMBER, synonyms=("身份证号", "身份证号码"), required=True, text=True, example="11010519991231002X"),
    Column(ORG, synonyms=("所在党组织",), required=True, example="示例党支部（请改为本支部全称或代码）"),
    Column(STAGE, required=True, choices=STAGES, example=rules.ACTIVIST),
    Column(APPLIED, synonyms=("入党申请日期", "递交入党申请书日期"), required=True, example=date(2024, 3, 1)),
    Column(ACTIVIST, synonyms=("确定入党积极分子日期",), example=date(2024, 6, 1)),
    Column(TARGET, example=None),
    Column(ADMITTED, synonyms=("支部大会接收日期",), example=None),
    Column(CONTACTS, example="王建国、刘芳"),
    Column(INTRODUCERS, example=None),
    Column(GENDER, choices=tuple(Gender.values), example="男"),
    Column(ETHNICITY, choices=tuple(ETHNICITIES), example="汉族"),
    Column(EDUCATION, synonyms=("文化程度",), choices=tuple(Education.values), example="大学本科"),
    Column(CATEGORY, synonyms=("党员类别",), choices=tuple(Category.values), example="在职"),
    Column(WORKPLACE, synonyms=("工作岗位",), example=""),
    Column(PHONE, synonyms=("手机号码",), text=True, example=""),
)  # fmt: skip

RULES_HELP = (
    "第 1 行为表头；阶段填写“申请人”“入党积极分子”“发展对象”或“预备党员”。",
    "各阶段须填写到该阶段为止的日期，不填写以后阶段的日期：申请人只填申请日期；入党积极分子加确定积极分子日期；"
    "发展对象加确定发展对象日期；预备党员加接收预备党员日期（支部大会通过之日，即入党日期）。",
    "递交申请时应年满十八岁；后一日期不得早于前一日期；确定发展对象日期应在确定积极分子满一年之后；日期不得晚于今天。",
    "培养联系人（一至两名）、入党介绍人（两名，预备党员必填）用顿号分隔，须是本支部的正式党员，且姓名在本支部唯一。",
    "预备党员行同时建立党员名册记录；性别、民族、学历、人员类别的写法同党员名册。",
    "以公民身份号码识别；已在发展程序中的人员，阶段和日期与系统一致时为“无变化”，不一致的不导入（请在页面上逐步登记）。",
)

PERSON_FIELDS = ("name", "gender", "ethnicity", "education", "category", "workplace", "phone")


@dataclass
class CandidateRecord:
    row: int
    name: str
    id_number: str
    gender: str
    birth_date: date
    ethnicity: str
    education: str
    category: str
    workplace: str
    phone: str
    org_id: int
    stage: str
    applied: date
    activist: date | None
    target: date | None
    admitted: date | None
    contacts: list[int] = field(default_factory=list)
    introducers: list[int] = field(default_factory=list)
    existing: Candidate | None = None


def split_names(text: str) -> list[str]:
    return [n for n in NAME_SEPARATORS.split(text.strip()) if n]


class CandidateImporter(Importer[CandidateRecord]):
    title = "发展党员导入"
    columns = COLUMNS

    def __init__(self, actor: Actor = None, actor_name: str = "", *, today: date | None = None):
        super().__init__(actor=actor, actor_name=actor_name)
        self.user: Actor = actor
        self.today = today or timezone.localdate()
        self._orgs: dict[str, Organization] | None = None
        self._people: dict[int, dict[str, list[Member]]] = {}
        self._existing: dict[str, Candidate] = {}
        self._members: set[str] = set()

    # -- look-ups (cached) -----------------------------------------------------------------------------------
    def _org(self, text: str) -> Organization:
        if self._orgs is None:
            self._orgs = {}
            for o in Organization.objects.all():
                self._orgs["".join(o.name.split())] = o
                self._orgs[o.code.strip().upper()] = o
        if not text:
            raise RuleError("所在党支部不能为空；请填写系统中已有党支部的全称或组织代码")
        org = self._orgs.get("".join(text.split())) or self._orgs.get(text.strip().upper())
        if org is None:
            raise RuleError(
                f"系统中没有名称或代码为“{text[:40]}”的党组织；请填写党支部全称（与系统中一致）或组织代码"
            )
        if org.kind not in BRANCH_KINDS:
            raise RuleError(f"“{org.name}”不是党支部；发展党员由党支部（含联合党支部、临时党支部）受理")
        if org.dissolved_on is not None:
            raise RuleError(f"“{org.name}”已撤销；请填写现在受理的党支部")
        return org

    def _branch_people(self, org: Organization) -> dict[str, list[Member]]:
        if org.pk not in self._people:
            by_name: dict[str, list[Member]] = defaultdict(list)
            for m in Member.objects.current().filter(organization=org):
                by_name[m.name].append(m)
            self._people[org.pk] = by_name
        return self._people[org.pk]

    def _resolve(self, org: Organization, text: str, what: str, counts: tuple[int, int]) -> list[int]:
        names = split_names(text)
        lo, hi = counts
        if not lo <= len(names) <= hi:
            want = f"{lo}名" if lo == hi else f"{lo}至{hi}名"
            raise RuleError(f"{what}应为{want}（姓名用顿号分隔），这里是{len(names)}名")
        if len(set(names)) != len(names):
            raise RuleError(f"{what}的姓名重复了；请填写不同的党员")
        people = self._branch_people(org)
        ids = []
        for n in names:
            found = people.get(n, [])
            if not found:
                raise RuleError(f"“{n}”不是{org.name}的在册党员，不能担任{what}")
            if len(found) > 1:
                raise RuleError(
                    f"{org.name}有{len(found)}名党员叫“{n}”，无法确定是哪一位；请在页面上登记{what}"
                )
            m = found[0]
            if m.full_date is None or m.full_date > self.today:
                raise RuleError(f"“{n}”是预备党员，不能担任{what}（应为正式党员）")
            ids.append(m.pk)
        return ids

    # -- per row ---------------------------------------------------------------------------------------------
    def prepare(self, values: dict[str, Any], row: int) -> CandidateRecord:
        errors: list[tuple[str, Any, str]] = []

        def run(column: str, fn: Any, *args: Any) -> Any:
            try:
                return fn(values.get(column), *args)
            except RuleError as exc:
                errors.append((column, values.get(column), str(exc)))
                return None

        name = run(NAME, member_rules.clean_name)
        ident = run(ID_NUMBER, member_rules.clean_id_number)
        gender = run(GENDER, member_rules.clean_gender, ident.gender if ident else None) if ident else None
        ethnicity = run(ETHNICITY, member_rules.clean_ethnicity)
        education = run(EDUCATION, member_rules.clean_education)
        category = run(CATEGORY, member_rules.clean_category)
        workplace = run(WORKPLACE, member_rules.clean_workplace)
        phone = run(PHONE, member_rules.clean_phone)
        org = run(ORG, lambda v: self._org(text_of(v)))
        stage = run(STAGE, self._stage)
        days: dict[str, date | None] = {}
        for _, column in STAGE_DATES:
            days[column] = run(column, self._day, column)
        if stage is not None:
            self._check_dates(stage, days, ident.birth_date if ident else None, values, errors)
        contacts: list[int] = []
        introducers: list[int] = []
        if org is not None and stage is not None:
            contacts = self._people_cell(values, CONTACTS, org, stage, rules.ACTIVIST, rules.CONTACTS, errors)
            introducers = self._people_cell(
                values, INTRODUCERS, org, stage, rules.TARGET, (rules.INTRODUCERS, rules.INTRODUCERS), errors
            )
            if stage == rules.PROBATIONARY and not text_of(values.get(INTRODUCERS)):
                errors.append((INTRODUCERS, None, "预备党员应有两名正式党员作入党介绍人；请填写入党介绍人"))
        if errors:
            raise RowErrors(errors)
        applied = days[APPLIED]
        assert ident is not None and org is not None and stage is not None and applied is not None
        return CandidateRecord(
            row=row,
            name=name,
            id_number=ident.number,
            gender=gender or ident.gender,
            birth_date=ident.birth_date,
            ethnicity=ethnicity or "",
            education=education or "",
            category=category or Category.SERVING,
            workplace=workplace or "",
            phone=phone or "",
            org_id=org.pk,
            stage=stage,
            applied=applied,
            activist=days[ACTIVIST],
            target=days[TARGET],
            admitted=days[ADMITTED],
            contacts=contacts,
            introducers=introducers,
        )

    def _stage(self, value: Any) -> str:
        text = "".join(text_of(value).split())
        stage = STAGE_SYNONYMS.get(text, text)
        if stage not in STAGES:
            raise RuleError(f"阶段“{text[:20]}”无法识别；请填写{'、'.join(STAGES)}之一")
        return stage

    def _day(self, value: Any, column: str) -> date | None:
        day = member_rules.parse_day(value, column)
        if day is not None and day > self.today:
            raise RuleError(f"{column} {day:%Y-%m-%d} 晚于今天；请核对")
        return day

    def _check_dates(
        self,
        stage: str,
        days: dict[str, date | None],
        birth: date | None,
        values: dict[str, Any],
        errors: list[tuple[str, Any, str]],
    ) -> None:
        bad = {c for c, _, _ in errors}
        reached = [s for s, _ in STAGE_DATES].index(stage)
        for i, (s, column) in enumerate(STAGE_DATES):
            if column in bad:
                continue
            if i <= reached and days[column] is None:
                errors.append((column, None, f"阶段为“{stage}”的行须填写{column}"))
                bad.add(column)
            elif i > reached and days[column] is not None:
                message = f"阶段为“{stage}”的行不应填写{column}（属于“{s}”阶段）；请核对阶段或删去该日期"
                errors.append((column, values.get(column), message))
                bad.add(column)
        ordered = [(c, days[c]) for _, c in STAGE_DATES[: reached + 1] if c not in bad]
        for (prev_col, prev), (col, day) in zip(ordered, ordered[1:], strict=False):
            if prev is not None and day is not None and day < prev:
                errors.append(
                    (col, values.get(col), f"{col} {day:%Y-%m-%d} 早于{prev_col} {prev:%Y-%m-%d}；请核对")
                )
                bad.add(col)
        activist, target = days[ACTIVIST], days[TARGET]
        if activist and target and TARGET not in bad and target < rules.earliest_target_day(activist):
            errors.append(
                (
                    TARGET,
                    values.get(TARGET),
                    f"入党积极分子须经过一年以上培养教育和考察才能列为发展对象（{rules.TARGET_RULE.shown()}）："
                    f"{activist:%Y-%m-%d} 确定为积极分子，最早 {rules.earliest_target_day(activist):%Y-%m-%d}",
                )
            )
        applied = days[APPLIED]
        if (
            birth is not None
            and applied is not None
            and APPLIED not in bad
            and not rules.is_adult_on(birth, applied)
        ):
            errors.append(
                (
                    APPLIED,
                    values.get(APPLIED),
                    f"递交入党申请书时应年满十八岁（{rules.AGE.shown()}）：出生于 {birth:%Y-%m-%d}，"
                    f"最早 {add_years(birth, rules.ADULT_AGE):%Y-%m-%d} 可申请",
                )
            )

    def _people_cell(
        self,
        values: dict[str, Any],
        column: str,
        org: Organization,
        stage: str,
        from_stage: str,
        counts: tuple[int, int],
        errors: list[tuple[str, Any, str]],
    ) -> list[int]:
        text = text_of(values.get(column))
        if not text:
            return []
        if STAGES.index(stage) < STAGES.index(from_stage):
            errors.append(
                (column, text, f"阶段为“{stage}”的行不应填写{column}（自“{from_stage}”阶段起确定）")
            )
            return []
        try:
            return self._resolve(org, text, column, counts)
        except RuleError as exc:
            errors.append((column, text, str(exc)))
            return []

    def key(self, record: CandidateRecord) -> str:
        return record.id_number

    def duplicate_message(self) -> tuple[str, str]:
        return (ID_NUMBER, "同一公民身份号码在文件中出现了不止一次，这些行都未导入；请删除重复的行或核对号码")

    # -- all rows --------------------------------------------------------------------------------------------
    def load_existing(self, records: list[CandidateRecord]) -> None:
        ids = [r.id_number for r in records]
        for c in (
            Candidate.objects.filter(id_number__in=ids)
            .exclude(stage=Stage.ENDED)
            .prefetch_related("contacts", "introducers")
        ):
            self._existing[c.id_number] = c
        self._members = set(Member.objects.filter(id_number__in=ids).values_list("id_number", flat=True))

    def plan(self, record: CandidateRecord) -> tuple[str, dict[str, list[Any]]]:
        existing = self._existing.get(record.id_number)
        if existing is None:
            if record.id_number in self._members:
                raise RowErrors(
                    [(ID_NUMBER, record.id_number, "该公民身份号码已登记为党员，不能再作为发展党员对象导入")]
                )
            return CREATE, {}
        record.existing = existing
        pipeline = {
            STAGE: (existing.stage, record.stage),
            ORG: (existing.organization_id, record.org_id),
            APPLIED: (existing.applied_on, record.applied),
            ACTIVIST: (existing.activist_on, record.activist),
            TARGET: (existing.target_on, record.target),
            ADMITTED: (existing.admitted_on, record.admitted),
        }
        if record.contacts:
            pipeline[CONTACTS] = (sorted(m.pk for m in existing.contacts.all()), sorted(record.contacts))
        if record.introducers:
            pipeline[INTRODUCERS] = (
                sorted(m.pk for m in existing.introducers.all()),
                sorted(record.introducers),
            )
        differ = [c for c, (old, new) in pipeline.items() if old != new]
        if differ:
            raise RowErrors(
                [
                    (
                        differ[0],
                        "",
                        f"该人员已在发展党员程序中（现为“{existing.stage}”），{'、'.join(differ)}与系统记录不一致；"
                        "进行中的发展程序请在“发展党员”页面逐步登记，不能用导入改变",
                    )
                ]
            )
        changes = {
            f: [getattr(existing, f), getattr(record, f)]
            for f in PERSON_FIELDS
            if getattr(existing, f) != getattr(record, f)
        }
        return (UPDATE, changes) if changes else (UNCHANGED, {})

    def write(self, outcomes: list[RowOutcome[CandidateRecord]]) -> None:
        for o in outcomes:
            r = o.record
            assert r is not None
            if r.existing is None:
                self._create(r)
            else:
                self._update(r.existing, r)

    def _create(self, r: CandidateRecord) -> None:
        org = Organization.objects.get(pk=r.org_id)
        values = {f: getattr(r, f) for f in PERSON_FIELDS}
        candidate = actions.create(
            Candidate,
            {
                **values,
                "id_number": r.id_number,
                "birth_date": r.birth_date,
                "organization": org,
                "stage": r.stage,
                "applied_on": r.applied,
                "activist_on": r.activist,
                "target_on": r.target,
                "admitted_on": r.admitted,
                "source": "import",
                "imported_through": rules.IMPORTED_THROUGH[r.stage],
            },
            actor=self.actor,
            actor_name=self.actor_name,
            event="candidate.import",
            note=f"第 {r.row} 行",
        )
        who = audit.actor_label(self.actor, self.actor_name)[:150]
        note = "导入：进行中的发展党员（此前的步骤未逐项登记）"
        steps = [(1, r.applied), (3, r.activist), (5, r.activist if r.contacts else None), (7, r.target),
                 (9, r.target if r.introducers else None), (15, r.admitted)]  # fmt: skip
        RecruitmentStep.objects.bulk_create(
            [
                RecruitmentStep(
                    candidate=candidate,
                    number=n,
                    date=day,
                    notes=note,
                    details={"imported": True},
                    recorded_by_name=who,
                )
                for n, day in steps
                if day is not None
            ]
        )
        if r.contacts:
            candidate.contacts.set(r.contacts)
        if r.introducers:
            candidate.introducers.set(r.introducers)
        if r.stage == rules.PROBATIONARY:
            assert r.admitted is not None
            member = member_services.create_member(
                MemberFacts(
                    name=r.name,
                    gender=r.gender,
                    ethnicity=r.ethnicity,
                    id_number=r.id_number,
                    birth_date=r.birth_date,
                    education=r.education,
                    join_date=r.admitted,
                    full_date=None,
                    category=r.category,
                    workplace=r.workplace,
                    phone=r.phone,
                ),
                org,
                actor=self.user,
                actor_name=self.actor_name,
            )
            Candidate.objects.filter(pk=candidate.pk).update(
                member=member, probation_ends_on=rules.probation_end(r.admitted)
            )

    def _update(self, c: Candidate, r: CandidateRecord) -> None:
        for f in PERSON_FIELDS:
            setattr(c, f, getattr(r, f))
        actions.save_versioned(
            c,
            expected_version=None,
            actor=self.actor,
            actor_name=self.actor_name,
            event="candidate.update",
            note=f"导入第 {r.row} 行",
            skip_unchanged=True,
        )
