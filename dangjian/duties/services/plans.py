"""Writes of 工作要点: the plan, its items, progress during the year and the year-end assessment."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from dangjian.accounts.typing import Actor
from dangjian.core import measures
from dangjian.core.actions import Refusal

from ..models import ListStatus, WorkPlan, WorkPlanItem, WorkPlanProgress, YearEndStatus
from .common import create, update_fields


@transaction.atomic
def save_plan(
    plan: WorkPlan | None, data: dict[str, Any], actor: Actor, version: int | None = None
) -> WorkPlan:
    if data.get("status") == ListStatus.ISSUED and not data.get("issued_on"):
        raise Refusal("已印发的工作要点须填写印发日期", field="issued_on")
    others = WorkPlan.objects.filter(year=data["year"], is_deleted=False).exclude(status=ListStatus.REPEALED)
    if plan is not None:
        others = others.exclude(pk=plan.pk)
    if data.get("status") != ListStatus.REPEALED and others.exists():
        raise Refusal(f"{data['year']}年已有工作要点；如需重新制定，请先将原要点标记为已废止", field="year")
    if plan is None:
        return create(WorkPlan, data, actor)
    return update_fields(plan, data, actor, expected_version=version)


@transaction.atomic
def save_plan_item(
    item: WorkPlanItem | None, plan: WorkPlan, data: dict[str, Any], actor: Actor, version: int | None = None
) -> WorkPlanItem:
    if data["deadline"].year not in (plan.year, plan.year + 1):
        raise Refusal(f"完成时限应在 {plan.year} 年内（最迟次年）", field="deadline")
    if data.get("measure_key") and not measures.exists(data["measure_key"]):
        raise Refusal("所选取数口径不存在，请重新选择", field="measure_key")
    if item is None:
        if not data.get("seq"):
            data = {**data, "seq": (plan.items.aggregate(m=Max("seq"))["m"] or 0) + 1}
        return create(WorkPlanItem, {**data, "plan": plan}, actor)
    return update_fields(item, data, actor, expected_version=version)


@transaction.atomic
def add_progress(
    item: WorkPlanItem,
    actor: Actor,
    *,
    text: str,
    reported_on: date | None = None,
    percent: int | None = None,
) -> WorkPlanProgress:
    if item.measure_key:
        raise Refusal(
            f"该事项已设为自动取数（{measures.label(item.measure_key)}），进度按平台数据计算，不能手工填报",
            code="measure_bound",
        )
    today = timezone.localdate()
    reported_on = reported_on or today
    if reported_on > today:
        raise Refusal("进展日期不能晚于今天", field="reported_on")
    if not (text or "").strip():
        raise Refusal("请填写进展情况", field="text")
    if percent is not None and not 0 <= percent <= 100:
        raise Refusal("完成进度应在 0—100 之间", field="percent")
    if item.plan.status != ListStatus.ISSUED:
        raise Refusal("工作要点尚未印发（或已废止），不能填报进展")
    return create(
        WorkPlanProgress,
        {
            "item": item,
            "reported_on": reported_on,
            "text": text.strip(),
            "percent": percent,
            "reported_by": actor if getattr(actor, "pk", None) else None,
        },
        actor,
    )


@transaction.atomic
def assess_item(
    item: WorkPlanItem, status: str, note: str, actor: Actor, version: int | None = None
) -> WorkPlanItem:
    """The year-end status (完成 / 基本完成 / 未完成); anything short of 完成 needs an explanation."""
    status = YearEndStatus(status)
    if status is not YearEndStatus.DONE and not (note or "").strip():
        raise Refusal(f"评定为“{status.label}”时须说明原因", field="year_end_note")
    return update_fields(
        item,
        {
            "year_end_status": status.value,
            "year_end_note": (note or "").strip(),
            "assessed_at": timezone.now(),
            "assessed_by": actor if getattr(actor, "pk", None) else None,
        },
        actor,
        event="workplanitem.assess",
        expected_version=version,
        note="年终评定",
    )


def measured_progress(item: WorkPlanItem, as_of: date | None = None) -> measures.MeasureValue | None:
    """A bound item's status and progress, read from the data as of today (at most up to its deadline)."""
    if not item.measure_key:
        return None
    as_of = as_of or timezone.localdate()
    return measures.value(item.measure_key, item.organization, min(item.deadline, as_of), as_of)


def latest_progress(items: list[WorkPlanItem]) -> dict[int, WorkPlanProgress]:
    """The newest progress entry of each item (one query)."""
    latest: dict[int, WorkPlanProgress] = {}
    for p in WorkPlanProgress.objects.filter(item__in=[i.pk for i in items]).order_by(
        "item_id", "-reported_on", "-id"
    ):
        latest.setdefault(p.item_id, p)
    return latest
