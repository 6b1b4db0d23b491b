"""The roster import and export (design §4–§5) on the shared framework (dangjian.core.importing).

Import: each row goes through `rules.check_member`; the organisation is an existing organisation's full name or
code (inside the importing user's write scope when a user imports from the browser); members are keyed by
公民身份号码. Export: the canonical columns in the same order, dates as dates, so that export → import reports
every row unchanged.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO, Any

from django.db.models import QuerySet
from django.utils import timezone

from dangjian.accounts.scope import editable_orgs
from dangjian.accounts.typing import Actor
from dangjian.core.bulk import pks_by
from dangjian.core.importing import CREATE, UNCHANGED, UPDATE, Column, Importer, RowErrors, RowOutcome
from dangjian.core.xlsx import Sheet, write_workbook
from dangjian.orgs.models import Organization

from . import rules, services
from .choices import ETHNICITIES, Category, Education, Gender, Status
from .models import Member

COLUMNS: tuple[Column, ...] = (
    Column(rules.NAME, required=True, example="李红"),
    Column(rules.GENDER, choices=tuple(Gender.values), example="女"),
    Column(rules.ETHNICITY, choices=tuple(ETHNICITIES), example="汉族"),
    Column(rules.ID_NUMBER, synonyms=("身份证号", "身份证号码"), required=True, text=True, example="11010519491231002X"),
    Column(rules.BIRTH_DATE, example=date(1949, 12, 31)),
    Column(rules.EDUCATION, synonyms=("文化程度",), choices=tuple(Education.values), example="大学本科"),
    Column(rules.JOIN_DATE, synonyms=("加入党组织日期", "入党时间"), required=True, example=date(1975, 7, 1)),
    Column(rules.FULL_DATE, synonyms=("转为正式党员日期", "转正时间"), example=date(1976, 7, 1)),
    Column(rules.CATEGORY, synonyms=("党员类别",), choices=tuple(Category.values), example="离退休"),
    Column(rules.ARRIVED_ON, synonyms=("转入日期",), example=None),
    Column(rules.ORGANIZATION, synonyms=("所在党组织",), required=True, example="示例党支部（请改为本支部全称或代码）"),
    Column(rules.WORKPLACE, synonyms=("工作岗位",), example="退休前为某单位职工"),
    Column(rules.PHONE, synonyms=("手机号码",), text=True, example="0394-1234567"),
)  # fmt: skip
HEADER = [c.name for c in COLUMNS]

RULES_HELP = (
    "第 1 行为表头；列名可用同义写法（如“身份证号”“文化程度”“党员类别”“所在党组织”“手机号码”）。",
    "公民身份号码一列请设置为“文本”格式，否则 Excel 会把号码存成数字并丢失末尾几位；末位 x 可小写。",
    "性别、出生日期须与公民身份号码一致；出生日期可留空，由号码得出。",
    "日期可写作 2019-07-01、2019/7/1、2019.07.01 或 2019年7月1日，也可以是 Excel 日期。",
    "转入本组织日期可留空（自入党起即在本组织）；由其他党组织转入的，填写转入之日，统计时自该日起计入本组织。",
    "入党日期不得晚于今天，且应在年满18周岁之后；转正日期留空表示预备党员，否则应在入党满1年至满2年之间。",
    "人员类别填“在职”“离退休”“下岗失业”“学生”“农牧渔民”或“其他”（离休、退休均按“离退休”；"
    "依靠抚恤或救济生活的填“其他”）；留空按“在职”。党费按人员类别适用不同标准。",
    "所在党支部填写系统中已有党组织的全称或组织代码；网页导入时只能填写您管理范围内的党组织。",
    "联系电话填写11位手机号码，或带区号的固定电话，如 0394-1234567。",
    "以公民身份号码识别党员：已在册的更新，未在册的新增；同一号码在文件中出现两次，两行都不导入。",
    "默认整批导入：有任何错误则全部不导入；可选择“仅导入无误的行”。",
)

# Labels of the changes shown in the preview.
FIELD_LABELS = {
    "name": rules.NAME,
    "gender": rules.GENDER,
    "ethnicity": rules.ETHNICITY,
    "birth_date": rules.BIRTH_DATE,
    "education": rules.EDUCATION,
    "join_date": rules.JOIN_DATE,
    "full_date": rules.FULL_DATE,
    "category": rules.CATEGORY,
    "arrived_on": rules.ARRIVED_ON,
    "workplace": rules.WORKPLACE,
    "phone": rules.PHONE,
}
LOOKUP_CHUNK = 2000


@dataclass
class RosterRecord:
    row: int
    facts: rules.MemberFacts
    organization_id: int
    organization_active: bool = True
    existing: Member | None = None
    arrived_given: bool = True  # the file has the 转入本组织日期 column (without it, what is on file stays)


@dataclass(frozen=True)
class _Org:
    id: int
    name: str
    code: str
    active: bool


class RosterImporter(Importer[RosterRecord]):
    title = "党员名册导入"
    columns = COLUMNS

    def __init__(
        self, actor: Actor = None, actor_name: str = "", *, scope_user: Any = None, today: date | None = None
    ):
        super().__init__(actor=actor, actor_name=actor_name)
        self.scope_user = scope_user
        self.today = today or timezone.localdate()
        self._by_name: dict[str, _Org] | None = None
        self._by_code: dict[str, _Org] = {}
        self._writable: set[int] | None = None
        self._rows_by_id: dict[str, list[int]] = defaultdict(list)
        self._existing: dict[str, Member] = {}
        self._org_names: dict[int, str] = {}

    # -- organisations (one query, on first use) ------------------------------------------------------------
    def _load_orgs(self) -> None:
        self._by_name = {}
        for pk, name, code, dissolved in Organization.objects.values_list(
            "pk", "name", "code", "dissolved_on"
        ):
            o = _Org(pk, name, code, dissolved is None)
            self._by_name["".join(name.split())] = o
            self._by_code[code.strip().upper()] = o
            self._org_names[pk] = name
        if self.scope_user is not None:
            self._writable = set(editable_orgs(self.scope_user).values_list("pk", flat=True))

    def resolve_org(self, text: str) -> _Org:
        if self._by_name is None:
            self._load_orgs()
        assert self._by_name is not None
        if not text:
            raise rules.RuleError("所在党支部不能为空；请填写系统中已有党组织的全称或组织代码")
        org = self._by_name.get("".join(text.split())) or self._by_code.get(text.strip().upper())
        if org is None:
            raise rules.RuleError(
                f"系统中没有名称或代码为“{text[:40]}”的党组织；请填写党组织全称（与系统中一致）或组织代码"
            )
        if self._writable is not None and org.id not in self._writable:
            raise rules.RuleError(
                f"“{org.name}”不在您的管理范围内，不能向其导入党员；请只导入本组织及下级党组织的党员"
            )
        return org

    # -- per row -------------------------------------------------------------------------------------------
    def prepare(self, values: dict[str, Any], row: int) -> RosterRecord:
        facts, errors = rules.check_member(values, self.today)
        org: _Org | None = None
        try:
            org = self.resolve_org(rules.text_of(values.get(rules.ORGANIZATION)))
        except rules.RuleError as exc:
            errors.append((rules.ORGANIZATION, values.get(rules.ORGANIZATION), str(exc)))
        if facts is not None:
            self._rows_by_id[facts.id_number].append(row)
        else:
            # Rows with other errors still count as occurrences of their ID number (see `plan`).
            try:
                self._rows_by_id[rules.clean_id_number(values.get(rules.ID_NUMBER)).number].append(row)
            except rules.RuleError:
                pass
        if errors:
            raise RowErrors(errors)
        assert facts is not None and org is not None
        return RosterRecord(
            row=row,
            facts=facts,
            organization_id=org.id,
            organization_active=org.active,
            arrived_given=rules.ARRIVED_ON in values,
        )

    def key(self, record: RosterRecord) -> str:
        return record.facts.id_number

    def duplicate_message(self) -> tuple[str, str]:
        return (
            rules.ID_NUMBER,
            "同一公民身份号码在文件中出现了不止一次，这些行都未导入；请删除重复的行或核对号码",
        )

    # -- all rows ------------------------------------------------------------------------------------------
    def load_existing(self, records: list[RosterRecord]) -> None:
        """The members already registered under the file's ID numbers: their keys in one set-wise query,
        then only those members, in chunks."""
        found = list(pks_by(Member, "id_number", [r.facts.id_number for r in records]).values())
        for i in range(0, len(found), LOOKUP_CHUNK):
            for m in Member.objects.filter(pk__in=found[i : i + LOOKUP_CHUNK]):
                self._existing[m.id_number] = m

    def plan(self, record: RosterRecord) -> tuple[str, dict[str, list[Any]]]:
        f = record.facts
        rows = self._rows_by_id.get(f.id_number, [])
        if len(rows) > 1:
            _, message = self.duplicate_message()
            raise RowErrors(
                [(rules.ID_NUMBER, f.id_number, f"{message}（第 {'、'.join(map(str, rows))} 行重复）")]
            )
        existing = self._existing.get(f.id_number)
        record.existing = existing
        if not record.organization_active and (
            existing is None or existing.organization_id != record.organization_id
        ):
            name = self._org_names.get(record.organization_id, "")
            raise RowErrors(
                [(rules.ORGANIZATION, name, f"“{name}”已撤销，不能再编入党员；请填写党员现在所在的党组织")]
            )
        if existing is None:
            return CREATE, {}
        if not record.arrived_given:
            f.arrived_on = existing.arrived_on
        if self._writable is not None and existing.organization_id not in self._writable:
            raise RowErrors(
                [
                    (
                        rules.ID_NUMBER,
                        f.id_number,
                        # neither where nor whether: the message must not tell who is on another branch's roll
                        "该公民身份号码不能由您导入或修改；请核对号码，如需办理组织关系转接请联系局党建管理员",
                    )
                ]
            )
        changes = self._changes(existing, record)
        if not changes:
            return UNCHANGED, {}
        if existing.status != Status.NORMAL:
            raise RowErrors(
                [
                    (
                        rules.ID_NUMBER,
                        f.id_number,
                        f"该党员的党籍状态为“{existing.status}”，名册导入不能修改其信息；请从文件中删除该行，"
                        "如需恢复党籍请在党员页面办理",
                    )
                ]
            )
        return UPDATE, changes

    def _changes(self, m: Member, record: RosterRecord) -> dict[str, list[Any]]:
        changes: dict[str, list[Any]] = {}
        for field, label in FIELD_LABELS.items():
            old, new = getattr(m, field), getattr(record.facts, field)
            if old != new:
                changes[label] = [_show(old), _show(new)]
        if m.organization_id != record.organization_id:
            changes[rules.ORGANIZATION] = [
                self._org_names.get(m.organization_id, ""),
                self._org_names.get(record.organization_id, ""),
            ]
        return changes

    def write(self, outcomes: list[RowOutcome[RosterRecord]]) -> None:
        services.apply_roster(
            [
                services.RosterWrite(o.record.facts, o.record.organization_id, o.record.existing)
                for o in outcomes
                if o.record is not None
            ],
            actor=self.actor,
            actor_name=self.actor_name,
        )


def _show(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    return value if value not in ("", None) else None


# -- export -------------------------------------------------------------------------------------------------
def export_rows(members: QuerySet[Member], *, full: bool) -> Iterator[list[Any]]:
    """Rows in the canonical column order; ID numbers and phones masked unless `full`, and then the birth date
    cut to year and month: with the full date, the 4 + 4 digits of the mask leave few candidates for the
    number (issue 14 item 3)."""
    qs = members.select_related("organization").order_by("organization__path", "name", "pk")
    for m in qs.iterator(chunk_size=2000):
        yield [
            m.name,
            m.gender,
            m.ethnicity,
            m.id_number if full else m.masked_id_number,
            m.birth_date if full else f"{m.birth_date:%Y-%m}",
            m.education,
            m.join_date,
            m.full_date,
            m.category,
            m.arrived_on,
            m.organization.name,
            m.workplace,
            m.phone if full else m.masked_phone,
        ]


def write_roster(target: Path | str | IO[bytes], members: QuerySet[Member], *, full: bool) -> int:
    """Write the roster workbook; returns the number of members written."""
    count = 0

    def rows() -> Iterator[list[Any]]:
        nonlocal count
        for row in export_rows(members, full=full):
            count += 1
            yield row

    id_col, phone_col = HEADER.index(rules.ID_NUMBER), HEADER.index(rules.PHONE)
    date_cols = [
        HEADER.index(c) for c in (rules.BIRTH_DATE, rules.JOIN_DATE, rules.FULL_DATE, rules.ARRIVED_ON)
    ]
    write_workbook(
        target,
        [
            Sheet(
                name="党员名册",
                header=HEADER,
                rows=rows(),
                widths=[10, 6, 10, 22, 12, 10, 12, 12, 10, 12, 30, 30, 16],
                text_columns=[id_col, phone_col],
                date_columns=date_cols,
            )
        ],
    )
    return count
