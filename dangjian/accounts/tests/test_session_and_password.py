"""Idle timeout, forced password change (first login, reset, expiry) and the password change page."""

from __future__ import annotations

import pytest

from dangjian.accounts import services
from dangjian.accounts.models import PasswordHistory, User
from dangjian.accounts.roles import Role
from dangjian.core.models import AuditEntry
from dangjian.factories import TEST_PASSWORD, user

pytestmark = pytest.mark.django_db


def test_idle_session_ends_after_thirty_minutes(client, sign_in, clock):
    u = user("zhang", Role.INSPECTOR)
    sign_in("zhang")
    clock.shift(29 * 60)
    assert client.get("/").status_code == 200  # activity restarts the idle clock
    clock.shift(29 * 60)
    assert client.get("/").status_code == 200
    clock.shift(30 * 60 + 1)
    r = client.get("/")
    assert r.status_code == 302 and r["Location"] == "/accounts/login/?timeout=1"
    assert "30 分钟内没有操作" in client.get(r["Location"]).content.decode()
    assert client.get("/").status_code == 302  # really signed out
    entry = AuditEntry.objects.get(action="account.logout")
    assert entry.actor_id == u.pk and "空闲超过 30 分钟" in entry.note


def test_the_idle_clock_moves_in_steps_without_a_session_write_per_request(client, sign_in, clock):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user("zhang", Role.INSPECTOR)
    sign_in("zhang")

    def session_writes() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/").status_code == 200
        return sum(q["sql"].startswith('UPDATE "django_session"') for q in ctx.captured_queries)

    assert session_writes() == 0  # the clock started at login: the first request does not write either
    clock.shift(30)
    assert session_writes() == 0  # within the step: the session is not written
    clock.shift(31)
    assert session_writes() == 1  # a minute on: the clock moves
    clock.shift(30 * 60 - 30)  # idle since the last step, less than 30 minutes: still signed in
    assert client.get("/").status_code == 200


def test_first_login_forces_a_password_change(client, sign_in, cast):
    u, temp = services.create_user(username="newbie", role=Role.INSPECTOR, actor=cast["sysadmin"])
    assert u.must_change_password
    assert sign_in("newbie", temp).status_code == 302
    for path in ("/", "/accounts/users/", "/accounts/otp/", "/audit/"):
        r = client.get(path)
        assert r.status_code == 302 and r["Location"] == "/accounts/password/", path
    page = client.get("/accounts/password/").content.decode()
    assert "首次登录" in page
    r = client.post(
        "/accounts/password/",
        {"old_password": temp, "new_password1": "Xinmima#2026", "new_password2": "Xinmima#2026"},
    )
    assert r.status_code == 302 and r["Location"] == "/"
    assert client.get("/").status_code == 200  # still signed in after the change
    u.refresh_from_db()
    assert not u.must_change_password and u.check_password("Xinmima#2026")
    assert PasswordHistory.objects.filter(user=u).count() == 1
    assert AuditEntry.objects.filter(
        action="account.change_password", object_id=str(u.pk), note="修改密码"
    ).exists()


def test_logout_works_while_a_change_is_due(client, sign_in, cast):
    _, temp = services.create_user(username="newbie", role=Role.INSPECTOR, actor=cast["sysadmin"])
    sign_in("newbie", temp)
    assert client.post("/accounts/logout/")["Location"] == "/accounts/login/"


def test_a_reset_by_an_administrator_forces_a_change(client, sign_in, cast):
    u = user("zhang", Role.INSPECTOR)
    temp = services.reset_password(u, actor=cast["sysadmin"])
    assert sign_in("zhang").status_code == 200  # the old password no longer works
    assert sign_in("zhang", temp).status_code == 302
    r = client.get("/")
    assert r["Location"] == "/accounts/password/"
    assert "已由管理员重置" in client.get("/accounts/password/").content.decode()


def test_passwords_expire_after_ninety_days(client, sign_in, clock):
    user("zhang", Role.INSPECTOR)
    clock.shift(89 * 86400)
    sign_in("zhang")
    assert client.get("/").status_code == 200
    client.post("/accounts/logout/")
    clock.shift(2 * 86400)
    sign_in("zhang")
    r = client.get("/")
    assert r.status_code == 302 and r["Location"] == "/accounts/password/"
    assert "超过 90 天" in client.get("/accounts/password/").content.decode()
    client.post(
        "/accounts/password/",
        {"old_password": TEST_PASSWORD, "new_password1": "Xinmima#2026", "new_password2": "Xinmima#2026"},
    )
    assert client.get("/").status_code == 200


@pytest.mark.parametrize(
    "data, field, message",
    [
        (
            {"old_password": "Wrong#2026", "new_password1": "Xinmima#2026", "new_password2": "Xinmima#2026"},
            "old_password",
            "原密码不正确",
        ),
        (
            {"old_password": TEST_PASSWORD, "new_password1": "Xinmima#2026", "new_password2": "Xinmima#2027"},
            "new_password2",
            "两次输入的新密码不一致",
        ),
        (
            {"old_password": TEST_PASSWORD, "new_password1": "abcdefgh", "new_password2": "abcdefgh"},
            "new_password1",
            "至少三类",
        ),
        (
            {"old_password": TEST_PASSWORD, "new_password1": "Ab1!", "new_password2": "Ab1!"},
            "new_password1",
            "至少 8 位",
        ),
        (
            {"old_password": TEST_PASSWORD, "new_password1": "Zhang#2026x", "new_password2": "Zhang#2026x"},
            "new_password1",
            "不能包含用户名",
        ),
        (
            {"old_password": TEST_PASSWORD, "new_password1": TEST_PASSWORD, "new_password2": TEST_PASSWORD},
            "new_password1",
            "最近 5 次",
        ),
    ],
)
def test_password_change_explains_what_is_wrong(login, data, field, message):
    u = user("zhang", Role.INSPECTOR)
    r = login(u).post("/accounts/password/", data)
    assert r.status_code == 200
    assert any(message in e for e in r.context["form"].errors[field])
    u.refresh_from_db()
    assert u.check_password(TEST_PASSWORD)


def test_the_page_tells_when_the_password_expires(login, clock):
    u = user("zhang", Role.INSPECTOR)
    body = login(u).get("/accounts/password/").content.decode()
    assert "密码有效期 90 天" in body and "2026年5月31日" in body


def test_a_deactivated_users_session_ends_at_once(client, sign_in, cast):
    u = user("zhang", Role.INSPECTOR)
    sign_in("zhang")
    services.set_active(u, False, actor=cast["sysadmin"])
    r = client.get("/")
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]
    assert User.objects.filter(pk=u.pk).exists()
