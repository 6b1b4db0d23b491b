"""Spreadsheet reading (streamed, python-calamine first, openpyxl as the fallback) and writing (xlsxwriter)."""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, cast

# Zip-bomb guard: no honest roster expands past this.
MAX_UNCOMPRESSED_BYTES = 400 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
# Sheet-extent guard: the reader allocates rows × columns of the used range, so one cell at XFD1048576 in a
# 5 KB file would ask for hundreds of GB and abort the process. No honest import sheet is anywhere near this.
MAX_SHEET_COLUMNS = 1000
MAX_SHEET_CELLS = 10_000_000
# The quick screen reads column letters and long row numbers from the `r="…"` references (both regexes start
# with a literal, which the regex engine searches for fast); it is only valid when every cell carries a plain
# reference as its first attribute, which `_UNREFERENCED_CELL` checks. Rows below 100000 are not collected.
_ANY_COLUMN = re.compile(rb'r="([A-Z]{1,3})[0-9]')
_LONG_ROW = re.compile(rb'r="[A-Z]{0,3}([0-9]{6,7})"')
_SHORT_ROW_MAX = 99_999
# A cell start tag (any prefix, `<c>`, `<c/>`, `<c t=…>`, `<c r='…'>`, …) that does not begin with a plain
# reference: the reader places such a cell after the previous one, which a reference count cannot see.
_PLAIN_REF = rb'(?! r="[A-Z]{1,3}[0-9]{1,7}")[\s/>]'
_UNREFERENCED_CELL = re.compile(rb"<c" + _PLAIN_REF + rb'|<[^\s<>/!?"\'=]*:c' + _PLAIN_REF)
_OVERLAP = 256  # bytes each chunk repeats from the one before; longer than any tag start the screen matches
_EXTENT_MESSAGE = (
    "工作表的使用范围异常（第 {row} 行、第 {col} 列仍有内容），超出导入可处理的范围；"
    "请删除表格右侧和下方多余的行列，或将数据复制到新的工作簿后重新导入"
)
_TOKEN = re.compile(
    rb"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>|(?P<doctype><!DOCTYPE)|<!(?!--|\[CDATA\[)"
    rb"|<(?P<end>/?)(?P<name>[^\s/>!?]+)(?P<attrs>(?:[^>\"']|\"[^\"]*\"|'[^']*')*)>",
    re.S,
)
_MAX_TOKEN = 1 << 20  # a comment or tag longer than this is not from a spreadsheet program
_ATTRIBUTE = re.compile(rb"([^\s=]+)\s*=\s*(\"[^\"]*\"|'[^']*')")
_REF = re.compile(rb"([A-Za-z]{1,3})([0-9]{1,7})")
_RELATIONSHIP_TAG = re.compile(rb"<(?:[^\s<>/!?:]+:)?Relationship\b((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>")
_SHEET_TAG = re.compile(rb"<(?:[^\s<>/!?:]+:)?sheet\b((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>")
_UNREADABLE = "文件无法作为 Excel 工作簿读取；请在 Excel 或 WPS 中“另存为 .xlsx”后重新上传"


class WorkbookError(ValueError):
    """The file as a whole cannot be read; the message is Chinese and says what to do."""


def _check_container(source: Path | bytes, *, count_empty: bool = False) -> None:
    """Refuse what is not a workbook, a zip bomb, and a sheet whose cell area the reader cannot allocate.

    `count_empty`: also count cells without a value (openpyxl, the fallback reader, pads rows to them)."""
    data = source if isinstance(source, bytes) else None
    try:
        zf = zipfile.ZipFile(io.BytesIO(data) if data is not None else cast("Path | IO[bytes]", source))
    except (zipfile.BadZipFile, OSError):
        raise WorkbookError(
            "文件不是有效的 Excel 工作簿（.xlsx）；请在 Excel 或 WPS 中“另存为 .xlsx”后重新上传"
        )
    with zf:
        names = set(zf.namelist())
        if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
            raise WorkbookError(
                "文件不是有效的 Excel 工作簿（.xlsx）；请在 Excel 或 WPS 中“另存为 .xlsx”后重新上传"
            )
        total = sum(i.file_size for i in zf.infolist())
        packed = sum(i.compress_size for i in zf.infolist()) or 1
        if (
            total > MAX_UNCOMPRESSED_BYTES
            or total / packed > MAX_COMPRESSION_RATIO
            and total > 20 * 1024 * 1024
        ):
            raise WorkbookError("工作簿解压后体积异常（疑似压缩炸弹），已拒绝读取")
        for info in _sheet_parts(zf):
            _check_extent(zf, info, count_empty=count_empty)


def check_workbook(source: Path | bytes) -> None:
    """Refuse, with the Chinese message of WorkbookError, a file the readers must not open (what `iter_rows`
    checks first): for an upload, to answer on the upload form before the file is kept."""
    _check_container(source)


def _sheet_parts(zf: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    """Every part a reader opens as a worksheet: the usual folder, and each target the workbook's relationships
    name for one of its <sheet>s (a sheet may live under any name) or type as a worksheet."""
    names = {i.filename: i for i in zf.infolist()}
    wanted = {n for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml")}
    workbooks = {"xl/workbook.xml"} | {
        _resolve("", target)[0] for target, _ in _relationships(zf, names, "_rels/.rels").values()
    }
    for book in sorted(w for w in workbooks if w in names):
        folder = posixpath.dirname(book)
        sheet_ids: set[str] = set()
        for m in _SHEET_TAG.finditer(_read(zf, names[book])):
            sheet_ids.update(
                v[1:-1] for k, v in _ATTRIBUTE.findall(m.group(1)) if k == b"id" or k.endswith(b":id")
            )
        rels = posixpath.join(folder, "_rels", posixpath.basename(book) + ".rels")
        for rid, (target, kind) in _relationships(zf, names, rels).items():
            if rid in sheet_ids or kind.endswith(b"/worksheet"):
                wanted.update(_resolve(folder, target))
    return [names[n] for n in sorted(wanted) if n in names]


def _read(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    with zf.open(info) as fh:
        return fh.read(16 << 20)  # a workbook or relationship part; no honest one is near this


def _relationships(
    zf: zipfile.ZipFile, names: dict[str, zipfile.ZipInfo], part: str
) -> dict[bytes, tuple[str, bytes]]:
    """Id → (Target, Type) of a relationships part (empty when there is none)."""
    if part not in names:
        return {}
    out: dict[bytes, tuple[str, bytes]] = {}
    for m in _RELATIONSHIP_TAG.finditer(_read(zf, names[part])):
        attrs = {k: v[1:-1] for k, v in _ATTRIBUTE.findall(m.group(1))}
        target = attrs.get(b"Target", b"").decode("utf-8", "replace").replace("\\", "/")
        out[attrs.get(b"Id", b"")] = (target, attrs.get(b"Type", b""))
    return out


def _resolve(folder: str, target: str) -> list[str]:
    """The zip names a relationship target may mean to the readers (relative to the part, or absolute)."""
    if target.startswith("/"):
        return [posixpath.normpath(target.lstrip("/"))]
    return [posixpath.normpath(posixpath.join(folder, target)), posixpath.normpath(target)]


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ch - 64
    return n


def _check_extent(zf: zipfile.ZipFile, info: zipfile.ZipInfo, *, count_empty: bool = False) -> None:
    """Refuse a sheet whose cell area (last row × last column) is absurd, computed as the reader places cells
    (streamed: memory stays small). A quick screen clears the sheets every spreadsheet program writes; any
    other sheet is scanned tag by tag."""
    if not count_empty:
        max_row, max_col, plain = _screen_extent(zf, info)
        if plain and not _too_large(max_row, max_col):
            return
    max_row, max_col = _exact_extent(zf, info, count_empty=count_empty)
    if _too_large(max_row, max_col):
        raise WorkbookError(_EXTENT_MESSAGE.format(row=max_row, col=max_col))


def _too_large(max_row: int, max_col: int) -> bool:
    return max_col > MAX_SHEET_COLUMNS or max_row * max_col > MAX_SHEET_CELLS


def _chunks(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[tuple[bytes, bool]]:
    """(bytes, last) in 1 MB pieces, each starting with the last `_OVERLAP` bytes of the one before."""
    tail = b""
    with zf.open(info) as fh:
        chunk = fh.read(1 << 20)
        while chunk:
            following = fh.read(1 << 20)
            data = tail + chunk
            yield data, not following
            tail = data[-_OVERLAP:]
            chunk = following


def _screen_extent(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple[int, int, bool]:
    """Upper bounds of (last row, last column) of the filled cells, and whether every cell tag starts with a
    plain reference (without that, the bounds say nothing)."""
    columns: set[bytes] = set()
    max_row = 0
    for data, last in _chunks(zf, info):
        m = _UNREFERENCED_CELL.search(data)
        # a tag start near the end of a piece is cut off; the next piece repeats it whole
        if m and (last or m.start() < len(data) - 64):
            return 0, 0, False
        columns.update(_ANY_COLUMN.findall(data))
        for digits in _LONG_ROW.findall(data):
            max_row = max(max_row, int(digits))
    max_col = max((_column_number(c) for c in columns), default=0)
    return ((max_row or _SHORT_ROW_MAX) if max_col else 0), max_col, True


def _tokens(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[re.Match[bytes]]:
    """The markup of a part as the readers tokenise it (comments, CDATA and processing instructions skipped,
    `>` inside quoted attribute values kept), streamed. A part that is not such markup is refused."""
    buf = b""
    pos = 0
    with zf.open(info) as fh:
        eof = False
        while True:
            start = buf.find(b"<", pos)
            if start < 0:
                buf, pos = b"", 0
            else:
                m = _TOKEN.match(buf, start)
                if m is not None:
                    pos = m.end()
                    if m.group("name") is not None or m.group("doctype"):
                        yield m
                    continue
                if eof:
                    raise WorkbookError(_UNREADABLE)
                buf, pos = buf[start:], 0
                if len(buf) > _MAX_TOKEN:
                    raise WorkbookError(_UNREADABLE)
            if eof:
                return
            more = fh.read(1 << 20)
            eof = not more
            buf += more


def _exact_extent(
    zf: zipfile.ZipFile, info: zipfile.ZipInfo, *, count_empty: bool = False
) -> tuple[int, int]:
    """(last row, last column) of the cells the reader keeps, placed as python-calamine and openpyxl place
    them: a cell without `r` takes the column after the previous cell, a row without `r` the row after the
    previous row; `</row>` (or `<row/>`) moves on a row. Only cells with content count unless `count_empty`."""
    row, col = 1, 0  # the current row; the column of the previous cell in it
    max_row = max_col = 0
    for m in _tokens(zf, info):
        if m.group("doctype"):
            raise WorkbookError(_UNREADABLE)  # no spreadsheet program writes one; entities are not for us
        local = m.group("name").split(b":", 1)[-1]
        if local not in (b"row", b"c"):
            continue
        closing, empty = m.group("end") == b"/", m.group("attrs").rstrip().endswith(b"/")
        if local == b"row":
            if closing:
                row, col = row + 1, 0
                continue
            ref = _attribute(m.group("attrs"), b"r")
            if ref is not None:
                if not ref.isdigit() or len(ref) > 7:
                    raise WorkbookError(_UNREADABLE)
                row = int(ref)
            if empty:
                row, col = row + 1, 0
            continue
        if closing:
            continue
        ref = _attribute(m.group("attrs"), b"r")
        if ref is None:
            cell_row, col = row, col + 1
        else:
            parts = _REF.fullmatch(ref)
            if parts is None:
                raise WorkbookError(_UNREADABLE)
            cell_row, col = int(parts.group(2)), _column_number(parts.group(1))
        if count_empty or not empty:
            max_row, max_col = max(max_row, cell_row), max(max_col, col)
    return max_row, max_col


def _attribute(attrs: bytes, name: bytes) -> bytes | None:
    """The raw value of the attribute `name` (exact name: `x:r` is another attribute)."""
    for key, value in _ATTRIBUTE.findall(attrs.rstrip(b"/")):
        if key == name:
            return value[1:-1]
    return None


def iter_rows(source: Path | str | bytes | IO[bytes]) -> Iterator[list[Any]]:
    """Rows of the first sheet as lists of cell values, streamed. Raises WorkbookError for a bad file."""
    if hasattr(source, "read"):
        source = source.read()
    if isinstance(source, str):
        source = Path(source)
    _check_container(source)
    try:
        yield from _iter_calamine(source)
        return
    except WorkbookError:
        raise
    except ImportError:
        pass
    except Exception:  # noqa: BLE001 - calamine failed on an odd file: let openpyxl try
        pass
    # openpyxl keeps value-less cells too (a styled empty cell at XFD widens every row to 16,384): count them
    _check_container(source, count_empty=True)
    yield from _iter_openpyxl(source)


def _iter_calamine(source: Path | bytes) -> Iterator[list[Any]]:
    from python_calamine import CalamineWorkbook

    wb = (
        CalamineWorkbook.from_filelike(io.BytesIO(source))
        if isinstance(source, bytes)
        else CalamineWorkbook.from_path(str(source))
    )
    if not wb.sheet_names:
        raise WorkbookError("工作簿中没有工作表")
    sheet = wb.get_sheet_by_index(0)
    rows = sheet.iter_rows()
    first = True
    for row in rows:
        if first:
            first = False
        yield [None if v == "" else v for v in row]


def _iter_openpyxl(source: Path | bytes) -> Iterator[list[Any]]:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(
            io.BytesIO(source) if isinstance(source, bytes) else source, read_only=True, data_only=True
        )
    except Exception:  # noqa: BLE001
        raise WorkbookError("文件无法作为 Excel 工作簿读取；请在 Excel 或 WPS 中“另存为 .xlsx”后重新上传")
    try:
        if not wb.worksheets:
            raise WorkbookError("工作簿中没有工作表")
        sheet = wb.worksheets[0]
        sheet.reset_dimensions()  # the stored <dimension> is unchecked: rows are as wide as their cells
        for row in sheet.iter_rows(values_only=True):
            yield [None if v == "" else v for v in row]
    finally:
        wb.close()


@dataclass
class Sheet:
    name: str
    header: Sequence[str]
    rows: Iterable[Sequence[Any]]
    widths: Sequence[int] | None = None
    # column index -> list of allowed values (a drop-down list in Excel)
    choices: dict[int, Sequence[str]] = field(default_factory=dict)
    text_columns: Sequence[int] = ()
    date_columns: Sequence[int] = ()
    highlight_last_column: bool = False


def write_workbook(target: Path | str | IO[bytes], sheets: Sequence[Sheet]) -> None:
    """Write sheets with xlsxwriter (constant memory): bold frozen header, text and date columns typed."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(
        target, {"constant_memory": True, "strings_to_numbers": False, "strings_to_formulas": False}
    )
    try:
        bold = wb.add_format({"bold": True, "bg_color": "#F2DCDB", "border": 1})
        text = wb.add_format({"num_format": "@"})
        datef = wb.add_format({"num_format": "yyyy-mm-dd"})
        err = wb.add_format({"font_color": "#C00000"})
        for spec in sheets:
            ws = wb.add_worksheet(spec.name[:31])
            for col, name in enumerate(spec.header):
                width = spec.widths[col] if spec.widths else max(10, min(40, len(str(name)) * 2 + 4))
                fmt = text if col in spec.text_columns else datef if col in spec.date_columns else None
                ws.set_column(col, col, width, fmt)
                ws.write_string(0, col, str(name), bold)
            ws.freeze_panes(1, 0)
            r = 0
            for r, row in enumerate(spec.rows, start=1):
                for col, value in enumerate(row):
                    if value is None or value == "":
                        continue
                    if spec.highlight_last_column and col == len(spec.header) - 1:
                        ws.write_string(r, col, str(value), err)
                    elif col in spec.text_columns or isinstance(value, str):
                        ws.write_string(r, col, str(value))
                    elif hasattr(value, "year") and hasattr(value, "month"):
                        ws.write_datetime(r, col, value, datef)
                    else:
                        ws.write(r, col, value)
            for col, values in spec.choices.items():
                ws.data_validation(1, col, max(r, 1000), col, {"validate": "list", "source": list(values)})
    finally:
        wb.close()


def workbook_bytes(sheets: Sequence[Sheet]) -> bytes:
    buf = io.BytesIO()
    write_workbook(buf, sheets)
    return buf.getvalue()


XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
