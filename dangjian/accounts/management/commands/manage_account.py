"""`dangjian manage_account USERNAME (--deactivate | --reactivate | --unlock | --reset-otp | --reset-password-stdin)`

The server-side counterpart of the account pages, for the installation accounts (三员 and superusers) that the
web pages never change (accounts.policy), and for any account when the pages cannot be reached. Audited.
Exit 1 when input is rejected (unknown username, weak password); exit 2 for a usage error.
"""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand

from dangjian.accounts import services
from dangjian.accounts.models import User
from dangjian.core.actions import Refusal
from dangjian.core.commands import EXIT_REJECTED, usage_error

ACTOR_NAME = "命令行 manage_account"
ACTIONS = ("deactivate", "reactivate", "unlock", "reset_otp", "reset_password_stdin")


class Command(BaseCommand):
    help = "在服务器上维护账号：停用、启用、解除锁定、重置动态口令、重置密码（三员账号只能这样维护）"
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument("username", help="用户名")
        parser.add_argument("--deactivate", action="store_true", help="停用账号")
        parser.add_argument("--reactivate", action="store_true", help="启用账号")
        parser.add_argument("--unlock", action="store_true", help="解除登录失败锁定")
        parser.add_argument("--reset-otp", action="store_true", help="解除动态口令绑定（手机丢失时）")
        parser.add_argument(
            "--reset-password-stdin",
            action="store_true",
            help="把密码重置为标准输入第一行的内容，本人下次登录须修改",
        )

    def handle(self, *args, **options):
        chosen = [a for a in ACTIONS if options[a]]
        if len(chosen) != 1:
            raise usage_error(
                "请指定且只指定一项操作：--deactivate、--reactivate、--unlock、--reset-otp 或 --reset-password-stdin"
            )
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            self.stderr.write(f"用户名“{options['username']}”不存在，请核对。")
            sys.exit(EXIT_REJECTED)
        action = chosen[0]
        if action in ("deactivate", "reactivate"):
            active = action == "reactivate"
            changed = services.set_active(user, active, actor=None, actor_name=ACTOR_NAME)
            state = "启用" if active else "停用"
            self.stdout.write(
                f"账号 {user.username} 已{state}。"
                if changed
                else f"账号 {user.username} 本来就是{state}状态。"
            )
        elif action == "unlock":
            services.unlock(user, actor=None, actor_name=ACTOR_NAME)
            self.stdout.write(f"已解除账号 {user.username} 的登录锁定。")
        elif action == "reset_otp":
            removed = services.remove_totp(
                user, actor=None, actor_name=ACTOR_NAME, note="在服务器上重置动态口令"
            )
            self.stdout.write(
                f"已解除账号 {user.username} 的动态口令绑定。"
                if removed
                else f"账号 {user.username} 没有绑定动态口令。"
            )
        else:
            stdin = options.get("stdin") or sys.stdin
            password = (stdin.readline() or "").rstrip("\r\n")
            try:
                if not password:
                    raise services.AccountRefused({"password": "没有从标准输入读到密码"})
                services.set_password(
                    user,
                    password,
                    actor_name=ACTOR_NAME,
                    forced_change=True,
                    note="在服务器上重置密码（下次登录须修改）",
                )
            except Refusal as exc:
                for message in services.refusal_errors(exc).values():
                    self.stderr.write(f"密码：{message}")
                self.stderr.write("密码未修改。")
                sys.exit(EXIT_REJECTED)
            self.stdout.write(f"账号 {user.username} 的密码已重置，本人下次登录须修改。")
