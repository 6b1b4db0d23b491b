"""Shared pieces of `dangjian` commands: JSON output, exit codes, the import command base (design §4)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from .importing import Importer, ImportReport, run_import

EXIT_OK, EXIT_REJECTED, EXIT_USAGE = 0, 1, 2


def print_json(command: BaseCommand, data: Any) -> None:
    """Exactly one JSON document on stdout, UTF-8, ensure_ascii=False."""
    command.stdout.write(json.dumps(data, ensure_ascii=False, default=str), ending="\n")


def usage_error(message: str) -> CommandError:
    return CommandError(message, returncode=EXIT_USAGE)


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
