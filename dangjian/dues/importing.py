"""党费 imports (design §5): 党费基数 (keyed by 公民身份号码 + 年度 + 生效月份) and 党费缴纳 (keyed by all five cells, so
that re-importing the same file adds nothing). One command reads either: the header tells them apart (`detect`).
Both run on core.importing (atomic unless --skip-invalid, dry run, the JSON report, the error workbook) and check
each row with the same rules as the pages (services.check_base / check_payment)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.utils import timezone

from dangjian.accounts.typing import Actor
from dangjian.core import actions, audit
from dangjian.core.dates import DateParseError, parse_date
from dangjian.core.idnumber import IdNumberError, parse_id_number
from dangjian.core.importing import (
    CREATE,
    UNCHANGED,
    UPDATE,
    Column,
    Importer,
    ImportReport,
    RowError,
    RowErrors,
    match_header,
    run_import,
)
from dangjian.core.xlsx import WorkbookError, iter_rows
from dangjian.members.models import Member

from . import rules, services
from .models import DuesBase, DuesPayment, PaymentMethod

ID_COLUMN = Column(
    "公民身份号码", ("身份证号", "身份证号码"), required=True, text=True, example="11010519491231002X"
)

BASE_COLUMNS = (
    ID_COLUMN,
    Column("年度", ("核定年度", "党费年度"), required=True, example=2026),
    Column(
        "月收入",
        ("月收入（元）", "税后月收入", "月工资收入", "党费基数", "计算基数", "离退休费", "养老金"),
        required=True,
        example=4500,
    ),
    Column("生效月份", ("起始月份", "起交月份"), example="2026-01"),
    Column("减免", ("是否减免",), choices=("是", "否"), example="否"),
    Column("减免原因", (), example=None),
)
PAYMENT_COLUMNS = (
    ID_COLUMN,
    Column("所属月份", ("党费所属月份", "交纳月份", "月份"), required=True, example="2026-03"),
    Column("金额", ("金额（元）", "交纳金额", "缴纳金额", "实交金额"), required=True, example=22.5),
    Column("缴纳日期", ("交纳日期", "缴费日期", "收缴日期"), required=True, example="2026-03-05"),
    Column("方式", ("缴纳方式", "交纳方式", "收缴方式"), required=True, example="现金"),
)
METHOD_SYNONYMS = {
    "现金交纳": "现金",
    "现金缴纳": "现金",
    "银行转账": "转账",
    "微信转账": "转账",
    "支付宝转账": "转账",
    "委托代交": "代交",
    "代缴": "代交",
    "委托他人代交": "代交",
}
KIND_BASES, KIND_PAYMENTS = "bases", "payments"
KIND_LABELS = {KIND_BASES: "党费基数", KIND_PAYMENTS: "党费缴纳"}

_MONTH = re.compile(r"^(\d{4})\s*(?:[-/.年])\s*(\d{1,2})\s*月?$")
_YEAR = re.compile(r"^(\d{4})(?:\.0+)?\s*年?$")


def parse_month(value: Any) -> date | None:
    """2026-03, 2026/3, 2026.03, 2026年3月, or a real date (its month); None when empty."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date().replace(day=1)
    if isinstance(value, date):
        return value.replace(day=1)
    text = "".join(str(value).split())
    m = _MONTH.match(text)
    if m and 1 <= int(m.group(2)) <= 12:
        return date(int(m.group(1)), int(m.group(2)), 1)
    raise ValueError("月份格式不正确，请写作 2026-03（年-月）")


def parse_year(value: Any) -> int:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        return value
    m = _YEAR.match("".join(str(value or "").split()))
    if not m:
        raise ValueError("年度应为四位数字，如 2026")
    return int(m.group(1))


def parse_money(value: Any) -> Decimal:
    if isinstance(value, float):
        value = repr(round(value, 6))
    try:
        amount = Decimal(str(value).strip().replace(",", "").replace("，", "").removesuffix("元"))
    except (InvalidOperation, ValueError):
        raise ValueError("应为数字（元），如 15 或 15.50") from None
    if not amount.is_finite():
        raise ValueError("应为数字（元）")
    if amount != amount.quantize(rules.FEN):
        raise ValueError("最多保留两位小数（到分）")
    return amount.quantize(rules.FEN)


def _id(values: dict[str, Any], errors: list) -> str:
    try:
        return parse_id_number(values.get("公民身份号码")).number
    except IdNumberError as exc:
        errors.append(("公民身份号码", values.get("公民身份号码"), str(exc)))
        return ""


class _DuesImporter(Importer):
    def __init__(self, actor: Actor = None, actor_name: str = "", member_scope=None):
        super().__init__(actor, actor_name)
        # member_scope: the Member queryset the importing user may write to (None: the command line, everyone)
        self.member_scope = member_scope
        self.today = timezone.localdate()

    def _members(self, id_numbers: set[str]) -> None:
        self.members = {m.id_number: m for m in Member.objects.filter(id_number__in=id_numbers)}
        self.in_scope = None
        if self.member_scope is not None:
            self.in_scope = set(
                self.member_scope.filter(id_number__in=id_numbers).values_list("id", flat=True)
            )

    def _member(self, id_number: str) -> Member:
        member = self.members.get(id_number)
        if member is None:
            raise RowErrors(
                [
                    (
                        "公民身份号码",
                        id_number,
                        "系统中没有该身份证号对应的党员；请先在党员名册中登记，或核对号码",
                    )
                ]
            )
        if self.in_scope is not None and member.id not in self.in_scope:
            raise RowErrors([("公民身份号码", id_number, "该党员不在您的管理范围内，不能为其导入党费")])
        return member

    def _entries(self, rows: list[tuple[int, Any]], event: str) -> list[audit.Entry]:
        return [
            audit.Entry(
                event,
                actor=self.actor,
                actor_name=self.actor_name,
                instance=obj,
                changes=audit.created(obj),
                note=f"第 {row} 行",
            )
            for row, obj in rows
        ]


# --- 党费基数 ----------------------------------------------------------------------------------------------------
@dataclass
class BaseRow:
    id_number: str
    data: services.BaseData
    member_id: int | None = None
    existing_id: int | None = None


class BaseImporter(_DuesImporter):
    title = "党费基数导入"
    columns = BASE_COLUMNS

    def prepare(self, values: dict[str, Any], row: int) -> BaseRow:
        errors: list[tuple[str, Any, str]] = []
        id_number = _id(values, errors)
        year = 0
        try:
            year = parse_year(values.get("年度"))
            if not 2000 <= year <= self.today.year + 1:
                errors.append(
                    ("年度", values.get("年度"), f"年度应在 2000 年至 {self.today.year + 1} 年之间")
                )
        except ValueError as exc:
            errors.append(("年度", values.get("年度"), str(exc)))
        income = None
        if values.get("月收入") is not None:
            try:
                income = parse_money(values.get("月收入"))
                if income < 0 or income > services.MAX_INCOME:
                    errors.append(("月收入", values.get("月收入"), "月收入超出合理范围，请核对"))
            except ValueError as exc:
                errors.append(("月收入", values.get("月收入"), f"月收入{exc}"))
        month = 1
        try:
            start = parse_month(values.get("生效月份"))
            if start is not None:
                if year and start.year != year:
                    errors.append(("生效月份", values.get("生效月份"), f"生效月份应在 {year} 年度之内"))
                month = start.month
        except ValueError as exc:
            errors.append(("生效月份", values.get("生效月份"), str(exc)))
        raw_relief = "".join(str(values.get("减免") or "").split())
        relief = raw_relief in {"是", "有", "减免"}
        if raw_relief and not relief and raw_relief not in {"否", "无"}:
            errors.append(("减免", raw_relief, "减免请填“是”或“否”（留空按“否”）"))
        reason = str(values.get("减免原因") or "").strip()
        if relief and not reason:
            errors.append(("减免原因", "", "减免为“是”时须填写减免原因（如领取最低生活保障金）"))
        if not relief and reason:
            errors.append(("减免原因", reason[:30], "减免为“否”时不填减免原因"))
        if len(reason) > 200:
            errors.append(("减免原因", reason[:30], "减免原因不能超过 200 字"))
        if errors:
            raise RowErrors(errors)
        return BaseRow(id_number, services.BaseData(year, month, income, relief, None, reason))

    def key(self, record: BaseRow) -> Any:
        return (record.id_number, record.data.year, record.data.effective_month)

    def duplicate_message(self) -> tuple[str, str]:
        return ("公民身份号码", "同一党员同一年度同一生效月份的党费基数重复")

    def load_existing(self, records: list[BaseRow]) -> None:
        self._members({r.id_number for r in records})
        ids = [m.id for m in self.members.values()]
        self.existing = {
            (b.member_id, b.year, b.effective_month): b
            for b in DuesBase.objects.filter(member_id__in=ids, year__in={r.data.year for r in records})
        }

    def plan(self, record: BaseRow) -> tuple[str, dict[str, list[Any]]]:
        member = self._member(record.id_number)
        d = record.data
        try:
            services.check_base(member, d)
        except services.DuesRefused as exc:
            shown = {
                "income": ("月收入", str(d.income or "")),
                "relief_reason": ("减免原因", d.relief_reason),
                "relief": ("减免", "是" if d.relief else "否"),
            }
            column, value = shown.get(exc.field or "", ("公民身份号码", record.id_number))
            raise RowErrors([(column, value, exc.message)])
        record.member_id = member.id
        old = self.existing.get((member.id, d.year, d.effective_month))
        if old is None:
            return CREATE, {}
        record.existing_id = old.id
        changes: dict[str, list[Any]] = {}
        if old.income != d.income:
            changes["月收入"] = [str(old.income or ""), str(d.income or "")]
        if old.relief != d.relief:
            changes["减免"] = ["是" if old.relief else "否", "是" if d.relief else "否"]
        if old.relief_reason != d.relief_reason:
            changes["减免原因"] = [old.relief_reason, d.relief_reason]
        return (UPDATE, changes) if changes else (UNCHANGED, {})

    def write(self, outcomes) -> None:
        label = audit.actor_label(self.actor, self.actor_name)
        new = [
            (
                o.row,
                DuesBase(
                    member_id=o.record.member_id,
                    year=o.record.data.year,
                    effective_month=o.record.data.effective_month,
                    income=o.record.data.income,
                    relief=o.record.data.relief,
                    relief_reason=o.record.data.relief_reason,
                    source="import",
                    recorded_by=label,
                ),
            )
            for o in outcomes
            if o.action == CREATE
        ]
        DuesBase.objects.bulk_create([b for _, b in new], batch_size=1000)
        entries = self._entries(new, "duesbase.create")
        changed = [o for o in outcomes if o.action == UPDATE]
        rows = {b.pk: b for b in DuesBase.objects.filter(pk__in=[o.record.existing_id for o in changed])}
        for o in changed:
            b = rows[o.record.existing_id]
            before = audit.snapshot(b)
            d = o.record.data
            b.income, b.relief, b.relief_reason = d.income, d.relief, d.relief_reason
            if not d.relief:
                b.relief_amount, b.approved_by, b.approved_on = None, "", None
            entries.append(
                audit.Entry(
                    "duesbase.update",
                    actor=self.actor,
                    actor_name=self.actor_name,
                    instance=b,
                    changes=audit.diff(before, audit.snapshot(b)),
                    note=f"第 {o.row} 行",
                )
            )
        actions.bulk_update_versioned(
            list(rows.values()),
            ["income", "relief", "relief_reason", "relief_amount", "approved_by", "approved_on"],
        )
        audit.record_many(entries)


# --- 党费缴纳 ----------------------------------------------------------------------------------------------------
@dataclass
class PaymentRow:
    id_number: str
    month: date
    amount: Decimal
    paid_on: date
    method: str
    member_id: int | None = None
    organization_id: int | None = None
    kind: str = ""


class PaymentImporter(_DuesImporter):
    title = "党费缴纳导入"
    columns = PAYMENT_COLUMNS

    def __init__(self, actor: Actor = None, actor_name: str = "", member_scope=None):
        super().__init__(actor, actor_name, member_scope)
        self.methods = {m.name: m for m in PaymentMethod.objects.filter(is_active=True)}

    def prepare(self, values: dict[str, Any], row: int) -> PaymentRow:
        errors: list[tuple[str, Any, str]] = []
        id_number = _id(values, errors)
        month = None
        try:
            month = parse_month(values.get("所属月份"))
            if month is None:
                errors.append(("所属月份", "", "所属月份不能为空，请写作 2026-03"))
        except ValueError as exc:
            errors.append(("所属月份", values.get("所属月份"), str(exc)))
        amount = None
        try:
            amount = parse_money(values.get("金额"))
            if amount <= 0 or amount > services.MAX_AMOUNT:
                errors.append(("金额", values.get("金额"), "金额应大于 0 且在合理范围内"))
        except ValueError as exc:
            errors.append(("金额", values.get("金额"), f"金额{exc}"))
        paid_on = None
        try:
            paid_on = parse_date(values.get("缴纳日期"))
            if paid_on is None:
                errors.append(("缴纳日期", "", "缴纳日期不能为空"))
            elif paid_on > self.today:
                errors.append(("缴纳日期", values.get("缴纳日期"), "缴纳日期不能晚于今天"))
        except DateParseError as exc:
            errors.append(("缴纳日期", values.get("缴纳日期"), str(exc)))
        raw = "".join(str(values.get("方式") or "").split())
        method = METHOD_SYNONYMS.get(raw, raw)
        if method not in self.methods:
            names = "、".join(self.methods) or "（尚未设置）"
            errors.append(("方式", raw, f"方式应为：{names}（本平台不接入在线支付）"))
        if errors:
            raise RowErrors(errors)
        return PaymentRow(id_number, month, amount, paid_on, method)  # type: ignore[arg-type]

    def key(self, record: PaymentRow) -> Any:
        return (record.id_number, record.month, record.amount, record.paid_on, record.method)

    def duplicate_message(self) -> tuple[str, str]:
        return ("公民身份号码", "五项内容完全相同的缴纳记录重复")

    def load_existing(self, records: list[PaymentRow]) -> None:
        self._members({r.id_number for r in records})
        ids = [m.id for m in self.members.values()]
        months = {r.month for r in records}
        self.existing = set(
            DuesPayment.objects.filter(member_id__in=ids, month__in=months, is_voided=False).values_list(
                "member_id", "month", "amount", "paid_on", "method__name"
            )
        )

    def plan(self, record: PaymentRow) -> tuple[str, dict[str, list[Any]]]:
        member = self._member(record.id_number)
        data = services.PaymentData(
            record.month, record.amount, record.paid_on, self.methods[record.method], consent=True
        )
        try:
            # The branch's own ledger: its 预交 were agreed and its 代交 known to it (no columns for them).
            kind = services.check_payment(member, data, proxy_known=True)
        except services.DuesRefused as exc:
            shown = {
                "month": ("所属月份", f"{record.month:%Y-%m}"),
                "paid_on": ("缴纳日期", f"{record.paid_on:%Y-%m-%d}"),
                "method": ("方式", record.method),
                "amount": ("金额", str(record.amount)),
            }
            col, value = shown.get(exc.field or "", ("所属月份", f"{record.month:%Y-%m}"))
            raise RowErrors([(col, value, exc.message)])
        record.member_id, record.organization_id, record.kind = member.id, member.organization_id, kind
        key = (member.id, record.month, record.amount, record.paid_on, record.method)
        return (UNCHANGED, {}) if key in self.existing else (CREATE, {})

    def write(self, outcomes) -> None:
        label = audit.actor_label(self.actor, self.actor_name)
        new = [
            (
                o.row,
                DuesPayment(
                    member_id=o.record.member_id,
                    organization_id=o.record.organization_id,
                    month=o.record.month,
                    amount=o.record.amount,
                    paid_on=o.record.paid_on,
                    method=self.methods[o.record.method],
                    kind=o.record.kind,
                    consent=True,
                    source="import",
                    recorded_by=label,
                ),
            )
            for o in outcomes
            if o.action == CREATE
        ]
        DuesPayment.objects.bulk_create([p for _, p in new], batch_size=1000)
        audit.record_many(self._entries(new, "duespayment.create"))


# --- which kind ------------------------------------------------------------------------------------------------
def detect(source: Path | str | bytes) -> str | None:
    """KIND_BASES or KIND_PAYMENTS by the header (row 1), None when it is neither. WorkbookError for a bad file."""
    header = next(iter_rows(source), None) or []
    fits = [
        kind
        for kind, columns in ((KIND_BASES, BASE_COLUMNS), (KIND_PAYMENTS, PAYMENT_COLUMNS))
        if not match_header(header, columns)[2]
    ]
    return fits[0] if len(fits) == 1 else None


UNKNOWN_KIND = (
    "无法识别表格类型：党费基数表应有“公民身份号码、年度、月收入”列（可选“生效月份、减免、减免原因”）；"
    "党费缴纳表应有“公民身份号码、所属月份、金额、缴纳日期、方式”列"
)


def import_dues(
    source: Path | str,
    *,
    actor: Actor = None,
    actor_name: str = "",
    member_scope=None,
    dry_run: bool = False,
    skip_invalid: bool = False,
    errors_out: Path | str | None = None,
) -> tuple[str | None, ImportReport]:
    """Read either kind (design §4 `import_dues`): (kind, the report)."""
    try:
        kind = detect(source)
    except WorkbookError as exc:
        report = ImportReport()
        report.errors.append(RowError(row=1, column="", value="", message=str(exc)))
        return None, report
    if kind is None:
        report = ImportReport()
        report.errors.append(RowError(row=1, column="", value="", message=UNKNOWN_KIND))
        return None, report
    cls = BaseImporter if kind == KIND_BASES else PaymentImporter
    importer = cls(actor=actor, actor_name=actor_name, member_scope=member_scope)
    return kind, run_import(
        importer, source, dry_run=dry_run, skip_invalid=skip_invalid, errors_out=errors_out
    )
