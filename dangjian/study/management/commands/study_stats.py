"""`dangjian study_stats --year Y [--org CODE] --json` (design §4)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from dangjian.core.commands import print_json, usage_error
from dangjian.members.models import Member
from dangjian.orgs.models import Organization
from dangjian.study import services


class Command(BaseCommand):
    help = "学时统计：每名党员的年度学时与要求，及各党组织达标人数"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--org", metavar="CODE", help="只统计该党组织及其下级")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        members = Member.objects.current()
        if options["org"]:
            org = Organization.objects.filter(code=options["org"]).first()
            if org is None:
                raise usage_error(f"找不到组织代码为“{options['org']}”的党组织")
            members = members.filter(organization__path__startswith=org.path)
        progress = services.yearly_progress(options["year"], members.order_by("organization__path", "id"))
        stats = services.org_stats(progress)
        if options["json"]:
            print_json(
                self,
                {
                    "members": [
                        {
                            "id_number": mp.member["id_number"],
                            "hours": float(mp.progress.hours),
                            "required": float(mp.progress.required),
                            "met": mp.progress.met,
                        }
                        for mp in progress
                    ],
                    "orgs": [{"org": s.code, "members": s.members, "met": s.met} for s in stats],
                },
            )
            return
        self.stdout.write(
            f"{options['year']} 年学时统计：党员 {len(progress)} 名，达标 {sum(mp.progress.met for mp in progress)} 名"
        )
        for s in stats:
            self.stdout.write(
                f"  {s.name}（{s.code}）：{s.members} 名，达标 {s.met} 名（{s.rate}%），人均 {s.average} 学时"
            )
