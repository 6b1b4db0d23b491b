"""`dangjian dues_stats --year Y [--org CODE] --json` (design §4): each organisation's 应交 / 实交 / 欠交 and each
member's monthly due and months, for the months of the year ended by today (ledger.py)."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils import timezone

from dangjian.core.commands import print_json, usage_error
from dangjian.dues import stats
from dangjian.orgs.models import Organization


class Command(BaseCommand):
    help = "党费收缴统计：各党组织应交、实交、欠交金额，每名党员的月应交数额和应交、已交、欠交月数"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--org", metavar="CODE", help="只统计该党组织及其下级")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        year = options["year"]
        if not 2000 <= year <= 2100:
            raise usage_error("年度应在 2000–2100 之间")
        orgs = None
        if options["org"]:
            org = Organization.objects.filter(code=options["org"]).first()
            if org is None:
                raise usage_error(f"找不到组织代码为“{options['org']}”的党组织")
            orgs = Organization.objects.filter(path__startswith=org.path)
        result = stats.year_stats(year, timezone.localdate(), orgs=orgs)
        if options["json"]:
            print_json(self, stats.as_json(result))
            return
        t = result.total
        self.stdout.write(
            f"{year} 年党费收缴统计（截至 {result.as_of:%Y-%m-%d}，已结束的 {len(result.months)} 个月）："
            f"应交 {t.due} 元，实交 {t.paid} 元，欠交 {t.arrears} 元"
        )
        for row in result.orgs:
            self.stdout.write(
                f"  {row.org.name}（{row.org.code}）：应交 {row.totals.due} 元，实交 {row.totals.paid} 元，"
                f"欠交 {row.totals.arrears} 元"
            )
        missing = [m for m in result.members if m.monthly_due.amount is None]
        if missing:
            self.stdout.write(
                f"尚未核定党费基数的党员 {len(missing)} 名：" + "、".join(m.facts.name for m in missing[:20])
            )
