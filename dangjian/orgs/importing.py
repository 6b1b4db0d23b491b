"""`import_orgs`: organisations and units from a workbook (design §4–§5), on the shared import framework.

Rows are keyed by 组织代码, or by 组织名称 when no code is given (a code is then generated). They may come in
any order: a parent is looked for among the file's rows first, then in the database; the resulting tree is
checked as a whole (unknown parents, cycles, branches with sub-organisations) before anything is written,
and written parents first. Blank optional cells never erase what is on file. Writes go through orgs.services.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils import timezone

from dangjian.accounts.typing import Actor
from dangjian.core import progress
from dangjian.core.dates import DateParseError, parse_date
from dangjian.core.importing import CREATE, UNCHANGED, UPDATE, Column, Importer, RowErrors, RowOutcome

from . import services
from .models import (
    BRANCH_KINDS,
    DEFAULT_TERM_YEARS,
    Organization,
    OrgKind,
    Term,
    Unit,
    UnitKind,
    UnitKindChange,
)
from .terms import term_years_problem

NAME, CODE, KIND, PARENT, UNITS, UNIT_KIND = (
    "组织名称",
    "组织代码",
    "组织类别",
    "上级党组织",
    "所在单位",
    "单位类别",
)
FOUNDED, ELECTED, YEARS = "成立日期", "本届委员会选举日期", "任期(年)"
DISSOLVED, KIND_FROM = "撤销日期", "单位类别变更日期"
DISSOLVE_REASON = "由组织信息导入登记撤销"
ACTOR_NAME = "import_orgs"

KIND_NAMES: dict[str, str] = {label: value for value, label in OrgKind.choices}
KIND_NAMES.update(
    {
        "机关委员会": OrgKind.ORGAN_COMMITTEE,
        "机关党总支": OrgKind.GENERAL_BRANCH,
        "基层党委": OrgKind.COMMITTEE,
        "党的基层委员会": OrgKind.COMMITTEE,
        "总支": OrgKind.GENERAL_BRANCH,
        "党总支部": OrgKind.GENERAL_BRANCH,
        "总支部委员会": OrgKind.GENERAL_BRANCH,
        "支部": OrgKind.BRANCH,
        "党支部委员会": OrgKind.BRANCH,
        "联合支部": OrgKind.JOINT_BRANCH,
        "临时支部": OrgKind.TEMP_BRANCH,
    }
)
UNIT_KIND_NAMES: dict[str, str] = {label: value for value, label in UnitKind.choices}
UNIT_KIND_NAMES.update({"机关": UnitKind.BUREAU, "国企": UnitKind.SOE, "非公经济组织": UnitKind.PRIVATE})
UNIT_SEPARATORS = re.compile(r"[、，,；;]")
CODE_PATTERN = re.compile(r"[A-Z0-9][A-Z0-9_-]{0,31}")
MAX_DEPTH = 60  # path max_length 255 / steplen 4


class ImportWriteError(Exception):
    def __init__(self, row: int, message: str):
        super().__init__(f"第 {row} 行写入失败：{message}；未写入任何数据，请重新导入")
        self.row = row


@dataclass(eq=False)
class OrgRow:
    row: int
    name: str
    code: str
    kind: str
    parent_ref: str
    unit_names: list[str]
    unit_kind: str | None
    founded_on: date | None
    elected_on: date | None
    years: int | None
    dissolved_on: date | None = None
    kind_from: date | None = (
        None  # 单位类别变更日期: a changed 单位类别 holds from this day (default: the import's)
    )
    # resolved against the file and the database by OrgImporter.load_existing
    existing: Organization | None = None
    parent_row: OrgRow | None = None
    parent_org: Organization | None = None
    final_code: str = ""
    problems: list[tuple[str, Any, str]] = field(default_factory=list)
    changes: dict[str, list[Any]] = field(default_factory=dict)
    term_action: str = ""  # "" | "create" | "new_term" | "years"
    depth: int = 0
    instance: Organization | None = None

    def label(self) -> str:
        return f"第 {self.row} 行"


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _kind_label(kind: str) -> str:
    return OrgKind(kind).label


class OrgImporter(Importer[OrgRow]):
    title = "党组织导入"
    columns = (
        Column(NAME, ("党组织名称", "组织全称"), required=True, example="中共××商务局机关第一支部委员会"),
        Column(CODE, ("代码", "党组织代码"), text=True, example="JG01"),
        Column(
            KIND, ("党组织类别", "组织类型"), required=True, choices=tuple(OrgKind.labels), example="党支部"
        ),
        Column(PARENT, ("上级组织", "上级党组织名称", "上级党组织代码"), required=True, example="JG"),
        Column(UNITS, ("单位", "单位名称"), example="××商务局机关"),
        Column(UNIT_KIND, ("单位类型",), choices=tuple(UnitKind.labels), example="局机关"),
        Column(FOUNDED, ("成立时间",), example="2015-07-01"),
        Column(ELECTED, ("本届选举日期", "选举日期", "本届委员会选举时间"), example="2024-03-15"),
        Column(YEARS, ("任期（年）", "任期", "任期年限"), example=3),
        Column(DISSOLVED, ("撤销时间",), example=None),
        Column(KIND_FROM, ("类别变更日期", "单位类别变更时间"), example=None),
    )

    def __init__(self, actor: Actor = None, actor_name: str = ACTOR_NAME, today: date | None = None):
        super().__init__(actor=actor, actor_name=actor_name)
        self.today = today or timezone.localdate()
        self.seen: dict[int, tuple[str, str]] = {}  # every row's (name, code), valid or not

    # --- one row -----------------------------------------------------------------------------------------
    def prepare(self, values: dict[str, Any], row: int) -> OrgRow:
        errors: list[tuple[str, Any, str]] = []
        name, code = _text(values.get(NAME)), _text(values.get(CODE)).upper()
        self.seen[row] = (name, code)
        if not name:
            errors.append((NAME, "", "组织名称不能为空；请填写党组织全称"))
        elif len(name) > 100:
            errors.append((NAME, name, "组织名称过长（不超过100个字）"))
        if code and not CODE_PATTERN.fullmatch(code):
            errors.append((CODE, code, "组织代码只能由字母、数字、短横线、下划线组成，不超过32位"))
        raw_kind = _text(values.get(KIND))
        kind = KIND_NAMES.get(re.sub(r"\s+", "", raw_kind), "")
        if not kind:
            errors.append(
                (
                    KIND,
                    raw_kind,
                    f"组织类别{'为空' if not raw_kind else '无法识别'}；应为：{'、'.join(OrgKind.labels)}",
                )
            )
        unit_names = list(
            dict.fromkeys(n.strip() for n in UNIT_SEPARATORS.split(_text(values.get(UNITS))) if n.strip())
        )
        raw_unit_kind = _text(values.get(UNIT_KIND))
        unit_kind = UNIT_KIND_NAMES.get(raw_unit_kind) if raw_unit_kind else None
        if raw_unit_kind and unit_kind is None:
            errors.append((UNIT_KIND, raw_unit_kind, f"单位类别无法识别；应为：{'、'.join(UnitKind.labels)}"))
        if kind == OrgKind.JOINT_BRANCH and len(unit_names) > services.JOINT_BRANCH_MAX_UNITS:
            errors.append(
                (
                    UNITS,
                    values.get(UNITS),
                    f"联合党支部覆盖的单位一般不超过5个（支部条例 第五条），这里有{len(unit_names)}个",
                )
            )
        founded_on = self._date(values, FOUNDED, errors)
        elected_on = self._date(values, ELECTED, errors)
        if founded_on and elected_on and elected_on < founded_on:
            errors.append(
                (ELECTED, values.get(ELECTED), f"选举日期早于成立日期（{founded_on:%Y-%m-%d}）；请核对")
            )
        years = self._years(values, errors)
        dissolved_on = self._date(values, DISSOLVED, errors)
        if dissolved_on and founded_on and dissolved_on < founded_on:
            errors.append(
                (DISSOLVED, values.get(DISSOLVED), f"撤销日期早于成立日期（{founded_on:%Y-%m-%d}）；请核对")
            )
        kind_from = self._date(values, KIND_FROM, errors)
        if kind_from and not raw_unit_kind:
            errors.append(
                (
                    KIND_FROM,
                    values.get(KIND_FROM),
                    "填写了单位类别变更日期，但没有填写单位类别；请补填变更后的单位类别",
                )
            )
        if kind == OrgKind.DANGZU and (elected_on or years):
            errors.append(
                (
                    ELECTED,
                    values.get(ELECTED) or values.get(YEARS),
                    "党组由任命产生，不适用选举任期；请将选举日期和任期留空",
                )
            )
        elif years and not elected_on:
            errors.append(
                (ELECTED, "", "填写了任期但没有填写本届委员会选举日期；请补填选举日期，或将任期留空")
            )
        if errors:
            raise RowErrors(errors)
        if elected_on and years is None:
            years = DEFAULT_TERM_YEARS.get(kind)
        return OrgRow(
            row=row,
            name=name,
            code=code,
            kind=kind,
            parent_ref=_text(values.get(PARENT)),
            unit_names=unit_names,
            unit_kind=unit_kind,
            founded_on=founded_on,
            elected_on=elected_on,
            years=years,
            dissolved_on=dissolved_on,
            kind_from=kind_from,
        )

    def _date(self, values: dict[str, Any], column: str, errors: list) -> date | None:
        try:
            day = parse_date(values.get(column))
        except DateParseError as exc:
            errors.append((column, values.get(column), str(exc)))
            return None
        if day and day > self.today:
            errors.append((column, values.get(column), f"{column}不能晚于今天（{self.today:%Y-%m-%d}）"))
            return None
        return day

    def _years(self, values: dict[str, Any], errors: list) -> int | None:
        raw = values.get(YEARS)
        if raw is None:
            return None
        text = _text(raw).removesuffix("年")
        if not text.isdigit():
            errors.append((YEARS, raw, "任期应填整数年数，如 3 或 5；留空按组织类别取默认值"))
            return None
        if problem := term_years_problem(int(text)):
            errors.append((YEARS, raw, problem))
            return None
        return int(text)

    def key(self, record: OrgRow) -> Any:
        return ("code", record.code) if record.code else ("name", record.name)

    def duplicate_message(self) -> tuple[str, str]:
        return (NAME, "同一党组织（组织代码相同，或未填代码而组织名称相同）在文件中出现了多次；请只保留一行")

    # --- all rows together -----------------------------------------------------------------------------------
    def load_existing(self, records: list[OrgRow]) -> None:
        orgs = list(Organization.objects.order_by("path"))
        self.by_code = {o.code: o for o in orgs}
        self.by_name = {o.name: o for o in orgs}
        self.by_path = {o.path: o for o in orgs}
        self.units = {u.name: u for u in Unit.objects.all()}
        self.terms = {
            t.committee.organization_id: t
            for t in Term.objects.filter(is_current=True).select_related("committee")
        }
        self.unit_names_of: dict[int, list[str]] = {}
        for org_id, unit_name in Organization.units.through.objects.values_list(
            "organization_id", "unit__name"
        ):
            self.unit_names_of.setdefault(org_id, []).append(unit_name)
        self.records = records
        self.file_by_code = {r.code: r for r in records if r.code}
        self.file_by_name = {r.name: r for r in records}
        self._match_existing(records)
        self._check_names(records)
        self.file_by_org = {r.existing.pk: r for r in records if r.existing is not None}
        self._assign_codes(records)
        for r in records:
            self._resolve_parent(r)
        self._check_cycles(records)
        self._check_branch_children(records)
        self._check_units(records)
        self._check_kind_changes(records)
        for r in records:
            self._check_term(r)
            self._check_dissolution(r)
        self._propagate(records)

    def _match_existing(self, records: list[OrgRow]) -> None:
        for r in records:
            r.existing = self.by_code.get(r.code) if r.code else self.by_name.get(r.name)
            if r.existing is not None and r.existing.dissolved_on is not None and r.dissolved_on is None:
                r.problems.append(
                    (
                        NAME,
                        r.name,
                        f"该组织已于 {r.existing.dissolved_on:%Y-%m-%d} 撤销，不能通过导入修改；请从文件中删除本行",
                    )
                )
            elif r.existing is not None and r.existing.dissolved_on not in (None, r.dissolved_on):
                r.problems.append(
                    (DISSOLVED, r.dissolved_on.isoformat(),
                     f"该组织已于 {r.existing.dissolved_on:%Y-%m-%d} 撤销，撤销日期不能通过导入更改")
                )  # fmt: skip

    def _check_names(self, records: list[OrgRow]) -> None:
        first_row: dict[str, OrgRow] = {}
        for r in records:
            other = first_row.setdefault(r.name, r)
            if other is not r:
                r.problems.append(
                    (
                        NAME,
                        r.name,
                        f"组织名称与第 {other.row} 行相同，但组织代码不同；同一名称只能对应一个党组织",
                    )
                )
            holder = self.by_name.get(r.name)
            if holder is not None and (r.existing is None or holder.pk != r.existing.pk):
                r.problems.append(
                    (
                        NAME,
                        r.name,
                        f"组织名称已被系统中组织代码为 {holder.code} 的党组织使用；请核对组织代码，或改用不同的全称",
                    )
                )

    def _assign_codes(self, records: list[OrgRow]) -> None:
        taken = {r.code for r in records if r.code}
        for r in records:
            if r.code:
                r.final_code = r.code
            elif r.existing is not None:
                r.final_code = r.existing.code
            else:
                r.final_code = services.next_generated_code(taken)
                taken.add(r.final_code)

    def _find_in_file(self, ref: str) -> OrgRow | None:
        return self.file_by_code.get(ref.upper()) or self.file_by_name.get(ref)

    def _find_in_db(self, ref: str) -> Organization | None:
        return self.by_code.get(ref.upper()) or self.by_name.get(ref)

    def _resolve_parent(self, r: OrgRow) -> None:
        ref = r.parent_ref
        if not ref:
            return
        parent_row = self._find_in_file(ref)
        parent_org = None if parent_row else self._find_in_db(ref)
        if parent_org is not None and parent_org.pk in self.file_by_org:
            parent_row, parent_org = self.file_by_org[parent_org.pk], None
        if parent_row is r or (
            parent_org is not None and r.existing is not None and parent_org.pk == r.existing.pk
        ):
            r.problems.append((PARENT, ref, "上级党组织不能是本组织自己；请填写上一级党组织的名称或代码"))
            return
        if parent_row is None and parent_org is None:
            bad = [row for row, (n, c) in self.seen.items() if ref in (n, c) or ref.upper() == c]
            if bad:
                r.problems.append(
                    (PARENT, ref, f"上级党组织“{ref}”在第 {bad[0]} 行，但该行有错误；请先改正第 {bad[0]} 行")
                )
            else:
                r.problems.append(
                    (
                        PARENT,
                        ref,
                        f"上级党组织“{ref}”在文件和系统中都找不到；请核对名称或代码，或在文件中补充该上级组织的一行",
                    )
                )
            return
        if parent_org is not None and parent_org.dissolved_on is not None and r.dissolved_on is None:
            r.problems.append((PARENT, ref, f"上级党组织“{parent_org.name}”已撤销；请填写现有的上级党组织"))
            return
        parent_kind = parent_row.kind if parent_row else parent_org.kind
        if parent_kind in BRANCH_KINDS:
            parent_name = parent_row.name if parent_row else parent_org.name
            r.problems.append(
                (
                    PARENT,
                    ref,
                    f"上级“{parent_name}”是{_kind_label(parent_kind)}，党支部下只设党小组，不能再设党组织；请核对上级党组织",
                )
            )
            return
        r.parent_row, r.parent_org = parent_row, parent_org

    # The final tree: file rows say where they go; organisations not in the file stay where they are.
    def _final_parent(self, node: OrgRow | Organization) -> OrgRow | Organization | None:
        if isinstance(node, OrgRow):
            return node.parent_row or node.parent_org
        parent = self.by_path.get(node.path[: -node.steplen]) if node.depth > 1 else None
        if parent is not None and parent.pk in self.file_by_org:
            return self.file_by_org[parent.pk]
        return parent

    def _check_cycles(self, records: list[OrgRow]) -> None:
        limit = len(records) + MAX_DEPTH
        for r in records:
            if r.problems:
                continue
            chain: list[OrgRow] = [r]
            node = self._final_parent(r)
            while node is not None and node is not r and len(chain) <= limit:
                if isinstance(node, OrgRow):
                    chain.append(node)
                node = self._final_parent(node)
            if node is r:
                rows = "、".join(str(x.row) for x in sorted(set(chain), key=lambda x: x.row))
                r.problems.append(
                    (
                        PARENT,
                        r.parent_ref,
                        f"上级关系形成循环（第 {rows} 行互为上下级）；请核对这些行的上级党组织",
                    )
                )
            elif node is not None:
                r.depth = (
                    limit  # above it lies a cycle of other rows; _propagate rejects it if it hangs on them
                )
            else:
                r.depth = sum(1 for _ in self._ancestors(r))
                if r.depth + 1 > MAX_DEPTH:
                    r.problems.append((PARENT, r.parent_ref, "组织层级过深；请核对上级党组织"))

    def _ancestors(self, r: OrgRow):
        node = self._final_parent(r)
        steps = 0
        while node is not None and steps <= MAX_DEPTH:
            yield node
            node = self._final_parent(node)
            steps += 1

    def _check_branch_children(self, records: list[OrgRow]) -> None:
        """A row that makes an organisation a 党支部 while organisations stay under it."""
        for r in records:
            if r.kind not in BRANCH_KINDS or r.existing is None or not r.existing.numchild:
                continue
            prefix, depth = r.existing.path, r.existing.depth + 1
            staying = [
                o for o in self.by_code.values()
                if o.depth == depth and o.path.startswith(prefix) and o.dissolved_on is None
                and self._final_parent(self.file_by_org.get(o.pk) or o) is r
            ]  # fmt: skip
            if staying:
                r.problems.append(
                    (
                        KIND,
                        _kind_label(r.kind),
                        f"该组织下设有党组织（{staying[0].name}等），不能改为{_kind_label(r.kind)}",
                    )
                )

    def _check_units(self, records: list[OrgRow]) -> None:
        declared: dict[str, tuple[str, int]] = {}  # unit name -> (kind, first row declaring it)
        for r in records:
            for name in r.unit_names:
                if r.unit_kind:
                    declared.setdefault(name, (r.unit_kind, r.row))
        self.unit_kind_for = {name: kind for name, (kind, _) in declared.items()}
        for r in records:
            for name in r.unit_names:
                if name not in self.units and name not in declared:
                    r.problems.append(
                        (
                            UNIT_KIND,
                            "",
                            f"单位“{name}”尚未登记；请填写单位类别（{'、'.join(UnitKind.labels)}）",
                        )
                    )
                elif r.unit_kind and declared[name][0] != r.unit_kind:
                    first_kind, first_row = declared[name]
                    r.problems.append(
                        (UNIT_KIND, UnitKind(r.unit_kind).label,
                         f"单位“{name}”的单位类别与第 {first_row} 行（{UnitKind(first_kind).label}）不一致")
                    )  # fmt: skip

    def _check_kind_changes(self, records: list[OrgRow]) -> None:
        """A changed 单位类别 is recorded from the row's 单位类别变更日期 (default today); it must come after the
        unit's last recorded change, since the history is kept in order."""
        last: dict[int, date] = {}
        for unit_id, day in UnitKindChange.objects.filter(valid_from__isnull=False).values_list(
            "unit_id", "valid_from"
        ):
            last[unit_id] = max(day, last.get(unit_id, day))
        for r in records:
            if not r.unit_kind:
                continue
            day = r.kind_from or self.today
            for name in r.unit_names:
                unit = self.units.get(name)
                if unit is None or unit.kind == r.unit_kind or unit.pk not in last:
                    continue
                if day <= last[unit.pk]:
                    r.problems.append(
                        (KIND_FROM, day.isoformat(),
                         f"单位“{name}”已登记 {last[unit.pk]:%Y-%m-%d} 的类别变更，新的变更日期应晚于该日")
                    )  # fmt: skip

    def _check_dissolution(self, r: OrgRow) -> None:
        """撤销 through the import: only an organisation without live sub-organisations (other than ones this
        file dissolves too) and without members on the roll."""
        org = r.existing
        if r.dissolved_on is None or org is None or org.dissolved_on is not None:
            return
        founded = r.founded_on or org.founded_on
        if founded and r.dissolved_on < founded:
            r.problems.append(
                (DISSOLVED, r.dissolved_on.isoformat(), f"撤销日期早于成立日期（{founded:%Y-%m-%d}）")
            )
            return
        live = [
            o for o in self.by_code.values()
            if o.depth == org.depth + 1 and o.path.startswith(org.path) and o.dissolved_on is None
            and not (o.pk in self.file_by_org and self.file_by_org[o.pk].dissolved_on)
        ]  # fmt: skip
        if live:
            r.problems.append(
                (
                    DISSOLVED,
                    r.dissolved_on.isoformat(),
                    f"该组织下还有未撤销的党组织（{live[0].name}等）；请先撤销下级组织",
                )
            )
            return
        if org.members.current().exists():  # type: ignore[attr-defined]
            r.problems.append(
                (
                    DISSOLVED,
                    r.dissolved_on.isoformat(),
                    "该组织还有在册党员；请先为他们办理组织关系转接，再撤销",
                )
            )

    def _check_term(self, r: OrgRow) -> None:
        if r.elected_on is None or (r.existing is not None and r.existing.dissolved_on is not None):
            return
        term = self.terms.get(r.existing.pk) if r.existing else None
        if term is None:
            r.term_action = "create"
        elif r.elected_on > term.elected_on:
            r.term_action = "new_term"
        elif r.elected_on < term.elected_on:
            r.problems.append(
                (ELECTED, r.elected_on.isoformat(),
                 f"早于系统中本届（第{term.number}届）的选举日期 {term.elected_on:%Y-%m-%d}；如需更正，请在该组织的页面上“更正本届任期”")
            )  # fmt: skip
        elif r.years != term.years:
            r.term_action = "years"

    def _propagate(self, records: list[OrgRow]) -> None:
        """A row whose parent row is rejected cannot be written either (its parent would not exist)."""
        changed = True
        while changed:
            changed = False
            for r in records:
                p = r.parent_row
                if not r.problems and p is not None and p.problems:
                    r.problems.append(
                        (
                            PARENT,
                            r.parent_ref,
                            f"上级党组织所在的第 {p.row} 行有错误，本行无法导入；请先改正第 {p.row} 行",
                        )
                    )
                    changed = True

    # --- plan and write ------------------------------------------------------------------------------------
    def plan(self, record: OrgRow) -> tuple[str, dict[str, list[Any]]]:
        if record.problems:
            raise RowErrors(record.problems)
        if record.existing is None:
            return CREATE, {}
        org, c = record.existing, record.changes
        if org.name != record.name:
            c[NAME] = [org.name, record.name]
        if org.kind != record.kind:
            c[KIND] = [_kind_label(org.kind), _kind_label(record.kind)]
        old_parent = self.by_path.get(org.path[: -org.steplen]) if org.depth > 1 else None
        new_parent = record.parent_row.existing if record.parent_row else record.parent_org
        if record.parent_row is not None and record.parent_row.existing is None:
            c[PARENT] = [old_parent.name if old_parent else "", record.parent_row.name]
        elif (old_parent.pk if old_parent else None) != (new_parent.pk if new_parent else None):
            c[PARENT] = [old_parent.name if old_parent else "", new_parent.name if new_parent else ""]
        if record.unit_names:
            old_units = sorted(self.unit_names_of.get(org.pk, []))
            if old_units != sorted(record.unit_names):
                c[UNITS] = [old_units, sorted(record.unit_names)]
        if record.unit_kind:
            stale = [
                n for n in record.unit_names if n in self.units and self.units[n].kind != record.unit_kind
            ]
            if stale:
                c[UNIT_KIND] = [UnitKind(self.units[stale[0]].kind).label, UnitKind(record.unit_kind).label]
        if record.dissolved_on and org.dissolved_on is None:
            c[DISSOLVED] = ["", record.dissolved_on.isoformat()]
        if record.founded_on and record.founded_on != org.founded_on:
            c[FOUNDED] = [org.founded_on.isoformat() if org.founded_on else "", record.founded_on.isoformat()]
        if record.term_action:
            term = self.terms.get(org.pk)
            c[ELECTED if record.term_action != "years" else YEARS] = (
                [term.years, record.years]
                if record.term_action == "years"
                else [term.elected_on.isoformat() if term else "", record.elected_on.isoformat()]
            )
        if c and org.dissolved_on is not None:
            raise RowErrors(
                [
                    (
                        NAME,
                        record.name,
                        f"该组织已于 {org.dissolved_on:%Y-%m-%d} 撤销，不能通过导入修改；请从文件中删除本行",
                    )
                ]
            )
        return (UPDATE, c) if c else (UNCHANGED, {})

    def write(self, outcomes: list[RowOutcome[OrgRow]]) -> None:
        rows = sorted((o.record for o in outcomes), key=lambda r: (r.depth, r.row))
        bulk = self._bulk_create(rows)
        # The first terms of organisations just created in bulk go in bulk too, in runs between the other rows
        # (so that the audit entries keep the rows' order).
        run: list[OrgRow] = []

        def flush() -> None:
            for r in run:  # the service's checks row by row first, for the row number of a refusal
                try:
                    services.check_first_term(r.instance, r.elected_on, r.years, today=self.today)
                except services.Refusal as exc:
                    raise ImportWriteError(r.row, exc.message)
            services.create_first_terms(
                [(r.instance, r.elected_on, r.years) for r in run],
                actor=self.actor, actor_name=self.actor_name, today=self.today,
            )  # fmt: skip
            run.clear()

        for i, r in enumerate(rows, start=1):
            progress.every(100, "写入", i, len(rows))
            if r in bulk and r.term_action and r.term_action != "new_term":
                run.append(r)
                continue
            if run:
                flush()
            try:
                if r in bulk:
                    self._write_term(r)
                else:
                    self._write_row(r)
            except services.Refusal as exc:
                # Checked before writing, so only a concurrent change gets here; the transaction rolls back.
                raise ImportWriteError(r.row, exc.message)
        if run:
            flush()
        # Dissolutions last and deepest first, so that a file dissolving a parent with its children works.
        for r in sorted(rows, key=lambda r: (-r.depth, r.row)):
            if r.dissolved_on is None or r.instance is None or r.instance.dissolved_on is not None:
                continue
            try:
                services.dissolve_organization(
                    r.instance, dissolved_on=r.dissolved_on, reason=DISSOLVE_REASON, expected_version=None,
                    actor=self.actor, actor_name=self.actor_name, today=self.today,
                )  # fmt: skip
            except services.Refusal as exc:
                raise ImportWriteError(r.row, exc.message)

    def _bulk_create(self, rows: list[OrgRow]) -> set[OrgRow]:
        """Create the new organisations set-based when their paths can be computed here: no row moves an
        existing organisation, every new one has a parent, and each existing parent's new children sort after
        its present ones (treebeard keeps children in code order); new top-level organisations likewise sort
        after the existing ones. Otherwise none: they go one by one through the service, which re-paths
        siblings as needed. Returns the rows created."""
        new = [r for r in rows if r.existing is None]
        if not new or any(r.existing is not None and PARENT in r.changes for r in rows):
            return set()
        roots = [r.final_code for r in new if r.parent_row is None and r.parent_org is None]
        if roots and not services.appendable(
            Organization(), roots, [o.code for o in self.by_path.values() if o.depth == 1]
        ):
            return set()
        step = Organization.steplen
        children: dict[str, list[str]] = {}
        for o in self.by_path.values():
            if o.depth > 1:
                children.setdefault(o.path[:-step], []).append(o.code)
        incoming: dict[int, tuple[Organization, list[str]]] = {}
        for r in new:
            if r.parent_row is None and r.parent_org is None:
                continue  # a root: checked above
            parent = self._existing_parent(r)
            if parent is not None:
                incoming.setdefault(parent.pk, (parent, []))[1].append(r.final_code)
            elif not services.appendable(Organization(), [r.final_code], []):
                return set()
        for parent, codes in incoming.values():
            if not services.appendable(parent, codes, children.get(parent.path, [])):
                return set()
        items: dict[int, services.NewOrganization] = {}
        ordered = sorted(new, key=lambda r: (r.depth, r.final_code))
        # the units the rows name that are not on file yet, created in one go (in the order `_write_units`
        # would meet them, which then finds them)
        fresh: dict[str, str] = {}
        for r in ordered:
            for name in r.unit_names:
                if name not in self.units and name not in fresh:
                    fresh[name] = self.unit_kind_for[name]
        if fresh:
            try:
                made = services.create_units(
                    list(fresh.items()), actor=self.actor, actor_name=self.actor_name
                )
            except services.Refusal as exc:
                raise ImportWriteError(ordered[0].row, exc.message)
            self.units.update((u.name, u) for u in made)
        for r in ordered:
            existing_parent = self._existing_parent(r)
            parent: Organization | services.NewOrganization | None
            if existing_parent is not None:
                parent = existing_parent
            elif r.parent_row is not None:
                parent = items[id(r.parent_row)]
            else:
                parent = None  # a new top-level organisation
            items[id(r)] = services.NewOrganization(
                name=r.name, kind=r.kind, code=r.final_code, parent=parent, founded_on=r.founded_on,
                units=self._write_units(r),
            )  # fmt: skip
        try:
            services.create_organizations(
                [items[id(r)] for r in ordered],
                actor=self.actor, actor_name=self.actor_name, today=self.today,
            )  # fmt: skip
        except services.Refusal as exc:
            raise ImportWriteError(ordered[0].row, exc.message)
        for r in ordered:
            r.instance = items[id(r)].instance
        return set(ordered)

    def _existing_parent(self, r: OrgRow) -> Organization | None:
        if r.parent_row is not None:
            return r.parent_row.existing
        return r.parent_org

    def _write_row(self, r: OrgRow) -> None:
        kw = {"actor": self.actor, "actor_name": self.actor_name, "today": self.today}
        units = self._write_units(r)
        parent = self._parent_instance(r)
        if r.existing is None:
            r.instance = services.create_organization(
                parent=parent, name=r.name, kind=r.kind, code=r.final_code, founded_on=r.founded_on,
                units=units, **kw,
            )  # fmt: skip
        else:
            org = Organization.objects.get(pk=r.existing.pk)
            if PARENT in r.changes:
                services.move_organization(
                    org, parent, expected_version=None, actor=self.actor, actor_name=self.actor_name
                )
                org = Organization.objects.get(pk=org.pk)
            fields: dict[str, Any] = {"name": r.name, "kind": r.kind}
            if r.founded_on:
                fields["founded_on"] = r.founded_on
            services.update_organization(
                org, expected_version=None, units=units if r.unit_names else None, **kw, **fields
            )
            r.instance = Organization.objects.get(pk=org.pk)
        self._write_term(r)

    def _write_units(self, r: OrgRow) -> list[Unit]:
        units = []
        for name in r.unit_names:
            unit = self.units.get(name)
            if unit is None:
                kind = self.unit_kind_for[name]
                unit = services.create_unit(
                    name=name, kind=kind, actor=self.actor, actor_name=self.actor_name
                )
                self.units[name] = unit
            elif r.unit_kind and unit.kind != r.unit_kind:
                # 变更: the old kind is kept as history; the new one holds from the row's date (else today).
                services.change_unit_kind(
                    unit, kind=r.unit_kind, valid_from=r.kind_from or self.today, expected_version=None,
                    note="由组织信息导入登记", actor=self.actor, actor_name=self.actor_name, today=self.today,
                )  # fmt: skip
                unit = Unit.objects.get(pk=unit.pk)
                self.units[name] = unit
            units.append(unit)
        return units

    def _parent_instance(self, r: OrgRow) -> Organization | None:
        if r.parent_row is not None:
            target = r.parent_row.instance or r.parent_row.existing
            return Organization.objects.get(pk=target.pk)
        if r.parent_org is not None:
            return Organization.objects.get(pk=r.parent_org.pk)
        return None

    def _write_term(self, r: OrgRow) -> None:
        if not r.term_action:
            return
        org = r.instance
        if r.term_action == "new_term":
            services.record_election(
                org, r.elected_on, r.years, (), self.actor, actor_name=self.actor_name,
                note="由组织信息导入登记", today=self.today, require_posts=False,
            )  # fmt: skip
        else:
            services.save_current_term(
                org, number=None, elected_on=r.elected_on, years=r.years, committee_kind=None, posts=None,
                actor=self.actor, actor_name=self.actor_name, today=self.today,
            )  # fmt: skip
