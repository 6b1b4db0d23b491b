"""The organisation tree page (/orgs/)."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangjian import factories as f
from dangjian.orgs.models import OrgKind

from .factories import grow

pytestmark = pytest.mark.django_db


def _queries(client) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as ctx:
        r = client.get("/orgs/")
    assert r.status_code == 200
    data = [q["sql"] for q in ctx.captured_queries if "orgs_" in q["sql"] or "members_" in q["sql"]]
    # exactly one for the organisations, one grouped count of members
    assert len(data) == 2 and "GROUP BY" in data[1], data
    return len(ctx.captured_queries), r.content.decode()


def _count_of(html: str, name: str) -> int:
    m = re.search(re.escape(name) + r"</a>.*?<span class=\"tree-count\"[^>]*>(\d+) 名党员", html, re.S)
    assert m, f"{name} not in tree"
    return int(m.group(1))


def test_bureau_sees_the_whole_tree_with_subtree_member_counts(cast, login):
    html = login(cast["bureau"]).get("/orgs/").content.decode()
    assert _count_of(html, "中共测试商务局党组") == 5  # 3 in A + 2 in B, rolled up
    assert _count_of(html, "中共测试商务局机关委员会") == 5
    assert _count_of(html, "测试第一党支部") == 3 and _count_of(html, "测试第二党支部") == 2
    assert "<details" in html and "党组</span>" in html and "机关党委</span>" in html


def test_departed_members_are_not_counted(cast, login):
    m = cast["members_a"][0]
    m.status = "已转出"
    m.save()
    html = login(cast["bureau"]).get("/orgs/").content.decode()
    assert _count_of(html, "测试第一党支部") == 2 and _count_of(html, "中共测试商务局党组") == 4


def test_constant_number_of_queries_at_two_tree_sizes(cast, login):
    client = login(cast["bureau"])
    grow(cast["organ"], branches=2, members_each=2, prefix="小")
    small, _ = _queries(client)
    grow(cast["organ"], branches=12, members_each=5, prefix="大")
    f.org("新党委", kind=OrgKind.COMMITTEE, parent=cast["root"], code="NEW")
    big, html = _queries(client)
    assert small == big
    assert _count_of(html, "大党总支") == 60 and _count_of(html, "中共测试商务局党组") == 5 + 4 + 60


def test_org_admin_sees_the_tree_from_their_organisation_down(cast, login):
    general = f.org("管理员的总支", kind=OrgKind.GENERAL_BRANCH, parent=cast["organ"], code="G")
    child = f.org("总支下的支部", parent=general, code="GB")
    f.member(child)
    admin = f.user("admin_g", "org_admin", organization=general)
    html = login(admin).get("/orgs/").content.decode()
    assert "管理员的总支" in html and "总支下的支部" in html
    assert "中共测试商务局党组" not in html and "测试第一党支部" not in html
    assert _count_of(html, "管理员的总支") == 1


def test_member_sees_only_their_own_organisation(cast, login):
    html = login(cast["member"]).get("/orgs/").content.decode()
    assert "测试第一党支部" in html and "测试第二党支部" not in html and "机关委员会" not in html
    assert "设立党组织" not in html


def test_dissolved_organisations_are_hidden_unless_asked(cast, login):
    from datetime import date

    gone = f.org("已撤销支部", parent=cast["organ"], code="OLD", dissolved_on=date(2025, 1, 1))
    client = login(cast["bureau"])
    assert gone.name not in client.get("/orgs/").content.decode()
    html = client.get("/orgs/?all=1").content.decode()
    assert gone.name in html and "已撤销" in html


def test_three_admins_get_403(cast, login):
    for who in ("auditor", "sysadmin", "secadmin"):
        assert login(cast[who]).get("/orgs/").status_code == 403
