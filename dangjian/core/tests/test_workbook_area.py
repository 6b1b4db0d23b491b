"""Issue 14 item 2: a 2 KB workbook must not kill the process.

The sheet holds `<row r="1048576">` with 16,384 cells that carry no `r` reference; the reader would place them
in A1048576:XFD1048576 and allocate the whole area (512 GiB) and abort. Every workbook read must refuse it, from
the sheet XML, before the reader allocates. The command runs in its own process, so a failure (SIGABRT, exit
134) cannot take the test runner with it."""

from __future__ import annotations

import io
import os
import resource
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from dangjian.core.xlsx import WorkbookError, _check_container

ROOT = Path(__file__).resolve().parents[3]
_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"


HEADER = '<row r="1"><c r="A1" t="inlineStr"><is><t>姓名</t></is></c></row>'


def workbook(sheet_data: str, sheet_path: str = "xl/worksheets/sheet1.xml", doctype: str = "") -> bytes:
    """A minimal workbook python-calamine and openpyxl both open, with the given <sheetData> content."""
    target = sheet_path.removeprefix("xl/")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'spreadsheetml.sheet.main+xml"/><Override PartName="/'
            + sheet_path
            + '" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
        )
        zf.writestr(
            "_rels/.rels",
            f'<?xml version="1.0"?><Relationships xmlns="{_PKG}"><Relationship Id="rId1" '
            f'Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        zf.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0"?><workbook xmlns="{_NS}" xmlns:r="{_REL}"><sheets>'
            '<sheet name="名册" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        zf.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<?xml version="1.0"?><Relationships xmlns="{_PKG}"><Relationship Id="rId1" '
            f'Type="{_REL}/worksheet" Target="{target}"/></Relationships>',
        )
        zf.writestr(
            sheet_path,
            f'<?xml version="1.0"?>{doctype}<worksheet xmlns="{_NS}"><sheetData>{sheet_data}</sheetData></worksheet>',
        )
    return buf.getvalue()


def attack() -> bytes:
    """The workbook of the report: a header cell, and 16,384 reference-less cells in row 1,048,576."""
    return workbook(HEADER + '<row r="1048576">' + "<c><v>1</v></c>" * 16384 + "</row>")


def test_the_attack_workbook_is_about_2_kb():
    assert len(attack()) < 3000


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))


@pytest.mark.parametrize("command", ["import_roster", "import_orgs", "import_activities", "import_study"])
def test_every_import_command_refuses_it_with_exit_1_and_a_chinese_message(tmp_path, command):
    book = tmp_path / "名册.xlsx"
    book.write_bytes(attack())
    env = dict(os.environ)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.update(
        DJANGO_SETTINGS_MODULE="dangjian.settings",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        DANGJIAN_VAR_DIR=str(tmp_path / "var"),
        PYTHONPATH=str(ROOT),
    )
    done = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), command, str(book), "--dry-run"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=_limit_memory,  # before the fix the reader asks for 512 GiB: let it fail fast, not swap
    )
    assert done.returncode == 1, (done.returncode, done.stderr[-2000:])
    assert "工作表的使用范围异常（第 1048576 行、第 16384 列仍有内容）" in done.stdout


V = "<v>1</v>"


@pytest.mark.parametrize(
    "sheet_data, refused",
    [
        ('<row r="1048576">' + f"<c>{V}</c>" * 1001 + "</row>", True),  # the attack, smaller
        ('<row r="1048576"><c r="A1048576">' + V + "</c></row>", False),  # one column: 1 million cells
        ('<row r="2"><c r="ALK2">' + V + "</c>" + f"<c>{V}</c>" * 2 + "</row>", True),  # ALK = 999, +2
        ("<row>" + f"<c>{V}</c>" * 1000 + "</row>", False),  # 1000 columns exactly
        ('<row r="2"><c r="B2">' + V + '</c><c t="n">' + V + "</c></row>", False),
        # rows without r follow the previous row: 12,000 rows × 900 columns is past 10 million
        ('<row r="1"><c r="AHP1">' + V + "</c></row>" + "<row/>" * 12000 + f"<row><c>{V}</c></row>", True),
        # reference-less cells after empty ones still move on a column
        ('<row r="3">' + "<c/>" * 1000 + f"<c>{V}</c></row>", True),
        # an `x:r` attribute is not the reference; a quoted `r="…"` inside another value neither
        ('<row r="9">' + f'<c x:r="A9" xmlns:x="u">{V}</c>' * 1001 + "</row>", True),
        ('<row r="9">' + f"<c s='1 r=\"A9\"'>{V}</c>" * 1001 + "</row>", True),
        # a `</row>` inside a comment or CDATA does not restart the columns
        ('<row r="9">' + f"<c>{V}</c><!-- </row> -->" * 1001 + "</row>", True),
        (
            '<row r="9"><c t="str"><v><![CDATA[</row><row r="1">]]></v></c>'
            + f"<c>{V}</c>" * 1000
            + "</row>",
            True,
        ),
        # a reference hidden behind a character reference: refused as unreadable
        ('<row r="9"><c r="&#88;FD9">' + V + "</c></row>", "无法作为 Excel 工作簿读取"),
    ],
)
def test_the_area_counts_cells_without_references(sheet_data, refused):
    data = workbook(sheet_data)
    if refused is True:
        with pytest.raises(WorkbookError, match="使用范围异常"):
            _check_container(data)
    elif refused:
        with pytest.raises(WorkbookError, match=refused):
            _check_container(data)
    else:
        _check_container(data)


def test_a_document_type_declaration_is_refused_before_the_fallback_reader():
    """openpyxl's parser expands internal entities, which could spell cells the screen cannot see."""
    entity = "&#60;c&#62;&#60;v&#62;1&#60;/v&#62;&#60;/c&#62;" * 2
    data = workbook('<row r="1048576">&cells;</row>', doctype=f'<!DOCTYPE x [<!ENTITY cells "{entity}">]>')
    with pytest.raises(WorkbookError, match="无法作为 Excel 工作簿读取"):
        _check_container(data, count_empty=True)


def test_a_sheet_under_another_name_is_checked_too():
    """The readers follow the workbook's relationships: a sheet stored as xl/data.bin is read all the same."""
    data = workbook('<row r="1048576">' + f"<c>{V}</c>" * 1001 + "</row>", sheet_path="xl/data.bin")
    with pytest.raises(WorkbookError, match="使用范围异常"):
        _check_container(data)


def test_the_fallback_reader_counts_empty_cells():
    """openpyxl pads each row to its last cell, value or not: its check counts styled empty cells."""
    data = workbook('<row r="20000"><c r="ALM20000" s="1"/></row>')
    _check_container(data)  # python-calamine drops the empty cell
    with pytest.raises(WorkbookError, match="使用范围异常"):
        _check_container(data, count_empty=True)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url, user",
    [("/members/import/", "admin_a"), ("/activities/import/", "admin_a"), ("/study/import/", "admin_a")],
)
def test_the_upload_form_refuses_it_and_keeps_nothing(cast, login, settings, tmp_path, url, user):
    from django.core.cache import cache
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = str(tmp_path)
    cache.clear()
    client = login(cast[user])
    r = client.post(url, {"file": SimpleUploadedFile("名册.xlsx", attack(), "application/octet-stream")})
    assert r.status_code == 400
    assert "工作表的使用范围异常（第 1048576 行、第 16384 列仍有内容）" in r.content.decode()
    assert not list((tmp_path / "imports").glob("*"))
