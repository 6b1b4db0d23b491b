"""Issue 14 item 14: a group-robot address cannot send `remind` into the internal network (SSRF).

Name resolution is replaced by a table (no network): every host a test names resolves as the table says, IP
literals resolve to themselves, and a host absent from the table fails the test if it is looked up."""

from __future__ import annotations

import ipaddress
import socket

import pytest

from dangjian.notify import channels
from dangjian.notify.models import Delivery, OrgWebhook

TABLE = {
    "robot.example.com": ["203.0.113.10"],  # a public relay (TEST-NET, treated as public here)
    "gateway.bureau.local": ["10.20.0.8"],  # the bureau's intranet gateway, listed in the setting
    "intranet.example.com": ["192.168.1.10"],
    "mixed.example.com": ["93.184.216.34", "127.0.0.1"],  # one public, one loopback: refused
    "v6.example.com": ["2001:4860:4860::8888", "fe80::1"],
}
PUBLIC = {"203.0.113.10", "93.184.216.34", "2001:4860:4860::8888"}


@pytest.fixture(autouse=True)
def resolver(monkeypatch):
    looked_up: list[str] = []

    def fake_getaddrinfo(host, port, *args, **kwargs):
        looked_up.append(host)
        try:
            addresses = [str(ipaddress.ip_address(host))]
        except ValueError:
            if host not in TABLE:
                raise socket.gaierror(f"unknown host {host}")
            addresses = TABLE[host]
        return [
            (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
            for a in addresses
        ]

    real_is_global = ipaddress.IPv4Address.is_global
    # 203.0.113.0/24 is documentation space (not global); the table uses it as a public address
    monkeypatch.setattr(
        ipaddress.IPv4Address, "is_global", property(lambda ip: str(ip) in PUBLIC or real_is_global.fget(ip))
    )
    monkeypatch.setattr(channels.socket, "getaddrinfo", fake_getaddrinfo)
    return looked_up


REFUSED = [
    "http://169.254.169.254/latest/meta-data/iam/security-credentials/",  # cloud metadata (link-local)
    "http://127.0.0.1:8000/admin/",
    "http://localhost.:8000/",
    "http://[::1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://10.0.0.5/robot",
    "https://intranet.example.com/hook",
    "https://mixed.example.com/hook",
    "https://v6.example.com/hook",
    "http://0.0.0.0/",
    "ftp://robot.example.com/",
    "https://no-such-host.example/",
]


@pytest.mark.parametrize("url", REFUSED)
def test_internal_addresses_are_refused(url, settings):
    settings.DANGJIAN_WEBHOOK_URL = ""
    settings.DANGJIAN_WEBHOOK_ALLOWED_HOSTS = ["gateway.bureau.local"]
    TABLE.setdefault("localhost", ["127.0.0.1"])
    with pytest.raises(channels.WebhookAddressError):
        channels.check_webhook_url(url)


def test_robot_hosts_public_hosts_and_listed_gateways_are_allowed(settings, resolver):
    settings.DANGJIAN_WEBHOOK_URL = ""
    settings.DANGJIAN_WEBHOOK_ALLOWED_HOSTS = ["gateway.bureau.local"]
    channels.check_webhook_url("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc")
    channels.check_webhook_url("https://oapi.dingtalk.com/robot/send?access_token=abc")
    channels.check_webhook_url("http://gateway.bureau.local:8080/robot")  # private, but listed
    assert resolver == []  # allowed by name: never resolved
    channels.check_webhook_url("https://robot.example.com/hook")
    assert resolver == ["robot.example.com"]


@pytest.mark.django_db
def test_the_settings_form_refuses_an_internal_address(cast, login, settings):
    settings.DANGJIAN_WEBHOOK_ALLOWED_HOSTS = []
    c = login(cast["admin_a"])
    url = f"/notify/webhook/{cast['a'].id}/"
    r = c.post(url, {"kind": "wecom", "url": "http://169.254.169.254/latest/meta-data/", "is_active": "on"})
    assert r.status_code == 200 and "指向内部网络地址" in r.content.decode()
    assert not OrgWebhook.objects.exists()
    ok = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc"
    assert c.post(url, {"kind": "wecom", "url": ok, "is_active": "on"}).status_code == 302
    assert OrgWebhook.objects.get().url == ok


@pytest.mark.django_db
def test_send_time_refuses_an_address_saved_before_or_repointed(cast, monkeypatch, settings):
    """An address already stored (or a name that now resolves inside) is refused before any connection."""
    settings.DANGJIAN_WEBHOOK_ALLOWED_HOSTS = []
    opened: list[str] = []
    monkeypatch.setattr(channels._OPENER, "open", lambda req, timeout=None: opened.append(req.full_url))
    Delivery.objects.create(
        channel="webhook",
        address="http://intranet.example.com/robot",
        dedupe_key="k1",
        subject="月提醒",
        payload={"message": {"msgtype": "markdown"}},
    )
    assert channels.send_pending() == {"sent": 0, "failed": 1}
    d = Delivery.objects.get()
    assert d.status == "failed" and "内部网络" in d.error and opened == []


def test_a_redirect_from_the_robot_is_not_followed():
    import io
    import urllib.error
    import urllib.request

    req = urllib.request.Request("https://robot.example.com/hook", data=b"{}", method="POST")
    with pytest.raises(urllib.error.HTTPError, match="重定向"):
        channels._NoRedirect().redirect_request(req, io.BytesIO(), 302, "Found", {}, "http://10.0.0.1/")
