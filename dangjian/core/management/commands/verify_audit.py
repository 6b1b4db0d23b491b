"""`dangjian verify_audit [--json]`: check the audit log's hash chain (design §4).

Exit 0 when intact; exit 1 with the first broken entry when an entry was altered, removed or reordered.
"""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand

from dangjian.core.audit import verify_chain
from dangjian.core.commands import EXIT_REJECTED, print_json
from dangjian.core.models import AuditEntry


class Command(BaseCommand):
    help = "校验审计日志的哈希链是否完整（发现修改或删除时退出码为 1）"

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="以 JSON 输出结果")

    def handle(self, *args, **options):
        entries = AuditEntry.objects.count()
        problem = verify_chain()
        if options["json"]:
            data: dict = {"ok": problem is None, "entries": entries}
            if problem is not None:
                data["first_broken"] = {"id": problem.entry_id, "message": problem.message}
            print_json(self, data)
        elif problem is None:
            self.stdout.write(f"审计日志完整：共 {entries} 条记录，哈希链未发现修改或删除。")
        else:
            where = f"第 {problem.entry_id} 条" if problem.entry_id is not None else "日志末尾"
            self.stdout.write(f"审计日志已被改动（共 {entries} 条记录）。首个异常位置：{where}。")
            self.stdout.write(problem.message)
        if problem is not None:
            sys.exit(EXIT_REJECTED)
