"""`dangjian import_dues FILE [--dry-run] [--skip-invalid] [--errors-out PATH] [--json]` (design §4–§5): 党费基数 or
党费缴纳, told apart by the header; the same contract as the other importers (atomic by default, exit 0/1/2)."""

from __future__ import annotations

import sys
from pathlib import Path

from dangjian.core.commands import EXIT_REJECTED, ImportCommand, terminal_progress, usage_error
from dangjian.dues.importing import KIND_LABELS, import_dues


class Command(ImportCommand):
    help = (
        "导入党费：党费基数表（公民身份号码、年度、月收入，可选生效月份、减免、减免原因）或党费缴纳表（公民身份号码、"
        "所属月份、金额、缴纳日期、方式），按表头自动识别"
    )

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise usage_error(f"找不到文件：{path}")
        with terminal_progress(self, options["json"]):
            kind, report = import_dues(
                path,
                actor_name="命令行 import_dues",
                dry_run=options["dry_run"],
                skip_invalid=options["skip_invalid"],
                errors_out=options.get("errors_out"),
            )
        if kind is not None and not options["json"]:
            self.stdout.write(f"表格类型：{KIND_LABELS[kind]}")
        self.emit(report, options)
        if report.errors:
            sys.exit(EXIT_REJECTED)
