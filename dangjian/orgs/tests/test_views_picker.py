"""The organisation picker's options (/orgs/picker/) and the top levels it starts from (orgs.picker)."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangjian import factories as f
from dangjian.orgs.models import OrgKind
from dangjian.orgs.picker import SEARCH_LIMIT, top_options

from .factories import grow

pytestmark = pytest.mark.django_db


def options(response) -> list[tuple[str, str, bool]]:
    """(value, label, selected) of each <option> that can be chosen."""
    assert response.status_code == 200
    html = response.content.decode()
    return [
        (value, label, bool(sel))
        for value, sel, label in re.findall(r'<option value="(\d*)"( selected)?>([^<]*)</option>', html)
    ]


def test_search_lists_matches_in_scope_only(cast, login):
    found = options(login(cast["bureau"]).get("/orgs/picker/", {"q": "党支部"}))
    assert [label for _, label, _ in found] == ["全部", "测试第一党支部", "测试第二党支部"]
    found = options(login(cast["admin_a"]).get("/orgs/picker/", {"q": "党支部"}))
    assert [label for _, label, _ in found] == ["全部", "测试第一党支部"]  # B lies outside their scope
    assert options(login(cast["admin_b"]).get("/orgs/picker/", {"q": "第一"})) == [("", "全部", False)]


def test_search_matches_code_and_keeps_the_current_choice(cast, login):
    c = login(cast["bureau"])
    found = options(c.get("/orgs/picker/", {"q": "测试第", "org": cast["b"].pk}))
    assert (str(cast["b"].pk), "测试第二党支部", True) in found
    assert sum(sel for _, _, sel in found) == 1
    # a new search that does not contain the choice selects its first match
    assert options(c.get("/orgs/picker/", {"q": "jg", "org": cast["b"].pk}))[1] == (
        str(cast["organ"].pk),
        "中共测试商务局机关委员会",
        True,
    )


def test_no_match_keeps_the_choice_and_says_so(cast, login):
    r = login(cast["bureau"]).get("/orgs/picker/", {"q": "不存在的组织", "org": cast["a"].pk})
    assert options(r) == [("", "全部", False), (str(cast["a"].pk), "测试第一党支部", True)]
    assert "没有名称含“不存在的组织”的党组织" in r.content.decode()


def test_search_is_capped(cast, login):
    grow(cast["organ"], branches=SEARCH_LIMIT + 5, members_each=0, prefix="大")
    r = login(cast["bureau"]).get("/orgs/picker/", {"q": "大"})
    assert len(options(r)) == 1 + SEARCH_LIMIT and "仅列出前" in r.content.decode()


def test_empty_search_gives_the_top_levels_with_the_choice_and_its_ancestors(cast, login):
    general = grow(cast["organ"], branches=2, members_each=0, prefix="深")[0]
    deep = f.org("深处的支部", parent=general, code="DEEP")
    c = login(cast["bureau"])
    labels = [label for _, label, _ in options(c.get("/orgs/picker/"))]
    # the bureau's top level and the one below it, indented by depth
    assert labels == ["全部", "中共测试商务局党组", "\u3000中共测试商务局机关委员会"]
    found = options(c.get("/orgs/picker/", {"org": deep.pk}))
    assert [label.strip("\u3000") for _, label, _ in found] == [
        "全部",
        "中共测试商务局党组",
        "中共测试商务局机关委员会",
        "深党总支",
        "深处的支部",
    ]
    assert found[-1][2] and found[-1][1] == "\u3000" * 3 + "深处的支部"


def test_top_levels_start_at_the_org_admins_root(cast):
    options, more = top_options(cast["admin_a"], cast["a"])
    assert [(o.label, o.selected) for o in options] == [("测试第一党支部", True)] and not more
    assert top_options(cast["auditor"]) == ([], False)


def test_top_levels_are_capped_and_keep_the_chosen_line(cast, login, monkeypatch):
    from dangjian.orgs import picker

    f.org("测试第二机关委员会", parent=cast["root"], code="JG2")  # a third top-level entry
    monkeypatch.setattr(picker, "TOP_LIMIT", 2)
    options, more = top_options(cast["bureau"])
    assert more and [o.pk for o in options] == [cast["root"].pk, cast["organ"].pk]
    deep = cast["a"]  # a branch under the 机关委员会: its line is three deep
    options, more = top_options(cast["bureau"], deep)
    assert more and [o.pk for o in options] == [cast["root"].pk, cast["organ"].pk, deep.pk]
    assert options[-1].selected  # the chosen one is never cut off
    html = login(cast["bureau"]).get("/members/").content.decode()
    assert "（仅列出前 2 个，其余请输入名称查找）" in html


def test_queries_do_not_grow_with_the_tree(cast, login):
    c = login(cast["bureau"])

    def count(params) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert c.get("/orgs/picker/", params).status_code == 200
        return len(ctx.captured_queries)

    small = [count({"q": "支部"}), count({"org": cast["a"].pk}), count({"q": "无", "org": cast["a"].pk})]
    grow(cast["organ"], branches=30, members_each=1, prefix="多")
    f.org("又一党委", kind=OrgKind.COMMITTEE, parent=cast["root"], code="MORE")
    assert [
        count({"q": "支部"}),
        count({"org": cast["a"].pk}),
        count({"q": "无", "org": cast["a"].pk}),
    ] == small


def test_roles_without_business_data_get_403(cast, login):
    for who in ("auditor", "sysadmin", "secadmin"):
        assert login(cast[who]).get("/orgs/picker/", {"q": "支部"}).status_code == 403
