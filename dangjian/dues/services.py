"""Every write of the 党费 app (views, commands, imports, the demo), each a named audit event in the same
transaction (core.actions). The platform records what branches and members did; it computes what is owed
(`ledger.py`, `rules.py`) and never decides a membership question (党章 第九条 is the 支部大会's)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone

from dangjian.accounts import policy
from dangjian.accounts.policy import Perm
from dangjian.accounts.scope import org_in_scope
from dangjian.accounts.typing import Actor
from dangjian.core import actions, audit, events
from dangjian.core.actions import Refusal
from dangjian.members.choices import Status
from dangjian.members.models import Member
from dangjian.orgs.models import Organization

from . import rules
from .ledger import month_end
from .models import (
    ArrearsCase,
    ArrearsStep,
    CaseOutcome,
    DuesBase,
    DuesConfig,
    DuesPayment,
    DuesRemittance,
    PaymentMethod,
    StepKind,
)

EVENTS = {
    "duesbase.create": "核定党费基数",
    "duesbase.update": "修改党费基数",
    "duespayment.create": "登记党费缴纳",
    "duespayment.void": "作废党费缴纳记录",
    "duesremittance.create": "登记党费上缴",
    "duesremittance.void": "作废党费上缴记录",
    "arrearscase.open": "登记欠交党费处置",
    "arrearscase.step": "记录欠交党费处置环节",
    "arrearscase.close": "欠交党费处置结案",
    "duesconfig.update": "修改党费设置",
    "paymentmethod.create": "新增党费收缴方式",
    "paymentmethod.update": "修改党费收缴方式",
    "dues.export": "导出党费收缴统计表",
}
NOTICE_EVENTS = {"dues.remit": "党费上缴"}

MAX_AMOUNT = Decimal("1000000")
MAX_INCOME = Decimal("10000000")


class DuesRefused(Refusal):
    """A refused write of the 党费 app (core.actions' one refusal type)."""


def today() -> date:
    return timezone.localdate()


def _may(actor: Actor, org: Organization) -> None:
    """A person acts within their write scope and with the permission (commands and imports act for the bureau)."""
    if actor is None or not getattr(actor, "pk", None):
        return
    policy.check(actor, Perm.COLLECT_DUES)
    if not org_in_scope(actor, org, write=True):
        raise DuesRefused("该党员或党组织不在您的管理范围内")


def money(
    value: Any, field: str, what: str, *, allow_zero: bool = False, limit: Decimal = MAX_AMOUNT
) -> Decimal:
    """A yuan amount with at most two decimals (no silent rounding of what a person typed)."""
    try:
        amount = Decimal(str(value).strip().replace(",", "").replace("，", ""))
    except (InvalidOperation, ValueError):
        raise DuesRefused(f"{what}应为数字（元），如 15 或 15.50", field) from None
    if not amount.is_finite():
        raise DuesRefused(f"{what}应为数字（元）", field)
    if amount != amount.quantize(rules.FEN):
        raise DuesRefused(f"{what}最多保留两位小数（到分）", field)
    if amount < 0 or (amount == 0 and not allow_zero):
        raise DuesRefused(f"{what}应大于 0", field)
    if amount > limit:
        raise DuesRefused(f"{what}超出合理范围，请核对", field)
    return amount.quantize(rules.FEN)


def member_was_here(member: Member, month: date) -> bool:
    """Whether the member was on a roll here on some day of the month (payments may be recorded for it): arrived
    (转入本组织日期, else 入党日期) by its last day, and not gone before it (the day of leaving no longer counts)."""
    arrived = member.arrived_on or member.join_date
    if arrived > month_end(month):
        return False
    return not (member.status != Status.NORMAL and member.left_on is not None and member.left_on <= month)


def month_label(month: date) -> str:
    return f"{month.year}年{month.month}月"


# --- 党费基数 ----------------------------------------------------------------------------------------------------
@dataclass
class BaseData:
    year: int
    effective_month: int = 1
    income: Decimal | None = None
    relief: bool = False
    relief_amount: Decimal | None = None
    relief_reason: str = ""
    approved_by: str = ""
    approved_on: date | None = None
    note: str = ""


def check_base(member: Member, d: BaseData) -> None:
    if not 2000 <= d.year <= today().year + 1:
        raise DuesRefused(f"年度应在 2000 年至 {today().year + 1} 年之间", "year")
    if not 1 <= d.effective_month <= 12:
        raise DuesRefused("生效月份应在 1 至 12 月之间", "effective_month")
    if d.income is not None and not (0 <= d.income <= MAX_INCOME):
        raise DuesRefused("月收入超出合理范围，请核对", "income")
    if d.income is None and member.category in rules.BASE_CATEGORIES and not d.relief:
        raise DuesRefused(
            f"{member.category}党员须填写月收入（税后工资收入或离退休费、养老金），据以计算党费", "income"
        )
    if d.relief:
        if not d.relief_reason.strip():
            raise DuesRefused("减免须填写减免原因（如领取最低生活保障金、交纳确有困难）", "relief_reason")
        if d.relief_amount is not None and d.relief_amount < 0:
            raise DuesRefused("减免后每月交纳数额不能为负数", "relief_amount")
        normal = rules.normal_due(member.category, d.income).amount
        if d.relief_amount is not None and normal is not None and d.relief_amount > normal:
            raise DuesRefused(f"减免后每月交纳数额不应超过按标准应交的 {normal} 元", "relief_amount")
        if d.approved_on is not None and d.approved_on > today():
            raise DuesRefused("批准日期不能晚于今天", "approved_on")
    elif d.relief_amount is not None or d.relief_reason.strip():
        raise DuesRefused("未选择减免时，不填减免数额和减免原因", "relief")


@transaction.atomic
def save_base(
    member: Member,
    data: BaseData,
    *,
    actor: Actor = None,
    actor_name: str = "",
    base: DuesBase | None = None,
    expected_version: int | None = None,
    source: str = "manual",
) -> DuesBase:
    """核定 (create) or correct (with `base`) a member's base for a 年度 from a 生效月份."""
    _may(actor, member.organization)
    check_base(member, data)
    clash = DuesBase.objects.filter(member=member, year=data.year, effective_month=data.effective_month)
    if base is not None:
        clash = clash.exclude(pk=base.pk)
    if clash.exists():
        raise DuesRefused(
            f"该党员 {data.year} 年 {data.effective_month} 月起的党费基数已核定；如需调整请修改原记录",
            "effective_month",
        )
    values = {
        "year": data.year,
        "effective_month": data.effective_month,
        "income": data.income,
        "relief": data.relief,
        "relief_amount": data.relief_amount if data.relief else None,
        "relief_reason": data.relief_reason.strip() if data.relief else "",
        "approved_by": data.approved_by.strip() if data.relief else "",
        "approved_on": data.approved_on if data.relief else None,
        "note": data.note.strip(),
    }
    if base is None:
        return actions.create(
            DuesBase,
            {
                "member": member,
                **values,
                "source": source,
                "recorded_by": audit.actor_label(actor, actor_name),
            },
            actor=actor,
            actor_name=actor_name,
            event="duesbase.create",
        )
    row = actions.lock(DuesBase, base.pk, expected_version=expected_version, what="党费基数")
    before = audit.snapshot(row)
    for k, v in values.items():
        setattr(row, k, v)
    actions.save_versioned(
        row,
        expected_version=expected_version,
        actor=actor,
        actor_name=actor_name,
        event="duesbase.update",
        before=before,
        locked=True,
        skip_unchanged=True,
        what="党费基数",
    )
    return row


# --- 党费缴纳 ----------------------------------------------------------------------------------------------------
@dataclass
class PaymentData:
    month: date  # any day of the 所属月份
    amount: Decimal
    paid_on: date
    method: PaymentMethod
    collected_by: str = ""
    proxy_name: str = ""
    consent: bool = False
    voluntary: bool = False
    note: str = ""


def check_payment(member: Member, d: PaymentData, *, proxy_known: bool = False) -> rules.PaymentKind:
    """The payment's kind, or the reason it cannot be recorded (党费规定 第十一、十二、十四条). `proxy_known`: the
    branch's own ledger imported (no column names the 代交人)."""
    month = rules.month_start(d.month)
    if d.amount <= 0:
        raise DuesRefused("金额应大于 0", "amount")
    if d.paid_on > today():
        raise DuesRefused("缴纳日期不能晚于今天", "paid_on")
    if not d.method.is_active:
        raise DuesRefused(f"收缴方式“{d.method.name}”已停用", "method")
    if not member_was_here(member, month):
        raise DuesRefused(
            f"{member.name} {month_label(month)}不在党员名册上（入党、转入之前或离开之后），不能登记该月党费",
            "month",
        )
    kind = rules.payment_kind(month, d.paid_on, d.voluntary)
    ahead = rules.advance_months(month, d.paid_on)
    if kind == rules.PaymentKind.ADVANCE or (d.voluntary and ahead):
        if ahead > rules.ADVANCE_MAX_MONTHS:
            raise DuesRefused(
                f"预交最多按季度预交 {rules.ADVANCE_MAX_MONTHS} 个月（党费规定第十二条）；所属月份比缴纳日期早了 "
                f"{ahead} 个月",
                "month",
            )
        if not d.consent:
            raise DuesRefused(
                "按季度预交须经党支部同意（党费规定第十二条）；请确认后勾选“经党支部同意”", "consent"
            )
    if d.method.needs_proxy:
        if not d.proxy_name.strip() and not proxy_known:
            raise DuesRefused("委托他人代交的，请填写代交人姓名", "proxy_name")
        if not d.consent:
            raise DuesRefused(
                "委托他人代交须经党支部同意（党费规定第十二条）；请确认后勾选“经党支部同意”", "consent"
            )
    return kind


@transaction.atomic
def record_payment(
    member: Member,
    data: PaymentData,
    *,
    actor: Actor = None,
    actor_name: str = "",
    source: str = "manual",
) -> DuesPayment:
    _may(actor, member.organization)
    kind = check_payment(member, data)
    return actions.create(
        DuesPayment,
        {
            "member": member,
            "organization_id": member.organization_id,
            "month": rules.month_start(data.month),
            "amount": data.amount,
            "paid_on": data.paid_on,
            "method": data.method,
            "kind": kind,
            "collected_by": data.collected_by.strip()[:40],
            "proxy_name": data.proxy_name.strip()[:40] if data.method.needs_proxy else "",
            "consent": data.consent,
            "note": data.note.strip()[:200],
            "source": source,
            "recorded_by": audit.actor_label(actor, actor_name),
        },
        actor=actor,
        actor_name=actor_name,
        event="duespayment.create",
    )


@transaction.atomic
def void_payment(
    payment: DuesPayment, *, reason: str, expected_version: int | None = None, actor: Actor = None
) -> DuesPayment:
    _may(actor, payment.organization)
    if not reason.strip():
        raise DuesRefused("请填写作废原因（如金额登记错误、重复登记）", "reason")
    row = actions.lock(DuesPayment, payment.pk, expected_version=expected_version, what="缴纳记录")
    if row.is_voided:
        raise DuesRefused("该缴纳记录已作废")
    before = audit.snapshot(row)
    row.is_voided, row.void_reason = True, reason.strip()[:100]
    actions.save_versioned(
        row, expected_version=None, actor=actor, event="duespayment.void", before=before, locked=True
    )
    return row


# --- 上缴 ------------------------------------------------------------------------------------------------------
@dataclass
class RemittanceData:
    month: date
    amount: Decimal
    remitted_on: date
    to_org: Organization | None = None
    receipt_no: str = ""
    handled_by: str = ""
    note: str = ""


@transaction.atomic
def record_remittance(
    org: Organization, data: RemittanceData, *, actor: Actor = None, actor_name: str = ""
) -> DuesRemittance:
    _may(actor, org)
    if data.remitted_on > today():
        raise DuesRefused("上缴日期不能晚于今天", "remitted_on")
    month = rules.month_start(data.month)
    if month > rules.month_start(today()):
        raise DuesRefused("所属月份不能晚于本月", "month")
    to_org = data.to_org if data.to_org is not None else Organization.objects.get_parent(org)
    if to_org is not None and not org.path.startswith(to_org.path):
        raise DuesRefused("党费应上缴本组织的上级党组织", "to_org")
    row = actions.create(
        DuesRemittance,
        {
            "organization": org,
            "to_org": to_org,
            "month": month,
            "amount": data.amount,
            "remitted_on": data.remitted_on,
            "receipt_no": data.receipt_no.strip()[:40],
            "handled_by": data.handled_by.strip()[:40],
            "note": data.note.strip()[:200],
            "recorded_by": audit.actor_label(actor, actor_name),
        },
        actor=actor,
        actor_name=actor_name,
        event="duesremittance.create",
    )
    if to_org is not None:
        label = org.short_name or org.name
        events.emit(
            "dues.remit",
            title=f"{label}上缴 {month_label(month)}党费 {data.amount} 元",
            key=f"dues.remit:{row.pk}",
            body=f"上缴日期 {data.remitted_on:%Y-%m-%d}"
            + (f"，收据编号 {row.receipt_no}" if row.receipt_no else ""),
            url=f"/dues/ledger/?org={org.pk}&month={month:%Y-%m}",
            org=to_org,
            audience="org_admins",
            actor=actor,
        )
    return row


@transaction.atomic
def void_remittance(row: DuesRemittance, *, reason: str, actor: Actor = None) -> DuesRemittance:
    _may(actor, row.organization)
    if not reason.strip():
        raise DuesRefused("请填写作废原因", "reason")
    locked = actions.lock(DuesRemittance, row.pk)
    if locked.is_voided:
        raise DuesRefused("该上缴记录已作废")
    before = audit.snapshot(locked)
    locked.is_voided = True
    locked.note = f"{locked.note}（作废：{reason.strip()}）"[:200]
    actions.save_versioned(
        locked, expected_version=None, actor=actor, event="duesremittance.void", before=before, locked=True
    )
    return locked


# --- 欠交党费的处置 ------------------------------------------------------------------------------------------------
@transaction.atomic
def open_case(
    member: Member,
    *,
    arrears_months: int,
    since_month: date,
    opened_on: date,
    note: str = "",
    actor: Actor = None,
    actor_name: str = "",
) -> ArrearsCase:
    _may(actor, member.organization)
    if opened_on > today():
        raise DuesRefused("登记日期不能晚于今天", "opened_on")
    if ArrearsCase.objects.filter(member=member, is_closed=False).exists():
        raise DuesRefused("该党员已有未结案的欠交处置记录，请在原记录中继续登记")
    return actions.create(
        ArrearsCase,
        {
            "member": member,
            "organization_id": member.organization_id,
            "opened_on": opened_on,
            "arrears_months": arrears_months,
            "since_month": rules.month_start(since_month),
            "reason_note": note.strip()[:300],
            "recorded_by": audit.actor_label(actor, actor_name),
        },
        actor=actor,
        actor_name=actor_name,
        event="arrearscase.open",
    )


@transaction.atomic
def add_step(
    case: ArrearsCase,
    *,
    kind: str,
    on: date,
    people: str = "",
    note: str = "",
    valid_reason: bool | None = None,
    expected_version: int | None = None,
    actor: Actor = None,
    actor_name: str = "",
) -> ArrearsStep:
    """One step of the handling, as the branch did it; a 认定理由 step records the branch's finding."""
    _may(actor, case.organization)
    row = actions.lock(ArrearsCase, case.pk, expected_version=expected_version, what="欠交处置记录")
    if row.is_closed:
        raise DuesRefused("该处置已结案，不能再登记环节")
    if kind not in StepKind.values:
        raise DuesRefused("请选择处置环节", "kind")
    if on > today():
        raise DuesRefused("日期不能晚于今天", "date")
    if on < row.opened_on:
        raise DuesRefused("日期不能早于登记日期", "date")
    if kind == StepKind.REASON and valid_reason is None:
        raise DuesRefused("认定理由的，请选择是否有正当理由", "valid_reason")
    if kind == StepKind.TALK and not note.strip():
        raise DuesRefused("请记录谈话情况", "note")
    before = audit.snapshot(row)
    step = ArrearsStep.objects.create(
        case=row,
        kind=kind,
        date=on,
        people=people.strip()[:100],
        note=note.strip()[:500],
        recorded_by=audit.actor_label(actor, actor_name),
    )
    if kind == StepKind.REASON:
        row.valid_reason = valid_reason
    actions.save_versioned(
        row,
        expected_version=None,
        actor=actor,
        actor_name=actor_name,
        event="arrearscase.step",
        before=before,
        locked=True,
        extra={"step": [None, f"{on:%Y-%m-%d} {StepKind(kind).label}"]},
    )
    return step


@transaction.atomic
def close_case(
    case: ArrearsCase,
    *,
    outcome: str,
    on: date,
    expected_version: int | None = None,
    actor: Actor = None,
    actor_name: str = "",
) -> ArrearsCase:
    """Close with the outcome the branch (and, for 除名, its superior) decided. Striking a member off the roll is
    the members app's act (转出 / 出党), taken by whoever holds that right; this records only the handling."""
    _may(actor, case.organization)
    row = actions.lock(ArrearsCase, case.pk, expected_version=expected_version, what="欠交处置记录")
    if row.is_closed:
        raise DuesRefused("该处置已结案")
    if outcome not in CaseOutcome.values:
        raise DuesRefused("请选择处置结果", "outcome")
    if on > today() or on < row.opened_on:
        raise DuesRefused("结案日期应在登记日期与今天之间", "closed_on")
    steps = set(row.steps.values_list("kind", flat=True))
    if outcome == CaseOutcome.STRUCK_OFF and not {StepKind.TALK, StepKind.ASSEMBLY, StepKind.REPLY} <= steps:
        raise DuesRefused(
            "按自行脱党处理，须先记录谈话、支部大会讨论和上级党组织批复（党章第九条：支部大会决定除名，报上级党组织批准）",
            "outcome",
        )
    if outcome == CaseOutcome.VALID_REASON and row.valid_reason is not True:
        raise DuesRefused("请先登记“认定理由”环节，认定有正当理由", "outcome")
    before = audit.snapshot(row)
    row.is_closed, row.closed_on, row.outcome = True, on, outcome
    actions.save_versioned(
        row, expected_version=None, actor=actor, actor_name=actor_name, event="arrearscase.close",
        before=before, locked=True,
    )  # fmt: skip
    return row


# --- settings -------------------------------------------------------------------------------------------------
@transaction.atomic
def update_config(config: DuesConfig, data: dict[str, Any], *, actor: Actor = None) -> DuesConfig:
    if actor is not None and getattr(actor, "pk", None):
        policy.check(actor, Perm.MANAGE_BUREAU)
    farmer = data.get("farmer_amount", config.farmer_amount)
    if not rules.FARMER_MIN <= farmer <= rules.FARMER_MAX:
        raise DuesRefused("农牧渔民党员每月交纳数额应在 0.2 元至 1 元之间（党费规定第六条）", "farmer_amount")
    remind = data.get("remind_months", config.remind_months)
    flag = data.get("flag_months", config.flag_months)
    if not 1 <= remind <= 12 or not 1 <= flag <= 24 or remind > flag:
        raise DuesRefused("提醒月数应在 1–12 之间，且不大于提请处置的月数", "remind_months")
    before = audit.snapshot(config) if config.pk else {}
    for k, v in data.items():
        setattr(config, k, v)
    config.updated_by = actor if getattr(actor, "pk", None) else None
    config.save()
    audit.record(
        "duesconfig.update",
        actor=actor,
        instance=config,
        changes=audit.diff(before, audit.snapshot(config)),
    )
    return config


@transaction.atomic
def add_method(name: str, *, needs_proxy: bool = False, actor: Actor = None) -> PaymentMethod:
    if actor is not None and getattr(actor, "pk", None):
        policy.check(actor, Perm.MANAGE_BUREAU)
    name = "".join(name.split())
    if not name or len(name) > 20:
        raise DuesRefused("请填写收缴方式名称（不超过20个字）", "name")
    if name in {"在线支付", "网上支付", "微信支付", "支付宝"}:
        raise DuesRefused("本平台不接入在线支付；通过转账收缴的请选择“转账”", "name")
    if PaymentMethod.objects.filter(name=name).exists():
        raise DuesRefused("该收缴方式已存在", "name")
    top = PaymentMethod.objects.order_by("-sort").values_list("sort", flat=True).first() or 0
    return actions.create(
        PaymentMethod,
        {"name": name, "needs_proxy": needs_proxy, "sort": top + 10},
        actor=actor,
        event="paymentmethod.create",
    )


@transaction.atomic
def set_method_active(method: PaymentMethod, active: bool, *, actor: Actor = None) -> PaymentMethod:
    if actor is not None and getattr(actor, "pk", None):
        policy.check(actor, Perm.MANAGE_BUREAU)
    row = actions.lock(PaymentMethod, method.pk)
    if not active and PaymentMethod.objects.filter(is_active=True).exclude(pk=row.pk).count() == 0:
        raise DuesRefused("至少保留一种启用的收缴方式")
    before = audit.snapshot(row)
    row.is_active = active
    actions.save_versioned(
        row, expected_version=None, actor=actor, event="paymentmethod.update", before=before, locked=True,
        skip_unchanged=True,
    )  # fmt: skip
    return row
