"""`dangjian warm [--json]` — compute and memoise the figures the first pages after a restart need (run it after
`migrate` / a deploy); the same work as the warm-up job. A progress bar on a terminal, none with --json."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from dangjian.core.commands import print_json, terminal_progress
from dangjian.jobs import services


class Command(BaseCommand):
    help = "缓存预热：计算并缓存全系统及各一级党组织的驾驶舱数据（重启或部署后运行）"

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        with terminal_progress(self, options["json"]):
            n = services.warm()
        if options["json"]:
            print_json(self, {"warmed": n})
            return
        self.stdout.write(f"已预热 {n} 个范围的驾驶舱数据")
