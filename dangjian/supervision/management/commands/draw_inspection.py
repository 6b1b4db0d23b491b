"""`dangjian draw_inspection --quarter 2026Q4 (--count N | --ratio R) [--seed S] [--stratify] [--include-failing]
[--replace] [--dry-run] [--json]` — the 季抽查 sample (design §4).

Exit 0: drawn (or, with --dry-run, would be drawn); 1: refused (e.g. the quarter already has a round and
--replace was not given, or no candidates); 2: usage error.
"""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand

from dangjian.core.commands import EXIT_REJECTED, print_json, usage_error
from dangjian.supervision import services
from dangjian.supervision.services.common import ServiceError
from dangjian.supervision.services.inspections import parse_quarter, parse_ratio


class Command(BaseCommand):
    help = "季度抽查：从党支部中随机抽取抽查对象（记录随机种子，可复核）"

    def add_arguments(self, parser):
        parser.add_argument("--quarter", required=True, help="抽查季度，如 2026Q4")
        size = parser.add_mutually_exclusive_group(required=True)
        size.add_argument("--count", type=int, help="抽取数量")
        size.add_argument("--ratio", help="抽取比例，如 0.3（向上取整）")
        parser.add_argument("--seed", type=int, help="随机种子（非负整数）；省略则随机生成并输出")
        parser.add_argument("--stratify", action="store_true", help="按单位类别分层抽取")
        parser.add_argument(
            "--include-failing", action="store_true", help="上季度制度落实未达标的党组织必查（先行纳入）"
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="本季度已有抽查轮次时作废原轮次并重新抽取（原轮次已录入检查结果的不允许）",
        )
        parser.add_argument("--dry-run", action="store_true", help="只抽取并报告，不保存")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出结果")

    def handle(self, *args, **options):
        try:
            quarter = parse_quarter(options["quarter"])
            ratio = parse_ratio(options["ratio"]) if options["ratio"] is not None else None
        except ServiceError as exc:
            raise usage_error(str(exc))
        if options["count"] is not None and options["count"] < 1:
            raise usage_error("--count 须为正整数")
        if options["seed"] is not None and options["seed"] < 0:
            raise usage_error("--seed 须为非负整数")
        req = services.DrawRequest(
            quarter=quarter,
            count=options["count"],
            ratio=ratio,
            seed=options["seed"],
            stratify=options["stratify"],
            include_failing=options["include_failing"],
            replace=options["replace"],
        )
        try:
            plan = services.plan_draw(req)
            if not options["dry_run"]:
                services.create_round(plan, actor_name="命令行 draw_inspection")
        except ServiceError as exc:
            if options["json"]:
                print_json(
                    self, {"quarter": str(quarter), "seed": options["seed"], "orgs": [], "error": str(exc)}
                )
            else:
                self.stderr.write(f"未抽取：{exc}")
            sys.exit(EXIT_REJECTED)
        if options["json"]:
            print_json(self, plan.as_json())
            return
        prefix = "【试运行，未保存】" if options["dry_run"] else ""
        self.stdout.write(
            f"{prefix}{quarter.label}：从 {len(plan.candidates)} 个党组织中抽取 {len(plan.codes)} 个，随机种子 {plan.seed}"
        )
        if plan.result.allocation:
            self.stdout.write("分层名额：" + "，".join(f"{k} {v}" for k, v in plan.result.allocation.items()))
        for code in plan.codes:
            mark = "（上季度未达标必查）" if code in plan.result.forced else ""
            self.stdout.write(f"  {code}  {plan.orgs[code].name}{mark}")
