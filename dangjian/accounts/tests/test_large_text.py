"""大字模式 (issue 18, 适老化): each person switches it on in the user menu and keeps it."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from dangjian.accounts.models import User
from dangjian.core.models import AuditEntry


@pytest.mark.django_db
def test_switched_on_and_kept_per_person(cast, login):
    c = login(cast["member"])
    page = c.get("/").content.decode()
    assert 'class="large-text"' not in page and 'id="large-text-toggle"' in page
    r = c.post("/accounts/large-text/", {"on": "1", "next": "/study/"})
    assert r.status_code == 302 and r["Location"] == "/study/"
    assert User.objects.get(pk=cast["member"].pk).large_text
    assert AuditEntry.objects.filter(action="account.display").count() == 1
    fresh = Client()  # another session, another day: still on
    fresh.force_login(cast["member"])
    assert re.search(r'<html lang="zh-CN" class="large-text"[ >]', fresh.get("/").content.decode())
    # only this person's pages
    assert 'class="large-text"' not in login(cast["admin_a"]).get("/").content.decode()
    r = c.post("/accounts/large-text/", {"on": "0", "next": "https://evil.example/"})
    assert r["Location"] == "/"
    assert not User.objects.get(pk=cast["member"].pk).large_text


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_large_text_in_the_browser_at_390(cast, live_server, phone_page, browser_login, horizontal_overflow):
    p = phone_page
    browser_login(p, cast["member"].username)
    size = p.evaluate("() => parseFloat(getComputedStyle(document.body).fontSize)")
    p.click(".usermenu summary")
    with p.expect_navigation():
        p.click("#large-text-toggle")
    assert p.evaluate("() => document.documentElement.classList.contains('large-text')")
    bigger = p.evaluate("() => parseFloat(getComputedStyle(document.body).fontSize)")
    assert bigger >= size * 1.2
    p.reload()
    assert p.evaluate("() => document.documentElement.classList.contains('large-text')"), "刷新后大字模式丢失"
    assert horizontal_overflow(p) == 0
