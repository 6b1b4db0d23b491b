"""`dangjian report --year Y [--org CODE] --out FILE.docx` — the yearly analysis report (design §4)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand

from dangjian.core import audit
from dangjian.core.commands import usage_error
from dangjian.core.models import AuditAction
from dangjian.orgs.models import Organization
from dangjian.reports import annual


class Command(BaseCommand):
    help = "生成年度党建工作情况分析报告（.docx，公文格式）"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--org", metavar="CODE", help="只统计该党组织及其下级")
        parser.add_argument("--out", required=True, help="输出文件，如 report.docx")

    def handle(self, *args, **options):
        root = None
        if options["org"]:
            root = Organization.objects.filter(code=options["org"]).first()
            if root is None:
                raise usage_error(f"找不到组织代码为“{options['org']}”的党组织")
        out = Path(options["out"])
        if out.suffix.lower() != ".docx":
            raise usage_error("--out 应为 .docx 文件")
        if not out.parent.exists():
            raise usage_error(f"目录不存在：{out.parent}")
        report = annual.build(options["year"], root)
        report.to_document().save(out)
        audit.record(
            AuditAction.EXPORT,
            actor_name="命令行 report",
            model="reports.annual",
            object_repr=f"{options['year']}年度分析报告",
            note=str(out),
        )
        self.stdout.write(
            f"已生成 {out}：发现问题 {len(report.problems)} 项，统计指标 {len(report.metrics.rows())} 项"
        )
