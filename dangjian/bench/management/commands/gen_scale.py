"""`dangjian gen_scale --orgs N --members M --years Y [--seed S]` — synthetic data of a given size (issue 7)."""

from __future__ import annotations

import io
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from dangjian.bench.scale import Generator, Plan
from dangjian.orgs.models import Organization


class Command(BaseCommand):
    help = (
        "生成规模测试数据：在演示数据的基础上增加指定数量的党组织、党员和若干年的组织生活记录（仅用于测试库）"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--orgs", type=int, required=True, help="增加的党组织数（约每20个中1个为党委/党总支）"
        )
        parser.add_argument("--members", type=int, required=True, help="增加的党员数")
        parser.add_argument("--years", type=int, required=True, help="组织生活记录的年数（截至本月）")
        parser.add_argument("--seed", type=int, default=1, help="随机种子")

    def handle(self, *args, **o):
        started = time.monotonic()
        if not Organization.objects.filter(depth=1).exists():
            call_command("seed_demo", seed=o["seed"], stdout=io.StringIO())
            self.stdout.write(f"已生成演示数据作为基础（{time.monotonic() - started:.1f} 秒）。")
        for key in ("orgs", "members", "years"):
            if o[key] < 1:
                raise CommandError(f"--{key} 应为正整数", returncode=2)
        counts = Generator(Plan(o["orgs"], o["members"], o["years"], o["seed"]), log=self.stdout.write).run()
        # Statistics for the planner after a bulk load, as after any large import (PostgreSQL's autovacuum
        # would get there later; SQLite has none unless asked).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        lines = "，".join(f"{k} {v}" for k, v in counts.items())
        self.stdout.write(f"规模测试数据已生成（用时 {time.monotonic() - started:.1f} 秒）：{lines}")
