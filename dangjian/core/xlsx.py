"""Spreadsheet reading (streamed, python-calamine first, openpyxl as the fallback) and writing (xlsxwriter)."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

# Zip-bomb guard: no honest roster expands past this.
MAX_UNCOMPRESSED_BYTES = 400 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
# Sheet-extent guard: the reader allocates rows × columns of the used range, so one cell at XFD1048576 in a
# 5 KB file would ask for hundreds of GB and abort the process. No honest import sheet is anywhere near this.
MAX_SHEET_COLUMNS = 1000
MAX_SHEET_CELLS = 10_000_000
_CELL_REF = re.compile(rb"<(?:\w+:)?c\s[^>]*?\br=\"([A-Z]{1,3})([0-9]{1,7})\"[^>]*?(?<!/)>")
# The quick screen: every reference `_CELL_REF` finds is also found here (these match more: any `r="…"`), and
# they start with a literal, which the regex engine searches for fast. Rows below 100000 are not collected.
_ANY_COLUMN = re.compile(rb'r="([A-Z]{1,3})[0-9]')
_LONG_ROW = re.compile(rb'r="[A-Z]{0,3}([0-9]{6,7})"')
_SHORT_ROW_MAX = 99_999


class WorkbookError(ValueError):
    """The file as a whole cannot be read; the message is Chinese and says what to do."""


def _check_container(source: Path | bytes) -> None:
    data = source if isinstance(source, bytes) else None
    try:
        zf = zipfile.ZipFile(io.BytesIO(data) if data is not None else source)
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
        for info in zf.infolist():
            if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                _check_extent(zf, info)


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def _check_extent(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Refuse a sheet whose filled cells span an absurd range (streamed: memory stays small).

    A quick screen bounds the extent from above; only a sheet it cannot clear is scanned cell by cell."""
    if not _too_large(*_screen_extent(zf, info)):
        return
    max_row, max_col = _exact_extent(zf, info)
    if _too_large(max_row, max_col):
        raise WorkbookError(
            f"工作表的使用范围异常（第 {max_row} 行、第 {max_col} 列仍有内容），超出导入可处理的范围；"
            "请删除表格右侧和下方多余的行列，或将数据复制到新的工作簿后重新导入"
        )


def _too_large(max_row: int, max_col: int) -> bool:
    return max_col > MAX_SHEET_COLUMNS or max_row * max_col > MAX_SHEET_CELLS


def _chunks(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """The part's bytes in 1 MB pieces, each starting with the last 256 bytes of the one before."""
    tail = b""
    with zf.open(info) as fh:
        while chunk := fh.read(1 << 20):
            data = tail + chunk
            yield data
            tail = data[-256:]


def _screen_extent(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple[int, int]:
    """Upper bounds of (last row, last column) of the filled cells."""
    columns: set[bytes] = set()
    max_row = 0
    for data in _chunks(zf, info):
        columns.update(_ANY_COLUMN.findall(data))
        for digits in _LONG_ROW.findall(data):
            max_row = max(max_row, int(digits))
    max_col = max((_column_number(c) for c in columns), default=0)
    return (max_row or _SHORT_ROW_MAX) if max_col else 0, max_col


def _exact_extent(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple[int, int]:
    max_row = max_col = 0
    for data in _chunks(zf, info):
        for m in _CELL_REF.finditer(data):
            max_col = max(max_col, _column_number(m.group(1)))
            max_row = max(max_row, int(m.group(2)))
    return max_row, max_col


def iter_rows(source: Path | str | bytes | IO[bytes]) -> Iterator[list[Any]]:
    """Rows of the first sheet as lists of cell values, streamed. Raises WorkbookError for a bad file."""
    if hasattr(source, "read"):
        source = source.read()  # type: ignore[union-attr]
    if isinstance(source, str):
        source = Path(source)
    _check_container(source)  # type: ignore[arg-type]
    try:
        yield from _iter_calamine(source)  # type: ignore[arg-type]
        return
    except WorkbookError:
        raise
    except ImportError:
        pass
    except Exception:  # noqa: BLE001 - calamine failed on an odd file: let openpyxl try
        pass
    yield from _iter_openpyxl(source)  # type: ignore[arg-type]


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
        for row in wb.worksheets[0].iter_rows(values_only=True):
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
