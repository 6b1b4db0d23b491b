"""A duty list printed as the document itself (.docx), through the one official-document builder
(dangjian.core.official_docx): 公文 page and fonts, the items as a table 序号 / 责任内容 / 责任人 / 完成时限 / 工作要求
whose category headings (类别) span the row."""

from __future__ import annotations

from collections.abc import Sequence

from dangjian.core.official_docx import OfficialDocument

from .models import Duty, DutyList, DutyListKind

COLUMNS = [("序号", 12.0), ("责任内容", 58.0), ("责任人", 26.0), ("完成时限", 24.0), ("工作要求", 36.0)]


def responsible_text(d: Duty) -> str:
    return d.responsible_label or "—"


def requirement_text(d: Duty) -> str:
    parts = [d.work_requirement.strip()] if d.work_requirement.strip() else []
    if d.evidence_required.strip():
        parts.append(f"佐证材料：{d.evidence_required.strip()}")
    return "\n".join(parts)


def _rows(items: Sequence[Duty]) -> list[str | list[str]]:
    rows: list[str | list[str]] = []
    category = None
    for n, d in enumerate(items, start=1):
        if d.category and d.category != category:
            category = d.category
            rows.append(category)
        rows.append([str(n), d.content, responsible_text(d), d.time_limit, requirement_text(d)])
    return rows


def build_list_docx(duty_list: DutyList, items: Sequence[Duty], units: Sequence[str] = ()) -> bytes:
    doc = OfficialDocument()
    issuer = duty_list.organization.name
    if issuer and issuer not in duty_list.title:
        doc.title(issuer)
    doc.title(duty_list.title)
    doc.centered("　".join(x for x in (duty_list.doc_number, f"（{duty_list.year}年度）") if x))
    doc.blank()
    if duty_list.kind == DutyListKind.DUAL or duty_list.holder_name:
        doc.para(f"责任人：{duty_list.holder_label or '—'}")
        if units:
            doc.para(f"分管单位：{'、'.join(units)}")
    for para in (duty_list.preamble or "").splitlines():
        if para.strip():
            doc.para(para.strip())
    doc.grouped_table(
        [label for label, _w in COLUMNS],
        _rows(items),
        [w for _label, w in COLUMNS],
        centered_columns=frozenset({0, 2, 3}),
    )
    if duty_list.issued_on:
        d = duty_list.issued_on
        doc.signature(issuer, f"{d.year}年{d.month}月{d.day}日")
    return doc.to_bytes()
