"""Issue 8 part 5: rate limits on login (django-axes: five failures lock the account) and on import uploads
(at most 10 uploads per user in 10 minutes, counted in Django's cache, with a clear Chinese message)."""

from __future__ import annotations

import io

import openpyxl
import pytest
import time_machine
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dangjian.factories import TEST_PASSWORD

WIZARDS = ["/members/import/", "/activities/import/", "/study/import/"]


def _book() -> bytes:
    wb = openpyxl.Workbook()
    wb.active.append(["姓名"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _upload(client, url: str):
    return client.post(url, {"file": SimpleUploadedFile("导入.xlsx", _book())})


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.mark.django_db
@pytest.mark.parametrize("url", WIZARDS)
def test_the_eleventh_upload_in_ten_minutes_is_refused(cast, login, url):
    client = login(cast["admin_a"])
    with time_machine.travel("2026-03-02 09:00 +0800", tick=False) as clock:
        for _ in range(10):
            assert _upload(client, url).status_code == 302
        refused = _upload(client, url)
        assert refused.status_code == 429
        assert "上传过于频繁" in refused.content.decode() and "10 分钟" in refused.content.decode()
        # another person is not held up by it
        assert _upload(login(cast["bureau"]), url).status_code == 302
        clock.shift(601)
        assert _upload(client, url).status_code == 302


@pytest.mark.django_db
def test_the_limit_counts_uploads_across_all_wizards(cast, login):
    client = login(cast["admin_a"])
    for i in range(10):
        assert _upload(client, WIZARDS[i % 3]).status_code == 302
    assert _upload(client, WIZARDS[0]).status_code == 429


@pytest.mark.django_db
def test_login_is_rate_limited_by_the_account_lockout(client, cast):
    """Five wrong passwords lock the account: the sixth try, even with the right password, is refused."""
    url = reverse("accounts:login")
    for _ in range(4):
        r = client.post(url, {"username": "admin_a", "password": "错误的密码123"})
        assert r.status_code == 200
    # the fifth failure locks: 429 and the Chinese lockout page
    assert client.post(url, {"username": "admin_a", "password": "错误的密码123"}).status_code == 429
    r = client.post(url, {"username": "admin_a", "password": TEST_PASSWORD})
    assert r.status_code == 429
    assert "_auth_user_id" not in client.session
    assert "锁定" in r.content.decode()
