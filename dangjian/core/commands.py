"""Shared pieces of `dangjian` commands: JSON output, exit codes, the import command base (design §4), and the
progress bar long commands draw on a terminal (`terminal_progress`)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from . import progress
from .importing import Importer, ImportReport, run_import

EXIT_OK, EXIT_REJECTED, EXIT_USAGE = 0, 1, 2


def print_json(command: BaseCommand, data: Any) -> None:
    """Exactly one JSON document on stdout, UTF-8, ensure_ascii=False."""
    command.stdout.write(json.dumps(data, ensure_ascii=False, default=str), ending="\n")


def usage_error(message: str) -> CommandError:
    return CommandError(message, returncode=EXIT_USAGE)


def _is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


@contextmanager
def terminal_progress(command: BaseCommand, as_json: bool = False) -> Iterator[None]:
    """Draw the work's `core.progress` reports as a bar (tqdm, on stderr) while stdout is a terminal and the
    output is not --json; otherwise nothing at all, so that the command's output stays exactly its contract."""
    if as_json or not _is_terminal(command.stdout):
        yield
        return
    from tqdm import tqdm

    state: dict[str, Any] = {"bar": None, "stage": None}

    def listener(stage: str, done: int, total: int) -> None:
        bar = state["bar"]
        if bar is None or stage != state["stage"]:
            if bar is not None:
                bar.close()
            bar = tqdm(
                total=total or None, desc=stage, unit="行", file=sys.stderr, leave=False, dynamic_ncols=True
            )
            state.update(bar=bar, stage=stage)
        if total and bar.total != total:
            bar.total = total
        bar.update(max(0, done - bar.n))

    try:
        with progress.listening(listener):
            yield
    finally:
        if state["bar"] is not None:
            state["bar"].close()


class ImportCommand(BaseCommand):
    """`dangjian import_xxx FILE [--dry-run] [--skip-invalid] [--errors-out PATH] [--json]`."""

    help = "导入"
    supports_errors_out = True
    supports_skip_invalid = True

    def make_importer(self, options: dict[str, Any]) -> Importer:
        raise NotImplementedError

    def add_arguments(self, parser):
        parser.add_argument("file", help="Excel 工作簿（.xlsx）")
        parser.add_argument("--dry-run", action="store_true", help="只校验并报告，不写入")
        if self.supports_skip_invalid:
            parser.add_argument("--skip-invalid", action="store_true", help="写入有效行，跳过有错误的行")
        if self.supports_errors_out:
            parser.add_argument("--errors-out", metavar="PATH", help="把有错误的行连同“错误原因”写入此工作簿")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出结果")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise usage_error(f"找不到文件：{path}")
        importer = self.make_importer(options)
        with terminal_progress(self, options["json"]):
            report = run_import(
                importer,
                path,
                dry_run=options["dry_run"],
                skip_invalid=options.get("skip_invalid", False),
                errors_out=options.get("errors_out"),
            )
        self.emit(report, options)
        if report.errors:
            sys.exit(EXIT_REJECTED)

    def emit(self, report: ImportReport, options: dict[str, Any]) -> None:
        if options["json"]:
            print_json(self, report.as_json())
            return
        for w in report.warnings:
            self.stderr.write(f"提示：{w}")
        for e in report.errors[:200]:
            where = f"第{e.row}行" + (f"【{e.column}】" if e.column else "")
            value = f"（值：{e.value}）" if e.value else ""
            self.stdout.write(f"{where}{e.message}{value}")
        if len(report.errors) > 200:
            self.stdout.write(f"……另有 {len(report.errors) - 200} 处错误未列出")
        if options["dry_run"]:
            self.stdout.write("【试运行】" + report.summary())
        else:
            self.stdout.write(report.summary())
