"""`dangjian add_user USERNAME --role ROLE [--org CODE] [--member ID_NUMBER] --password-stdin` (design §4)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from dangjian.accounts.models import User
from dangjian.accounts.roles import Role
from dangjian.core.idnumber import make_id_number
from dangjian.core.models import AuditEntry

pytestmark = pytest.mark.django_db
GOOD = "Kaihu#2026x"


def run(*args: str, password: str | None = GOOD) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    stdin = io.StringIO("" if password is None else password + "\n")
    try:
        call_command("add_user", *args, stdin=stdin, stdout=out, stderr=err)
    except SystemExit as exc:
        return int(exc.code), out.getvalue(), err.getvalue()
    except CommandError as exc:
        return exc.returncode, out.getvalue(), str(exc)
    return 0, out.getvalue(), err.getvalue()


@pytest.mark.parametrize(
    "args, role",
    [
        (["--role", "bureau_admin"], Role.BUREAU_ADMIN),
        (["--role", "bureau_admin", "--org", "ROOT"], Role.BUREAU_ADMIN),
        (["--role", "org_admin", "--org", "A"], Role.ORG_ADMIN),
        (["--role", "inspector"], Role.INSPECTOR),
        (["--role", "system_admin"], Role.SYSTEM_ADMIN),
        (["--role", "security_admin"], Role.SECURITY_ADMIN),
        (["--role", "audit_admin"], Role.AUDIT_ADMIN),
    ],
)
def test_creates_each_role(cast, args, role):
    code, out, err = run("newuser", *args, "--password-stdin")
    assert code == 0, err
    assert "已开通账号 newuser" in out and "首次登录须修改密码" in out
    u = User.objects.get(username="newuser")
    assert u.role == role and u.check_password(GOOD) and u.must_change_password and u.is_active
    entries = AuditEntry.objects.filter(object_id=str(u.pk), model="accounts.user")
    assert {e.action for e in entries} == {"user.create", "user.permission"}
    assert all(e.actor_name == "命令行 add_user" and e.actor_id is None for e in entries)


def test_a_member_account_names_the_member_by_id_number(cast):
    m = cast["members_b"][0]
    code, out, _ = run("zhangsan", "--role", "member", "--member", m.id_number, "--password-stdin")
    assert code == 0 and m.name in out and m.id_number not in out
    m.refresh_from_db()
    assert m.user.username == "zhangsan"


def test_the_password_is_the_first_line_of_stdin(cast):
    code, _, _ = run("crlf", "--role", "inspector", "--password-stdin", password=GOOD + "\r\nignored")
    assert code == 0 and User.objects.get(username="crlf").check_password(GOOD)


@pytest.mark.parametrize(
    "args, password, message",
    [
        (["--role", "org_admin", "--org", "NOPE"], GOOD, "未找到组织代码为“NOPE”的党组织"),
        (["--role", "member", "--member", "110101199003071234"], GOOD, "校验位"),
        (
            ["--role", "member", "--member", make_id_number("110101", date(1990, 3, 7), 123)],
            GOOD,
            "党员名册中没有",
        ),
        (["--role", "inspector"], "abcdefgh", "至少三类"),
        (["--role", "inspector"], "Ab1!", "至少 8 位"),
        (["--role", "inspector"], "Xnewuser#2026", "不能包含用户名"),
        (["--role", "inspector"], None, "没有从标准输入读到密码"),
    ],
)
def test_rejected_input_exits_1_with_a_chinese_message(cast, args, password, message):
    code, out, err = run("newuser", *args, "--password-stdin", password=password)
    assert code == 1
    assert message in err and "账号未开通" in err
    assert not User.objects.filter(username="newuser").exists()
    assert not AuditEntry.objects.filter(action="user.create").exists()


def test_an_existing_username_exits_1(cast):
    code, _, err = run("bureau", "--role", "inspector", "--password-stdin")
    assert code == 1 and "用户名“bureau”已存在" in err


def test_a_member_already_linked_exits_1(cast):
    m = cast["members_a"][0]
    code, _, err = run("again", "--role", "member", "--member", m.id_number, "--password-stdin")
    assert code == 1 and "已关联账号“member_a”" in err


@pytest.mark.parametrize(
    "args, message",
    [
        (["--role", "boss"], "未知角色“boss”"),
        ([], "请用 --role 指定角色"),
        (["--role", "org_admin"], "须用 --org 指定"),
        (["--role", "member"], "须用 --member 指定"),
        (["--role", "inspector", "--org", "A"], "请去掉 --org"),
        (["--role", "audit_admin", "--org", "A"], "请去掉 --org"),
        (["--role", "inspector", "--member", "110101199003071238"], "请去掉 --member"),
    ],
)
def test_usage_errors_exit_2(cast, args, message):
    code, _, err = run("newuser", *args, "--password-stdin")
    assert code == 2 and message in err
    assert not User.objects.filter(username="newuser").exists()


def test_without_password_stdin_is_a_usage_error(cast):
    code, _, err = run("newuser", "--role", "inspector")
    assert code == 2 and "--password-stdin" in err


def test_the_real_command_line_exit_codes(tmp_path):
    """Through the `dangjian` entry point (manage.py): exit status 2 for usage errors."""
    root = Path(__file__).resolve().parents[3]
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "dangjian.settings_test",
    }
    for args in (
        ["--role", "boss", "--password-stdin"],
        ["--role", "org_admin", "--password-stdin"],
        ["--bogus"],
    ):
        proc = subprocess.run(
            [sys.executable, "manage.py", "add_user", "someone", *args],
            input=GOOD + "\n",
            capture_output=True,
            text=True,
            cwd=root,
            env=env,
            timeout=120,
        )
        assert proc.returncode == 2, proc.stderr
        assert proc.stdout == ""
