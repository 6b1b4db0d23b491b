"""季抽查: the draw (command and page share it), the checklist, findings and their photos.

A quarter has at most one valid round. Drawing again for a quarter that has one is refused unless the caller
asks to replace it (`replace=True`, the command's `--replace`); a round that already holds findings is never
replaced, because real inspection results would be thrown away — it must stay as it is.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.utils import timezone

from dangjian.accounts.typing import Actor
from dangjian.core import actions, audit, events
from dangjian.core.models import AuditAction
from dangjian.core.periods import Period, PeriodKind
from dangjian.orgs.models import BRANCH_KINDS, Organization, Unit, UnitKind

from .. import access, sampling, uploads
from ..defaults import RECTIFICATION_DAYS
from ..flow import STATE_LABELS, State
from ..models import (
    ChecklistItem,
    EventKind,
    Finding,
    FindingPhoto,
    InspectionRound,
    InspectionTarget,
    Rectification,
    RectificationEvent,
    ResultChoice,
    RoundStatus,
)
from .common import ServiceError, check_version

SEED_LIMIT = 2**31  # seeds drawn for the user stay short enough to read out and type


# --- the draw ----------------------------------------------------------------------------------------------
def parse_quarter(text: str) -> Period:
    try:
        period = Period.parse(text or "")
    except ValueError:
        period = None
    if period is None or period.kind != PeriodKind.QUARTER:
        raise ServiceError(f"季度“{text}”格式不正确，应写作 2026Q4 这样的形式")
    return period


def parse_ratio(value: Any) -> Decimal:
    try:
        ratio = Decimal(str(value).strip().rstrip("%")) / (100 if str(value).strip().endswith("%") else 1)
    except (InvalidOperation, ValueError):
        raise ServiceError(f"抽取比例“{value}”不是数字；请写作 0.3 或 30%")
    if not 0 < ratio <= 1:
        raise ServiceError("抽取比例须大于 0 且不超过 1，例如 0.3 表示抽取 30%")
    return ratio.quantize(Decimal("0.0001"))


def failing_org_ids(period: Period) -> set[int]:
    """Organisations 未达标 in `period`, from the compliance engine (imported here only, when asked)."""
    try:
        from dangjian.compliance.services import failing_org_ids as compliance_failing
    except ImportError as exc:
        raise ServiceError(f"无法取得{period.label}未达标党组织名单（达标情况模块不可用：{exc}）")
    return set(compliance_failing(period))


def stratum_of(org: Organization) -> str:
    """The unit kind of the organisation's first unit (lowest id), or 无单位."""
    units = list(org.units.all())
    if not units:
        return sampling.NO_UNIT
    first = min(units, key=lambda u: u.pk)
    return UnitKind(first.kind).label if first.kind in UnitKind.values else first.kind


def candidate_orgs() -> list[Organization]:
    """Organisations that hold organisational life: branches not dissolved (never the 党组), by code."""
    return list(
        Organization.objects.filter(kind__in=BRANCH_KINDS, dissolved_on__isnull=True)
        .order_by("code")
        .prefetch_related(Prefetch("units", queryset=Unit.objects.order_by("id")))
    )


@dataclass
class DrawRequest:
    quarter: Period
    count: int | None = None
    ratio: Decimal | None = None
    seed: int | None = None
    stratify: bool = False
    include_failing: bool = False
    replace: bool = False


@dataclass
class DrawPlan:
    request: DrawRequest
    seed: int
    candidates: list[dict[str, Any]]
    result: sampling.DrawResult
    orgs: dict[str, Organization] = field(default_factory=dict)
    existing: InspectionRound | None = None

    @property
    def codes(self) -> list[str]:
        return self.result.codes

    def as_json(self) -> dict[str, Any]:
        return {"quarter": str(self.request.quarter), "seed": self.seed, "orgs": self.codes}


def new_seed() -> int:
    return secrets.randbelow(SEED_LIMIT)


def active_round(quarter: Period) -> InspectionRound | None:
    return InspectionRound.objects.filter(quarter=str(quarter), status=RoundStatus.ACTIVE).first()


def _check_replaceable(existing: InspectionRound | None, replace: bool) -> None:
    if existing is None:
        return
    if not replace:
        raise ServiceError(
            f"{existing.period.label}已有抽查轮次（{existing.drawn_at:%Y-%m-%d} 抽取，种子 {existing.seed}），"
            "不再重复抽取；确需重新抽取请选择“作废原轮次并重新抽取”（命令行加 --replace）"
        )
    if Finding.objects.filter(target__round=existing).exists():
        raise ServiceError(f"{existing.period.label}的抽查轮次已录入检查结果，不能作废重抽")


def plan_draw(req: DrawRequest) -> DrawPlan:
    """Everything a real draw would do, except writing. Raises ServiceError exactly when the draw would."""
    existing = active_round(req.quarter)
    _check_replaceable(existing, req.replace)
    if req.seed is not None and not 0 <= req.seed < 2**63:
        raise ServiceError("随机种子须为非负整数")
    orgs = candidate_orgs()
    failing = failing_org_ids(req.quarter.previous()) if req.include_failing else set()
    snapshot = [{"code": o.code, "stratum": stratum_of(o), "failing": o.pk in failing} for o in orgs]
    seed = req.seed if req.seed is not None else new_seed()
    try:
        result = sampling.replay(
            snapshot,
            seed=seed,
            count=req.count,
            ratio=Fraction(req.ratio) if req.ratio is not None else None,
            stratify=req.stratify,
            include_failing=req.include_failing,
        )
    except sampling.DrawError as exc:
        raise ServiceError(str(exc))
    return DrawPlan(req, seed, snapshot, result, {o.code: o for o in orgs}, existing)


@transaction.atomic
def create_round(
    plan: DrawPlan, *, actor: Actor = None, actor_name: str = "", note: str = ""
) -> InspectionRound:
    req = plan.request
    existing = active_round(req.quarter)
    _check_replaceable(existing, req.replace)
    if existing is not None:
        before = audit.snapshot(existing)
        existing.status = RoundStatus.VOID
        existing.void_reason = f"{timezone.localdate():%Y-%m-%d} 重新抽取，原轮次作废"
        existing.save(update_fields=["status", "void_reason"])
        # A round carries no version: it is drawn once, and only ever voided.
        audit.log_update(
            existing, before, actor, actor_name, note="作废抽查轮次", event="inspectionround.void"
        )
    snapshot_by_code = {c["code"]: c for c in plan.candidates}
    try:
        rnd = actions.create(
            InspectionRound,
            {
                "quarter": str(req.quarter),
                "seed": plan.seed,
                "count": req.count,
                "ratio": req.ratio,
                "stratified": req.stratify,
                "include_failing": req.include_failing,
                "candidates": plan.candidates,
                "drawn_by": actor if getattr(actor, "pk", None) else None,
                "drawn_by_name": audit.actor_label(actor, actor_name),
                "note": note[:200],
            },
            actor=actor,
            actor_name=actor_name,
            event="inspectionround.create",
            note=f"抽取 {len(plan.codes)} 个党组织：{'、'.join(plan.codes)}"[:500],
        )
    except IntegrityError:
        raise ServiceError(f"{req.quarter.label}已有抽查轮次（可能刚由他人抽取），请刷新后查看") from None
    InspectionTarget.objects.bulk_create(
        InspectionTarget(
            round=rnd,
            organization=plan.orgs[code],
            org_code=code,
            stratum=snapshot_by_code[code]["stratum"],
            must_inspect=code in plan.result.forced,
        )
        for code in plan.codes
    )
    return rnd


def replay_round(rnd: InspectionRound) -> bool:
    """Re-run the draw from the round's stored candidates and seed: True when it gives the same organisations."""
    result = sampling.replay(
        rnd.candidates,
        seed=rnd.seed,
        count=rnd.count,
        ratio=Fraction(rnd.ratio) if rnd.ratio is not None else None,
        stratify=rnd.stratified,
        include_failing=rnd.include_failing,
    )
    drawn = sorted(InspectionTarget.objects.filter(round=rnd).values_list("org_code", flat=True))
    return result.codes == drawn


# --- the checklist -------------------------------------------------------------------------------------------
def save_checklist_item(
    item: ChecklistItem | None,
    *,
    name: str,
    guidance: str,
    sort: int,
    is_active: bool,
    version: Any = None,
    actor: Actor = None,
) -> ChecklistItem:
    access.require(actor, access.BUREAU, "只有局党建管理员可以修改检查清单")
    name = (name or "").strip()
    if not name:
        raise ServiceError("请填写检查项目名称")
    if len(name) > 40:
        raise ServiceError("检查项目名称不超过 40 个字")
    clash = ChecklistItem.objects.filter(name=name)
    if item is not None:
        clash = clash.exclude(pk=item.pk)
    if clash.exists():
        raise ServiceError(f"检查项目“{name}”已存在")
    with transaction.atomic():
        if item is None:
            return actions.create(
                ChecklistItem,
                {"name": name, "guidance": guidance.strip()[:300], "sort": sort, "is_active": is_active},
                actor=actor,
                event="checklistitem.create",
            )
        item = ChecklistItem.objects.select_for_update().get(pk=item.pk)
        check_version(item, version, "该检查项目")
        before = audit.snapshot(item)
        item.name, item.guidance, item.sort, item.is_active = name, guidance.strip()[:300], sort, is_active
        actions.save_versioned(
            item, expected_version=None, before=before, locked=True, actor=actor, event="checklistitem.update"
        )
        return item


# --- findings -----------------------------------------------------------------------------------------------
@dataclass
class FindingInput:
    item_id: int
    result: str  # a ResultChoice value, or "" for not yet recorded
    note: str = ""


def default_deadline(today: date | None = None) -> date:
    return (today or timezone.localdate()) + timedelta(days=RECTIFICATION_DAYS)


def _rect_title(target: InspectionTarget, item_name: str) -> str:
    org = target.organization
    return f"{org.short_name or org.name}：{item_name}不符合"[:200]


def _open_rectification(
    finding: Finding, target: InspectionTarget, deadline: date, actor: Actor, actor_name: str
) -> tuple[bool, list[audit.Entry]]:
    """Create (or re-open a cancelled) rectification for a 不符合 finding: whether one was opened, and the audit
    entries still to be written with the batch (a re-opened one is saved and audited by the kernel at once)."""
    rect = getattr(finding, "rectification", None) if finding.pk else None
    if rect is not None and rect.status != State.CANCELLED:
        return False, []
    note = f"{target.round.period.label}抽查：{finding.item_name}不符合"
    entry: audit.Entry | None = None
    if rect is None:
        rect = Rectification.objects.create(
            organization=target.organization,
            finding=finding,
            title=_rect_title(target, finding.item_name),
            problem=finding.note,
            deadline=deadline,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        entry = audit.Entry(
            AuditAction.CREATE, actor, actor_name, instance=rect, changes=audit.snapshot(rect), note=note
        )
    else:
        before = audit.snapshot(rect)
        rect.status, rect.deadline, rect.problem = State.PENDING, deadline, finding.note
        actions.save_versioned(
            rect,
            expected_version=None,
            before=before,
            actor=actor,
            actor_name=actor_name,
            event="rectification.reopen",
            note="重新下达整改",
        )
    step = RectificationEvent.objects.create(
        rectification=rect,
        kind=EventKind.CREATED,
        to_status=State.PENDING,
        text=f"{note}。{finding.note}".strip(),
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=audit.actor_label(actor, actor_name),
    )
    events.emit(
        "rectification.create",
        title=f"新整改：{rect.title}",
        body=f"{finding.note}\n整改期限：{deadline:%Y年%m月%d日}".strip(),
        url=f"/supervision/rectifications/{rect.pk}/",
        key=f"{rect.pk}:{step.pk}",
        org=target.organization,
        audience="org_admins",
        org_summary=f"本组织新增 1 项整改事项，整改期限 {deadline:%Y年%m月%d日}。",
        actor=actor,
    )
    return True, [entry] if entry is not None else []


def _withdraw_rectification(
    finding: Finding, new_label: str, actor: Actor, actor_name: str
) -> list[audit.Entry]:
    rect = getattr(finding, "rectification", None)
    if rect is None or rect.status == State.CANCELLED:
        return []
    if rect.status == State.CLOSED:
        raise ServiceError(
            f"“{finding.item_name}”已整改销号，检查结论作为历史记录保留，不能再改为“{new_label}”"
        )
    if rect.status != State.PENDING:
        raise ServiceError(
            f"“{finding.item_name}”已下达整改且状态为“{STATE_LABELS[State(rect.status)]}”，"
            f"不能再改为“{new_label}”；如属误判，请在整改事项中说明情况，由督查员验收销号"
        )
    before = audit.snapshot(rect)
    rect.status = State.CANCELLED
    text = f"检查结论更正为“{new_label}”，整改事项撤销"
    RectificationEvent.objects.create(
        rectification=rect,
        kind=EventKind.CANCEL,
        from_status=State.PENDING,
        to_status=State.CANCELLED,
        text=text,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=audit.actor_label(actor, actor_name),
    )
    actions.save_versioned(
        rect,
        expected_version=None,
        before=before,
        actor=actor,
        actor_name=actor_name,
        event="rectification.withdraw",
        note=text,
    )
    return []


def record_findings(
    target: InspectionTarget,
    entries: Sequence[FindingInput],
    *,
    inspected_on: date | None,
    summary: str = "",
    deadline: date | None = None,
    version: Any = None,
    actor: Actor = None,
    actor_name: str = "",
    enforce_role: bool = True,
) -> dict[str, int]:
    """Record the results of one drawn organisation; every 不符合 becomes a rectification.

    Returns counts {"created", "updated", "rectifications"}. All or nothing: any error leaves everything as it was.
    """
    if enforce_role:
        access.require(actor, access.INSPECTOR_SIDE, "只有督查员或局党建管理员可以录入检查结果")
    if target.round.status != RoundStatus.ACTIVE:
        raise ServiceError("该抽查轮次已作废，不能录入检查结果")
    today = timezone.localdate()
    inspected_on = inspected_on or today
    if inspected_on > today:
        raise ServiceError("检查日期不能晚于今天")
    deadline = deadline or default_deadline(inspected_on)
    if deadline < inspected_on:
        raise ServiceError("整改期限不能早于检查日期")
    items = {i.pk: i for i in ChecklistItem.objects.filter(pk__in=[e.item_id for e in entries])}
    valid_results = set(ResultChoice.values)
    for e in entries:
        item = items.get(e.item_id)
        if item is None:
            raise ServiceError("检查项目不存在，请刷新页面后重新录入")
        if e.result and e.result not in valid_results:
            raise ServiceError(f"“{item.name}”的检查结论无效，应为符合、基本符合或不符合")
        if e.result == ResultChoice.FAIL and not e.note.strip():
            raise ServiceError(f"“{item.name}”为不符合，请在情况说明中写明具体问题（整改事项据此下达）")
    counts = {"created": 0, "updated": 0, "rectifications": 0}
    log: list[audit.Entry] = []
    with transaction.atomic():
        locked = InspectionTarget.objects.select_for_update().get(pk=target.pk)
        check_version(locked, version, "该单位的检查结果")
        existing = {
            f.item_id: f for f in Finding.objects.filter(target=target).select_related("rectification")
        }
        for e in entries:
            if not e.result:
                continue
            item = items[e.item_id]
            note = e.note.strip()
            finding = existing.get(item.pk)
            if finding is None:
                finding = Finding.objects.create(
                    target=target,
                    item=item,
                    item_name=item.name,
                    result=e.result,
                    note=note,
                    recorded_by=actor if getattr(actor, "pk", None) else None,
                )
                counts["created"] += 1
                log.append(
                    audit.Entry(
                        AuditAction.CREATE,
                        actor,
                        actor_name,
                        instance=finding,
                        changes=audit.snapshot(finding),
                    )
                )
            elif (finding.result, finding.note) != (e.result, note):
                before = audit.snapshot(finding)
                if finding.result == ResultChoice.FAIL and e.result != ResultChoice.FAIL:
                    log += _withdraw_rectification(finding, ResultChoice(e.result).label, actor, actor_name)
                finding.result, finding.note = e.result, note
                finding.recorded_by = actor if getattr(actor, "pk", None) else finding.recorded_by
                finding.save()
                counts["updated"] += 1
                log.append(
                    audit.Entry(
                        AuditAction.UPDATE,
                        actor,
                        actor_name,
                        instance=finding,
                        changes=audit.diff(before, audit.snapshot(finding)),
                    )
                )
            else:
                continue
            if finding.result == ResultChoice.FAIL:
                opened, opened_log = _open_rectification(finding, target, deadline, actor, actor_name)
                counts["rectifications"] += opened
                log += opened_log
        audit.record_many(log)
        before = audit.snapshot(locked)
        locked.inspected_on = inspected_on
        locked.summary = summary.strip()
        locked.inspector = actor if getattr(actor, "pk", None) else locked.inspector
        actions.save_versioned(
            locked,
            expected_version=None,
            before=before,
            locked=True,
            actor=actor,
            actor_name=actor_name,
            event="inspectiontarget.update",
        )
    target.refresh_from_db()
    return counts


def add_finding_photos(finding: Finding, files: Iterable[Any], *, actor: Actor = None) -> list[FindingPhoto]:
    access.require(actor, access.INSPECTOR_SIDE, "只有督查员或局党建管理员可以上传检查照片")
    files = list(files)
    if not files:
        raise ServiceError("请选择要上传的照片")
    if len(files) > uploads.MAX_FILES_PER_UPLOAD:
        raise ServiceError(f"一次最多上传 {uploads.MAX_FILES_PER_UPLOAD} 张照片")
    checked = uploads.check_all(files, uploads.IMAGES)  # all checked before any is stored
    saved: list[FindingPhoto] = []
    with transaction.atomic():
        for c in checked:
            photo = FindingPhoto.stored(c, "supervision/photos", actor, finding=finding)
            photo.save()
            saved.append(photo)
        audit.record_many(
            audit.Entry(AuditAction.CREATE, actor, instance=p, changes=audit.snapshot(p), note="上传检查照片")
            for p in saved
        )
    return saved


def save_inspection(
    target: InspectionTarget,
    entries: Sequence[FindingInput],
    *,
    photos: dict[int, list[Any]] | None = None,
    remove_photos: Iterable[int] = (),
    actor: Actor = None,
    **kw: Any,
) -> dict[str, int]:
    """One save for the whole page: the findings, each item's new photos and the photos marked for removal,
    all or nothing — so nothing the inspector chose or typed is lost to a reload between them. Every photo is
    checked before anything is written; a photo needs the item's 检查结论 in the same save or before."""
    photos = {i: list(fs) for i, fs in (photos or {}).items() if fs}
    access.require(actor, access.INSPECTOR_SIDE, "只有督查员或局党建管理员可以上传检查照片")
    chosen = {e.item_id for e in entries if e.result}
    for item_id, files in photos.items():
        if item_id not in chosen and not Finding.objects.filter(target=target, item_id=item_id).exists():
            raise ServiceError("上传照片的检查项目须先选择检查结论")
        uploads.check_all(files, uploads.IMAGES)
    with transaction.atomic():
        counts = record_findings(target, entries, actor=actor, **kw)
        by_item = {f.item_id: f for f in Finding.objects.filter(target=target, item_id__in=list(photos))}
        counts["photos"] = sum(
            len(add_finding_photos(by_item[i], files, actor=actor)) for i, files in photos.items()
        )
        gone = FindingPhoto.objects.filter(
            finding__target=target, pk__in=list(remove_photos), is_deleted=False
        )
        counts["removed"] = 0
        for photo in gone:
            remove_finding_photo(photo, actor=actor)
            counts["removed"] += 1
    return counts


def remove_finding_photo(photo: FindingPhoto, *, actor: Actor = None) -> None:
    access.require(actor, access.INSPECTOR_SIDE, "只有督查员或局党建管理员可以删除检查照片")
    with transaction.atomic():
        photo.is_deleted = True
        photo.save(update_fields=["is_deleted"])
        audit.log_delete(photo, actor, note="删除检查照片（文件保留）")
