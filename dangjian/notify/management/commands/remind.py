"""`dangjian remind --month YYYY-MM [--dry-run] [--json]` — 月提醒 (design §4); `--loop` keeps running for cron-less
deployments (each pass handles the current month; delivery is idempotent, so passes may repeat freely)."""

from __future__ import annotations

import signal
import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from dangjian.core import progress, stamps
from dangjian.core.commands import print_json, terminal_progress, usage_error
from dangjian.core.periods import Period, PeriodKind
from dangjian.notify import monthly, services


class Command(BaseCommand):
    help = "月提醒：按月初情况汇总各党组织的待办事项，通过站内通知、邮件和群机器人推送（每条只推送一次）"

    def add_arguments(self, parser):
        parser.add_argument("--month", help="月份，如 2026-12（以该月 1 日为准计算）")
        parser.add_argument("--dry-run", action="store_true", help="只计算并输出，不推送")
        parser.add_argument("--json", action="store_true")
        parser.add_argument(
            "--loop", action="store_true", help="常驻运行，每隔 --interval 秒处理一次当月提醒"
        )
        parser.add_argument("--interval", type=int, default=3600, help="循环间隔秒数（默认 3600）")
        parser.add_argument("--iterations", type=int, default=0, help=argparse_hidden())

    def handle(self, *args, **options):
        if options["loop"]:
            return self._loop(options)
        if not options["month"]:
            raise usage_error("请用 --month 指定月份，如 --month 2026-12")
        try:
            month = Period.parse(options["month"])
        except ValueError as exc:
            raise usage_error(str(exc))
        if month.kind != PeriodKind.MONTH:
            raise usage_error("--month 应写作 YYYY-MM，如 2026-12")
        with terminal_progress(self, options["json"]):
            self._run(month, options)

    def _run(self, month: Period, options) -> None:
        progress.report("汇总待办事项", 0, 2)
        org_items = monthly.build(month)
        progress.report("推送提醒", 1, 2)
        report = None if options["dry_run"] else services.deliver(month, org_items)
        if not options["dry_run"]:
            stamps.compact()  # a periodic job: fold the data-version rows of the writes since the last run
        progress.report("推送提醒", 2, 2)
        if options["json"]:
            print_json(self, {"month": str(month), "orgs": [oi.as_json() for oi in org_items]})
            return
        with_items = [oi for oi in org_items if oi.items]
        self.stdout.write(
            f"{month.label}月提醒：{len(with_items)} 个党组织有待办事项（共 {len(org_items)} 个党组织）"
        )
        for oi in with_items:
            self.stdout.write(f"【{oi.org.name}】")
            for item in oi.items:
                self.stdout.write(f"  · {monthly.describe(item)}")
        if report is None:
            self.stdout.write("【试运行】未推送任何提醒")
        else:
            self.stdout.write(
                f"新推送站内通知 {report.notifications} 条，外部推送 {report.deliveries} 条"
                f"（成功 {report.sent}，失败 {report.failed}）"
            )

    def _loop(self, options) -> None:
        stop = {"now": False}
        signal.signal(signal.SIGTERM, lambda *_: stop.update(now=True))
        done = 0
        while not stop["now"]:
            today = timezone.localdate()
            self._run(Period.month(today.year, today.month), {**options, "json": False})
            done += 1
            if options["iterations"] and done >= options["iterations"]:
                break
            for _ in range(max(1, options["interval"])):
                if stop["now"]:
                    break
                time.sleep(1)


def argparse_hidden():
    import argparse

    return argparse.SUPPRESS
