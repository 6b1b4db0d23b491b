"""The import framework every spreadsheet import shares (roster, organisations, 台账, study; design §4–§5).

An `Importer` names its columns (canonical name and synonyms), turns one row into a prepared record or errors,
checks rows against each other, says what writing a record would do (create / update / unchanged) and writes.
`run_import` does the rest the same way for all of them: header matching, atomic or skip-invalid, dry run,
the JSON report, the error workbook. Nothing is written unless the run is real and allowed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

from django.db import transaction

from . import audit, progress
from .audit import AuditActor
from .models import AuditAction
from .xlsx import Sheet, WorkbookError, iter_rows, write_workbook

R = TypeVar("R")

CREATE, UPDATE, UNCHANGED, REJECTED = "created", "updated", "unchanged", "rejected"
ACTION_LABELS = {CREATE: "新增", UPDATE: "更新", UNCHANGED: "无变化", REJECTED: "有错误"}
MAX_CELL_CHARS = 2000


@dataclass(frozen=True)
class Column:
    name: str  # canonical (design §5)
    synonyms: tuple[str, ...] = ()
    required: bool = False  # the column must be present in the header
    choices: tuple[str, ...] = ()  # drop-down values in the template
    text: bool = False  # format the template column as text (ID numbers, phones)
    example: Any = None


@dataclass
class RowError:
    row: int
    column: str
    value: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "value": self.value, "message": self.message}


class RowErrors(Exception):
    """Raised by `Importer.prepare` with every problem of the row."""

    def __init__(self, errors: list[tuple[str, Any, str]]):
        super().__init__(errors)
        self.errors = errors  # (column, value, message)


@dataclass(slots=True)  # one per row of a file of a hundred thousand rows
class RowOutcome(Generic[R]):
    row: int
    values: dict[str, Any]
    raw: list[Any]
    record: R | None = None
    action: str = REJECTED
    errors: list[RowError] = field(default_factory=list)
    changes: dict[str, list[Any]] = field(default_factory=dict)


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    written: bool = False
    outcomes: list[RowOutcome] = field(default_factory=list)
    header: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_json(self) -> dict[str, Any]:
        """Exactly the contract of design §4."""
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "errors": [e.as_dict() for e in self.errors],
        }

    def summary(self) -> str:
        state = "已写入" if self.written else "未写入"
        return (
            f"共 {self.rows} 行：新增 {self.created}，更新 {self.updated}，无变化 {self.unchanged}，"
            f"有错误 {self.rejected}（{state}）"
        )


class Importer(Generic[R]):
    """Subclass per import. `prepare` is pure per row; `plan` and `write` touch the database."""

    title: str = "导入"
    columns: Sequence[Column] = ()

    def __init__(self, actor: AuditActor = None, actor_name: str = ""):
        self.actor = actor
        self.actor_name = actor_name

    # -- per row ---------------------------------------------------------------------------------
    def prepare(self, values: dict[str, Any], row: int) -> R:
        """Validate one row (values keyed by canonical column) and return the record; raise RowErrors."""
        raise NotImplementedError

    def key(self, record: R) -> Any:
        """The natural key, for duplicate detection inside the file; None to skip that check."""
        return None

    def duplicate_message(self) -> tuple[str, str]:
        return ("", "文件中有重复的行；请删除重复行后重新导入")

    # -- all rows --------------------------------------------------------------------------------
    def load_existing(self, records: list[R]) -> None:
        """Fetch what `plan` needs in bulk (a constant number of queries)."""

    def plan(self, record: R) -> tuple[str, dict[str, list[Any]]]:
        """(CREATE | UPDATE | UNCHANGED, changes) for a valid record."""
        raise NotImplementedError

    def write(self, outcomes: list[RowOutcome[R]]) -> None:
        """Write the planned records (created/updated ones) and audit them. Called inside a transaction."""
        raise NotImplementedError


def _canon(text: Any) -> str:
    return "".join(str(text or "").split())


def match_header(
    header: Sequence[Any], columns: Sequence[Column]
) -> tuple[dict[str, int], list[str], list[str]]:
    """(canonical name → index, warnings for unknown columns, names of missing required columns)."""
    lookup: dict[str, str] = {}
    for c in columns:
        for name in (c.name, *c.synonyms):
            lookup[_canon(name)] = c.name
    index: dict[str, int] = {}
    warnings: list[str] = []
    for i, cell in enumerate(header):
        name = _canon(cell)
        if not name:
            continue
        canonical = lookup.get(name)
        if canonical is None:
            warnings.append(f"第 {i + 1} 列“{str(cell).strip()[:40]}”不是可识别的列名，已忽略")
        elif canonical in index:
            warnings.append(f"列“{canonical}”出现了多次，只使用第一次出现的那一列")
        else:
            index[canonical] = i
    missing = [c.name for c in columns if c.required and c.name not in index]
    return index, warnings, missing


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        if len(value) > MAX_CELL_CHARS:
            value = value[:MAX_CELL_CHARS]
        return value or None
    if isinstance(value, float) and value != value:  # NaN
        return None
    return value


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value)) if abs(value) < 1e15 else f"{value:.0f}"
    text = str(value)
    return text[:200]


def run_import(
    importer: Importer[R],
    source: Path | str | bytes,
    *,
    dry_run: bool = False,
    skip_invalid: bool = False,
    errors_out: Path | str | None = None,
    keep_outcomes: bool = False,
) -> ImportReport:
    report = ImportReport()
    if hasattr(source, "read"):
        source = source.read()  # read again for the error workbook
    try:
        rows: Iterator[list[Any]] = iter_rows(source)
        header = next(rows, None)
        if header is None or not any(_cell(c) for c in header):
            raise WorkbookError("工作簿第一个工作表是空的；第1行应为表头")
        index, warnings, missing = match_header(header, importer.columns)
        report.header = [str(c or "") for c in header]
        report.warnings = warnings
        if missing:
            raise WorkbookError(
                f"缺少必需的列：{'、'.join(missing)}；请使用模板的表头（第1行），列名可参照导入说明中的同义写法"
            )
        outcomes = _prepare_all(importer, rows, index, keep_cells=keep_outcomes)
    except WorkbookError as exc:
        report.errors.append(RowError(row=1, column="", value="", message=str(exc)))
        return report
    except (ValueError, TypeError, KeyError, IndexError, OverflowError, RecursionError) as exc:
        # A hostile or corrupt file the readers choke on: report it, never a traceback.
        report.errors.append(
            RowError(
                row=1,
                column="",
                value="",
                message=f"文件内容无法读取（{type(exc).__name__}）；请另存为标准 .xlsx 后重试",
            )
        )
        return report

    report.rows = len(outcomes)
    _check_duplicates(importer, outcomes)
    valid = [o for o in outcomes if not o.errors]
    importer.load_existing([o.record for o in valid])  # type: ignore[misc]
    for i, o in enumerate(valid, start=1):
        progress.every(1000, "核对", i, len(valid))
        try:
            o.action, o.changes = importer.plan(o.record)  # type: ignore[arg-type]
        except RowErrors as exc:
            o.errors = [RowError(o.row, c, _shown(v), m) for c, v, m in exc.errors]
            o.action = REJECTED
    for o in outcomes:
        if o.errors:
            o.action = REJECTED
            report.errors.extend(o.errors)
    report.created = sum(o.action == CREATE for o in outcomes)
    report.updated = sum(o.action == UPDATE for o in outcomes)
    report.unchanged = sum(o.action == UNCHANGED for o in outcomes)
    report.rejected = sum(o.action == REJECTED for o in outcomes)

    may_write = not dry_run and (skip_invalid or report.rejected == 0)
    if may_write:
        todo = [o for o in outcomes if o.action in (CREATE, UPDATE)]
        if todo:
            with transaction.atomic():
                importer.write(todo)
                audit.record(
                    AuditAction.IMPORT,
                    actor=importer.actor,
                    actor_name=importer.actor_name,
                    object_repr=importer.title,
                    note=report.summary(),
                )
        report.written = True
    if errors_out and report.rejected:
        _restore_cells(source, outcomes)
        write_error_workbook(errors_out, report.header, outcomes)
    if keep_outcomes:
        report.outcomes = outcomes
    return report


def _prepare_all(
    importer: Importer[R], rows: Iterable[list[Any]], index: dict[str, int], *, keep_cells: bool = True
) -> list[RowOutcome[R]]:
    """`keep_cells=False`: a valid row keeps only the cell a duplicate's message shows; its cells are read
    again from the file if it is rejected later (`_restore_cells`), so that a big file's cells and its
    prepared records are not all held at once."""
    outcomes: list[RowOutcome[R]] = []
    columns = list(index.items())
    shown = importer.duplicate_message()[0]
    for rowno, raw in enumerate(rows, start=2):
        # `_cell`, with its common cases inline (this runs for every cell of the file)
        cells = [
            (v.strip()[:MAX_CELL_CHARS] or None) if type(v) is str else None if v is None else _cell(v)
            for v in raw
        ]
        width = len(cells)
        if cells.count(None) == width:
            continue  # blank lines are not rows
        values = {name: cells[i] if i < width else None for name, i in columns}
        o: RowOutcome[R] = RowOutcome(row=rowno, values=values, raw=list(raw))
        progress.every(1000, "校验", rowno - 1)
        try:
            o.record = importer.prepare(values, rowno)
        except RowErrors as exc:
            o.errors = [RowError(rowno, c, _shown(v), m) for c, v, m in exc.errors]
        else:
            if not keep_cells:
                o.raw, o.values = _NO_CELLS, {shown: values.get(shown)} if shown else _NO_VALUES
        outcomes.append(o)
    return outcomes


# shared by the valid rows that let their cells go (never written to)
_NO_CELLS: list[Any] = []
_NO_VALUES: dict[str, Any] = {}


def _restore_cells(source: Path | str | bytes, outcomes: list[RowOutcome]) -> None:
    """Read the cells of rejected rows that let them go back from the file, for the error workbook."""
    wanted = {o.row: o for o in outcomes if o.action == REJECTED and o.raw is _NO_CELLS}
    if not wanted:
        return
    for rowno, raw in enumerate(iter_rows(source), start=1):
        o = wanted.get(rowno)
        if o is not None:
            o.raw = list(raw)


def _check_duplicates(importer: Importer[R], outcomes: list[RowOutcome[R]]) -> None:
    seen: dict[Any, list[RowOutcome[R]]] = {}
    for o in outcomes:
        if o.errors or o.record is None:
            continue
        k = importer.key(o.record)
        if k is not None:
            seen.setdefault(k, []).append(o)
    column, message = importer.duplicate_message()
    for group in seen.values():
        if len(group) > 1:
            rows = "、".join(str(o.row) for o in group)
            for o in group:
                o.errors.append(
                    RowError(o.row, column, _shown(o.values.get(column)), f"{message}（第 {rows} 行重复）")
                )


def write_error_workbook(target: Path | str, header: list[str], outcomes: list[RowOutcome]) -> None:
    width = len(header)
    rows = []
    for o in outcomes:
        if o.action != REJECTED:
            continue
        cells = [_shown(v) for v in (o.raw + [None] * width)[:width]]
        reasons = "；".join(f"第{e.row}行【{e.column or '整行'}】{e.message}" for e in o.errors)
        rows.append([*cells, reasons])
    write_workbook(
        target,
        [
            Sheet(
                name="未导入的行",
                header=[*header, "错误原因"],
                rows=rows,
                text_columns=range(width + 1),
                highlight_last_column=True,
            )
        ],
    )


def template_sheet(columns: Sequence[Column], name: str = "导入模板") -> Sheet:
    """A template: the canonical header, one example row, drop-downs for fixed-choice columns."""
    header = [c.name for c in columns]
    example = [c.example for c in columns]
    choices: dict[int, Sequence[str]] = {i: c.choices for i, c in enumerate(columns) if c.choices}
    text_cols = [i for i, c in enumerate(columns) if c.text]
    return Sheet(name=name, header=header, rows=[example], choices=choices, text_columns=text_cols)
