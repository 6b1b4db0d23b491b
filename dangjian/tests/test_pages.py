"""Every page is served whole from this site: no asset or link to another host, no inline script or handler
(CSP script-src 'self'), and every POST form carries the CSRF token."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client

from dangjian.core.testing import CAST_USERS

from .htmlcheck import csp_directives, inspect_html
from .matrix import collect_cases

OWN_HOSTS = {"testserver", "localhost", "127.0.0.1"}


def _problems(html: str) -> list[str]:
    report = inspect_html(html)
    problems = [f"指向外部主机：<{t} {a}={v!r}>" for t, a, v in report.foreign_urls(OWN_HOSTS)]
    if report.inline_scripts:
        problems.append(f"内联脚本 {report.inline_scripts} 处（CSP 禁止，请放入静态 js 文件）")
    problems += [f"内联事件属性：<{t} {a}>" for t, a in report.handlers]
    problems += [f"POST 表单缺少 CSRF 令牌：action={f.action!r}" for f in report.post_forms_without_csrf()]
    return problems


@pytest.mark.django_db
@pytest.mark.parametrize("who", [None, "bureau", "member", "sysadmin"])
def test_home_and_login_pages_stay_on_this_site(cast, client, who):
    if who:
        client.force_login(cast[who])
    for url in ("/accounts/login/", "/") if who is None else ("/",):
        response = client.get(url, follow=who is None)
        assert response.status_code == 200
        html = response.content.decode()
        assert "<link" in html and "<script" in html  # the check sees the real assets
        assert not _problems(html), (url, _problems(html))
        csp = csp_directives(response["Content-Security-Policy"])
        assert csp["script-src"] == ["'self'"]
        assert "'unsafe-inline'" not in csp["script-src"] and "'unsafe-eval'" not in csp["script-src"]
        assert csp["default-src"] == ["'self'"] and csp["object-src"] == ["'none'"]


def test_the_checker_finds_what_it_should():
    bad = (
        '<link rel="stylesheet" href="https://cdn.example.com/x.css">'
        '<script src="//cdn.example.com/x.js"></script><script>alert(1)</script>'
        '<script type="application/json" id="d">{"a": 1}</script>'
        '<a href="javascript:void(0)" onclick="x()">x</a><img srcset="/a.png 1x, http://evil.example/b.png 2x">'
        '<form method="post" action="/x/"><input name="a"></form>'
        '<form method="POST"><input type="hidden" name="csrfmiddlewaretoken" value="t"></form>'
        '<form method="get"></form><a href="/ok/">ok</a><a href="http://testserver/ok">ok</a>'
    )
    problems = _problems(bad)
    assert len([p for p in problems if "外部主机" in p]) == 4
    assert any("内联脚本 1 处" in p for p in problems)
    assert any("onclick" in p for p in problems)
    assert len([p for p in problems if "CSRF" in p]) == 1


def test_stylesheets_load_nothing_from_another_host():
    for path in Path(settings.BASE_DIR).rglob("static/**/*.css"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"(url\(\s*['\"]?(https?:)?//|@import\s+['\"]?(https?:)?//)", text), path
    assert finders.find("css/app.css")


@pytest.mark.django_db
def test_every_renderable_page_stays_on_this_site_and_protects_its_forms(cast):
    """Over the permission matrix: each GET page as each role allowed to see it."""
    failures = []
    seen = 0
    for case in collect_cases(cast):
        if case.method != "get":
            continue
        viewers = [None] if case.public else [w for w in CAST_USERS if w in case.allow]
        for who in viewers:
            client = Client()
            if who:
                client.force_login(cast[who])
            response = client.get(case.url, case.data)
            if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
                continue
            seen += 1
            failures += [
                f"{case.url}（{who or '未登录'}）：{p}" for p in _problems(response.content.decode())
            ]
    assert seen >= 2
    assert not failures, "\n".join(failures)
