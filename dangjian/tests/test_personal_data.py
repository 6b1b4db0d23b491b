"""Issue 8 parts 4 and 8: personal data.

The crawl: signed in as the bureau admin, follow every link from the home page and the navigation through the
list pages (bounded), collecting every full ID number and phone of branch A that any page shows; then, signed in
as the org admin of branch B, request each of those pages: 403/404, or none of branch A's full numbers.
Also: lists and exports mask ID numbers (4114**********123X) and phones for roles that may not see them; showing
or exporting them in full is audited; a member sees and downloads their own data in full.
"""

from __future__ import annotations

import io
import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import openpyxl
import pytest

from dangjian import factories
from dangjian.activities.tests.factories import activity
from dangjian.core.idnumber import mask_id_number, mask_phone
from dangjian.core.models import AuditEntry

MAX_PAGES = 200
# Links the crawl must not follow: leaving the session, or binary downloads it cannot read for text.
SKIP = re.compile(r"^/(accounts/logout|static/|media/|favicon)|[?&](export|template)=|/file/?$|/download/?$")


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href") or ""
            if href.startswith("/") and not href.startswith("//"):
                self.links.append(urldefrag(href)[0])


def links_of(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    return parser.links


@pytest.fixture
def people(cast):
    """Branches A and B each with members carrying ID numbers and mobile phones, and some 台账 in each."""
    a_members = [factories.member(cast["a"], f"甲支部成员{i}", phone=f"1391234{i:04d}") for i in range(6)]
    b_members = [factories.member(cast["b"], f"乙支部成员{i}", phone=f"1382345{i:04d}") for i in range(4)]
    a_members += list(cast["members_a"])
    for org, who in ((cast["a"], cast["admin_a"]), (cast["b"], cast["admin_b"])):
        activity(org, actor=who)
    secrets_a = {m.id_number for m in a_members} | {m.phone for m in a_members if m.phone}
    return {"a": a_members, "b": b_members, "secrets_a": secrets_a}


def crawl(client, start: list[str]) -> dict[str, str]:
    """url → HTML of every page reached (GET only, same host, bounded)."""
    seen: dict[str, str] = {}
    todo = deque(start)
    queued = set(start)
    while todo and len(seen) < MAX_PAGES:
        url = todo.popleft()
        r = client.get(url)
        if r.status_code != 200 or "text/html" not in r.get("Content-Type", ""):
            continue
        html = r.content.decode()
        seen[url] = html
        for link in links_of(html):
            if link not in queued and not SKIP.search(link):
                queued.add(link)
                todo.append(link)
    return seen


@pytest.mark.django_db
def test_crawl_as_bureau_then_branch_b_admin_sees_none_of_branch_a_personal_data(cast, login, people):
    bureau = login(cast["bureau"])
    pages = crawl(bureau, ["/", "/members/", "/orgs/", "/activities/"])
    assert len(pages) >= 40, f"只爬到 {len(pages)} 个页面，爬取范围不够"
    exposing = {url for url, html in pages.items() if any(s in html for s in people["secrets_a"])}
    # the crawl must have reached pages that do show A's full numbers (the members' own pages)
    assert any(urlsplit(u).path.startswith("/members/") for u in exposing), sorted(pages)[:50]

    other = login(cast["admin_b"])
    leaks = []
    for url in sorted(pages):  # every page, not only those that showed numbers to the bureau
        r = other.get(url)
        if r.status_code in (403, 404) or r.status_code in (301, 302):
            continue
        body = r.content.decode(errors="replace")
        shown = sorted(s for s in people["secrets_a"] if s in body)
        if shown:
            leaks.append((url, r.status_code, shown[:3]))
    assert not leaks, f"乙支部管理员看到了甲支部的完整身份证号/电话：{leaks[:10]}"


@pytest.mark.django_db
def test_lists_mask_numbers_and_only_the_member_page_reveals_them(cast, login, people):
    m = people["a"][0]
    for who in ("bureau", "admin_a", "inspector"):
        html = login(cast[who]).get(f"/members/?org={cast['a'].pk}").content.decode()
        assert m.id_number not in html and m.phone not in html, who
        assert mask_id_number(m.id_number) in html, who
        assert re.fullmatch(r"\d{4}\*{10}\d{3}[\dX]", mask_id_number(m.id_number))
    # the inspector reads all, but never the full numbers, not even on the member's page
    html = login(cast["inspector"]).get(f"/members/{m.pk}/").content.decode()
    assert m.id_number not in html and m.phone not in html
    assert mask_id_number(m.id_number) in html and mask_phone(m.phone) in html


def _sheet_values(data: bytes) -> list[list[str]]:
    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    return [[str(v) for v in row if v is not None] for row in wb.worksheets[0].iter_rows(values_only=True)]


@pytest.mark.django_db
def test_exports_mask_for_the_inspector_and_full_exports_are_audited(cast, login, people):
    m = people["a"][0]
    r = login(cast["inspector"]).get(f"/members/?org={cast['a'].pk}&export=xlsx")
    assert r.status_code == 200
    cells = {c for row in _sheet_values(r.content) for c in row}
    assert m.id_number not in cells and m.phone not in cells
    assert mask_id_number(m.id_number) in cells
    masked = AuditEntry.objects.filter(action="member.export", actor=cast["inspector"]).latest("pk")
    assert "已脱敏" in masked.note

    r = login(cast["admin_a"]).get(f"/members/?org={cast['a'].pk}&export=xlsx")
    cells = {c for row in _sheet_values(r.content) for c in row}
    assert m.id_number in cells  # writers export in full (the file re-imports) …
    full = AuditEntry.objects.filter(action="member.export", actor=cast["admin_a"]).latest("pk")
    assert "完整" in full.note  # … and it is audited


@pytest.mark.django_db
def test_showing_numbers_in_full_is_audited(cast, login, people):
    m = people["a"][0]
    before = AuditEntry.objects.filter(action="member.view_sensitive").count()
    html = login(cast["admin_a"]).get(f"/members/{m.pk}/").content.decode()
    assert m.id_number in html
    entry = AuditEntry.objects.filter(action="member.view_sensitive").latest("pk")
    assert AuditEntry.objects.filter(action="member.view_sensitive").count() == before + 1
    assert entry.actor == cast["admin_a"] and entry.object_id == str(m.pk)


@pytest.mark.django_db
def test_a_member_sees_and_downloads_their_own_data_in_full(cast, login, people):
    own = cast["members_a"][0]
    client = login(cast["member"])
    r = client.get("/members/me/", follow=True)
    html = r.content.decode()
    assert own.id_number in html and "下载本人信息" in html
    before = AuditEntry.objects.filter(action="member.view_sensitive").count()
    assert AuditEntry.objects.filter(action="member.view_sensitive").count() == before  # own view: no entry

    r = client.get("/members/me/download/")
    assert r.status_code == 200
    assert "attachment" in r["Content-Disposition"]
    rows = _sheet_values(r.content)
    assert len(rows) == 2  # the header and their own row, nobody else's
    assert own.id_number in rows[1] and own.name in rows[1]
    entry = AuditEntry.objects.filter(action="member.export").latest("pk")
    assert entry.actor == cast["member"] and "本人信息" in entry.note
    # the member cannot export the roster, nor read another member
    assert client.get("/members/?export=xlsx").status_code == 403
    assert client.get(f"/members/{people['a'][1].pk}/").status_code == 404
