"""Form drafts (issue 19 part 4): the meeting and study forms are marked for the phone's draft, and the page after
a successful save tells the script which draft to drop (once, never on an htmx fragment)."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

pytestmark = pytest.mark.django_db


def saved_keys(html: str) -> list[str]:
    m = re.search(r'data-drafts-saved="([^"]*)"', html)
    return m.group(1).split() if m else []


def test_the_study_form_is_marked_and_its_draft_dropped_after_the_save(cast, login):
    client = login(cast["member"])
    assert 'data-draft="study-new"' in client.get("/study/records/new/").content.decode()
    bad = client.post(
        "/study/records/new/", {"day": timezone.localdate().isoformat(), "hours": "", "content": ""}
    )
    assert bad.status_code == 200 and saved_keys(bad.content.decode()) == []  # refused: the draft stays
    r = client.post(
        "/study/records/new/",
        {
            "member": cast["members_a"][0].pk,
            "day": timezone.localdate().isoformat(),
            "hours": "1",
            "content": "学习党章",
            "form": "个人自学",
        },
        follow=True,
    )
    assert "已登记" in r.content.decode()
    assert saved_keys(r.content.decode()) == ["study-new"]
    assert saved_keys(client.get("/").content.decode()) == []  # said once


def test_the_meeting_form_is_marked_per_record_and_its_draft_dropped_after_the_save(cast, login):
    client = login(cast["admin_a"])
    today = timezone.localdate().isoformat()
    assert 'data-draft="activity-new"' in client.get("/activities/new/").content.decode()
    data = {
        "organization": cast["a"].pk,
        "kinds": ["theme_day"],
        "date": today,
        "topic": "主题党日",
        "host": "张书记",
    }
    page = client.get("/")  # an htmx fragment never swallows the news
    assert page.status_code == 200
    r = client.post("/activities/new/", data)
    assert r.status_code == 302
    assert client.get("/activities/roster/", HTTP_HX_REQUEST="true").status_code == 200
    detail = client.get(r["Location"]).content.decode()
    assert saved_keys(detail) == ["activity-new"]
    pk = int(r["Location"].rstrip("/").rsplit("/", 1)[-1])
    edit = client.get(f"/activities/{pk}/edit/").content.decode()
    assert f'data-draft="activity-{pk}"' in edit
    version = re.search(r'name="version" value="(\d+)"', edit).group(1)
    r = client.post(
        f"/activities/{pk}/edit/", {**data, "topic": "主题党日（改）", "version": version}, follow=True
    )
    assert "已保存修改" in r.content.decode() and saved_keys(r.content.decode()) == [f"activity-{pk}"]
