"""The 发展党员 pages: scope (another branch's candidate answers 404), what is due next and by when, the forms of
the steps through the services, the superior's queue, the settings."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from dangjian.core.idnumber import make_id_number
from dangjian.recruitment import rules
from dangjian.recruitment.models import Candidate, Holiday, IntervalOverride, Stage

from .factories import TODAY, candidate, walk

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


@pytest.fixture
def frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


def test_list_is_scoped_and_filtered_by_stage(cast, login):
    c = candidate(cast["a"], applied_on=date(2026, 11, 20), name="甲支部申请人")
    candidate(cast["b"], applied_on=date(2026, 11, 20), name="乙支部申请人")
    page = login(cast["admin_a"]).get("/recruitment/").content.decode()
    assert "甲支部申请人" in page and "乙支部申请人" not in page
    assert "第2步 党组织派人谈话" in page and "2026-12-20前" in page
    bureau = login(cast["bureau"])
    both = bureau.get("/recruitment/").content.decode()
    assert "甲支部申请人" in both and "乙支部申请人" in both
    assert "甲支部申请人" not in bureau.get("/recruitment/?stage=入党积极分子").content.decode()
    assert login(cast["admin_b"]).get(f"/recruitment/{c.pk}/").status_code == 404
    assert login(cast["member"]).get("/recruitment/").status_code == 403
    assert login(cast["admin_b"]).get(f"/recruitment/?org={cast['a'].pk}").status_code == 404


def test_detail_says_what_is_due_next_and_by_when(cast, login):
    c = candidate(cast["a"], applied_on=date(2026, 10, 1))
    page = login(cast["admin_a"]).get(f"/recruitment/{c.pk}/").content.decode()
    assert "第2步 党组织派人谈话" in page and "已逾期" in page and "2026-11-01" in page
    assert f"/recruitment/{c.pk}/step/2/" in page
    # the bureau sees it but does not record a branch step
    bureau = login(cast["bureau"]).get(f"/recruitment/{c.pk}/").content.decode()
    assert "当前待办的步骤不由您办理" in bureau
    assert login(cast["bureau"]).get(f"/recruitment/{c.pk}/step/2/").status_code == 403
    assert login(cast["admin_b"]).get(f"/recruitment/{c.pk}/step/2/").status_code == 404


def test_create_then_record_steps_through_the_forms(cast, login):
    client = login(cast["admin_a"])
    r = client.post(
        "/recruitment/new/",
        {
            "organization": cast["a"].pk,
            "name": "孙立",
            "id_number": make_id_number("411402", date(2000, 5, 1), 3),
            "category": "在职",
            "applied_on": "2026-10-08",
        },  # fmt: skip
    )
    assert r.status_code == 302, r.content.decode()[-2000:]
    c = Candidate.objects.get(name="孙立")
    assert c.gender == "男" and c.birth_date == date(2000, 5, 1)
    r = client.post(
        f"/recruitment/{c.pk}/step/2/", {"on": "2026-10-15", "talker": "张书记", "version": c.version}
    )
    assert r.status_code == 302
    c.refresh_from_db()
    r = client.post(
        f"/recruitment/{c.pk}/step/3/",
        {"on": "2026-11-02", "source": "群团组织推优", "body": rules.ASSEMBLY, "version": c.version},
    )
    assert r.status_code == 302
    c.refresh_from_db()
    assert c.stage == Stage.ACTIVIST and [s.number for s in c.steps.order_by("id")] == [1, 2, 3]
    # the superior's queue now shows step 4, which the branch may not record
    queue = login(cast["bureau"]).get("/recruitment/queue/").content.decode()
    assert "孙立" in queue and "第4步 报上级党委备案" in queue
    assert client.get(f"/recruitment/{c.pk}/step/4/").status_code == 403
    r = login(cast["bureau"]).post(f"/recruitment/{c.pk}/step/4/", {"on": "2026-11-10", "version": c.version})
    assert r.status_code == 302


def test_a_refused_step_shows_the_rule_on_the_form(cast, login):
    c = candidate(cast["a"], applied_on=date(2026, 11, 1))
    client = login(cast["admin_a"])
    r = client.post(
        f"/recruitment/{c.pk}/step/2/", {"on": "2026-12-01", "talker": "张书记", "version": c.version}
    )
    assert r.status_code == 200 and "日期不能晚于今天" in r.content.decode()
    r = client.post(
        f"/recruitment/{c.pk}/step/3/", {"on": "2026-11-20", "source": "党员推荐", "version": c.version}
    )
    assert r.status_code == 200 and "请先登记第2步“党组织派人谈话”" in r.content.decode()


def test_too_early_target_refused_until_the_superior_waives(cast, login):
    c = walk(candidate(cast["a"]), 6)
    branch = login(cast["admin_a"])
    post = {"on": "2024-01-15", "opinions_heard": "on", "body": rules.ASSEMBLY, "version": c.version}
    r = branch.post(f"/recruitment/{c.pk}/step/7/", post)
    assert (
        r.status_code == 200
        and "一年以上" in r.content.decode()
        and "可由上级党委批准例外" in r.content.decode()
    )
    assert branch.get(f"/recruitment/{c.pk}/override/").status_code == 403
    r = login(cast["bureau"]).post(
        f"/recruitment/{c.pk}/override/", {"number": 7, "reason": "表现突出，经党委研究同意"}
    )
    assert r.status_code == 302 and IntervalOverride.objects.filter(candidate=c, number=7).exists()
    c.refresh_from_db()
    r = branch.post(f"/recruitment/{c.pk}/step/7/", {**post, "version": c.version})
    assert r.status_code == 302
    c.refresh_from_db()
    assert c.stage == Stage.TARGET


def test_terminate_and_settings(cast, login):
    c = candidate(cast["a"], applied_on=date(2026, 11, 1))
    r = login(cast["admin_a"]).post(
        f"/recruitment/{c.pk}/terminate/",
        {"on": "2026-11-20", "reason": "本人撤回申请", "version": c.version},
    )
    assert r.status_code == 302
    c.refresh_from_db()
    assert c.stage == Stage.ENDED
    bureau = login(cast["bureau"])
    r = bureau.post("/recruitment/settings/", {"action": "holiday", "date": "2026-10-01", "name": "国庆节"})
    assert r.status_code == 302 and Holiday.objects.filter(date=date(2026, 10, 1)).exists()
    r = bureau.post("/recruitment/settings/", {"action": "settings", "publicity_workdays": 7, "version": 1})
    assert r.status_code == 302
    assert "7" in bureau.get("/recruitment/settings/").content.decode()
    assert login(cast["admin_a"]).get("/recruitment/settings/").status_code == 403
