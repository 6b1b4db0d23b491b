"""Builders for duties tests (data in code, written through the services like real use)."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from dangjian.activities.models import ActivityKind
from dangjian.compliance.models import Requirement
from dangjian.core.tests import samples
from dangjian.duties import files as filekinds
from dangjian.duties import services
from dangjian.duties.models import (
    BrandCase,
    Duty,
    DutyList,
    DutyListKind,
    LeadingGroup,
    ListStatus,
    Notice,
    NoticeKind,
    NoticeTarget,
    NoticeTemplate,
    RuleDocument,
    TargetMode,
    WorkPlan,
    WorkPlanItem,
)
from dangjian.duties.workflow import CaseAction

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
PDF = samples.pdf()


def zip_bytes(*names: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name in names:
            zf.writestr(name, "<x/>")
    return buf.getvalue()


def docx_bytes() -> bytes:
    return samples.docx()  # a whole Word document: uploads are checked by their structure


def xlsx_bytes() -> bytes:
    from dangjian.core.xlsx import Sheet, workbook_bytes

    return workbook_bytes([Sheet(name="表", header=["事项"], rows=[["一"]])])


def upload(name: str, data: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def checked(name: str = "照片.png", data: bytes = PNG) -> filekinds.CheckedFile:
    return filekinds.check_upload(upload(name, data), filekinds.ATTACHMENTS)


def duty_list(
    org,
    *,
    actor=None,
    kind: str = DutyListKind.BRANCH,
    year: int | None = None,
    status: str = ListStatus.ISSUED,
    title: str | None = None,
    **extra: Any,
) -> DutyList:
    year = year or timezone.localdate().year
    data = {
        "organization": org,
        "kind": kind,
        "title": title or f"{org.name}{year}年党建工作责任清单",
        "year": year,
        "status": status,
        "issued_on": date(year, 1, 10) if status == ListStatus.ISSUED else None,
        **extra,
    }
    if kind == DutyListKind.DUAL:
        data.setdefault("holder_name", "李副局长")
        data.setdefault("holder_post", "党组成员、副局长")
    return services.save_duty_list(None, data, actor)


def duty(
    dl: DutyList, *, actor=None, cadence: str = "monthly", content: str | None = None, **extra: Any
) -> Duty:
    data = {
        "content": content or "按月召开支部委员会会议，研究部署党建工作",
        "cadence": cadence,
        "work_requirement": "会议有记录、有签到",
        "evidence_required": "会议记录照片",
        **extra,
    }
    return services.save_duty(None, dl, data, actor)


def notice(
    issuer,
    *,
    actor=None,
    orgs=None,
    deadline: date | None = None,
    issue: bool = True,
    kind: str = NoticeKind.GENERAL,
    year: int | None = None,
    month: int | None = None,
    title: str = "关于开展主题党日活动的通知",
    **extra: Any,
) -> Notice:
    today = timezone.localdate()
    data = {
        "kind": kind,
        "title": title,
        "body": "请各党支部认真组织，按时反馈。",
        "year": year or today.year,
        "month": month,
        "issuer": issuer,
        "target_mode": TargetMode.CHOSEN if orgs is not None else TargetMode.ALL,
        "deadline": deadline or today.replace(day=28),
        **extra,
    }
    n = services.save_notice(None, data, actor, chosen=orgs or [])
    if issue:
        services.issue_notice(n, actor)
        n.refresh_from_db()
    return n


def target(n: Notice, org) -> NoticeTarget:
    return NoticeTarget.objects.select_related("notice").get(notice=n, organization=org)


def template(actor=None, **extra: Any) -> NoticeTemplate:
    data = {
        "name": "月度重点工作通知",
        "title_template": "关于做好{year}年{month}月份党建重点工作的通知",
        "body_template": "各党支部：\n现将{year}年{month}月份党建重点工作安排如下……请于{deadline}前反馈。",
        "doc_number_template": "商党办〔{year}〕{month}号",
        "deadline_day": 25,
        "is_default": True,
        "is_active": True,
        **extra,
    }
    return services.save_template(None, data, actor)


def plan(year: int | None = None, *, actor=None, status: str = ListStatus.ISSUED) -> WorkPlan:
    year = year or timezone.localdate().year
    return services.save_plan(
        None,
        {
            "year": year,
            "title": f"{year}年党建工作要点",
            "status": status,
            "issued_on": date(year, 1, 20) if status == ListStatus.ISSUED else None,
        },
        actor,
    )


def plan_item(p: WorkPlan, org, *, actor=None, **extra: Any) -> WorkPlanItem:
    data = {
        "content": "全年开展主题党日活动",
        "organization": org,
        "deadline": date(p.year, 12, 31),
        "target": "每月1次，全年12次",
        **extra,
    }
    return services.save_plan_item(None, p, data, actor)


def case(
    org,
    *,
    actor=None,
    to: str = "draft",
    year: int | None = None,
    title: str = "“红色商务”党建品牌",
    photos=(),
) -> BrandCase:
    c = services.save_case(
        None,
        org,
        {
            "kind": "brand",
            "year": year or timezone.localdate().year,
            "title": title,
            "brand_name": "红色商务",
            "story": "围绕商贸流通开展党员示范岗活动。",
            "results": "服务企业 30 家。",
        },
        actor,
        photos=list(photos),
    )
    steps = {
        "draft": [],
        "submitted": [CaseAction.SUBMIT],
        "returned": [CaseAction.SUBMIT, CaseAction.RETURN],
        "approved": [CaseAction.SUBMIT, CaseAction.APPROVE],
        "published": [CaseAction.SUBMIT, CaseAction.APPROVE, CaseAction.PUBLISH],
    }[to]
    for a in steps:
        c = services.act_on_case(c, a, actor, comment="请补充成效数据" if a is CaseAction.RETURN else "")
    return c


def rule(
    issuer, *, actor=None, title: str = "基层党组织换届提醒制度", body: str = "第一条 为规范换届工作……"
) -> RuleDocument:
    return services.create_rule(
        {"category": "system", "issuer": issuer},
        {
            "title": title,
            "doc_number": "商党〔2024〕5号",
            "issued_on": date(2024, 3, 1),
            "effective_on": date(2024, 3, 1),
            "body": body,
        },
        actor,
    )


def requirement() -> Requirement:
    kind = ActivityKind.objects.get(key="theme_day")
    return Requirement.objects.create(
        key="theme_day_test",
        name="主题党日",
        kind=kind,
        org_kinds=["branch"],
        period="month",
        minimum=1,
        citation="支部条例 第十六条",
    )


def group(org, *, actor=None) -> LeadingGroup:
    g = services.save_group(
        None,
        {"organization": org, "name": "测试商务局党建工作领导小组", "office_location": "局机关党委"},
        actor,
    )
    services.save_group_member(
        None, g, {"role": "leader", "person_name": "王书记", "post": "局党组书记、局长", "sort": 1}, actor
    )
    return g


def world(cast) -> dict[str, Any]:
    """Every kind of record, once, for the permission matrix and page tests."""
    bureau = cast["bureau"]
    root, a = cast["root"], cast["a"]
    today = timezone.localdate()
    w: dict[str, Any] = {}
    w["group"] = group(root, actor=bureau)
    w["group_member"] = w["group"].members.first()
    w["root_list"] = duty_list(root, actor=bureau, kind=DutyListKind.MAIN, title="全面从严治党主体责任清单")
    w["root_duty"] = duty(w["root_list"], actor=bureau, responsible_user=bureau)
    w["a_list"] = duty_list(a, actor=bureau)
    w["a_duty"] = duty(w["a_list"], actor=bureau, responsible_user=cast["member"])
    w["a_duty2"] = duty(w["a_list"], actor=bureau, cadence="yearly", content="年底前召开组织生活会")
    w["report"] = services.report_duty(
        w["a_duty"],
        str(today.strftime("%Y-%m")),
        "已召开支委会",
        cast["member"],
        files=[checked("记录.png"), checked("签到表.pdf", PDF)],
    )
    w["evidence"], w["evidence2"] = list(w["report"].files.order_by("id"))
    w["plan"] = plan(actor=bureau)
    w["plan_item"] = plan_item(w["plan"], a, actor=bureau)
    w["template"] = template(actor=bureau)
    deadline = date(today.year, 12, 31)
    w["notice"] = notice(root, actor=bureau, orgs=[a], deadline=deadline)
    w["target_a"] = target(w["notice"], a)
    services.feedback(w["target_a"], "已组织学习", cast["admin_a"], files=[checked("反馈.pdf", PDF)])
    w["feedback_file"] = w["target_a"].files.first()
    w["draft"] = notice(root, actor=bureau, orgs=[a], deadline=deadline, issue=False, title="草稿通知")
    w["draft2"] = notice(root, actor=bureau, orgs=[a], deadline=deadline, issue=False, title="待下发通知")
    w["to_withdraw"] = notice(root, actor=bureau, orgs=[a], deadline=deadline, title="待撤销通知")
    w["case_draft"] = case(a, actor=bureau, to="draft")
    w["case_submitted"] = case(a, actor=bureau, to="submitted", title="“先锋驿站”特色做法")
    w["case_published"] = case(
        a, actor=bureau, to="published", title="“诚信经营”党建品牌", photos=[checked("活动.jpg", JPEG)]
    )
    w["photo"] = w["case_published"].photos.first()
    w["rule"] = rule(root, actor=bureau)
    services.revise_rule(
        w["rule"],
        {
            "title": "基层党组织换届提醒制度",
            "doc_number": "商党〔2026〕2号",
            "issued_on": date(2026, 1, 5),
            "effective_on": date(2026, 1, 5),
            "body": "第一条 修订后……",
            "change_note": "提前六个月提醒",
        },
        bureau,
    )
    w["requirement"] = requirement()
    w["citation"] = services.add_citation(w["rule"], w["requirement"], bureau, clause="第三条")
    return w
