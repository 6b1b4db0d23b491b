"""`dangjian add_user USERNAME --role ROLE [--org CODE] [--member ID_NUMBER] --password-stdin` (design §4).

Creates an account with its role and scope; the password is read from the first line of standard input.
Exit 1 when input is rejected (unknown organisation or member, weak password, username taken); exit 2 for a
usage error (unknown role, a missing or superfluous --org / --member, no --password-stdin). Audited.
"""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand

from dangjian.accounts import services
from dangjian.accounts.roles import NEEDS_MEMBER, NEEDS_ORG, Role
from dangjian.core.actions import NON_FIELD, Refusal
from dangjian.core.commands import EXIT_REJECTED, usage_error

ROLE_LIST = "、".join(f"{r.value}（{r.label}）" for r in Role)
ACTOR_NAME = "命令行 add_user"


class Command(BaseCommand):
    help = "开通账号：角色、管理范围和密码（从标准输入读取）"
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument("username", help="用户名")
        parser.add_argument("--role", help=f"角色：{ROLE_LIST}")
        parser.add_argument("--org", metavar="CODE", help="组织代码（党组织管理员必填；局党建管理员可选）")
        parser.add_argument("--member", metavar="ID_NUMBER", help="党员的公民身份号码（党员角色必填）")
        parser.add_argument("--password-stdin", action="store_true", help="从标准输入的第一行读取密码")

    def handle(self, *args, **options):
        role = self._check_usage(options)
        stdin = options.get("stdin") or sys.stdin
        password = (stdin.readline() or "").rstrip("\r\n")
        try:
            organization = services.find_org(options["org"]) if options["org"] else None
            member = services.find_member(options["member"]) if options["member"] else None
            if not password:
                raise services.AccountRefused({"password": "没有从标准输入读到密码"})
            user, _ = services.create_user(
                username=options["username"],
                role=role,
                password=password,
                organization=organization,
                member=member,
                actor_name=ACTOR_NAME,
            )
        except Refusal as exc:
            self._reject(exc)
        scope = ""
        if user.organization is not None:
            scope = f"，管理范围：{user.organization.name}（{user.organization.code}）"
        if member is not None:
            scope = f"，关联党员：{member.name}（{member.masked_id_number}）"
        self.stdout.write(f"已开通账号 {user.username}（{user.role_label}{scope}）。首次登录须修改密码。")

    def _check_usage(self, options) -> str:
        role = options["role"]
        if not role:
            raise usage_error(f"请用 --role 指定角色：{ROLE_LIST}")
        if role not in Role.values:
            raise usage_error(f"未知角色“{role}”。可用角色：{ROLE_LIST}")
        if role in NEEDS_ORG and not options["org"]:
            raise usage_error(f"角色 {role}（{Role(role).label}）须用 --org 指定所管理党组织的组织代码")
        if options["org"] and role not in services.USES_ORG:
            raise usage_error(f"角色 {role}（{Role(role).label}）不设管理范围，请去掉 --org")
        if role in NEEDS_MEMBER and not options["member"]:
            raise usage_error("党员账号须用 --member 指定该党员的公民身份号码")
        if options["member"] and role not in NEEDS_MEMBER:
            raise usage_error(f"只有 member（党员）角色关联党员，角色 {role} 请去掉 --member")
        if not options["password_stdin"]:
            raise usage_error(
                "请加 --password-stdin，并从标准输入提供密码（如：echo '密码' | dangjian add_user …）"
            )
        return role

    def _reject(self, exc: Refusal) -> None:
        labels = {
            "username": "用户名",
            "password": "密码",
            "organization": "--org",
            "member_id_number": "--member",
        }
        for field, message in services.refusal_errors(exc).items():
            self.stderr.write(message if field == NON_FIELD else f"{labels.get(field, field)}：{message}")
        self.stderr.write("账号未开通。")
        sys.exit(EXIT_REJECTED)
