"""Builders for 督查考核 tests and the permission matrix (data built in code)."""

from __future__ import annotations

import base64
import itertools
from datetime import date, timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from dangjian.activities.models import Activity, ActivityKind
from dangjian.core.tests import samples
from dangjian.supervision import services
from dangjian.supervision.models import (
    ChecklistItem,
    EventKind,
    EvidenceFile,
    Finding,
    FindingPhoto,
    InspectionRound,
    InspectionTarget,
    Observation,
    Rectification,
    RectificationEvent,
)

_seq = itertools.count(1)

PNG_BYTES = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)
PDF_BYTES = samples.pdf()

MINUTES = (
    "会议由支部书记主持，应到党员12名，实到11名，1名因病请假。会议传达学习了上级关于加强基层党组织建设的文件精神，"
    "围绕“强化政治功能、提升组织力”主题开展讨论。大家一致认为，要把学习成果转化为推动商贸流通工作的实际成效，"
    "切实发挥党员先锋模范作用。会议还研究了下季度发展党员工作计划，确定两名入党积极分子的培养联系人。"
)


def png(name: str = "现场照片.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG_BYTES, content_type="image/png")


def pdf(name: str = "整改报告.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def inspection_round(orgs: list[Any], quarter: str = "2026Q3", seed: int = 1) -> InspectionRound:
    rnd = InspectionRound.objects.create(
        quarter=quarter,
        seed=seed,
        count=len(orgs),
        candidates=[{"code": o.code, "stratum": "事业单位", "failing": False} for o in orgs],
        drawn_by_name="测试",
    )
    InspectionTarget.objects.bulk_create(
        InspectionTarget(round=rnd, organization=o, org_code=o.code, stratum="事业单位") for o in orgs
    )
    return rnd


def item(name: str | None = None) -> ChecklistItem:
    return (
        ChecklistItem.objects.order_by("sort").first()
        if name is None
        else ChecklistItem.objects.get(name=name)
    )


def finding(
    target: InspectionTarget, result: str = "fail", note: str = "第三季度未召开支部党员大会", **kw
) -> Finding:
    it = (
        kw.pop("item", None)
        or ChecklistItem.objects.exclude(pk__in=Finding.objects.filter(target=target).values("item_id"))
        .order_by("sort")
        .first()
    )
    return Finding.objects.create(target=target, item=it, item_name=it.name, result=result, note=note)


def rectification(
    org: Any,
    *,
    status: str = "pending",
    deadline: date | None = None,
    finding_obj: Finding | None = None,
    title: str | None = None,
) -> Rectification:
    rect = Rectification.objects.create(
        organization=org,
        finding=finding_obj,
        title=title or f"{org.name}：三会一课记录不符合{next(_seq)}",
        problem="第三季度未召开支部党员大会",
        deadline=deadline or timezone.localdate() + timedelta(days=30),
        status=status,
    )
    RectificationEvent.objects.create(
        rectification=rect, kind=EventKind.CREATED, to_status="pending", actor_name="测试"
    )
    return rect


def photo(finding_obj: Finding) -> FindingPhoto:
    p = FindingPhoto(
        finding=finding_obj, original_name="现场照片.png", content_type="image/png", size=len(PNG_BYTES)
    )
    p.file.save(f"supervision/photos/test/{next(_seq)}.png", png(), save=False)
    p.save()
    return p


def evidence(rect: Rectification, kind: str = "pdf") -> EvidenceFile:
    event = RectificationEvent.objects.create(
        rectification=rect, kind=EventKind.EVIDENCE, text="已补开支部党员大会", actor_name="测试"
    )
    upload, ctype = (pdf(), "application/pdf") if kind == "pdf" else (png(), "image/png")
    ef = EvidenceFile(event=event, original_name=upload.name, content_type=ctype, size=upload.size)
    ef.file.save(f"supervision/evidence/test/{next(_seq)}.{kind}", upload, save=False)
    ef.save()
    return ef


def observation(orgs: list[Any], raters: list[Any], *, year: int = 2026, half: int = 1, **kw) -> Observation:
    return services.create_observation(
        services.ObservationInput(
            title=kw.pop("title", f"{year}年{'上下'[half - 1]}半年党建工作观摩"),
            year=year,
            half=half,
            held_on=kw.pop("held_on", date(year, 6 if half == 1 else 12, 20)),
            org_ids=[o.pk for o in orgs],
            rater_ids=[u.pk for u in raters],
        ),
        enforce_role=False,
    )


def activity(
    org: Any,
    minutes: str = MINUTES,
    *,
    on: date = date(2026, 3, 15),
    kinds: tuple[str, ...] = ("theme_day",),
    **kw,
) -> Activity:
    a = Activity.objects.create(
        organization=org,
        date=on,
        topic=kw.pop("topic", "主题党日：学习基层组织建设文件"),
        minutes=minutes,
        **kw,
    )
    a.kinds.set(ActivityKind.objects.filter(key__in=kinds))
    return a


def queries_for(client, url: str) -> int:
    """How many SQL queries one GET of `url` makes (after a warm-up request, so caches are equal)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return len(ctx.captured_queries)


def appraisal(year: int = 2026, *, actor: Any = None):
    """A 年终总评 with the default indicator tree."""
    from dangjian.supervision.appraisal import services as appraisal_services

    return appraisal_services.create_appraisal(year, actor=actor)
