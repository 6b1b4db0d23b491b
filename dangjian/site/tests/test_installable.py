"""Installable (issue 19 part 4): the manifest and the service worker, served from the site's root with the right
types, registered from every page (in chromium, on 127.0.0.1), reported installable by the browser, and
answering the offline page when the network is gone."""

from __future__ import annotations

import json
import struct

import pytest
from django.test import Client

from dangjian.conftest import PHONE

MANIFEST = "/manifest.webmanifest"
WORKER = "/sw.js"


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "不是 PNG 文件"
    return struct.unpack(">II", data[16:24])


@pytest.mark.django_db
def test_manifest_and_worker_are_served_with_their_types():
    client = Client()
    r = client.get(MANIFEST)
    assert r.status_code == 200 and r["Content-Type"] == "application/manifest+json"
    m = json.loads(r.content.decode("utf-8"))
    assert m["name"] == "党建工作管理平台" and m["lang"] == "zh-CN"
    assert m["start_url"] == "/" and m["scope"] == "/" and m["display"] == "standalone"
    assert m["theme_color"] == "#c8161d" and m["background_color"]
    sizes = {(i["sizes"], i["purpose"]) for i in m["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes
    for icon in m["icons"]:
        assert icon["type"] == "image/png" and icon["src"].startswith("/static/")
        served = client.get(icon["src"])
        assert served.status_code == 200
        data = b"".join(served.streaming_content) if served.streaming else served.content
        w, h = png_size(data)
        assert f"{w}x{h}" == icon["sizes"]
    r = client.get(WORKER)
    assert r.status_code == 200 and r["Content-Type"] == "text/javascript; charset=utf-8"
    assert r["Service-Worker-Allowed"] == "/" and r["Cache-Control"] == "no-cache"
    body = r.content.decode()
    assert '"/offline/"' in body and "/static/css/app.css" in body and "{{" not in body
    offline = client.get("/offline/")
    assert offline.status_code == 200 and "网络不可用" in offline.content.decode()


@pytest.mark.django_db
def test_every_page_links_the_manifest_and_names_the_worker(cast, login):
    for html in (
        Client().get("/accounts/login/").content.decode(),
        login(cast["member"]).get("/").content.decode(),
    ):
        assert f'<link rel="manifest" href="{MANIFEST}">' in html
        assert f'data-sw="{WORKER}"' in html
        assert 'name="theme-color"' in html


@pytest.mark.django_db
def test_a_user_who_must_change_the_password_still_gets_the_app_files(cast, client):
    u = cast["member"]
    u.must_change_password = True
    u.save(update_fields=["must_change_password"])
    client.force_login(u)
    assert client.get("/")["Location"] == "/accounts/password/"
    for url in (MANIFEST, WORKER, "/offline/"):
        assert client.get(url).status_code == 200


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_worker_registers_on_127_0_0_1_and_the_browser_finds_the_app_installable(live_server, browser):
    base = live_server.url.replace("localhost", "127.0.0.1")
    assert base.startswith("http://127.0.0.1:")
    context = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True)
    try:
        p = context.new_page()
        p.goto(f"{base}/accounts/login/")
        scope = p.evaluate("() => navigator.serviceWorker.ready.then(r => r.scope)")
        assert scope == f"{base}/"
        p.reload()
        assert p.evaluate(
            "() => navigator.serviceWorker.controller && navigator.serviceWorker.controller.scriptURL"
        )
        cdp = context.new_cdp_session(p)
        manifest = cdp.send("Page.getAppManifest")
        assert manifest["url"] == f"{base}{MANIFEST}" and not manifest["errors"], manifest["errors"]
        errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
        # A Playwright context is an incognito profile, where nothing installs; every other check passes.
        assert [e for e in errors if e["errorId"] != "in-incognito"] == [], errors
        # no network: a page request answers the stored offline page
        context.set_offline(True)
        p.goto(f"{base}/study/records/new/")
        assert "网络不可用" in p.locator("h1").inner_text()
        assert "暂存在本机" in p.content()
    finally:
        context.close()
