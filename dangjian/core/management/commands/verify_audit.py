"""`dangjian verify_audit [--json]`: check the audit log's keyed hash chain (design §4).

Three checks (core.audit.verify): every entry's keyed hash (HMAC-SHA256, key outside the database) and its link
to the previous one; the chain's start (the first entry chained to nothing, the genesis entry sealing the older,
unkeyed segment); and the latest checkpoint file (its n-th entry is its head; fewer than n entries = deleted at
the end). Exit 0 when intact; exit 1 with the first broken entry otherwise. JSON:
{"ok": true, "entries": n, "checkpoint": {"entries": n, "head": "…"} | null, "first_broken": null | ID,
"reason": "…"}.
"""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand

from dangjian.core.audit import verify
from dangjian.core.commands import EXIT_REJECTED, print_json


class Command(BaseCommand):
    help = "校验审计日志的密钥哈希链、创世记录和检查点（发现修改或删除时退出码为 1）"

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="以 JSON 输出结果")

    def handle(self, *args, **options):
        result = verify()
        if options["json"]:
            print_json(self, result.as_json())
        elif result.ok:
            cp = result.checkpoint
            against = f"，与检查点（{cp.entries} 条）相符" if cp else ""
            self.stdout.write(f"审计日志完整：共 {result.entries} 条记录{against}，未发现修改或删除。")
            for note in result.notes:
                self.stdout.write(f"提示：{note}")
        else:
            problem = result.problem
            assert problem is not None  # not ok means a problem was found
            where = f"第 {problem.entry_id} 条" if problem.entry_id is not None else "日志末尾或链的整体"
            self.stdout.write(f"审计日志已被改动（共 {result.entries} 条记录）。首个异常位置：{where}。")
            self.stdout.write(problem.message)
        if not result.ok:
            sys.exit(EXIT_REJECTED)
