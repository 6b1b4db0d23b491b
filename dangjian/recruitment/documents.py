"""发展党员 documents (issue 15 part 6) as official .docx (core.official_docx): the 入党志愿书 cover data, the
发展党员档案 checklist of a candidate, and the 公示 notice of a 发展对象. Built from the recorded steps; nothing is
stored. The ID number is left out (the 志愿书 is filled in by hand from these data)."""

from __future__ import annotations

from datetime import date

from dangjian.core.official_docx import OfficialDocument

from . import rules
from .models import Candidate, RecruitmentStep

KINDS = {
    "volunteer": "入党志愿书基本信息",
    "dossier": "发展党员档案材料清单",
    "publicity": "发展对象公示",
}
# Which recorded steps each item of the dossier (rules.DOSSIER) comes from.
DOSSIER_STEPS: dict[str, tuple[int, ...]] = dict(
    zip(
        rules.DOSSIER,
        ((1,), (2,), (3, 4), (5, 6), (7, 8), (10,), (11,), (12, 13), (14,), (15, 17), (20, 21), (22, 23, 24)),
        strict=True,
    )
)


def _d(day: date | None) -> str:
    return f"{day:%Y年%m月%d日}" if day else "—"


def available(c: Candidate) -> list[str]:
    """The documents this candidate has data for: the 志愿书 from 发展对象 on, the 公示 once it is set."""
    out = ["dossier"]
    if c.target_on is not None:
        out.insert(0, "volunteer")
    if c.publicity_start and c.publicity_end:
        out.append("publicity")
    return out


def build(c: Candidate, kind: str) -> OfficialDocument:
    return {"volunteer": volunteer_cover, "dossier": dossier_checklist, "publicity": publicity_notice}[kind](
        c
    )


def _steps(c: Candidate) -> dict[int, list[RecruitmentStep]]:
    out: dict[int, list[RecruitmentStep]] = {}
    for s in c.steps.prefetch_related("documents").order_by("date", "id"):
        out.setdefault(s.number, []).append(s)
    return out


def volunteer_cover(c: Candidate) -> OfficialDocument:
    steps = _steps(c)
    doc = OfficialDocument()
    doc.title("中国共产党入党志愿书")
    doc.subtitle("（封面及基本信息，供填写时核对）")
    introducers = "、".join(m.name for m in c.introducers.all()) or "—"
    number = next((s.document_no for s in steps.get(14, []) if s.document_no), "")
    rows = [
        ("志愿书编号", number or "—"),
        ("姓名", c.name),
        ("性别", c.gender),
        ("民族", c.ethnicity or "—"),
        ("出生年月", f"{c.birth_date:%Y年%m月}"),
        ("学历", c.education or "—"),
        ("工作单位及职务", c.workplace or "—"),
        ("所在党支部", c.organization.name),
        ("递交入党申请书时间", _d(c.applied_on)),
        ("确定为入党积极分子时间", _d(c.activist_on)),
        ("确定为发展对象时间", _d(c.target_on)),
        ("入党介绍人", introducers),
        ("支部大会通过时间", _d(c.admitted_on)),
        ("上级党委审批时间", _d(c.approved_on)),
        ("预备期", f"{_d(c.admitted_on)}至{_d(c.probation_ends_on)}" if c.probation_ends_on else "—"),
    ]
    doc.table(["项目", "内容"], rows, widths_mm=[55, 100])
    return doc


def dossier_checklist(c: Candidate) -> OfficialDocument:
    steps = _steps(c)
    doc = OfficialDocument()
    doc.title(f"{c.name}发展党员档案材料清单")
    doc.para(f"所在党支部：{c.organization.name}；当前阶段：{c.stage}；递交入党申请书：{_d(c.applied_on)}。")
    rows = []
    for i, item in enumerate(rules.DOSSIER, start=1):
        found = [s for n in DOSSIER_STEPS[item] for s in steps.get(n, [])]
        if found:
            dates = "、".join(f"{s.date:%Y-%m-%d}" for s in found)
            numbers = "、".join(s.document_no for s in found if s.document_no)
            files = sum(1 for s in found for d in s.documents.all() if not d.is_deleted)
            state = (
                "已登记"
                + (f"（文件编号 {numbers}）" if numbers else "")
                + (f"，附件{files}份" if files else "")
            )
        else:
            dates, state = "—", "未登记"
        rows.append((i, item, dates, state))
    doc.table(["序号", "材料", "相关步骤日期", "情况"], rows, widths_mm=[12, 70, 38, 40])
    if c.archived_on:
        doc.para(f"材料已于 {_d(c.archived_on)} 归档。")
    return doc


def publicity_notice(c: Candidate) -> OfficialDocument:
    assert c.publicity_start and c.publicity_end
    doc = OfficialDocument()
    doc.title("关于拟发展党员对象的公示")
    doc.para(
        f"根据《中国共产党发展党员工作细则》有关规定，经{c.organization.name}审查，拟将{c.name}同志作为发展对象"
        "上报上级党委预审，现将有关情况公示如下："
    )
    doc.table(
        ["姓名", "性别", "出生年月", "学历", "工作单位及职务", "申请入党时间", "确定为积极分子时间"],
        [
            (
                c.name,
                c.gender,
                f"{c.birth_date:%Y.%m}",
                c.education or "—",
                c.workplace or "—",
                f"{c.applied_on:%Y.%m.%d}",
                f"{c.activist_on:%Y.%m.%d}" if c.activist_on else "—",
            )
        ],
        widths_mm=[18, 12, 20, 20, 36, 26, 28],
    )
    doc.para(f"公示时间：{_d(c.publicity_start)}至{_d(c.publicity_end)}。")
    doc.para(
        "公示期间，党员和群众如有意见或反映情况，可通过来信、来电、来访等方式向党支部或上级党委反映。"
        "反映情况应实事求是，以个人名义反映的请署真实姓名。"
    )
    doc.signature(c.organization.name, _d(c.publicity_start))
    return doc
