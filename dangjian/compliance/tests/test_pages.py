"""The compliance pages: content, scope, filters, drill-down, 本月待办, configuration, query counts."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from dangjian import factories as f
from dangjian.compliance import services
from dangjian.compliance.models import Exemption, Requirement
from dangjian.core.models import AuditEntry

from . import factories as cf

pytestmark = pytest.mark.django_db
NOW = datetime(2025, 8, 20, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def page(login, user, url: str) -> str:
    r = login(user).get(url)
    assert r.status_code == 200, (url, r.status_code)
    return r.content.decode()


def main(html: str) -> str:
    return html[html.index('<main class="content"') :]


@pytest.fixture
def data(cast):
    a = cast["a"]
    cast["assembly"] = cf.activity(a, date(2025, 8, 5), "branch_assembly", "theme_day", quorum_met=True)
    cast["no_quorum"] = cf.activity(
        a, date(2025, 7, 5), "branch_assembly", quorum_met=False, topic="七月党员大会"
    )
    cast["july_theme"] = cf.activity(cast["b"], date(2025, 7, 1), "theme_day", topic="七月主题党日")
    return cast


# --- the matrix ---------------------------------------------------------------------------------------------------
def test_matrix_rows_rollup_and_coloured_cells(data, login):
    a, b, organ = data["a"], data["b"], data["organ"]
    html = main(page(login, data["bureau"], "/compliance/?period=2025Q3"))
    assert "2025年第三季度" in html
    assert f'/compliance/org/{a.pk}/?year=2025">测试第一党支部' in html
    assert f'/compliance/org/{b.pk}/?year=2025">测试第二党支部' in html
    assert 'class="rollup-mark"' in html and f"parent={organ.pk}" in html
    assert f'class="status-达标" href="/compliance/org/{a.pk}/branch_assembly/2025Q3/"' in html
    assert f'class="status-进行中" href="/compliance/org/{b.pk}/branch_assembly/2025Q3/"' in html
    assert (
        f'class="status-未达标" href="/compliance/org/{a.pk}/theme_day/2025Q3/"' in html
    )  # no theme day in July
    assert (
        f'class="status-进行中" href="/compliance/org/{b.pk}/theme_day/2025Q3/"' in html
    )  # July met, Aug open
    assert f'class="status-不适用" href="/compliance/org/{a.pk}/group_meeting/2025Q3/"' in html
    assert "1/2 · 50%" in html  # the organ committee: one of two branches held its assembly
    assert 'class="table-wrap matrix-wrap"' in html and 'class="org-col' in html


def test_matrix_scope(data, login):
    for who in ("admin_a", "member"):
        html = main(page(login, data[who], "/compliance/?period=2025Q3"))
        assert "测试第一党支部" in html and "测试第二党支部" not in html and "rollup-mark" not in html
    html = main(page(login, data["inspector"], "/compliance/?period=2025Q3"))
    assert "测试第一党支部" in html and "测试第二党支部" in html
    html = main(page(login, data["admin_b"], "/compliance/?period=2025Q3"))
    assert "测试第一党支部" not in html and "测试第二党支部" in html


def test_matrix_filters(data, login):
    bureau, organ = data["bureau"], data["organ"]
    html = main(page(login, bureau, "/compliance/?period=2025Q3&kind=branch"))
    assert "rollup-mark" not in html and "测试第一党支部" in html
    html = main(page(login, bureau, "/compliance/?period=2025Q3&kind=organ_committee"))
    assert "rollup-mark" in html and "测试第一党支部" not in html
    html = main(page(login, bureau, "/compliance/?period=2025-07&status=未达标"))
    assert "测试第一党支部" in html and "测试第二党支部" not in html  # only A missed July's theme day
    html = main(page(login, bureau, f"/compliance/?period=2025Q3&parent={data['b'].pk}"))
    assert "测试第二党支部" in html and "测试第一党支部" not in html
    html = main(page(login, bureau, f"/compliance/?period=2025Q3&parent={organ.pk}"))
    assert "测试第一党支部" in html and "测试第二党支部" in html


def test_matrix_parent_outside_scope_is_404(data, login):
    assert login(data["admin_a"]).get(f"/compliance/?parent={data['b'].pk}").status_code == 404


@pytest.mark.parametrize(
    "query,label",
    [
        ("year=2025&part=m8", "2025年8月"),
        ("year=2025&part=", "2025年<"),
        ("year=2025&part=h1", "2025年上半年"),
        ("period=2025Q2", "2025年第二季度"),
        ("", "2025年第三季度"),
    ],
)
def test_matrix_ranges(data, login, query, label):
    assert label in page(login, data["bureau"], f"/compliance/?{query}")


@pytest.mark.parametrize("query", ["period=2025Q9", "year=abc", "year=2025&part=x7", "year=1800"])
def test_matrix_bad_range_warns_and_shows_this_quarter(data, login, query):
    html = page(login, data["bureau"], f"/compliance/?{query}")
    assert "msg-warning" in html and "已显示2025年第三季度" in html


def test_matrix_month_shows_enclosing_quarter_and_year(data, login):
    html = main(page(login, data["bureau"], "/compliance/?period=2025-08"))
    assert f'href="/compliance/org/{data["a"].pk}/theme_day/2025-08/"' in html
    assert 'aria-label="达标 1/1">1/1' in html


# --- drill-down ---------------------------------------------------------------------------------------------------
def test_cell_lists_the_records_behind_it(data, login):
    a = data["a"]
    html = main(page(login, data["admin_a"], f"/compliance/org/{a.pk}/branch_assembly/2025Q3/"))
    assert f'href="/activities/{data["assembly"].pk}/"' in html
    assert f'href="/activities/{data["no_quorum"].pk}/"' in html and "未达法定人数" in html
    assert "第十一条" in html
    assert f'href="/activities/new/?org={a.pk}&amp;kinds=branch_assembly"' in html
    assert "授予豁免" not in html  # only the bureau grants exemptions


def test_cell_links_to_the_exemption(data, login):
    a = data["a"]
    theme = Requirement.objects.get(key="theme_day")
    ex = services.grant_exemption(
        a, theme, date(2025, 7, 1), date(2025, 7, 31), "支部书记住院治疗", actor=data["bureau"]
    )
    html = main(page(login, data["bureau"], f"/compliance/org/{a.pk}/theme_day/2025Q3/"))
    assert f'href="/compliance/exemptions/{ex.pk}/"' in html and "支部书记住院治疗" in html
    assert "status-豁免" in html
    assert f"/compliance/exemptions/new/?org={a.pk}&amp;requirement=theme_day&amp;period=2025Q3" in html


@pytest.mark.parametrize(
    "who,can_record", [("bureau", True), ("admin_a", True), ("member", False), ("inspector", False)]
)
def test_record_link_only_for_writers(data, login, who, can_record):
    html = page(login, data[who], f"/compliance/org/{data['a'].pk}/theme_day/2025Q3/")
    assert ("/activities/new/?org=" in html) is can_record


def test_cell_group_and_talk_details(data, login):
    a, m = data["a"], data["members_a"]
    g1, g2 = cf.group(a, "第一党小组"), cf.group(a, "第二党小组")
    cf.activity(a, date(2025, 8, 3), "group_meeting", party_group=g1)
    html = main(page(login, data["admin_a"], f"/compliance/org/{a.pk}/group_meeting/2025-08/"))
    assert "尚未完成：第二党小组" in html and g2.name in html
    cf.talk(a, date(2025, 3, 1), m[0], m[1])
    html = main(page(login, data["admin_a"], f"/compliance/org/{a.pk}/heart_talk/2025/"))
    assert f"尚未完成：{m[2].name}" in html and "谈话人" in html


@pytest.mark.parametrize(
    "path",
    ["{a}/nonsense/2025/", "{a}/theme_day/2025Q9/", "{organ}/theme_day/2025/", "999999/theme_day/2025/"],
)
def test_cell_not_found(data, login, path):
    url = "/compliance/org/" + path.format(a=data["a"].pk, organ=data["organ"].pk)
    assert login(data["bureau"]).get(url).status_code == 404


# --- a year at a glance ---------------------------------------------------------------------------------------------
def test_org_year_grid(data, login):
    a = data["a"]
    html = main(page(login, data["admin_a"], f"/compliance/org/{a.pk}/?year=2025"))
    assert html.count('<td class="cell span" colspan="12">') == 3  # 组织生活会, 民主评议党员, 谈心谈话
    assert html.count('<td class="cell span" colspan="3">') == 8  # 支部党员大会, 党课
    assert f'href="/compliance/org/{a.pk}/branch_assembly/2025Q3/"' in html
    assert f'href="/compliance/org/{a.pk}/theme_day/2025-08/"' in html
    assert "下级党组织达标率" not in html


def test_org_year_rollup_for_the_organ_committee(data, login):
    organ = data["organ"]
    html = main(page(login, data["inspector"], f"/compliance/org/{organ.pk}/?year=2025"))
    assert "下级党组织达标率" in html and "共 2 个下级组织" in html
    assert (
        f'colspan="3"><a class="status-进行中" href="/compliance/?parent={organ.pk}&amp;period=2025Q3"'
        in html
    )
    assert (
        f'colspan="3"><a class="status-未达标" href="/compliance/?parent={organ.pk}&amp;period=2025Q2"'
        in html
    )
    assert "1/2 · 50%" in html  # one of the two branches held its Q3 assembly


def test_org_year_bad_year_is_400(data, login):
    assert login(data["bureau"]).get(f"/compliance/org/{data['a'].pk}/?year=abc").status_code == 400


# --- 本月待办 --------------------------------------------------------------------------------------------------------
def test_todo_for_a_branch_admin(data, login):
    a = data["a"]
    html = main(page(login, data["admin_a"], "/compliance/todo/"))
    assert "2025年8月" in html and "测试第一党支部" in html
    # due this month: the theme day is done (the August assembly), the quarter's 党课 is not
    assert f'href="/activities/new/?org={a.pk}&amp;kinds=party_lecture"' in html
    assert f'href="/activities/new/?org={a.pk}&amp;kinds=theme_day"' in html  # overdue: January–July
    assert "逾期 7 期" in html
    due = html[html.index("本期应完成") : html.index("已逾期未完成")]
    assert "主题党日" not in due and "党课" in due and "谈心谈话" in due
    assert "尚缺：" in due  # the members not yet talked with


def test_todo_for_a_member_has_no_record_links(data, login):
    html = main(page(login, data["member"], "/compliance/todo/"))
    assert "测试第一党支部" in html and "本期应完成" in html
    assert "/activities/new/" not in html


def test_todo_summary_for_the_bureau_and_drill_in(data, login):
    html = main(page(login, data["bureau"], "/compliance/todo/"))
    assert (
        "各党组织待办" in html
        and f'href="?org={data["a"].pk}"' in html
        and f'href="?org={data["b"].pk}"' in html
    )
    html = main(page(login, data["bureau"], f"/compliance/todo/?org={data['a'].pk}"))
    assert "本期应完成" in html and f"/activities/new/?org={data['a'].pk}&amp;kinds=" in html
    html = main(page(login, data["bureau"], f"/compliance/todo/?org={data['organ'].pk}"))
    assert "下级党组织待办" in html


def test_todo_nothing_owed_yet(cast, login):
    new = f.org("新成立支部", parent=cast["organ"], code="NEW", founded_on=date(2025, 8, 10))
    html = main(page(login, cast["bureau"], f"/compliance/todo/?org={new.pk}"))
    assert "本月没有待办事项" in html  # August and Q3 are not whole periods after founding
    later = f.org("年底成立支部", parent=cast["organ"], code="LATE", founded_on=date(2025, 12, 10))
    html = main(page(login, cast["bureau"], f"/compliance/todo/?org={later.pk}"))
    assert "没有需要开展组织生活的党组织" in html  # nothing at all this year


def test_home_panels(data, login):
    html = page(login, data["admin_a"], "/")
    assert 'id="panel-compliance_todo"' in html and f"/activities/new/?org={data['a'].pk}&amp;kinds=" in html
    html = page(login, data["member"], "/")
    # a member's home is their own page, not the branch's to-dos (issue 18 item 7)
    assert 'id="member-home"' in html and 'id="panel-compliance_todo"' not in html
    assert "/activities/new/" not in html
    assert 'id="panel-compliance_todo"' not in page(login, data["bureau"], "/")


def test_home_panel_for_an_admin_over_several_branches(data, login):
    from dangjian.accounts.roles import Role

    organ_admin = f.user("organ_admin", Role.ORG_ADMIN, organization=data["organ"])
    html = page(login, organ_admin, "/")
    assert "下级党组织（待办最多的 2 个）" in html
    assert f"/compliance/todo/?org={data['a'].pk}" in html


# --- requirements ---------------------------------------------------------------------------------------------------
def test_requirement_list(cast, login):
    html = main(page(login, cast["member"], "/compliance/requirements/"))
    assert "地方惯例：党课每季度至少1次" in html and "第十一条" in html
    assert "/compliance/requirements/new/" not in html and "/edit/" not in html
    html = main(page(login, cast["bureau"], "/compliance/requirements/"))
    assert "/compliance/requirements/new/" in html and "/edit/" in html


def test_requirement_edit(cast, login):
    req = Requirement.objects.get(key="party_lecture")
    client = login(cast["bureau"])
    form = client.get(f"/compliance/requirements/{req.pk}/edit/").context["form"]
    data = {k: v for k, v in form.initial.items() if k not in ("kind",)}
    data.update(kind=req.kind_id, period="month", minimum=2, is_core="on", is_active="on")
    r = client.post(f"/compliance/requirements/{req.pk}/edit/", data)
    assert r.status_code == 302
    req.refresh_from_db()
    assert (req.period, req.minimum, req.version, req.key) == ("month", 2, 2, "party_lecture")
    assert AuditEntry.objects.filter(
        model="compliance.requirement", action="requirement.update", object_id=str(req.pk)
    ).exists()
    r = client.post(f"/compliance/requirements/{req.pk}/edit/", {**data, "minimum": 3})  # the old version
    assert r.status_code == 200 and "已被他人修改" in r.content.decode()
    assert Requirement.objects.get(pk=req.pk).minimum == 2


def test_requirement_add_local(cast, login):
    client = login(cast["bureau"])
    data = {
        "key": "zongzhi_committee",
        "name": "党总支委员会会议",
        "kind": cf.kind("branch_committee").pk,
        "org_kinds": ["general_branch"],
        "applicability": "org",
        "period": "month",
        "minimum": 1,
        "citation": "本局《党建工作十四项制度》",
        "citation_status": "S",
        "sort": 200,
        "is_core": "on",
        "is_active": "on",
    }
    assert client.post("/compliance/requirements/new/", data).status_code == 302
    req = Requirement.objects.get(key="zongzhi_committee")
    assert req.org_kinds == ["general_branch"] and not req.is_builtin
    r = client.post("/compliance/requirements/new/", {**data, "key": "zz2", "applicability": "each_group"})
    assert r.status_code == 200 and "只适用于党支部" in r.content.decode()
    r = client.post("/compliance/requirements/new/", {**data, "key": "zongzhi_committee"})
    assert "已被使用" in r.content.decode()


# --- exemptions ---------------------------------------------------------------------------------------------------
def test_grant_exemption_from_a_cell(cast, login):
    a = cast["a"]
    client = login(cast["bureau"])
    form = client.get(f"/compliance/exemptions/new/?org={a.pk}&requirement=theme_day&period=2025Q3").context[
        "form"
    ]
    assert form.initial["organization"] == a.pk and form.initial["starts_on"] == date(2025, 7, 1)
    assert form.initial["ends_on"] == date(2025, 9, 30)
    theme = Requirement.objects.get(key="theme_day")
    data = {"organization": a.pk, "requirement": theme.pk, "starts_on": "2025-07-01", "ends_on": "2025-09-30"}
    r = client.post("/compliance/exemptions/new/", {**data, "reason": "短"})
    assert r.status_code == 200 and "请写明豁免理由" in r.content.decode()
    r = client.post("/compliance/exemptions/new/", {**data, "reason": "企业停产，党员分散居住"})
    ex = Exemption.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/compliance/exemptions/{ex.pk}/"
    assert ex.granted_by == cast["bureau"]
    html = main(page(login, cast["bureau"], f"/compliance/org/{a.pk}/theme_day/2025Q3/"))
    assert html.count("status-豁免") >= 2


def test_exemption_list_scope_and_revoke(cast, login):
    theme = Requirement.objects.get(key="theme_day")
    ex_a = services.grant_exemption(
        cast["a"], theme, date(2025, 1, 1), date(2025, 3, 31), "甲支部停产整顿", actor=cast["bureau"]
    )
    services.grant_exemption(
        cast["b"], theme, date(2025, 1, 1), date(2025, 3, 31), "乙支部停产整顿", actor=cast["bureau"]
    )
    html = main(page(login, cast["admin_a"], "/compliance/exemptions/"))
    assert "甲支部停产整顿" in html and "乙支部停产整顿" not in html and "授予豁免" not in html
    html = main(page(login, cast["bureau"], f"/compliance/exemptions/{ex_a.pk}/"))
    assert "撤销豁免" in html
    assert "撤销豁免" not in main(page(login, cast["admin_a"], f"/compliance/exemptions/{ex_a.pk}/"))
    client = login(cast["bureau"])
    r = client.post(
        f"/compliance/exemptions/{ex_a.pk}/revoke/", {"revoke_reason": "", "version": ex_a.version}
    )
    assert r.status_code == 302 and not Exemption.objects.get(pk=ex_a.pk).revoked
    r = client.post(
        f"/compliance/exemptions/{ex_a.pk}/revoke/", {"revoke_reason": "已复产", "version": ex_a.version}
    )
    assert r.status_code == 302 and Exemption.objects.get(pk=ex_a.pk).revoked
    html = main(page(login, cast["bureau"], "/compliance/exemptions/"))
    assert "甲支部停产整顿" not in html
    html = main(page(login, cast["bureau"], "/compliance/exemptions/?state=revoked"))
    assert "甲支部停产整顿" in html and "乙支部停产整顿" not in html
    assert "已复产" in main(page(login, cast["bureau"], f"/compliance/exemptions/{ex_a.pk}/"))
    assert login(cast["bureau"]).get(f"/compliance/exemptions/{ex_a.pk}/revoke/").status_code == 405


# --- query counts at two data sizes ------------------------------------------------------------------------------------
# session, user, requirements, organisations, members, groups, records, exemptions (+ the filter's parent
# list on the matrix, the organisation on the year page); the session is not saved (the idle clock moves in
# one-minute steps)
MATRIX_QUERIES = 11  # + the notification bell (and the requirements' revisions)
ORG_YEAR_QUERIES = 11
TODO_QUERIES = 10


@pytest.mark.parametrize("n", [6, 40])
def test_page_queries_do_not_grow(cast, login, django_assert_num_queries, n):
    data = cf.bureau(n, parent=cast["root"])
    client = login(cast["bureau"])
    client.get("/compliance/")  # the session's first request touches more
    with django_assert_num_queries(MATRIX_QUERIES):
        r = client.get("/compliance/?period=2025")
    assert r.content.decode().count('class="row-org"') == n + 2
    with django_assert_num_queries(ORG_YEAR_QUERIES):
        client.get(f"/compliance/org/{data['committee'].pk}/?year=2025")
    with django_assert_num_queries(TODO_QUERIES):
        r = client.get("/compliance/todo/")
    assert r.content.decode().count('href="?org=') == n + 2
