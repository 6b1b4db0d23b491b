"""`dangjian seed_demo [--seed N]` — the demo bureau (design §4), idempotent on an empty database."""

from __future__ import annotations

import random
import time
import unicodedata

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.core.commands import EXIT_REJECTED
from dangjian.demo.base import DEMO_PASSWORD, DEMO_USERS, ROOT_CODE, ROOT_NAME, seed_base
from dangjian.demo.context import DemoContext, app_seeders
from dangjian.members.models import Member
from dangjian.orgs.models import Organization


def demo_exists() -> bool:
    return Organization.objects.filter(code=ROOT_CODE, name=ROOT_NAME).exists()


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def login_table(rows: list[tuple[str, str, str, str]]) -> str:
    header = ("用户名", "角色", "管理范围", "密码")
    widths = [max(_width(r[i]) for r in [header, *rows]) for i in range(4)]
    rule = "  ".join("-" * w for w in widths)
    lines = ["  ".join(_pad(c, w) for c, w in zip(r, widths, strict=True)).rstrip() for r in [header, *rows]]
    return "\n".join([lines[0], rule, *lines[1:]])


class Command(BaseCommand):
    help = "生成演示数据：x商务局的单位、党组织、届次、约600名党员和每个角色一个登录账号（只用于空数据库）"

    def add_arguments(self, parser):
        parser.add_argument(
            "--seed", type=int, default=2026, help="随机种子：相同种子（同一天）生成相同的数据"
        )

    def handle(self, *args, **options):
        if demo_exists():
            self.stdout.write("演示数据已存在，本次未重复生成。")
            self._print_logins()
            return
        if Organization.objects.exists() or Member.objects.exists():
            raise CommandError(
                "数据库中已有党组织或党员数据，演示数据只能生成在空数据库上；请换用新的数据库（DATABASE_URL）。",
                returncode=EXIT_REJECTED,
            )
        taken = sorted(
            User.objects.filter(username__in=[u for u, _ in DEMO_USERS]).values_list("username", flat=True)
        )
        if taken:
            raise CommandError(
                f"用户名已被占用：{'、'.join(taken)}；请在空数据库上生成演示数据。", returncode=EXIT_REJECTED
            )
        started = time.monotonic()
        ctx = DemoContext(
            rng=random.Random(options["seed"]), today=timezone.localdate(), log=self.stdout.write
        )
        with transaction.atomic():
            built = seed_base(ctx)
            self.stdout.write(
                f"基础数据：单位 {built.counts['orgs.unit']} 个，党组织 {built.counts['orgs.organization']} 个，"
                f"党员 {built.counts['members.member']} 名，届次 {built.counts['orgs.term']} 个。"
            )
            for module in app_seeders():
                module.seed(ctx)
        self.stdout.write(
            f"演示数据已生成（种子 {options['seed']}，用时 {time.monotonic() - started:.1f} 秒）。"
        )
        self._print_logins()

    def _print_logins(self) -> None:
        users = {u.username: u for u in User.objects.filter(username__in=[u for u, _ in DEMO_USERS])}
        rows = []
        for username, _role in DEMO_USERS:
            u = users.get(username)
            if u is None:
                continue
            scope = u.organization.short_name or u.organization.name if u.organization_id else "—"
            rows.append((username, u.role_label, scope, DEMO_PASSWORD))
        self.stdout.write("\n演示账号（仅供演示，正式使用前请删除或修改密码）：")
        self.stdout.write(login_table(rows))
