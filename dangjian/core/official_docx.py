"""Word documents formatted as Chinese official documents (GB/T 9704-2012 《党政机关公文格式》): the one builder
for every official document the platform prints (the yearly report, the 工作手册, the 责任清单).

A4; margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm; title 二号 方正小标宋简体 (falling back to 宋体);
body 三号 仿宋_GB2312 (falling back to 仿宋); level-one headings 黑体, level-two 楷体_GB2312 (楷体); page numbers
四号 宋体 "— 1 —" at the foot. Fallbacks are declared in the document's font table (w:altName), which Word and
LibreOffice honour when the preferred font is not installed."""

from __future__ import annotations

import io
from collections.abc import Sequence

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

TITLE_FONT, TITLE_FALLBACK = "方正小标宋简体", "宋体"
BODY_FONT, BODY_FALLBACK = "仿宋_GB2312", "仿宋"
H1_FONT = "黑体"
H2_FONT, H2_FALLBACK = "楷体_GB2312", "楷体"
PAGE_NUMBER_FONT = "宋体"
SIZE_2HAO, SIZE_3HAO, SIZE_4HAO, SIZE_XIAOSI, SIZE_5HAO = Pt(22), Pt(16), Pt(14), Pt(12), Pt(10.5)
LINE = Pt(28)  # 22 lines a page at 三号


def _set_run_font(run, name: str, size: Pt, bold: bool = False) -> None:
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


def _cell(cell, text: str, font: str, *, bold: bool = False, center: bool = False) -> None:
    cell.text = ""
    for i, line in enumerate((text or "").split("\n")):
        p = cell.paragraphs[0] if i == 0 else cell.add_paragraph()
        p.paragraph_format.space_after = Pt(0)
        if center:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _set_run_font(p.add_run(line), font, SIZE_XIAOSI, bold)


def _repeat_header(row) -> None:
    """The header row repeats on every page of a long table."""
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(el)


def _declare_fallbacks(doc) -> None:
    """Add <w:font w:name=".."><w:altName w:val=".."/></w:font> to the font table."""
    font_table = None
    for rel in doc.part.rels.values():
        if rel.reltype.endswith("/fontTable"):
            font_table = rel.target_part
    if font_table is None:
        return
    from lxml import etree

    root = etree.fromstring(font_table.blob)
    ns = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"}
    existing = {f.get(qn("w:name")) for f in root.findall("w:font", ns)}
    for name, alt in (
        (TITLE_FONT, TITLE_FALLBACK),
        (BODY_FONT, BODY_FALLBACK),
        (H2_FONT, H2_FALLBACK),
        (H1_FONT, "SimHei"),
        (PAGE_NUMBER_FONT, "SimSun"),
    ):
        if name in existing:
            continue
        el = etree.SubElement(root, qn("w:font"))
        el.set(qn("w:name"), name)
        a = etree.SubElement(el, qn("w:altName"))
        a.set(qn("w:val"), alt)
        cs = etree.SubElement(el, qn("w:charset"))
        cs.set(qn("w:val"), "86")  # GB2312
    font_table._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


class OfficialDocument:
    def __init__(self) -> None:
        self.doc = Document()
        section = self.doc.sections[0]
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(37), Mm(35)
        section.left_margin, section.right_margin = Mm(28), Mm(26)
        section.footer_distance = Mm(28) - Mm(7)
        normal = self.doc.styles["Normal"]
        normal.font.name = BODY_FONT
        normal.font.size = SIZE_3HAO
        normal.element.get_or_add_rPr()
        normal.element.rPr.get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
        self._page_numbers(section)
        _declare_fallbacks(self.doc)

    # -- page numbers "— 1 —", 四号, outside edge (公文: 单页码居右、双页码居左; centred is accepted locally)
    def _page_numbers(self, section) -> None:
        p = section.footer.paragraphs[0]
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _set_run_font(p.add_run("— "), PAGE_NUMBER_FONT, SIZE_4HAO)
        run = p.add_run()
        _set_run_font(run, PAGE_NUMBER_FONT, SIZE_4HAO)
        for kind, text in (("begin", None), (None, "PAGE"), ("separate", None), (None, None), ("end", None)):
            if kind:
                fld = OxmlElement("w:fldChar")
                fld.set(qn("w:fldCharType"), kind)
                run._element.append(fld)
            elif text:
                instr = OxmlElement("w:instrText")
                instr.set(qn("xml:space"), "preserve")
                instr.text = text
                run._element.append(instr)
            else:
                t = OxmlElement("w:t")
                t.text = "1"
                run._element.append(t)
        _set_run_font(p.add_run(" —"), PAGE_NUMBER_FONT, SIZE_4HAO)

    def _paragraph(
        self,
        text: str,
        font: str,
        size: Pt,
        *,
        bold: bool = False,
        align=WD_ALIGN_PARAGRAPH.JUSTIFY,
        indent: bool = True,
        space_after: Pt | None = None,
    ):
        p = self.doc.add_paragraph()
        p.alignment = align
        fmt = p.paragraph_format
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = LINE
        fmt.space_before = Pt(0)
        fmt.space_after = space_after if space_after is not None else Pt(0)
        if indent:
            fmt.first_line_indent = Pt(size.pt * 2)
        _set_run_font(p.add_run(text), font, size, bold)
        return p

    def title(self, text: str) -> None:
        p = self._paragraph(
            text, TITLE_FONT, SIZE_2HAO, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, space_after=LINE
        )
        p.paragraph_format.line_spacing = Pt(36)

    def subtitle(self, text: str) -> None:
        self._paragraph(
            text, H2_FONT, SIZE_3HAO, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, space_after=LINE
        )

    def heading1(self, text: str) -> None:
        self._paragraph(text, H1_FONT, SIZE_3HAO)

    def heading2(self, text: str) -> None:
        self._paragraph(text, H2_FONT, SIZE_3HAO)

    def para(self, text: str) -> None:
        self._paragraph(text, BODY_FONT, SIZE_3HAO)

    def centered(self, text: str) -> None:
        """A body-font line centred without indent (a 文号 / 年度 line under the title)."""
        self._paragraph(text, BODY_FONT, SIZE_3HAO, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)

    def blank(self) -> None:
        self._paragraph("", BODY_FONT, SIZE_3HAO, indent=False)

    def signature(self, org: str, day: str) -> None:
        self._paragraph("", BODY_FONT, SIZE_3HAO, indent=False)
        self._paragraph(org, BODY_FONT, SIZE_3HAO, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
        self._paragraph(day, BODY_FONT, SIZE_3HAO, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)

    def page_break(self) -> None:
        self.doc.add_page_break()

    def landscape_section(self) -> None:
        """A new landscape A4 section (for wide appendix tables); page numbers continue."""
        from docx.enum.section import WD_SECTION

        section = self.doc.add_section(WD_SECTION.NEW_PAGE)
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(297), Mm(210)
        section.top_margin, section.bottom_margin = Mm(28), Mm(26)
        section.left_margin, section.right_margin = Mm(37), Mm(35)

    def table(
        self,
        header: Sequence[str],
        rows: Sequence[Sequence[object]],
        widths_mm: Sequence[float] | None = None,
        size: Pt = SIZE_5HAO,
    ) -> None:
        t = self.doc.add_table(rows=1, cols=len(header))
        t.style = "Table Grid"
        t.alignment = WD_TABLE_ALIGNMENT.CENTER
        for cell, text in zip(t.rows[0].cells, header, strict=True):
            cell.text = ""
            _set_run_font(cell.paragraphs[0].add_run(str(text)), H1_FONT, SIZE_5HAO)
        for row in rows:
            cells = t.add_row().cells
            for cell, value in zip(cells, row, strict=True):
                cell.text = ""
                _set_run_font(
                    cell.paragraphs[0].add_run("" if value is None else str(value)), BODY_FALLBACK, size
                )
        if widths_mm:
            for row in t.rows:
                for cell, w in zip(row.cells, widths_mm, strict=True):
                    cell.width = Mm(w)

    def grouped_table(
        self,
        header: Sequence[str],
        rows: Sequence[str | Sequence[str]],
        widths_mm: Sequence[float],
        centered_columns: frozenset[int] = frozenset(),
    ) -> None:
        """A table whose header repeats on every page; a row given as a plain string is a group heading spanning
        the row. Cells are 小四 仿宋 so that five columns fit the type area; a "\n" in a cell starts a paragraph."""
        t = self.doc.add_table(rows=1, cols=len(header))
        t.style = "Table Grid"
        t.alignment = WD_TABLE_ALIGNMENT.CENTER
        for cell, text in zip(t.rows[0].cells, header, strict=True):
            _cell(cell, text, H1_FONT, center=True)
        _repeat_header(t.rows[0])
        for row in rows:
            if isinstance(row, str):
                added = t.add_row()
                _cell(added.cells[0].merge(added.cells[-1]), row, H1_FONT, bold=True)
                continue
            for i, (cell, text) in enumerate(zip(t.add_row().cells, row, strict=True)):
                _cell(cell, text, BODY_FALLBACK, center=i in centered_columns)
        for i, w in enumerate(widths_mm):
            t.columns[i].width = Mm(w)
            for r in t.rows:
                if i < len(r.cells):
                    r.cells[i].width = Mm(w)

    def to_bytes(self) -> bytes:
        buf = io.BytesIO()
        self.doc.save(buf)
        return buf.getvalue()

    def save(self, path) -> None:
        self.doc.save(path)
