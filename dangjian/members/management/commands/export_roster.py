"""`dangjian export_roster [--org CODE] --out FILE` (design §4): the current members in the canonical columns,
with full ID numbers so that the file re-imports unchanged. Audited as an export of personal data."""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand

from dangjian.core.commands import EXIT_REJECTED
from dangjian.members import services
from dangjian.members.models import Member
from dangjian.members.roster import write_roster
from dangjian.orgs.models import Organization


class Command(BaseCommand):
    help = "导出党员名册（在册党员；列与导入模板一致，可直接重新导入）"

    def add_arguments(self, parser):
        parser.add_argument("--org", metavar="CODE", help="只导出该党组织及其下级党组织的党员（组织代码）")
        parser.add_argument("--out", metavar="FILE", required=True, help="输出的 Excel 文件（.xlsx）")

    def handle(self, *args, **options):
        members = Member.objects.current()
        scope = "全部党组织"
        code = options.get("org")
        if code:
            org = Organization.objects.filter(code=code.strip()).first()
            if org is None:
                self.stderr.write(f"找不到组织代码为“{code}”的党组织；请核对代码（可在党组织页面查看）")
                sys.exit(EXIT_REJECTED)
            members = members.filter(organization__path__startswith=org.path)
            scope = f"{org.name}及下级"
        out = Path(options["out"])
        if out.parent and not out.parent.exists():
            self.stderr.write(f"输出目录不存在：{out.parent}")
            sys.exit(EXIT_REJECTED)
        count = write_roster(out, members, full=True)
        services.record_export(
            actor=None, actor_name="命令行 export_roster", count=count, full=True, scope=scope
        )
        self.stdout.write(f"已导出 {count} 名党员（{scope}）到 {out}")
