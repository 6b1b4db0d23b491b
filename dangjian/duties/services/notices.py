"""Notices: drafting, issuing to target organisations, 签收 and 反馈, the monthly template, and the figures the
appraisal and the yearly report read (`notice_stats`)."""

from __future__ import annotations

import string
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Case, Count, DateTimeField, Q, QuerySet, Value, When
from django.urls import reverse
from django.utils import timezone

from dangjian.accounts.typing import Actor
from dangjian.core import actions, audit, events
from dangjian.core.actions import Refusal
from dangjian.orgs.models import BRANCH_KINDS, Organization, OrgKind

from ..files import CheckedFile
from ..models import (
    FeedbackFile,
    Notice,
    NoticeAttachment,
    NoticeKind,
    NoticeStatus,
    NoticeTarget,
    NoticeTemplate,
    TargetMode,
)
from ..tracking import ack_due_on, day_ends_at
from .common import create, store_files, update_fields

TEMPLATE_FIELDS = ("year", "month", "deadline")


def bureau_org() -> Organization | None:
    """The organisation the bureau issues from: the root of the tree (the 党组)."""
    return Organization.objects.filter(depth=1).order_by("path").first()


def active_orgs(today: date | None = None) -> QuerySet[Organization]:
    today = today or timezone.localdate()
    return Organization.objects.filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=today))


def resolve_targets(notice: Notice, today: date | None = None) -> QuerySet[Organization]:
    """The organisations a notice goes to: never its issuer, never a dissolved organisation."""
    qs = active_orgs(today).exclude(pk=notice.issuer_id)
    if notice.target_mode == TargetMode.KINDS:
        return qs.filter(kind__in=notice.target_kinds or [])
    if notice.target_mode == TargetMode.CHOSEN:
        return qs.filter(pk__in=notice.chosen_orgs.values("pk"))
    return qs


def _validate_notice(data: dict[str, Any]) -> None:
    if data.get("kind") == NoticeKind.MONTHLY and not data.get("month"):
        raise Refusal("月度重点工作通知须选择所属月份", field="month")
    if data.get("month") and not 1 <= int(data["month"]) <= 12:
        raise Refusal("月份应在 1—12 之间", field="month")
    if data.get("target_mode") == TargetMode.KINDS:
        kinds = data.get("target_kinds") or []
        if not kinds:
            raise Refusal("按组织类别下发时，请至少选择一个组织类别", field="target_kinds")
        if set(kinds) - set(OrgKind.values):
            raise Refusal("组织类别无效", field="target_kinds")


@transaction.atomic
def save_notice(
    notice: Notice | None,
    data: dict[str, Any],
    actor: Actor,
    *,
    chosen: Iterable[Organization] | None = None,
    files: Sequence[CheckedFile] = (),
    version: int | None = None,
) -> Notice:
    """Create or edit a draft. An issued notice is not edited: it is withdrawn and reissued."""
    _validate_notice(data)
    if data.get("target_mode") == TargetMode.CHOSEN and not list(chosen or []):
        raise Refusal("指定党组织下发时，请至少选择一个党组织", field="chosen_orgs")
    if notice is None:
        row = create(Notice, {**data, "created_by": actor if getattr(actor, "pk", None) else None}, actor)
    else:
        if notice.status != NoticeStatus.DRAFT:
            raise Refusal("通知已下发，不能再修改；如内容有误，请撤销后重新拟稿下发")
        row = update_fields(notice, data, actor, expected_version=version)
    if chosen is not None:
        before = sorted(row.chosen_orgs.values_list("pk", flat=True))
        after = sorted(o.pk for o in chosen) if data.get("target_mode") == TargetMode.CHOSEN else []
        if before != after:
            row.chosen_orgs.set(after)
            audit.record(
                "notice.chosen_orgs", actor=actor, instance=row, changes={"chosen_orgs": [before, after]}
            )
    store_files(NoticeAttachment, files, "notices", actor, notice=row)
    return row


@transaction.atomic
def issue_notice(
    notice: Notice, actor: Actor, *, version: int | None = None, today: date | None = None
) -> int:
    """Issue a draft to its targets (materialised now, so later changes to the tree do not rewrite history).
    Returns the number of organisations it went to."""
    today = today or timezone.localdate()
    if notice.status != NoticeStatus.DRAFT:
        raise Refusal("该通知已下发或已撤销，不能重复下发")
    if notice.deadline < today:
        raise Refusal("反馈截止日期已过，请修改截止日期后再下发", field="deadline")
    orgs = list(resolve_targets(notice, today).order_by("path"))
    if not orgs:
        raise Refusal("按所选范围找不到可下发的党组织，请检查下发范围")
    row = update_fields(
        notice,
        {"status": NoticeStatus.ISSUED, "issued_at": timezone.now(), "issued_by": actor},
        actor,
        event="notice.issue",
        expected_version=version,
        note=f"下发至 {len(orgs)} 个党组织",
    )
    NoticeTarget.objects.bulk_create([NoticeTarget(notice=row, organization=o) for o in orgs])
    url = reverse("duties:notice_detail", args=[row.pk])
    for o in orgs:
        events.emit(
            "notice.issue",
            title=f"新通知待签收：{row.title}",
            body=f"请于 {row.deadline:%Y年%m月%d日} 前签收{'并反馈落实情况' if row.requires_feedback else ''}。",
            url=url,
            key=f"{row.pk}:{o.pk}",
            org=o,
            audience="org_admins",
            org_summary=f"上级下发通知《{row.title}》，请本组织按时签收。",
            actor=actor,
        )
    return len(orgs)


def is_proxy(target: NoticeTarget, actor: Actor) -> bool:
    """签收 / 反馈 by someone other than the organisation's own admins (the bureau, a superior): 代签收."""
    return getattr(actor, "pk", None) is not None and getattr(actor, "organization_id", None) != (
        target.organization_id
    )


def _proxy_note(target: NoticeTarget, actor: Actor, note: str, field: str, what: str) -> str:
    note = (note or "").strip()
    if is_proxy(target, actor) and not note:
        raise Refusal(f"代{what}须写明方式及理由（如：电话确认，该组织书记同意）", field=field)
    return note[:200] if is_proxy(target, actor) else ""


@transaction.atomic
def urge(notice: Notice, actor: Actor, *, today: date | None = None) -> int:
    """催办: tell the admins of every organisation that has not signed yet. Once a day per organisation: a
    second 催办 the same day tells nobody again. Returns the number of organisations urged."""
    today = today or timezone.localdate()
    if notice.status != NoticeStatus.ISSUED:
        raise Refusal("该通知未下发或已撤销，无需催办")
    pending = list(
        notice.targets.filter(acknowledged_at__isnull=True).select_related("organization").order_by("pk")
    )
    url = reverse("duties:notice_detail", args=[notice.pk])
    for t in pending:
        events.emit(
            "notice.urge",
            title=f"催办：请签收通知《{notice.title}》",
            body=f"该通知尚未签收，请于 {notice.deadline:%Y年%m月%d日} 前签收并办理。",
            url=url,
            key=f"{notice.pk}:{t.organization_id}:{today:%Y-%m-%d}",
            org=t.organization,
            audience="org_admins",
            org_summary=f"通知《{notice.title}》本组织尚未签收，请尽快签收。",
            actor=actor,
        )
    audit.record(
        "notice.urge",
        actor=actor,
        instance=notice,
        note=f"催办未签收的 {len(pending)} 个党组织",
    )
    return len(pending)


@transaction.atomic
def withdraw_notice(notice: Notice, actor: Actor, *, reason: str) -> Notice:
    if notice.status == NoticeStatus.WITHDRAWN:
        raise Refusal("该通知已撤销")
    if not (reason or "").strip():
        raise Refusal("请填写撤销原因", field="reason")
    return update_fields(
        notice,
        {"status": NoticeStatus.WITHDRAWN},
        actor,
        event="notice.withdraw",
        note=f"撤销：{reason.strip()}"[:500],
    )


@transaction.atomic
def acknowledge(target: NoticeTarget, actor: Actor, *, proxy_note: str = "") -> bool:
    """签收. Returns False when it was already acknowledged (nothing changes: the first 签收 counts). By anyone
    but the organisation's own admins it is 代签收: the way and reason are required, kept and shown, and the
    organisation's admins are told."""
    if target.notice.status != NoticeStatus.ISSUED:
        raise Refusal("该通知已撤销，无需签收")
    note = _proxy_note(target, actor, proxy_note, "proxy_note", "签收")
    row = actions.lock(NoticeTarget, target.pk)
    if row.acknowledged_at is not None:
        return False
    update_fields(
        row,
        {"acknowledged_at": timezone.now(), "acknowledged_by": actor, "ack_proxy_note": note},
        actor,
        event="noticetarget.acknowledge",
        note=f"代签收：{note}" if note else "签收",
    )
    if note:
        events.emit(
            "notice.proxy_ack",
            title=f"通知《{target.notice.title}》已由上级代签收",
            body=f"代签收方式及理由：{note}",
            url=reverse("duties:notice_detail", args=[target.notice_id]),
            key=f"{row.pk}",
            org=target.organization,
            audience="org_admins",
            actor=actor,
        )
    return True


@transaction.atomic
def feedback(
    target: NoticeTarget,
    text: str,
    actor: Actor,
    *,
    files: Sequence[CheckedFile] = (),
    version: int | None = None,
    proxy_note: str = "",
) -> NoticeTarget:
    """反馈 (report back). Feedback implies 签收; amending keeps the first feedback time (timeliness). By anyone
    but the organisation's own admins it is 代反馈, with its way and reason recorded (as 代签收)."""
    if target.notice.status != NoticeStatus.ISSUED:
        raise Refusal("该通知已撤销，无需反馈")
    if not target.notice.requires_feedback:
        raise Refusal("该通知只需签收，无需反馈")
    text = (text or "").strip()
    if not text:
        raise Refusal("请填写反馈内容（落实情况）", field="feedback_text")
    note = _proxy_note(target, actor, proxy_note, "proxy_note", "反馈")
    row = actions.lock(NoticeTarget, target.pk)
    now = timezone.now()
    data: dict[str, Any] = {"feedback_text": text}
    if row.fed_back_at is None:
        data.update(fed_back_at=now, fed_back_by=actor, feedback_proxy_note=note)
    if row.acknowledged_at is None:
        data.update(acknowledged_at=now, acknowledged_by=actor, ack_proxy_note=note)
    row = update_fields(
        row,
        data,
        actor,
        event="noticetarget.feedback",
        expected_version=version,
        note="反馈" if "fed_back_at" in data else "补充反馈",
    )
    store_files(FeedbackFile, files, "feedback", actor, target=row)
    return row


# --- the monthly template -----------------------------------------------------------------------------------


def validate_template_text(text: str, label: str, field: str | None = None) -> None:
    """Only {year} {month} {deadline} may appear; a stray brace is named with the fix."""
    try:
        names = [f for _lit, f, _spec, _conv in string.Formatter().parse(text) if f is not None]
    except ValueError:
        raise Refusal(
            f"{label}中的花括号不成对；占位符应写作 {{year}}、{{month}} 或 {{deadline}}", field=field
        ) from None
    unknown = sorted({n for n in names if n not in TEMPLATE_FIELDS})
    if unknown:
        raise Refusal(
            f"{label}中有无法识别的占位符：{'、'.join('{' + n + '}' for n in unknown)}；"
            "只能使用 {year}（年）、{month}（月）、{deadline}（反馈截止日期）",
            field=field,
        )


def render_template(template: NoticeTemplate, year: int, month: int) -> dict[str, Any]:
    deadline = date(year, month, min(max(template.deadline_day, 1), 28))
    values = {
        "year": year,
        "month": month,
        "deadline": f"{deadline.year}年{deadline.month}月{deadline.day}日",
    }
    return {
        "title": template.title_template.format(**values),
        "body": template.body_template.format(**values),
        "doc_number": template.doc_number_template.format(**values) if template.doc_number_template else "",
        "deadline": deadline,
    }


@transaction.atomic
def save_template(
    template: NoticeTemplate | None, data: dict[str, Any], actor: Actor, version: int | None = None
) -> NoticeTemplate:
    for f, label in (
        ("title_template", "标题模板"),
        ("body_template", "正文模板"),
        ("doc_number_template", "文号模板"),
    ):
        validate_template_text(data.get(f, ""), label, f)
    if not 1 <= int(data.get("deadline_day") or 0) <= 28:
        raise Refusal("反馈截止日应在 1—28 之间（每个月都有的日子）", field="deadline_day")
    if data.get("is_default"):
        others = NoticeTemplate.objects.filter(is_default=True)
        for t in others.exclude(pk=template.pk) if template else others:
            update_fields(
                t, {"is_default": False}, actor, event="noticetemplate.undefault", note="改为非默认模板"
            )
    if template is None:
        return create(NoticeTemplate, data, actor)
    return update_fields(template, data, actor, expected_version=version)


def default_template() -> NoticeTemplate | None:
    return NoticeTemplate.objects.filter(is_active=True).order_by("-is_default", "id").first()


@transaction.atomic
def generate_monthly(
    year: int, month: int, actor: Actor, template: NoticeTemplate | None = None
) -> tuple[Notice, bool]:
    """生成本月通知: a draft prefilled from the template, addressed to every branch. If the month already has a
    monthly notice (draft or issued), that one is returned instead of a second."""
    existing = (
        Notice.objects.filter(kind=NoticeKind.MONTHLY, year=year, month=month)
        .exclude(status=NoticeStatus.WITHDRAWN)
        .order_by("id")
        .first()
    )
    if existing is not None:
        return existing, False
    template = template or default_template()
    if template is None:
        raise Refusal("尚未设置通知模板，请先在“通知模板”中新建一个")
    issuer = bureau_org()
    if issuer is None:
        raise Refusal("尚未建立党组织，不能生成通知")
    filled = render_template(template, year, month)
    today = timezone.localdate()
    if filled["deadline"] < today:
        filled["deadline"] = today
    notice = save_notice(
        None,
        {
            "kind": NoticeKind.MONTHLY,
            "year": year,
            "month": month,
            "issuer": issuer,
            "target_mode": TargetMode.KINDS,
            "target_kinds": sorted(BRANCH_KINDS),
            **filled,
        },
        actor,
    )
    return notice, True


# --- figures for the appraisal and the yearly report --------------------------------------------------------


@dataclass
class NoticeCounts:
    """Counted per delivery (one notice to one organisation)."""

    issued: int = 0
    due: int = 0  # the feedback deadline has passed (as of the day asked)
    acknowledged: int = 0
    acknowledged_on_time: int = 0
    feedback_expected: int = 0
    fed_back: int = 0
    fed_back_on_time: int = 0

    @property
    def ack_rate(self) -> float | None:
        return self.acknowledged_on_time / self.issued if self.issued else None

    @property
    def feedback_rate(self) -> float | None:
        return self.fed_back_on_time / self.feedback_expected if self.feedback_expected else None


@dataclass
class NoticeStats:
    year: int
    notices: int = 0  # distinct notices delivered to the organisations asked
    total: NoticeCounts = field(default_factory=NoticeCounts)
    by_org: dict[int, NoticeCounts] = field(default_factory=dict)

    @property
    def issued(self) -> int:
        return self.total.issued

    @property
    def acknowledged_on_time(self) -> int:
        return self.total.acknowledged_on_time

    @property
    def fed_back_on_time(self) -> int:
        return self.total.fed_back_on_time


def notice_stats(
    year: int, org_ids: Iterable[int] | None = None, *, as_of: date | None = None
) -> NoticeStats:
    """Notices of `year` issued to the organisations (all when `org_ids` is None): how many, how many
    acknowledged within the 签收 time limit, how many fed back by the deadline.

    Events after `as_of` (default today) are ignored, so the figures can be recomputed for a past day. Counted
    in SQL, grouped by organisation (a 10× city has 700,000 deliveries): a year's notices are few, so each
    one's time limits become instants in the site's time zone — "on or before day D" is "before the local
    midnight that ends D" — and every condition is a comparison of a timestamp column with them."""
    as_of = as_of or timezone.localdate()
    tz = timezone.get_current_timezone()
    cutoff = day_ends_at(as_of, tz)
    notices = list(
        Notice.objects.filter(status=NoticeStatus.ISSUED, year=year, issued_at__lt=cutoff).values_list(
            "pk", "issued_at", "deadline", "ack_days"
        )
    )
    stats = NoticeStats(year)
    if not notices:
        return stats

    def per_notice(instant_of: Any) -> Case:
        whens = [When(notice_id=pk, then=Value(instant_of(*rest))) for pk, *rest in notices]
        return Case(*whens, output_field=DateTimeField())

    # 签收 on time: by the 签收 limit (issued day + ack_days, at most the deadline) and by as_of
    ack_by = per_notice(
        lambda issued_at, deadline, ack_days: min(
            day_ends_at(ack_due_on(issued_at.astimezone(tz).date(), deadline, ack_days), tz), cutoff
        )
    )
    fed_by = per_notice(lambda issued_at, deadline, ack_days: min(day_ends_at(deadline, tz), cutoff))
    qs = NoticeTarget.objects.filter(notice_id__in=[pk for pk, *_ in notices])
    if org_ids is not None:
        qs = qs.filter(organization_id__in=list(org_ids))
    needs_fb = Q(notice__requires_feedback=True)
    counts = {
        "issued": Count("pk"),
        "due": Count("pk", filter=Q(notice__deadline__lt=as_of)),
        "acknowledged": Count("pk", filter=Q(acknowledged_at__lt=cutoff)),
        "acknowledged_on_time": Count("pk", filter=Q(acknowledged_at__lt=ack_by)),
        "feedback_expected": Count("pk", filter=needs_fb),
        "fed_back": Count("pk", filter=needs_fb & Q(fed_back_at__lt=cutoff)),
        "fed_back_on_time": Count("pk", filter=needs_fb & Q(fed_back_at__lt=fed_by)),
    }
    for row in qs.order_by().values("organization_id").annotate(**counts):
        org_id = row.pop("organization_id")
        stats.by_org[org_id] = NoticeCounts(**row)
        for name, value in row.items():
            setattr(stats.total, name, getattr(stats.total, name) + value)
    stats.notices = qs.order_by().values("notice_id").distinct().count()
    return stats


def record_export(actor: Actor, what: str) -> None:
    audit.record(audit.AuditAction.EXPORT, actor=actor, note=what[:500])
