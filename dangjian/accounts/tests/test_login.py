"""Sign-in, sign-out, failed logins, the django-axes lockout and their audit entries."""

from __future__ import annotations

import pytest

from dangjian.accounts.models import User
from dangjian.accounts.roles import Role
from dangjian.core.models import AuditEntry
from dangjian.factories import TEST_PASSWORD, user

pytestmark = pytest.mark.django_db


def test_login_page_is_chinese_and_public(client):
    r = client.get("/accounts/login/")
    body = r.content.decode()
    assert r.status_code == 200
    assert "用户名" in body and "密码" in body and "登录" in body


def test_successful_login_is_audited_with_the_address(client, sign_in):
    u = user("zhang", Role.INSPECTOR)
    r = sign_in("zhang")
    assert r.status_code == 302 and r["Location"] == "/"
    assert client.get("/").status_code == 200
    entry = AuditEntry.objects.get(action="account.login")
    assert entry.actor_id == u.pk and entry.ip == "127.0.0.1"
    assert entry.object_id == str(u.pk) and "用户名和密码" in entry.note


def test_next_is_honoured_and_foreign_hosts_are_not(client, sign_in):
    user("zhang", Role.INSPECTOR)
    assert sign_in("zhang", next="/accounts/password/")["Location"] == "/accounts/password/"
    client.post("/accounts/logout/")
    assert sign_in("zhang", next="https://evil.example/")["Location"] == "/"


def test_signed_in_user_is_sent_on_from_the_login_page(client, cast):
    client.force_login(cast["bureau"])
    r = client.get("/accounts/login/")
    assert r.status_code == 302 and r["Location"] == "/"


def test_failed_login_is_audited_with_the_username_tried_and_the_address(sign_in):
    user("zhang", Role.INSPECTOR)
    r = sign_in("zhang", "Wrong#2026")
    body = r.content.decode()
    assert r.status_code == 200
    assert "用户名或密码不正确" in body and "再失败 4 次" in body and "锁定 30 分钟" in body
    entry = AuditEntry.objects.get(action="account.login_failed")
    assert entry.object_repr == "zhang" and entry.actor_id is None and entry.ip == "127.0.0.1"
    assert entry.changes == {"username": "zhang"}
    assert "用户名或密码不正确" in entry.note and "第 1 次" in entry.note


def test_unknown_usernames_are_audited_as_a_digest(sign_in):
    r = sign_in("nobody", "Wrong#2026")
    assert "用户名或密码不正确" in r.content.decode()
    entry = AuditEntry.objects.get(action="account.login_failed")
    assert entry.object_repr.startswith("不存在的用户名（摘要 ") and "nobody" not in entry.object_repr
    sign_in("nobody", "Wrong#2027")
    # The same unknown name gives the same digest, so repeated tries still show as one name.
    assert (
        AuditEntry.objects.filter(action="account.login_failed", object_repr=entry.object_repr).count() == 2
    )


def test_a_password_typed_into_the_username_box_is_not_stored(sign_in):
    """Issue 14 item 13: the password typed as the username never reaches the audit log."""
    user("zhang", Role.INSPECTOR)
    sign_in(TEST_PASSWORD, TEST_PASSWORD)
    entry = AuditEntry.objects.get(action="account.login_failed")
    stored = " ".join(str(v) for v in (entry.object_repr, entry.actor_name, entry.changes, entry.note))
    assert TEST_PASSWORD not in stored and TEST_PASSWORD.lower() not in stored.lower()
    assert "不存在的用户名" in entry.object_repr
    # Nor does django-axes' lockout record keep it.
    from axes.models import AccessAttempt

    stored = list(AccessAttempt.objects.values_list("username", flat=True))
    assert stored and TEST_PASSWORD not in " ".join(stored)


def test_a_deactivated_account_cannot_sign_in(sign_in):
    u = user("gone", Role.INSPECTOR)
    User.objects.filter(pk=u.pk).update(is_active=False)
    r = sign_in("gone")
    assert r.status_code == 200 and "用户名或密码不正确" in r.content.decode()
    assert not AuditEntry.objects.filter(action="account.login").exists()


def test_five_failures_lock_the_account_for_thirty_minutes(client, sign_in, clock):
    user("zhang", Role.INSPECTOR)
    for i in range(4):
        r = sign_in("zhang", f"Wrong#{i}")
        assert r.status_code == 200
    r = sign_in("zhang", "Wrong#5")
    body = r.content.decode()
    assert r.status_code == 429
    assert "账号已锁定" in body and "zhang" in body and "30 分钟" in body and "连续登录失败 5 次" in body
    fifth = AuditEntry.objects.filter(action="account.login_failed").order_by("-id").first()
    assert "第 5 次" in fifth.note and "账号已锁定 30 分钟" in fifth.note

    clock.shift(20 * 60)
    r = sign_in("zhang")  # the right password is refused while locked
    assert r.status_code == 429
    refused = AuditEntry.objects.filter(action="account.login_failed").order_by("-id").first()
    assert refused.note == "登录失败：账号已锁定，拒绝登录"
    assert not AuditEntry.objects.filter(action="account.login").exists()

    # Attempts during the lockout did not extend it: 30 minutes after the fifth failure it ends.
    clock.shift(9 * 60)
    assert sign_in("zhang").status_code == 429
    clock.shift(2 * 60)
    r = sign_in("zhang")
    assert r.status_code == 302
    assert AuditEntry.objects.filter(action="account.login").count() == 1


def test_a_success_resets_the_failure_count(client, sign_in):
    user("zhang", Role.INSPECTOR)
    for i in range(4):
        sign_in("zhang", f"Wrong#{i}")
    assert sign_in("zhang").status_code == 302
    client.post("/accounts/logout/")
    r = sign_in("zhang", "Wrong#again")
    assert "再失败 4 次" in r.content.decode()


def test_the_lockout_is_per_username(sign_in):
    user("zhang", Role.INSPECTOR)
    user("li", Role.INSPECTOR)
    for i in range(5):
        sign_in("zhang", f"Wrong#{i}")
    assert sign_in("li").status_code == 302


def test_logout_needs_post_and_is_audited(client, sign_in):
    u = user("zhang", Role.INSPECTOR)
    sign_in("zhang")
    assert client.get("/accounts/logout/").status_code == 405
    r = client.post("/accounts/logout/")
    assert r.status_code == 302 and r["Location"] == "/accounts/login/"
    entry = AuditEntry.objects.get(action="account.logout")
    assert entry.actor_id == u.pk and entry.note == "用户退出" and entry.ip == "127.0.0.1"
    assert client.get("/").status_code == 302
    assert "您已安全退出" in client.get("/accounts/login/").content.decode()


def test_superuser_logins_are_audited_with_a_clear_note_and_bring_no_business_scope(client, sign_in, cast):
    from dangjian.accounts.scope import visible_orgs

    su = User.objects.create_superuser("root", password=TEST_PASSWORD, must_change_password=False)
    r = sign_in("root")
    assert r.status_code == 302
    entry = AuditEntry.objects.get(action="account.login")
    assert "超级用户登录" in entry.note and "仅供安装和维护使用" in entry.note
    home = client.get("/").content.decode()
    assert "超级用户账号" in home and "管理范围：安装维护账号（无业务数据）" in home
    assert su.role == Role.MEMBER and not visible_orgs(su).exists()
    assert client.get("/audit/").status_code == 403
    assert client.get("/accounts/users/").status_code == 403


def test_a_forged_forwarded_for_header_does_not_change_the_recorded_address(client):
    user("zhang", Role.INSPECTOR)
    client.post(
        "/accounts/login/",
        {"username": "zhang", "password": "Wrong#2026"},
        HTTP_X_FORWARDED_FOR="203.0.113.9",
    )
    assert AuditEntry.objects.get(action="account.login_failed").ip == "127.0.0.1"


def _sign_in_from(client, address: str, username: str, password: str = TEST_PASSWORD, **meta):
    return client.post(
        "/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address, **meta
    )


def test_nobody_can_lock_the_bureau_admin_out_from_another_address(client, clock):
    """Issue 14 item 7: five wrong passwords for `dangjianban` from one address lock that address only."""
    user("dangjianban", Role.BUREAU_ADMIN)
    for i in range(5):
        r = _sign_in_from(client, "198.51.100.7", "dangjianban", f"Wrong#{i}")
    assert r.status_code == 429 and "账号已锁定" in r.content.decode()
    assert _sign_in_from(client, "198.51.100.7", "dangjianban").status_code == 429
    clock.shift(61)  # past the per-username delay
    r = _sign_in_from(client, "192.0.2.10", "dangjianban")
    assert r.status_code == 302 and r["Location"] == "/"


def test_failures_from_many_addresses_meet_a_growing_per_username_delay(client, clock):
    user("anquan", Role.SECURITY_ADMIN)
    for i in range(6):  # beyond the 5th failure of the username the next try waits 2 s
        assert _sign_in_from(client, f"198.51.100.{i}", "anquan", f"Wrong#{i}").status_code == 200
    r = _sign_in_from(client, "198.51.100.9", "anquan", "Wrong#9")
    assert r.status_code == 429 and "请 2 秒后再试" in r.content.decode()
    refused = AuditEntry.objects.filter(action="account.login_failed").order_by("-id").first()
    assert "本次未核对密码" in refused.note
    clock.shift(2)
    assert _sign_in_from(client, "198.51.100.9", "anquan", "Wrong#9").status_code == 200  # 7th failure
    r = _sign_in_from(client, "198.51.100.10", "anquan", "Wrong#10")
    assert r.status_code == 429 and "请 4 秒后再试" in r.content.decode()
    clock.shift(4)
    # The delay refused without counting: the holder, from their own address, signs in once it has passed.
    assert _sign_in_from(client, "192.0.2.10", "anquan").status_code == 302


def test_behind_the_proxy_the_address_comes_from_x_forwarded_for(client, clock, settings):
    settings.DANGJIAN_PROXY_COUNT = 1
    user("xitong", Role.SYSTEM_ADMIN)
    # nginx appends the address it saw; what the client put before it is ignored.
    for i in range(5):
        r = _sign_in_from(
            client, "127.0.0.1", "xitong", f"Wrong#{i}", HTTP_X_FORWARDED_FOR=f"10.9.9.{i}, 203.0.113.5"
        )
    assert r.status_code == 429
    entry = AuditEntry.objects.filter(action="account.login_failed").order_by("-id").first()
    assert entry.ip == "203.0.113.5"
    clock.shift(61)
    r = _sign_in_from(client, "127.0.0.1", "xitong", HTTP_X_FORWARDED_FOR="203.0.113.5, 203.0.113.6")
    assert r.status_code == 302
