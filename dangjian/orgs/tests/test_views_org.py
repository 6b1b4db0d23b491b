"""An organisation's page and its create / edit / move / dissolve, units and party groups pages."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangjian import factories as f
from dangjian.core.models import AuditEntry
from dangjian.orgs.models import Organization, OrgKind, PartyGroup, PostTitle, RenewalStep, Unit, UnitKind

from .factories import grow

pytestmark = pytest.mark.django_db
NOW = "2026-06-15 10:00 +0800"


# --- the organisation page -------------------------------------------------------------------------------
@time_machine.travel(NOW, tick=False)
def test_detail_shows_kind_units_term_posts_groups_members_children(cast, login):
    a = cast["a"]
    t = f.term(a, elected_on=date(2023, 9, 1), secretary="赵书记", full_time=True)
    t.posts.create(title=PostTitle.ORGANIZATION, person_name="钱委员")
    t.posts.create(title=PostTitle.PROPAGANDA, person_name="孙委员", ended_on=date(2025, 1, 1))
    PartyGroup.objects.create(organization=a, name="第一党小组", leader_name="甲")
    RenewalStep.objects.create(term=t, kind="request", done_on=date(2026, 4, 1), doc_number="请〔2026〕2号")
    html = login(cast["bureau"]).get(f"/orgs/{a.pk}/").content.decode()
    for text in (
        "党支部", "组织代码</dt><dd>A</dd>", "测试事业单位甲", "2015-01-01", "第1届", "2026-09-01", "即将届满",
        "赵书记", "专职", "钱委员", "已离任（1）", "第一党小组", "甲支部党员0", f"/members/?org={a.pk}",
        "换届请示", "请〔2026〕2号", "专职 1 人 / 共 2 人",
    ):  # fmt: skip
        assert text in html, text
    assert "孙委员（2025-01-01 离任）" in html


def test_detail_of_a_parent_lists_children_with_subtree_counts(cast, login):
    html = login(cast["inspector"]).get(f"/orgs/{cast['organ'].pk}/").content.decode()
    assert "下级组织（2）" in html and "测试第一党支部" in html
    assert "含下级组织共 5 名" in html
    assert "编辑</a>" not in html  # the inspector only reads


def test_detail_of_a_dangzu_says_the_term_does_not_apply(cast, login):
    html = login(cast["bureau"]).get(f"/orgs/{cast['root'].pk}/").content.decode()
    assert "不适用选举任期" in html and "录入本届任期" not in html


def test_detail_members_are_capped_with_a_link_to_the_full_list(cast, login):
    for i in range(25):
        f.member(cast["b"], f"加测党员{i:02d}")
    html = login(cast["admin_b"]).get(f"/orgs/{cast['b'].pk}/").content.decode()
    assert html.count('data-label="姓名">') == 20
    assert "查看全部 27 名党员" in html


def test_detail_query_count_is_constant(cast, login):
    client = login(cast["bureau"])
    f.term(cast["organ"], elected_on=date(2024, 1, 1))

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/orgs/{cast['organ'].pk}/").status_code == 200
        return len(ctx.captured_queries)

    before = count()
    grow(cast["organ"], branches=6, members_each=3, prefix="加")
    assert count() == before


def test_detail_hints_the_committee_rule(cast, login):
    t = f.term(cast["a"], elected_on=date(2024, 1, 1))
    assert t.committee.kind == "committee"
    html = login(cast["admin_a"]).get(f"/orgs/{cast['a'].pk}/").content.decode()
    assert "不足7名" in html and "第二十条" in html


def test_detail_breadcrumbs_stop_at_the_scope(cast, login):
    html = login(cast["admin_a"]).get(f"/orgs/{cast['a'].pk}/").content.decode()
    assert f'href="/orgs/{cast["organ"].pk}/"' not in html and "中共测试商务局机关委员会" in html


# --- create / edit ------------------------------------------------------------------------------------------------
def test_bureau_creates_an_organisation_under_a_parent(cast, login):
    u1, u2 = f.unit("合作社一", UnitKind.PRIVATE), f.unit("合作社二", UnitKind.PRIVATE)
    r = login(cast["bureau"]).post(
        "/orgs/new/",
        {
            "parent": cast["organ"].pk,
            "name": "非公企业联合党支部",
            "kind": "joint_branch",
            "units": [u1.pk, u2.pk],
        },
    )
    org = Organization.objects.get(name="非公企业联合党支部")
    assert r.status_code == 302 and r["Location"] == f"/orgs/{org.pk}/"
    assert org.units.count() == 2 and org.path.startswith(cast["organ"].path)
    assert AuditEntry.objects.filter(
        model="orgs.organization", object_id=str(org.pk), actor=cast["bureau"]
    ).exists()


def test_create_form_prefills_the_parent_and_refuses_a_branch_parent(cast, login):
    client = login(cast["bureau"])
    html = client.get(f"/orgs/new/?parent={cast['organ'].pk}").content.decode()
    assert f'<option value="{cast["organ"].pk}" selected' in html
    assert f'value="{cast["a"].pk}"' not in html  # a branch is never offered as a parent
    r = client.post("/orgs/new/", {"parent": cast["a"].pk, "name": "x", "kind": "branch"})
    assert r.status_code == 200 and "选择一个有效的选项" in r.content.decode()


def test_org_admin_of_a_branch_cannot_create_and_is_told_why(cast, login):
    client = login(cast["admin_a"])
    assert "党支部下只设党小组" in client.get("/orgs/new/").content.decode()
    r = client.post("/orgs/new/", {"name": "根组织", "kind": "committee"})
    assert r.status_code == 200 and not Organization.objects.filter(name="根组织").exists()


def test_org_admin_creates_inside_their_subtree(cast, login):
    general = f.org("某总支", kind=OrgKind.GENERAL_BRANCH, parent=cast["organ"], code="G")
    admin = f.user("admin_g", "org_admin", organization=general)
    client = login(admin)
    r = client.post("/orgs/new/", {"parent": general.pk, "name": "总支下新支部", "kind": "branch"})
    assert r.status_code == 302
    r = client.post("/orgs/new/", {"parent": cast["organ"].pk, "name": "越权支部", "kind": "branch"})
    assert r.status_code == 200 and not Organization.objects.filter(name="越权支部").exists()


def test_edit_saves_and_refuses_a_stale_version(cast, login):
    a = cast["a"]
    client = login(cast["admin_a"])
    data = {"name": a.name, "code": "A", "kind": "branch", "phone": "0394-1234567", "version": 1}
    assert client.post(f"/orgs/{a.pk}/edit/", data).status_code == 302
    a.refresh_from_db()
    assert a.phone == "0394-1234567" and a.version == 2
    r = client.post(f"/orgs/{a.pk}/edit/", {**data, "phone": "13800000000"})
    assert r.status_code == 200 and "已被他人修改" in r.content.decode()
    a.refresh_from_db()
    assert a.phone == "0394-1234567"


def test_edit_reports_a_name_clash_on_the_field(cast, login):
    a = cast["a"]
    r = login(cast["bureau"]).post(
        f"/orgs/{a.pk}/edit/", {"name": cast["b"].name, "code": "A", "kind": "branch", "version": 1}
    )
    assert r.status_code == 200 and "已被其他党组织使用" in r.content.decode()


# --- move / dissolve ---------------------------------------------------------------------------------------------
def test_bureau_moves_a_branch(cast, login):
    g = f.org("某总支", kind=OrgKind.GENERAL_BRANCH, parent=cast["organ"], code="G")
    client = login(cast["bureau"])
    html = client.get(f"/orgs/{cast['a'].pk}/move/").content.decode()
    assert "某总支" in html and f'value="{cast["b"].pk}"' not in html
    r = client.post(f"/orgs/{cast['a'].pk}/move/", {"parent": g.pk, "version": 1})
    assert r.status_code == 302
    assert Organization.objects.get(pk=cast["a"].pk).path.startswith(Organization.objects.get(pk=g.pk).path)


def test_org_admin_moves_inside_their_subtree_but_never_their_root(cast, login):
    general = f.org("某总支", kind=OrgKind.GENERAL_BRANCH, parent=cast["organ"], code="G")
    sub = f.org("子总支", kind=OrgKind.GENERAL_BRANCH, parent=general, code="GS")
    leaf = f.org("末端支部", parent=general, code="GL")
    admin = f.user("admin_g", "org_admin", organization=general)
    client = login(admin)
    assert client.get(f"/orgs/{general.pk}/move/").status_code == 403
    assert client.get(f"/orgs/{general.pk}/dissolve/").status_code == 403
    html = client.get(f"/orgs/{leaf.pk}/move/").content.decode()
    assert "中共测试商务局机关委员会" not in html  # targets only inside the subtree
    assert client.post(f"/orgs/{leaf.pk}/move/", {"parent": sub.pk, "version": 1}).status_code == 302
    assert Organization.objects.get(pk=leaf.pk).path.startswith(Organization.objects.get(pk=sub.pk).path)
    r = client.post(f"/orgs/{leaf.pk}/move/", {"parent": cast["organ"].pk, "version": 2})
    assert r.status_code == 200 and "选择一个有效的选项" in r.content.decode()


def test_dissolve_page_refuses_with_members_then_dissolves(cast, login):
    b = cast["b"]
    client = login(cast["bureau"])
    with time_machine.travel(NOW, tick=False):
        r = client.post(
            f"/orgs/{b.pk}/dissolve/", {"dissolved_on": "2026-06-01", "reason": "破产终结", "version": 1}
        )
        assert r.status_code == 200 and "还有 2 名党员" in r.content.decode()
        for m in cast["members_b"]:
            m.status = "已转出"
            m.save()
        r = client.post(
            f"/orgs/{b.pk}/dissolve/", {"dissolved_on": "2026-06-01", "reason": "破产终结", "version": 1}
        )
        html = client.get(f"/orgs/{b.pk}/").content.decode()
    assert r.status_code == 302
    b.refresh_from_db()
    assert b.dissolved_on == date(2026, 6, 1) and b.dissolved_reason == "破产终结"
    assert "已撤销" in html and "编辑</a>" not in html


# --- units ---------------------------------------------------------------------------------------------------
def test_units_list_create_edit(cast, login):
    client = login(cast["bureau"])
    html = client.get("/orgs/units/").content.decode()
    assert "测试事业单位甲" in html and "测试第一党支部" in html
    assert (
        client.post("/orgs/units/new/", {"name": "新单位", "kind": "soe", "is_active": "on"}).status_code
        == 302
    )
    unit = Unit.objects.get(name="新单位")
    r = client.post("/orgs/units/new/", {"name": "新单位", "kind": "soe"})
    assert "已存在" in r.content.decode()
    r = client.post(f"/orgs/units/{unit.pk}/edit/", {"name": "新单位", "kind": "bankrupting", "version": 1})
    assert r.status_code == 302
    unit.refresh_from_db()
    assert unit.kind == "soe" and not unit.is_active  # the edit form no longer changes the kind (变更 does)
    r = client.post(
        f"/orgs/units/{unit.pk}/kind/", {"kind": "bankrupting", "valid_from": "2026-01-05", "version": 2}
    )
    assert r.status_code == 302
    unit.refresh_from_db()
    assert unit.kind == "bankrupting"
    assert "正在破产企业" in client.get("/orgs/units/?kind=bankrupting").content.decode()
    assert "测试事业单位甲" not in client.get("/orgs/units/?kind=bankrupting").content.decode()
    assert "登记单位" not in login(cast["inspector"]).get("/orgs/units/").content.decode()


@time_machine.travel(NOW, tick=False)
def test_unit_kind_change_page_keeps_the_old_kind_dated(cast, login):
    from dangjian.core.models import AuditEntry
    from dangjian.orgs.asof import unit_kind_on
    from dangjian.orgs.models import UnitKindChange

    unit = Unit.objects.create(name="某国有企业", kind="soe")
    client = login(cast["bureau"])
    assert "变更</a>" in client.get("/orgs/units/").content.decode()
    page = client.get(f"/orgs/units/{unit.pk}/kind/").content.decode()
    assert "当前单位类别" in page and "国有企业" in page
    r = client.post(
        f"/orgs/units/{unit.pk}/kind/",
        {"kind": "restructured", "valid_from": "2026-03-01", "note": "县政府批复", "version": unit.version},
    )
    assert r.status_code == 302
    unit.refresh_from_db()
    assert unit.kind == "restructured"
    assert unit_kind_on(unit, date(2026, 2, 28)) == "soe"
    assert unit_kind_on(unit, date(2026, 3, 1)) == "restructured"
    assert list(UnitKindChange.objects.filter(unit=unit).values_list("kind", "valid_from")) == [
        ("soe", None),
        ("restructured", date(2026, 3, 1)),
    ]
    assert AuditEntry.objects.filter(
        model="orgs.unitkindchange", object_id=str(unit.kind_changes.last().pk)
    ).exists()
    page = client.get(f"/orgs/units/{unit.pk}/kind/").content.decode()
    assert "登记时" in page and "县政府批复" in page
    # An earlier date than the last change, a future date and a stale version are refused on the page.
    r = client.post(
        f"/orgs/units/{unit.pk}/kind/",
        {"kind": "bankrupting", "valid_from": "2026-02-01", "version": unit.version},
    )
    assert r.status_code == 200 and "应晚于上一次变更" in r.content.decode()
    r = client.post(
        f"/orgs/units/{unit.pk}/kind/",
        {"kind": "bankrupting", "valid_from": "2099-01-01", "version": unit.version},
    )
    assert "不能晚于今天" in r.content.decode()
    r = client.post(
        f"/orgs/units/{unit.pk}/kind/", {"kind": "bankrupting", "valid_from": "2026-04-01", "version": 1}
    )
    assert "已被他人修改" in r.content.decode()
    assert UnitKindChange.objects.filter(unit=unit).count() == 2
    # Only the bureau changes a unit's kind.
    assert login(cast["admin_a"]).get(f"/orgs/units/{unit.pk}/kind/").status_code == 403


def test_units_list_query_count_is_constant(cast, login, django_assert_max_num_queries):
    client = login(cast["bureau"])
    with CaptureQueriesContext(connection) as small:
        client.get("/orgs/units/")
    for i in range(10):
        f.org(f"单位支部{i}", parent=cast["organ"], code=f"U{i}", units=[f.unit(f"加测单位{i}")])
    with CaptureQueriesContext(connection) as big:
        client.get("/orgs/units/")
    assert len(small.captured_queries) == len(big.captured_queries)


# --- party groups ----------------------------------------------------------------------------------------------
def test_party_group_create_and_edit(cast, login):
    client = login(cast["admin_a"])
    r = client.post(f"/orgs/{cast['a'].pk}/groups/new/", {"name": "第一党小组", "leader_name": "甲"})
    assert r.status_code == 302
    group = PartyGroup.objects.get(organization=cast["a"])
    r = client.post(
        f"/orgs/groups/{group.pk}/edit/",
        {"name": "一组", "leader_name": "乙", "is_active": "on", "version": 1},
    )
    assert r.status_code == 302
    group.refresh_from_db()
    assert (group.name, group.leader_name, group.version) == ("一组", "乙", 2)
    r = client.post(f"/orgs/groups/{group.pk}/edit/", {"name": "二组", "is_active": "on", "version": 1})
    assert "已被他人修改" in r.content.decode()


def test_party_group_only_inside_a_branch(cast, login):
    client = login(cast["bureau"])
    html = client.get(f"/orgs/{cast['organ'].pk}/groups/new/").content.decode()
    assert "只能设在党支部" in html
    r = client.post(f"/orgs/{cast['organ'].pk}/groups/new/", {"name": "不该有的小组"})
    assert r.status_code == 200 and not PartyGroup.objects.exists()


def test_editing_keeps_a_unit_taken_off_the_register(cast, login):
    a = cast["a"]
    Unit.objects.filter(name="测试事业单位甲").update(is_active=False)
    client = login(cast["bureau"])
    unit = Unit.objects.get(name="测试事业单位甲")
    html = client.get(f"/orgs/{a.pk}/edit/").content.decode()
    assert f'<option value="{unit.pk}" selected>' in html
    data = {"name": a.name, "code": "A", "kind": "branch", "units": [unit.pk], "phone": "1", "version": 1}
    assert client.post(f"/orgs/{a.pk}/edit/", data).status_code == 302
    assert list(Organization.objects.get(pk=a.pk).units.all()) == [unit]


def test_detail_gives_a_member_no_link_to_the_roster_they_cannot_filter(cast, login):
    """A member's roster page answers 404 to ?org= (it only shows their own record): the page must not offer it."""
    member = login(cast["member"])
    response = member.get(f"/orgs/{cast['a'].pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "党员" in html and "/members/?org=" not in html and "查看全部党员" not in html
    assert (
        f"/members/?org={cast['a'].pk}"
        in login(cast["admin_a"]).get(f"/orgs/{cast['a'].pk}/").content.decode()
    )
