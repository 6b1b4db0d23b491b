"""The optional TOTP second factor: setup page, second login step, the system administrator's switch."""

from __future__ import annotations

import base64
import re

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from dangjian.accounts import services
from dangjian.accounts.models import SecurityConfig
from dangjian.accounts.roles import Role
from dangjian.core.models import AuditEntry
from dangjian.factories import user

from .conftest import totp_code

pytestmark = pytest.mark.django_db


def wrong_code(key_hex: str) -> str:
    valid = {totp_code(key_hex, d) for d in (-1, 0, 1)}
    return next(c for c in ("123456", "654321", "111111", "222222") if c not in valid)


def bind(u, clock) -> str:
    """Give the user a confirmed device; returns its secret. Moves the clock past the code just used."""
    key = "3132333435363738393031323334353637383930"
    services.confirm_totp(u, key, totp_code(key), actor=u)
    clock.shift(30)
    return key


def test_setup_page_shows_a_qr_code_and_the_manual_key(login, clock):
    u = user("zhang", Role.INSPECTOR)
    client = login(u)
    r = client.get("/accounts/otp/")
    body = r.content.decode()
    assert r.status_code == 200 and "双因素认证" in body
    src = re.search(r'<img src="(data:image/svg\+xml;base64,[^"]+)"', body).group(1)
    svg = base64.b64decode(src.split(",", 1)[1]).decode()
    assert svg.startswith("<?xml") and "<svg" in svg
    key = client.session["_otp_setup_key"]
    assert (
        client.get("/accounts/otp/").context["manual_key"] == r.context["manual_key"]
    )  # same secret until bound
    assert re.fullmatch(r"[A-Z2-7]{4}( [A-Z2-7]{1,4})+", r.context["manual_key"])
    assert not TOTPDevice.objects.exists()  # nothing is stored before the code confirms it
    assert len(key) == 40


def test_a_right_code_binds_the_device_and_a_wrong_one_is_explained(login, clock):
    u = user("zhang", Role.INSPECTOR)
    client = login(u)
    client.get("/accounts/otp/")
    key = client.session["_otp_setup_key"]
    r = client.post("/accounts/otp/", {"token": wrong_code(key)})
    assert r.status_code == 200 and "动态口令不正确" in r.content.decode()
    r = client.post("/accounts/otp/", {"token": "12ab"})
    assert "6 位数字" in r.content.decode()
    r = client.post("/accounts/otp/", {"token": totp_code(key)})
    assert r.status_code == 302
    device = TOTPDevice.objects.get(user=u)
    assert device.confirmed and device.key == key
    assert client.session["otp_device_id"] == device.persistent_id
    entry = AuditEntry.objects.get(action="account.bind_otp", note="绑定动态口令（双因素认证）")
    assert entry.actor_id == u.pk and entry.changes == {"totp": ["未启用", "已启用"]}
    assert "已启用" in client.get("/accounts/otp/").content.decode()


def test_login_asks_for_the_code_when_a_device_is_bound(client, sign_in, clock):
    u = user("zhang", Role.INSPECTOR)
    key = bind(u, clock)
    r = sign_in("zhang", next="/accounts/otp/")
    assert r.status_code == 302 and r["Location"] == "/accounts/login/otp/"
    assert client.get("/")["Location"].startswith("/accounts/login/")  # not signed in yet
    page = client.get("/accounts/login/otp/")
    assert page.status_code == 200 and "zhang" in page.content.decode()
    assert not AuditEntry.objects.filter(action="account.login").exists()
    r = client.post("/accounts/login/otp/", {"token": totp_code(key)})
    assert r.status_code == 302 and r["Location"] == "/accounts/otp/"
    assert client.get("/").status_code == 200
    entry = AuditEntry.objects.get(action="account.login")
    assert entry.actor_id == u.pk and entry.note == "用户名和密码 + 动态口令"


def test_a_code_cannot_be_replayed(client, sign_in, clock):
    u = user("zhang", Role.INSPECTOR)
    key = bind(u, clock)
    code = totp_code(key)
    sign_in("zhang")
    assert client.post("/accounts/login/otp/", {"token": code}).status_code == 302
    client.post("/accounts/logout/")
    clock.shift(5)
    sign_in("zhang")
    r = client.post("/accounts/login/otp/", {"token": code})
    assert r.status_code == 200 and "动态口令不正确" in r.content.decode()


def test_wrong_codes_are_audited_and_count_towards_the_lockout(client, sign_in, clock):
    u = user("zhang", Role.INSPECTOR)
    key = bind(u, clock)
    sign_in("zhang")
    for i in range(4):
        r = client.post("/accounts/login/otp/", {"token": wrong_code(key)})
        assert r.status_code == 200
        assert f"再失败 {4 - i} 次" in r.content.decode()
        clock.shift(20)  # past django-otp's own growing delay between tries
    failures = AuditEntry.objects.filter(action="account.login_failed")
    assert failures.count() == 4 and all("动态口令不正确" in e.note for e in failures)
    assert all(e.object_repr == "zhang" and e.ip == "127.0.0.1" for e in failures)
    r = client.post("/accounts/login/otp/", {"token": wrong_code(key)})
    assert r.status_code == 429 and "账号已锁定" in r.content.decode()
    assert sign_in("zhang").status_code == 429  # the password step is locked too
    assert client.get("/accounts/login/otp/").status_code == 302


def test_the_second_step_expires(client, sign_in, clock):
    u = user("zhang", Role.INSPECTOR)
    key = bind(u, clock)
    sign_in("zhang")
    clock.shift(301)
    r = client.get("/accounts/login/otp/")
    assert r.status_code == 302 and r["Location"] == "/accounts/login/"
    assert "超时" in client.get("/accounts/login/").content.decode()
    assert client.post("/accounts/login/otp/", {"token": totp_code(key)})["Location"] == "/accounts/login/"


def test_the_second_step_needs_the_first(client):
    assert client.get("/accounts/login/otp/")["Location"] == "/accounts/login/"


def test_system_admin_switch_makes_admins_set_up_totp_before_anything_else(
    client, login, sign_in, cast, clock
):
    page = login(cast["sysadmin"]).get("/accounts/security/")
    assert page.status_code == 200 and "双因素认证" in page.content.decode()
    r = client.post("/accounts/security/", {"require_otp_for_admins": "on", "version": "0"})
    assert r.status_code == 302
    assert SecurityConfig.current().require_otp_for_admins
    entry = AuditEntry.objects.get(model="accounts.securityconfig")
    assert entry.actor_id == cast["sysadmin"].pk and entry.changes == {
        "require_otp_for_admins": [False, True]
    }
    client.post("/accounts/logout/")

    sign_in("bureau")
    for path in ("/", "/accounts/users/", "/accounts/password/"):
        r = client.get(path)
        assert r.status_code == 302 and r["Location"] == "/accounts/otp/", path
    setup = client.get("/accounts/otp/")
    assert "必须启用双因素认证" in setup.content.decode()
    key = client.session["_otp_setup_key"]
    assert client.post("/accounts/otp/", {"token": totp_code(key)}).status_code == 302
    assert client.get("/accounts/users/").status_code == 200
    # Required: the user cannot remove it, only a reset by an account manager can.
    clock.shift(30)
    r = client.post("/accounts/otp/remove/", {"token": totp_code(key)}, follow=True)
    assert "不能解除绑定" in r.content.decode()
    assert TOTPDevice.objects.filter(user=cast["bureau"]).exists()
    client.post("/accounts/logout/")

    sign_in("member_a")  # not an admin role: not obliged
    assert client.get("/").status_code == 200


def test_security_settings_refuse_a_stale_form(login, cast):
    client = login(cast["sysadmin"])
    client.post("/accounts/security/", {"require_otp_for_admins": "on", "version": "0"})
    r = client.post("/accounts/security/", {"version": "0"})
    assert r.status_code == 200 and "已被他人修改" in r.content.decode()
    assert SecurityConfig.current().require_otp_for_admins


def test_the_switch_defaults_to_the_installation_setting(settings):
    settings.DANGJIAN_REQUIRE_OTP_FOR_ADMINS = True
    assert SecurityConfig.current().require_otp_for_admins
    settings.DANGJIAN_REQUIRE_OTP_FOR_ADMINS = False
    assert not SecurityConfig.current().require_otp_for_admins


def test_users_remove_their_own_device_with_a_code(login, clock):
    u = user("zhang", Role.INSPECTOR)
    key = bind(u, clock)
    client = login(u)
    r = client.post("/accounts/otp/remove/", {"token": wrong_code(key)}, follow=True)
    assert "未解除绑定" in r.content.decode() and TOTPDevice.objects.filter(user=u).exists()
    clock.shift(30)
    r = client.post("/accounts/otp/remove/", {"token": totp_code(key)}, follow=True)
    assert "已解除动态口令绑定" in r.content.decode()
    assert not TOTPDevice.objects.filter(user=u).exists()
    assert AuditEntry.objects.filter(note="本人解除动态口令绑定", actor=u).exists()


def test_an_account_manager_resets_a_lost_device(login, cast, clock):
    bind(cast["member"], clock)
    r = login(cast["bureau"]).post(f"/accounts/users/{cast['member'].pk}/reset-otp/")
    assert r.status_code == 302
    assert not TOTPDevice.objects.filter(user=cast["member"]).exists()
    entry = AuditEntry.objects.get(note="管理员重置动态口令")
    assert entry.actor_id == cast["bureau"].pk and entry.object_id == str(cast["member"].pk)
