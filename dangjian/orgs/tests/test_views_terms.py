"""Term, delay, 换届 steps and the 换届 overview pages."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangjian import factories as f
from dangjian.orgs.models import CommitteeKind, OrgKind, RenewalStep, Term

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]
NOW = "2026-06-15 10:00 +0800"


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def posts_data(rows: list[dict], total: int | None = None) -> dict:
    total = total or len(rows)
    data = {"posts-TOTAL_FORMS": str(total), "posts-INITIAL_FORMS": "0"}
    for i, row in enumerate(rows):
        for k, v in row.items():
            data[f"posts-{i}-{k}"] = v
    return data


# --- record / correct the current term -------------------------------------------------------------------
def test_record_the_current_term_choosing_holders_from_the_roster(cast, login):
    a, m0, m1 = cast["a"], cast["members_a"][0], cast["members_a"][1]
    client = login(cast["admin_a"])
    html = client.get(f"/orgs/{a.pk}/term/").content.decode()
    assert 'value="3"' in html  # default years of a 党支部
    assert f'<option value="{m0.pk}">甲支部党员0（…{m0.id_number[-4:]}）</option>' in html
    assert 'value="secretary_only" selected' in html  # 3 正式党员: fewer than seven
    data = {
        "number": "3", "elected_on": "2024-05-10", "years": "3", "committee_kind": "secretary_only",
        **posts_data([
            {"title": "secretary", "member": str(m0.pk), "is_full_time": "1"},
            {"title": "deputy", "person_name": "外单位人员", "id_number": "", "is_full_time": "0"},
            {},
        ]),
    }  # fmt: skip
    r = client.post(f"/orgs/{a.pk}/term/", data)
    assert r.status_code == 302, r.content.decode()
    term = Term.objects.get(committee__organization=a)
    assert (term.number, term.expires_on, term.committee.kind) == (
        3,
        date(2027, 5, 10),
        CommitteeKind.SECRETARY_ONLY,
    )
    secretary = term.posts.get(title="secretary")
    assert (secretary.person_name, secretary.id_number, secretary.is_full_time) == (
        m0.name,
        m0.id_number,
        True,
    )
    assert term.posts.get(title="deputy").person_name == "外单位人员"
    assert m1.pk  # the other members stay available for later corrections


def test_term_form_reports_bad_seats_and_bad_id_numbers(cast, login):
    client = login(cast["admin_a"])
    base = {"number": "1", "elected_on": "2024-05-10", "years": "3", "committee_kind": "secretary_only"}
    r = client.post(
        f"/orgs/{cast['a'].pk}/term/",
        {**base, **posts_data([{"title": "organization", "person_name": "甲"}])},
    )
    html = r.content.decode()
    assert r.status_code == 200 and "有且只有1名书记" in html and "不设委员" in html
    r = client.post(
        f"/orgs/{cast['a'].pk}/term/",
        {
            **base,
            **posts_data([{"title": "secretary", "person_name": "乙", "id_number": "411402198001010000"}]),
        },
    )
    assert "校验位不正确" in r.content.decode()
    r = client.post(f"/orgs/{cast['a'].pk}/term/", {**base, **posts_data([{"person_name": "丙"}])})
    assert "请为丙选择职务" in r.content.decode()
    assert not Term.objects.exists()


def test_correcting_the_term_with_a_stale_version_is_refused(cast, login):
    t = f.term(cast["a"], elected_on=date(2024, 1, 1))
    post = t.posts.get()
    Term.objects.filter(pk=t.pk).update(version=2)
    data = {
        "number": "1", "elected_on": "2024-02-01", "years": "3", "committee_kind": "committee", "version": "1",
        **posts_data([{"pk": str(post.pk), "title": "secretary", "person_name": "张书记"}]),
    }  # fmt: skip
    data["posts-INITIAL_FORMS"] = "1"
    r = login(cast["bureau"]).post(f"/orgs/{cast['a'].pk}/term/", data)
    assert r.status_code == 200 and "已被他人修改" in r.content.decode()
    data["version"] = "2"
    assert login(cast["bureau"]).post(f"/orgs/{cast['a'].pk}/term/", data).status_code == 302
    t.refresh_from_db()
    assert t.elected_on == date(2024, 2, 1) and t.expires_on == date(2027, 2, 1)


def test_dangzu_term_pages_explain_that_terms_do_not_apply(cast, login):
    client = login(cast["bureau"])
    for url in ("term/", "term/delay/", "renewal/", "renewal/election/"):
        html = client.get(f"/orgs/{cast['root'].pk}/{url}").content.decode()
        assert "不适用选举任期" in html, url


# --- delay -----------------------------------------------------------------------------------------------------
def test_delay_of_more_than_a_year_is_refused_with_the_citation(cast, login):
    t = f.term(cast["a"], elected_on=date(2023, 7, 1))  # expires 2026-07-01
    client = login(cast["admin_a"])
    r = client.post(
        f"/orgs/{cast['a'].pk}/term/delay/",
        {"extended_to": "2027-07-02", "reason": "企业改制", "version": "1"},
    )
    html = r.content.decode()
    assert r.status_code == 200 and "延期不能超过1年" in html and "选举条例 第三条" in html
    r = client.post(
        f"/orgs/{cast['a'].pk}/term/delay/",
        {"extended_to": "2027-03-01", "reason": "企业改制，批复〔2026〕5号", "version": "1"},
    )
    assert r.status_code == 302
    t.refresh_from_db()
    assert t.extended_to == date(2027, 3, 1)
    assert "经批准延期至" in client.get(f"/orgs/{cast['a'].pk}/").content.decode()


def test_delay_page_without_a_term(cast, login):
    html = login(cast["admin_a"]).get(f"/orgs/{cast['a'].pk}/term/delay/").content.decode()
    assert "尚未录入本届任期" in html


# --- 换届 steps ----------------------------------------------------------------------------------------------
def test_renewal_steps_are_recorded_in_order_and_the_election_starts_the_new_term(cast, login):
    a = cast["a"]
    old = f.term(a, elected_on=date(2023, 7, 1), number=2)
    client = login(cast["admin_a"])
    html = client.get(f"/orgs/{a.pk}/renewal/").content.decode()
    assert "登记下一步：换届请示" in html
    r = client.post(f"/orgs/{a.pk}/renewal/", {"kind": "approval", "done_on": "2026-03-01"})
    assert "下一步应为“换届请示”" in r.content.decode()
    for kind, day in (("request", "2026-03-01"), ("approval", "2026-03-15"), ("candidates", "2026-04-20")):
        r = client.post(f"/orgs/{a.pk}/renewal/", {"kind": kind, "done_on": day, "doc_number": f"{kind}号"})
        assert r.status_code == 302, r.content.decode()
    html = client.get(f"/orgs/{a.pk}/renewal/").content.decode()
    assert "登记选举大会" in html and "candidates号" in html
    # posting the election through the step form only sends you to the election page
    assert client.post(f"/orgs/{a.pk}/renewal/", {"kind": "election", "done_on": "2026-05-01"})[
        "Location"
    ] == (f"/orgs/{a.pk}/renewal/election/")
    html = client.get(f"/orgs/{a.pk}/renewal/election/").content.decode()
    assert 'name="number" value="3"' in html
    m = cast["members_a"][1]
    data = {
        "elected_on": "2026-05-20", "number": "3", "years": "3", "committee_kind": "secretary_only",
        "doc_number": "选〔2026〕1号", **posts_data([{"title": "secretary", "member": str(m.pk), "is_full_time": "0"}]),
    }  # fmt: skip
    r = client.post(f"/orgs/{a.pk}/renewal/election/", data)
    assert r.status_code == 302, r.content.decode()
    old.refresh_from_db()
    new = Term.objects.get(committee__organization=a, is_current=True)
    assert not old.is_current and old.ended_on == date(2026, 5, 20)
    assert (new.number, new.previous_id, new.posts.get().person_name) == (3, old.pk, m.name)
    html = client.get(f"/orgs/{a.pk}/renewal/").content.decode()
    assert (
        "新一届（第3届）已任职" in html and "登记下一步：结果报批/备案" in html and "产生第3届委员会" in html
    )
    client.post(f"/orgs/{a.pk}/renewal/", {"kind": "report", "done_on": "2026-06-01"})
    client.post(f"/orgs/{a.pk}/renewal/", {"kind": "new_term", "done_on": "2026-06-10"})
    assert RenewalStep.objects.filter(term=old).count() == 6
    html = client.get(f"/orgs/{a.pk}/renewal/").content.decode()
    assert "登记下一步：换届请示" in html and "本届（第3届）" in html


def test_election_page_refuses_out_of_order(cast, login):
    f.term(cast["a"], elected_on=date(2023, 7, 1))
    client = login(cast["admin_a"])
    html = client.get(f"/orgs/{cast['a'].pk}/renewal/election/").content.decode()
    assert "现在还不能登记选举大会" in html and "换届请示" in html
    data = {"elected_on": "2026-05-20", "number": "2", "years": "3", "committee_kind": "committee",
            **posts_data([{"title": "secretary", "person_name": "某人"}])}  # fmt: skip
    r = client.post(f"/orgs/{cast['a'].pk}/renewal/election/", data)
    assert r.status_code == 200 and "下一步应为“换届请示”" in r.content.decode()
    assert Term.objects.count() == 1


def test_renewal_without_a_term_asks_to_record_it(cast, login):
    html = login(cast["admin_a"]).get(f"/orgs/{cast['a'].pk}/renewal/").content.decode()
    assert "尚未录入本届任期" in html


# --- the overview -----------------------------------------------------------------------------------------------
def _statuses(cast):
    f.term(cast["organ"], elected_on=date(2021, 3, 1))  # overdue
    t = f.term(cast["a"], elected_on=date(2023, 9, 1))  # expiring
    RenewalStep.objects.create(term=t, kind="request", done_on=date(2026, 5, 1))


def test_overview_sorted_by_urgency_with_steps(cast, login):
    _statuses(cast)
    html = login(cast["bureau"]).get("/orgs/terms/").content.decode()
    jg, a, b, root = (
        html.index(n)
        for n in (
            "中共测试商务局机关委员会</a>",
            "测试第一党支部</a>",
            "测试第二党支部</a>",
            "中共测试商务局党组</a>",
        )
    )
    assert jg < a < b < root
    assert (
        "已届满未换届" in html and "超期 106 天" in html and "换届请示" in html and "下一步：上级批复" in html
    )
    assert "未录入任期" in html and "不适用" in html


def test_overview_filters(cast, login):
    _statuses(cast)
    client = login(cast["bureau"])
    html = client.get("/orgs/terms/?status=即将届满").content.decode()
    assert "测试第一党支部</a>" in html and "测试第二党支部</a>" not in html
    html = client.get("/orgs/terms/?kind=organ_committee").content.decode()
    assert "中共测试商务局机关委员会</a>" in html and "测试第一党支部</a>" not in html


def test_overview_is_scoped(cast, login):
    _statuses(cast)
    html = login(cast["admin_b"]).get("/orgs/terms/").content.decode()
    assert "测试第二党支部</a>" in html and "测试第一党支部</a>" not in html and "机关委员会</a>" not in html


def test_overview_query_count_is_constant(cast, login):
    _statuses(cast)
    client = login(cast["inspector"])

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/orgs/terms/").status_code == 200
        return len(ctx.captured_queries)

    small = count()
    for i in range(12):
        o = f.org(f"加测支部{i}", kind=OrgKind.BRANCH, parent=cast["organ"], code=f"Y{i:02d}")
        t = f.term(o, elected_on=date(2023, 1, 1) if i % 2 else date(2025, 1, 1))
        RenewalStep.objects.create(term=t, kind="request", done_on=date(2026, 1, 1))
    assert count() == small


def test_blank_years_take_the_default_of_the_kind(cast, login):
    data = {"number": "1", "elected_on": "2024-05-10", "years": "", "committee_kind": "committee",
            **posts_data([{"title": "secretary", "person_name": "某书记"}])}  # fmt: skip
    assert login(cast["bureau"]).post(f"/orgs/{cast['organ'].pk}/term/", data).status_code == 302
    term = Term.objects.get(committee__organization=cast["organ"])
    assert (term.years, term.expires_on) == (5, date(2029, 5, 10))  # 机关党委: 5 years
