"""The one official-document builder: its output opens with python-docx and carries the 公文 format."""

from __future__ import annotations

import io

from docx import Document
from docx.oxml.ns import qn

from dangjian.core.official_docx import OfficialDocument


def _built() -> Document:
    doc = OfficialDocument()
    doc.title("关于开展党建工作检查的通知")
    doc.centered("（2026年度）")
    doc.heading1("一、总体要求")
    doc.para("各基层党组织：")
    doc.grouped_table(["序号", "内容"], ["一、政治建设", ["1", "学习\n研讨"]], [12, 140], frozenset({0}))
    doc.signature("中共某某局委员会", "2026年12月1日")
    return Document(io.BytesIO(doc.to_bytes()))


def test_output_opens_with_official_fonts_margins_and_page_numbers():
    d = _built()
    s = d.sections[0]
    assert [round(m.mm) for m in (s.page_width, s.page_height)] == [210, 297]
    assert [round(m.mm) for m in (s.top_margin, s.bottom_margin, s.left_margin, s.right_margin)] == [
        37,
        35,
        28,
        26,
    ]
    fonts = {p.text: (p.runs[0].font.name, p.runs[0].font.size.pt) for p in d.paragraphs if p.runs and p.text}
    assert fonts["关于开展党建工作检查的通知"] == ("方正小标宋简体", 22)
    assert fonts["各基层党组织："] == ("仿宋_GB2312", 16)
    assert fonts["一、总体要求"] == ("黑体", 16)
    assert d.styles["Normal"].font.name == "仿宋_GB2312"
    footer = "".join(t.text or "" for t in s.footer._element.iter(qn("w:instrText")))
    assert "PAGE" in footer and s.footer.paragraphs[0].text.startswith("— ")


def test_grouped_table_spans_group_rows_and_repeats_its_header():
    (table,) = _built().tables
    assert [c.text for c in table.rows[0].cells] == ["序号", "内容"]
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert [c.text for c in table.rows[1].cells] == ["一、政治建设", "一、政治建设"]  # merged across the row
    assert table.rows[2].cells[1].text == "学习\n研讨"
