"""`dangjian report --year Y [--org CODE] [--out FILE.docx] [--appendix FILE.xlsx] [--json]` — the yearly
analysis report (design §4): the .docx, the appendix workbook of figures with their queries, the figures as JSON."""

from __future__ import annotations

from argparse import RawDescriptionHelpFormatter
from pathlib import Path

from django.core.management.base import BaseCommand

from dangjian.core import audit, progress
from dangjian.core.commands import print_json, terminal_progress, usage_error
from dangjian.core.models import AuditAction
from dangjian.orgs.models import Organization
from dangjian.reports import annual
from dangjian.reports.facts import report_day
from dangjian.reports.figures import FIGURES_HELP, figures


def _target(value: str | None, suffix: str, option: str) -> Path | None:
    if value is None:
        return None
    path = Path(value)
    if path.suffix.lower() != suffix:
        raise usage_error(f"{option} 应为 {suffix} 文件")
    if not path.parent.exists():
        raise usage_error(f"目录不存在：{path.parent}")
    return path


class Command(BaseCommand):
    help = (
        "生成年度党建工作情况分析报告：--out 写 Word 文档（公文格式），--appendix 写“数据及来源”工作簿"
        "（序号、部分、指标、数值、查询），--json 输出全部数据 {year, org, as_of, figures}。三者至少选一。\n"
        + FIGURES_HELP
    )

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.formatter_class = RawDescriptionHelpFormatter
        return parser

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--org", metavar="CODE", help="只统计该党组织及其下级")
        parser.add_argument("--out", metavar="FILE.docx", help="输出 Word 报告")
        parser.add_argument("--appendix", metavar="FILE.xlsx", help="输出附表：每个数据及其查询")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出报告使用的全部数据")

    def handle(self, *args, **options):
        if not (options["out"] or options["appendix"] or options["json"]):
            raise usage_error("请至少指定 --out、--appendix、--json 之一")
        root = None
        if options["org"]:
            root = Organization.objects.filter(code=options["org"]).first()
            if root is None:
                raise usage_error(f"找不到组织代码为“{options['org']}”的党组织")
        out = _target(options["out"], ".docx", "--out")
        appendix = _target(options["appendix"], ".xlsx", "--appendix")
        year = options["year"]
        written = []
        with terminal_progress(self, options["json"]):
            progress.report("统计数据", 0, 3)
            report = annual.build(year, root)
            progress.report("生成文件", 1, 3)
            if out is not None:
                report.to_document().save(out)
                written.append(str(out))
            progress.report("生成文件", 2, 3)
            if appendix is not None:
                appendix.write_bytes(report.appendix_workbook())
                written.append(str(appendix))
            progress.report("生成文件", 3, 3)
        if written:
            audit.record(
                AuditAction.EXPORT,
                actor_name="命令行 report",
                model="reports.annual",
                object_repr=f"{year}年度分析报告",
                note="、".join(written),
            )
        if options["json"]:
            print_json(
                self,
                {
                    "year": year,
                    "org": root.code if root is not None else None,
                    "as_of": report_day(year).isoformat(),
                    "figures": figures(report.metrics),
                },
            )
            return
        for path in written:
            self.stdout.write(f"已生成 {path}")
        self.stdout.write(f"发现问题 {len(report.problems)} 项，统计指标 {len(report.metrics.rows())} 项")
