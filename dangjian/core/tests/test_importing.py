"""The shared import framework, with a small importer that writes into a list."""

from __future__ import annotations

import io

import pytest

from dangjian.core.importing import CREATE, UNCHANGED, UPDATE, Column, Importer, RowErrors, run_import
from dangjian.core.xlsx import Sheet, iter_rows, workbook_bytes

STORE: dict[str, int] = {}


class NumberImporter(Importer[tuple[str, int]]):
    title = "测试导入"
    columns = (
        Column("名称", synonyms=("名字",), required=True),
        Column("数量", required=True),
        Column("备注"),
    )

    def prepare(self, values, row):
        errors = []
        name = values.get("名称")
        if not name:
            errors.append(("名称", name, "名称不能为空"))
        try:
            n = int(values.get("数量"))
        except (TypeError, ValueError):
            errors.append(("数量", values.get("数量"), "数量应为整数"))
            n = 0
        if errors:
            raise RowErrors(errors)
        return (str(name), n)

    def key(self, record):
        return record[0]

    def duplicate_message(self):
        return ("名称", "名称重复")

    def plan(self, record):
        old = STORE.get(record[0])
        if old is None:
            return CREATE, {}
        return (UNCHANGED, {}) if old == record[1] else (UPDATE, {"数量": [old, record[1]]})

    def write(self, outcomes):
        for o in outcomes:
            STORE[o.record[0]] = o.record[1]


def book(header, *rows) -> bytes:
    return workbook_bytes([Sheet("s", header, rows)])


@pytest.fixture(autouse=True)
def _clear():
    STORE.clear()


@pytest.mark.django_db
def test_atomic_by_default_then_idempotent():
    data = book(["名字", "数量"], ["甲", 1], ["乙", "x"], ["丙", 3])
    r = run_import(NumberImporter(), data)
    assert (r.rows, r.created, r.rejected, r.written) == (3, 2, 1, False)
    assert STORE == {}
    assert r.errors[0].row == 3 and r.errors[0].column == "数量"
    r = run_import(NumberImporter(), data, skip_invalid=True)
    assert r.written and STORE == {"甲": 1, "丙": 3}
    r = run_import(NumberImporter(), data, skip_invalid=True)
    assert (r.created, r.unchanged) == (0, 2)


@pytest.mark.django_db
def test_dry_run_writes_nothing_and_duplicates_are_both_rejected(tmp_path):
    data = book(["名称", "数量", "无关列"], ["甲", 1, "?"], ["甲", 2, "?"], ["乙", 2, None])
    out = tmp_path / "errors.xlsx"
    r = run_import(NumberImporter(), data, dry_run=True, errors_out=out)
    assert r.rejected == 2 and {e.row for e in r.errors} == {2, 3}
    assert any("无关列" in w for w in r.warnings)
    assert STORE == {}
    rows = list(iter_rows(out))
    assert rows[0][-1] == "错误原因" and len(rows) == 3


@pytest.mark.django_db
def test_missing_required_column_and_bad_files():
    r = run_import(NumberImporter(), book(["名称"], ["甲"]))
    assert r.errors and "缺少必需的列：数量" in r.errors[0].message
    r = run_import(NumberImporter(), b"not a zip at all")
    assert r.errors and ".xlsx" in r.errors[0].message
    r = run_import(NumberImporter(), book([], []))
    assert r.errors and r.as_json()["rows"] == 0


def test_iter_rows_streams_from_file_object():
    data = book(["a", "b"], [1, "x"])
    assert list(iter_rows(io.BytesIO(data)))[1] == [1, "x"]


def _sheet_zip(cells: str) -> bytes:
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr(
            "xl/worksheets/sheet1.xml",
            f'<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>姓名</t></is></c></row>{cells}'
            "</sheetData></worksheet>",
        )
    return buf.getvalue()


@pytest.mark.parametrize(
    "cells, refused",
    [
        ('<row r="2"><c r="L2"><v>1</v></c></row>', False),
        ('<row r="800000"><c r="L800000"><v>1</v></c></row>', False),  # 9.6 million cells: allowed
        ('<row r="900000"><c r="L900000"><v>1</v></c></row>', True),  # 10.8 million
        ('<row r="9"><c r="ALM9"><v>1</v></c></row>', True),  # column 1001
        ('<row r="1048576"><c r="XFD1048576" s="1"/></row>', False),  # an empty styled cell holds nothing
        ('<row r="2"><c r="B2" t="inlineStr"><is><t>r="XFD1048576"</t></is></c></row>', False),
        ('<row r="200000"><c\nr="CV200000"\nt="n"><v>1</v></c></row>', True),  # 100 columns × 200000
    ],
)
def test_sheet_extent_guard(cells, refused):
    """The quick screen lets through only what the cell-by-cell scan lets through; the rest goes to the scan."""
    from dangjian.core.xlsx import WorkbookError, _check_container

    if refused:
        with pytest.raises(WorkbookError, match="使用范围异常"):
            _check_container(_sheet_zip(cells))
    else:
        _check_container(_sheet_zip(cells))
