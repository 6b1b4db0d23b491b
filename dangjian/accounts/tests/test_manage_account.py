"""`dangjian manage_account`: the server-side maintenance of installation accounts."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from dangjian.accounts.models import User
from dangjian.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def run(*args: str, stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("manage_account", *args, stdin=io.StringIO(stdin), stdout=out, stderr=err)
    except SystemExit as exc:
        return int(exc.code), out.getvalue(), err.getvalue()
    except CommandError as exc:
        return exc.returncode, out.getvalue(), str(exc)
    return 0, out.getvalue(), err.getvalue()


def test_deactivate_and_reactivate_an_installation_account(cast):
    code, out, _ = run("auditor", "--deactivate")
    assert code == 0 and "已停用" in out
    assert not User.objects.get(username="auditor").is_active
    entry = AuditEntry.objects.get(note="停用账号")
    assert entry.actor_name == "命令行 manage_account" and entry.object_id == str(cast["auditor"].pk)
    assert run("auditor", "--reactivate")[0] == 0
    assert User.objects.get(username="auditor").is_active


def test_reset_password_forces_a_change(cast):
    code, out, _ = run("sysadmin", "--reset-password-stdin", stdin="Chongzhi#2026\n")
    assert code == 0 and "下次登录须修改" in out
    u = User.objects.get(username="sysadmin")
    assert u.check_password("Chongzhi#2026") and u.must_change_password
    assert u.password_history.count() == 1
    code, _, err = run("sysadmin", "--reset-password-stdin", stdin="weak\n")
    assert code == 1 and "至少 8 位" in err


def test_reset_otp_and_unlock(cast):
    TOTPDevice.objects.create(user=cast["secadmin"], name="x", confirmed=True)
    code, out, _ = run("secadmin", "--reset-otp")
    assert code == 0 and not TOTPDevice.objects.filter(user=cast["secadmin"]).exists()
    assert run("secadmin", "--unlock")[0] == 0
    assert AuditEntry.objects.filter(note="解除登录锁定", actor_name="命令行 manage_account").exists()


def test_errors(cast):
    assert run("nobody", "--unlock")[0] == 1
    assert run("auditor")[0] == 2
    assert run("auditor", "--deactivate", "--unlock")[0] == 2
