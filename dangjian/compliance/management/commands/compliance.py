"""`dangjian compliance --year Y [--quarter Q | --month M] [--org CODE] [--json]` (design §4).

One row per organisation × requirement × the requirement's own period inside the asked range: a monthly
requirement gives 12 rows for a year and 3 for a quarter; a quarterly one 4 for a year; a yearly one 1. A
requirement coarser than the range gives the one period of its own that contains the range (asked for 2025Q3,
a yearly requirement gives its row for 2025, as of today), see `dangjian.compliance.engine`.

Only approved records count (`done`, `activities`); 待审核 = met only with records still awaiting review. Each
period is evaluated with the requirement revision valid in it (docs/rules-compliance.md).
"""

from __future__ import annotations

from collections import Counter

from django.core.management.base import BaseCommand

from dangjian.compliance import services
from dangjian.compliance.engine import STATUSES
from dangjian.core.commands import print_json, usage_error
from dangjian.core.periods import Period
from dangjian.orgs.models import Organization

MIN_YEAR, MAX_YEAR = 1921, 2100


def range_from(year: int, quarter: int | None, month: int | None) -> Period:
    """The asked range, or a usage error naming the bad argument."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise usage_error(f"--year 应为 {MIN_YEAR}–{MAX_YEAR} 之间的四位年份，收到 {year}")
    if quarter is not None and month is not None:
        raise usage_error("--quarter 与 --month 只能选一个")
    if quarter is not None:
        if not 1 <= quarter <= 4:
            raise usage_error(f"--quarter 应为 1–4，收到 {quarter}")
        return Period.quarter(year, quarter)
    if month is not None:
        if not 1 <= month <= 12:
            raise usage_error(f"--month 应为 1–12，收到 {month}")
        return Period.month(year, month)
    return Period.whole_year(year)


class Command(BaseCommand):
    help = "按党组织、制度要求和周期列出组织生活达标情况（只计入审核通过的记录；各期按当期有效的制度要求修订版统计）"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True, help="年度，如 2025")
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--quarter", type=int, help="季度 1–4")
        group.add_argument("--month", type=int, help="月份 1–12")
        parser.add_argument("--org", metavar="CODE", help="党组织代码（含其全部下级组织）")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出")

    def handle(self, *args, **options):
        rng = range_from(options["year"], options.get("quarter"), options.get("month"))
        orgs = None
        if options.get("org"):
            root = Organization.objects.filter(code=options["org"]).first()
            if root is None:
                raise usage_error(f"未找到组织代码为“{options['org']}”的党组织，请核对 --org")
            orgs = services.orgs_existing_in(rng).filter(path__startswith=root.path)
        ev = services.run(rng, orgs)
        if options["json"]:
            print_json(self, {"range": str(rng), "results": [r.as_json() for r in ev.results]})
            return
        self._print_table(ev)

    def _print_table(self, ev: services.Evaluation) -> None:
        names = {s.id: s.name for s in ev.requirements}
        self.stdout.write(
            f"达标情况：{ev.range_period.label}（{ev.range_period}），统计日 {ev.today:%Y-%m-%d}"
        )
        if not ev.results:
            self.stdout.write("没有需要统计的党组织或制度要求。")
            return
        self.stdout.write("组织代码\t党组织\t制度要求\t期间\t应完成\t已完成\t状态\t活动记录")
        for r in ev.results:
            org = ev.facts[r.org_id]
            ids = "、".join(str(i) for i in r.activity_ids) or "—"
            extra = f"（{r.note}）" if r.note else ""
            self.stdout.write(
                f"{r.org_code}\t{org.name}\t{names[r.requirement_id]}\t{r.period}\t{r.required}\t{r.done}\t"
                f"{r.status}{extra}\t{ids}"
            )
        tally = Counter(r.status for r in ev.results)
        self.stdout.write("合计：" + "，".join(f"{s} {tally.get(s, 0)}" for s in STATUSES))
