"""A duty list printed as the document itself (.docx): A4 with 公文 margins (GB/T 9704), title in 二号 宋体,
body in 仿宋 三号, the items as a table 序号 / 责任内容 / 责任人 / 完成时限 / 工作要求.

The table uses 仿宋 小四 so that five columns fit the type area; headings of item groups (类别) span the row.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from .models import Duty, DutyList, DutyListKind

TITLE_FONT = "宋体"
BODY_FONT = "仿宋"
HEAD_FONT = "黑体"
SIZE_ER = Pt(22)  # 二号
SIZE_SAN = Pt(16)  # 三号
SIZE_XIAOSI = Pt(12)  # 小四
LINE = Pt(28)  # 公文 body: fixed 28 pt line spacing
COLUMNS = [("序号", 1.2), ("责任内容", 5.8), ("责任人", 2.6), ("完成时限", 2.4), ("工作要求", 3.6)]


def _font(run, name: str, size: Pt, bold: bool = False) -> None:
    run.font.name = name
    run.font.size = size
    run.font.bold = bold
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)


def _paragraph(
    container,
    text: str,
    *,
    font: str = BODY_FONT,
    size: Pt = SIZE_SAN,
    bold: bool = False,
    align=None,
    indent: bool = False,
    exact: Pt | None = LINE,
):
    p = container.add_paragraph()
    if align is not None:
        p.alignment = align
    fmt = p.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)
    if exact is not None:
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = exact
    if indent:
        fmt.first_line_indent = Pt(size.pt * 2)
    _font(p.add_run(text), font, size, bold)
    return p


def _cell(cell, text: str, *, bold: bool = False, center: bool = False, font: str = BODY_FONT) -> None:
    cell.text = ""
    lines = (text or "").split("\n") or [""]
    first = cell.paragraphs[0]
    for i, line in enumerate(lines):
        p = first if i == 0 else cell.add_paragraph()
        p.paragraph_format.space_after = Pt(0)
        if center:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _font(p.add_run(line), font, SIZE_XIAOSI, bold)


def _setup_page(doc) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    normal = doc.styles["Normal"]
    normal.font.name = BODY_FONT
    normal.font.size = SIZE_SAN
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)


def responsible_text(d: Duty) -> str:
    return d.responsible_label or "—"


def requirement_text(d: Duty) -> str:
    parts = [d.work_requirement.strip()] if d.work_requirement.strip() else []
    if d.evidence_required.strip():
        parts.append(f"佐证材料：{d.evidence_required.strip()}")
    return "\n".join(parts)


def build_list_docx(duty_list: DutyList, items: Sequence[Duty], units: Sequence[str] = ()) -> bytes:
    doc = Document()
    _setup_page(doc)
    issuer = duty_list.organization.name
    if issuer and issuer not in duty_list.title:
        _paragraph(
            doc,
            issuer,
            font=TITLE_FONT,
            size=SIZE_ER,
            bold=True,
            align=WD_ALIGN_PARAGRAPH.CENTER,
            exact=Pt(36),
        )
    _paragraph(
        doc,
        duty_list.title,
        font=TITLE_FONT,
        size=SIZE_ER,
        bold=True,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        exact=Pt(36),
    )
    sub = "　".join(x for x in (duty_list.doc_number, f"（{duty_list.year}年度）") if x)
    _paragraph(doc, sub, align=WD_ALIGN_PARAGRAPH.CENTER)
    _paragraph(doc, "")
    if duty_list.kind == DutyListKind.DUAL or duty_list.holder_name:
        _paragraph(doc, f"责任人：{duty_list.holder_label or '—'}", indent=True)
        if units:
            _paragraph(doc, f"分管单位：{'、'.join(units)}", indent=True)
    for para in (duty_list.preamble or "").splitlines():
        if para.strip():
            _paragraph(doc, para.strip(), indent=True)

    table = doc.add_table(rows=1, cols=len(COLUMNS))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for i, (label, width) in enumerate(COLUMNS):
        table.columns[i].width = Cm(width)
        _cell(table.rows[0].cells[i], label, bold=True, center=True, font=HEAD_FONT)
    _repeat_header(table.rows[0])
    category = None
    for n, d in enumerate(items, start=1):
        if d.category and d.category != category:
            category = d.category
            row = table.add_row()
            merged = row.cells[0].merge(row.cells[-1])
            _cell(merged, category, bold=True, font=HEAD_FONT)
        cells = table.add_row().cells
        _cell(cells[0], str(n), center=True)
        _cell(cells[1], d.content)
        _cell(cells[2], responsible_text(d), center=True)
        _cell(cells[3], d.time_limit, center=True)
        _cell(cells[4], requirement_text(d))
    for row in table.rows:
        for i, (_label, width) in enumerate(COLUMNS):
            if i < len(row.cells):
                row.cells[i].width = Cm(width)
    if duty_list.issued_on:
        _paragraph(doc, "")
        _paragraph(doc, issuer, align=WD_ALIGN_PARAGRAPH.RIGHT)
        d = duty_list.issued_on
        _paragraph(doc, f"{d.year}年{d.month}月{d.day}日", align=WD_ALIGN_PARAGRAPH.RIGHT)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _repeat_header(row) -> None:
    """The header row repeats on every page of a long list."""
    trpr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    trpr.append(el)
