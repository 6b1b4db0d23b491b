"""Pages of 组织生活, with the cast (bureau, admin_a, admin_b, member, inspector)."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangjian import factories as f
from dangjian.activities import services
from dangjian.activities.models import Activity, ActivityKind, ActivityStatus, ChangeRequest
from dangjian.core.models import AuditEntry

from .factories import PNG, activity, png

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(date(2026, 5, 20), tick=False):
        yield


def html(r) -> str:
    return r.content.decode()


# --- list ---------------------------------------------------------------------------------------------------
class TestList:
    def test_scope_per_role(self, cast, login, client):
        activity(cast["a"], topic="甲支部的活动")
        activity(cast["b"], topic="乙支部的活动")
        for who, sees_a, sees_b in [
            ("bureau", True, True),
            ("inspector", True, True),
            ("admin_a", True, False),
            ("admin_b", False, True),
            ("member", True, False),
        ]:
            client.force_login(cast[who])
            page = html(client.get("/activities/"))
            assert ("甲支部的活动" in page, "乙支部的活动" in page) == (sees_a, sees_b), who

    def test_filters(self, cast, login):
        activity(cast["a"], ["theme_day"], day=date(2025, 1, 10), topic="一月主题党日")
        activity(cast["b"], ["party_lecture"], day=date(2025, 6, 10), topic="六月党课", speaker="王")
        m = cast["members_b"]
        activity(
            cast["b"],
            ["branch_assembly"],
            day=date(2025, 7, 1),
            topic="人少的大会",
            absences={m[0].pk: ("因公", ""), m[1].pk: ("因病", "")},
        )
        gone = activity(cast["a"], day=date(2025, 2, 1), topic="作废的活动")
        services.void_activity(gone, actor=cast["bureau"], reason="重复")
        client = login(cast["bureau"])

        def topics(query):
            r = client.get("/activities/?" + query)
            assert r.status_code == 200
            return {a.topic for a in r.context["page"].object_list}

        assert topics("") == {"一月主题党日", "六月党课", "人少的大会"}
        assert topics(f"org={cast['organ'].pk}") == {"一月主题党日", "六月党课", "人少的大会"}  # subtree
        assert topics(f"org={cast['b'].pk}") == {"六月党课", "人少的大会"}
        assert topics("kind=party_lecture") == {"六月党课"}
        assert topics("start=2025-06-01&end=2025-06-30") == {"六月党课"}
        assert topics("status=voided") == {"作废的活动"}
        assert topics("status=no_quorum") == {"人少的大会"}
        assert topics("status=draft&q=党课") == {"六月党课"}
        assert "未达法定人数" in html(client.get("/activities/?status=no_quorum"))

    def test_org_filter_outside_scope_is_ignored_as_invalid(self, cast, login):
        activity(cast["a"], topic="甲支部的活动")
        r = login(cast["admin_a"]).get(f"/activities/?org={cast['b'].pk}")
        assert r.status_code == 200 and "甲支部的活动" in html(r)  # B is not a choice for admin_a

    def test_constant_queries_and_pagination(self, cast, login):
        client = login(cast["bureau"])

        def count_queries():
            with CaptureQueriesContext(connection) as ctx:
                r = client.get("/activities/")
            assert r.status_code == 200
            return len(ctx), r

        for i in range(3):
            activity(cast["a"], ["theme_day", "party_lecture"], topic=f"小{i}", speaker="王")
        small, _ = count_queries()
        for i in range(40):
            activity(cast["b"] if i % 2 else cast["a"], ["theme_day", "branch_assembly"], topic=f"大{i}")
        large, r = count_queries()
        assert small == large
        assert len(r.context["page"].object_list) == 30 and r.context["page"].paginator.num_pages == 2
        assert "第 1 / 2 页" in html(r)


# --- new ----------------------------------------------------------------------------------------------------
class TestNew:
    def test_prefilled_from_the_compliance_link(self, cast, login):
        r = login(cast["bureau"]).get(f"/activities/new/?org={cast['a'].pk}&kinds=theme_day,branch_assembly")
        assert r.status_code == 200
        page = html(r)
        assert 'value="theme_day" class="att-trigger" checked' in page
        assert 'value="branch_assembly" class="att-trigger" checked' in page
        assert f'<option value="{cast["a"].pk}" selected>' in page
        assert 'value="2026-05-20"' in page  # today
        assert page.count('name="absent"') == 3  # A's members, all present by default

    def test_prefill_outside_write_scope(self, cast, login):
        assert login(cast["admin_b"]).get(f"/activities/new/?org={cast['a'].pk}").status_code == 404

    def test_post_creates_with_absences(self, cast, login):
        m = cast["members_a"]
        data = {
            "organization": cast["a"].pk,
            "kinds": ["theme_day", "party_lecture"],
            "date": "2026-05-18",
            "topic": "五月主题党日",
            "host": "张书记",
            "speaker": "王老师",
            "roster": ",".join(str(x.pk) for x in m),
            "absent": [m[2].pk],
            f"reason_{m[2].pk}": "事假",
            f"note_{m[2].pk}": "家中有事",
            "attachments": [png()],
        }
        r = login(cast["admin_a"]).post("/activities/new/", data)
        a = Activity.objects.get()
        assert r.status_code == 302 and r["Location"] == f"/activities/{a.pk}/"
        assert (a.expected, a.present, a.speaker, a.created_by) == (3, 2, "王老师", cast["admin_a"])
        assert a.attendance.get(present=False).note == "家中有事"
        assert a.attachments.get().content_type == "image/png"
        assert a.status == ActivityStatus.DRAFT

    def test_save_and_submit(self, cast, login):
        data = {
            "organization": cast["a"].pk,
            "kinds": ["theme_day"],
            "date": "2026-05-18",
            "topic": "x",
            "then": "submit",
        }
        login(cast["admin_a"]).post("/activities/new/", data)
        assert Activity.objects.get().status == ActivityStatus.SUBMITTED

    def test_errors_are_shown_and_nothing_saved(self, cast, login):
        m = cast["members_a"]
        data = {
            "organization": cast["a"].pk,
            "kinds": ["party_lecture"],
            "date": "2026-05-21",
            "topic": "",
            "absent": [m[1].pk],
        }
        r = login(cast["admin_a"]).post("/activities/new/", data)
        assert r.status_code == 400
        page = html(r)
        assert "请填写活动主题" in page
        assert not Activity.objects.exists()
        data.update(topic="有主题", date="2026-05-19")
        page = html(login(cast["admin_a"]).post("/activities/new/", data))
        assert "须填写主讲人" in page and "请为缺席的" in page
        assert f'value="{m[1].pk}" checked' in page  # the tap is kept

    def test_changed_roster_asks_to_check_again(self, cast, login):
        late = f.member(cast["a"], "新来的", join_date=date(2026, 1, 1))
        m = cast["members_a"]
        data = {
            "organization": cast["a"].pk,
            "kinds": ["theme_day"],
            "date": "2025-12-01",  # before `late` joined
            "topic": "十二月",
            "roster": ",".join(str(x.pk) for x in [*m, late]),
        }
        r = login(cast["admin_a"]).post("/activities/new/", data)
        assert r.status_code == 400 and "应到名单已随之更新" in html(r)
        assert "新来的" not in html(r)
        assert not Activity.objects.exists()

    def test_bad_attachment(self, cast, login):
        from django.core.files.uploadedfile import SimpleUploadedFile

        data = {
            "organization": cast["a"].pk,
            "kinds": ["theme_day"],
            "date": "2026-05-18",
            "topic": "附件",
            "attachments": [SimpleUploadedFile("a.pdf", b"<html>not a pdf</html>")],
        }
        r = login(cast["admin_a"]).post("/activities/new/", data)
        assert r.status_code == 400 and "文件“a.pdf”的内容不是可接受的类型" in html(r)
        assert not Activity.objects.exists()

    def test_attachment_help_states_the_size_limit(self, cast, login, settings):
        settings.DANGJIAN_UPLOAD_MAX_BYTES = 8 * 1024 * 1024
        page = html(login(cast["admin_a"]).get("/activities/new/"))
        assert "单个文件不超过 8 MB" in page and "每条记录最多 30 个附件" in page
        assert 'accept=".jpg,.png,.gif,.webp,.pdf"' in page

    def test_roster_partial(self, cast, login):
        m = cast["members_a"]
        f.member(cast["a"], "新来的", join_date=date(2026, 1, 1))
        client = login(cast["admin_a"])
        r = client.get(f"/activities/roster/?organization={cast['a'].pk}&date=2025-12-01&kinds=theme_day")
        assert r.status_code == 200 and "新来的" not in html(r) and html(r).count('name="absent"') == 3
        r = client.get(
            f"/activities/roster/?organization={cast['a'].pk}&date=2026-05-01&kinds=heart_talk"
            f"&talk_a={m[0].pk}&talk_b={m[1].pk}"
        )
        page = html(r)
        assert 'name="talk_a"' in page and page.count('name="absent"') == 2 and "谈话双方" in page

    def test_roster_lists_no_member_of_another_branch(self, cast, login):
        """Issue 14 item 10: talk_a/talk_b ids of branch B's members show nothing to branch A's admin."""
        a0, b0, b1 = cast["members_a"][0], cast["members_b"][0], cast["members_b"][1]
        client = login(cast["admin_a"])
        r = client.get(
            f"/activities/roster/?organization={cast['a'].pk}&date=2026-05-01&kinds=heart_talk"
            f"&talk_a={b0.pk}&talk_b={b1.pk}"
        )
        page = html(r)
        assert r.status_code == 200 and b0.name not in page and b1.name not in page
        assert b0.masked_id_number not in page and b1.masked_id_number not in page
        r = client.get(
            f"/activities/roster/?organization={cast['a'].pk}&date=2026-05-01&kinds=heart_talk"
            f"&talk_a={a0.pk}&talk_b={b0.pk}"
        )
        assert a0.name in html(r) and b0.name not in html(r)


# --- record, edit, review -----------------------------------------------------------------------------------
class TestRecordPage:
    def test_shows_attendance_quorum_and_actions(self, cast, login, client):
        m = cast["members_a"]
        a = activity(
            cast["a"],
            ["branch_assembly"],
            absences={m[1].pk: ("因病", "住院"), m[2].pk: ("因公", "")},
            minutes="会议传达了文件精神。",
            attachments=[png()],
        )
        r = login(cast["admin_a"]).get(f"/activities/{a.pk}/")
        page = html(r)
        assert "未达法定人数" in page and "有表决权的正式党员应到 3 人，实到 1 人" in page
        assert "住院" in page and "会议传达了文件精神" in page
        assert f"/activities/{a.pk}/edit/" in page and "提交上级审核" in page and "作废此记录" in page
        assert f"/activities/attachments/{a.attachments.get().pk}/" in page
        client.force_login(cast["member"])
        page = html(client.get(f"/activities/{a.pk}/"))
        assert "住院" in page and "/edit/" not in page and "提交上级审核" not in page

    def test_submit_review_by_bureau_and_return(self, cast, login, client):
        a = activity(cast["a"])
        client = login(cast["admin_a"])
        assert client.post(f"/activities/{a.pk}/submit/").status_code == 302
        a.refresh_from_db()
        assert a.status == ActivityStatus.SUBMITTED
        assert 'id="review-box"' not in html(client.get(f"/activities/{a.pk}/"))  # not its own superior
        assert client.post(f"/activities/{a.pk}/review/", {"decision": "approve"}).status_code == 403
        client.force_login(cast["bureau"])
        page = html(client.get(f"/activities/{a.pk}/"))
        assert 'id="review-box"' in page
        r = client.post(f"/activities/{a.pk}/review/", {"decision": "return", "comment": ""}, follow=True)
        assert "退回时请写明退回意见" in html(r)
        client.post(f"/activities/{a.pk}/review/", {"decision": "return", "comment": "请补充照片"})
        a.refresh_from_db()
        assert (a.status, a.review_comment) == ("returned", "请补充照片")
        client.force_login(cast["admin_a"])
        assert "上级退回意见：请补充照片" in html(client.get(f"/activities/{a.pk}/"))

    def test_withdraw_and_void(self, cast, login):
        a = activity(cast["a"])
        client = login(cast["admin_a"])
        client.post(f"/activities/{a.pk}/submit/")
        client.post(f"/activities/{a.pk}/withdraw/")
        a.refresh_from_db()
        assert a.status == ActivityStatus.DRAFT
        r = client.post(f"/activities/{a.pk}/void/", {"reason": ""}, follow=True)
        assert "作废须填写作废原因" in html(r)
        client.post(f"/activities/{a.pk}/void/", {"reason": "录错了组织"})
        a.refresh_from_db()
        assert a.is_deleted
        page = html(client.get(f"/activities/{a.pk}/"))
        assert "作废原因：录错了组织" in page and "/edit/" not in page
        assert client.get(f"/activities/{a.pk}/edit/").status_code == 302

    def test_queue(self, cast, login, client):
        jg_admin = f.user("admin_jg", "org_admin", organization=cast["organ"])
        a = activity(cast["a"], topic="待审甲")
        b = activity(cast["b"], topic="待审乙")
        activity(cast["a"], topic="未提交的")
        services.submit(a, actor=None)
        services.submit(b, actor=None)
        client.force_login(jg_admin)
        page = html(client.get("/activities/review/"))
        assert "待审甲" in page and "待审乙" in page and "未提交的" not in page
        client.force_login(cast["admin_a"])
        page = html(client.get("/activities/review/"))
        assert "待审甲" not in page and "没有待审核的记录" in page
        client.force_login(jg_admin)
        r = client.post(f"/activities/{a.pk}/review/", {"decision": "approve"})
        a.refresh_from_db()
        assert a.status == ActivityStatus.SUBMITTED, "未打开记录即审核通过"
        client.get(f"/activities/{a.pk}/")  # opened: its content shown to the reviewer
        client.get(f"/activities/{b.pk}/")
        r = client.post(f"/activities/{a.pk}/review/", {"decision": "approve", "next": "/activities/review/"})
        assert r["Location"] == "/activities/review/"
        a.refresh_from_db()
        assert a.status == ActivityStatus.APPROVED and a.reviewed_by == jg_admin
        r = client.post(
            f"/activities/{b.pk}/review/", {"decision": "approve", "next": "https://evil.example/"}
        )
        assert r["Location"] == f"/activities/{b.pk}/"


class TestEdit:
    def test_get_prefilled_and_post(self, cast, login):
        m = cast["members_a"]
        a = activity(cast["a"], absences={m[1].pk: ("因病", "")})
        client = login(cast["admin_a"])
        page = html(client.get(f"/activities/{a.pk}/edit/"))
        assert 'value="学习上级文件精神"' in page and f'value="{m[1].pk}" checked' in page
        data = {
            "organization": cast["a"].pk,
            "kinds": ["theme_day"],
            "date": "2025-03-12",
            "topic": "改过的主题",
            "version": a.version,
            "roster": ",".join(str(x.pk) for x in m),
        }
        r = client.post(f"/activities/{a.pk}/edit/", data)
        assert r.status_code == 302
        a.refresh_from_db()
        assert (a.topic, a.present, a.version) == ("改过的主题", 3, 2)
        r = client.post(f"/activities/{a.pk}/edit/", {**data, "topic": "过期"})
        assert r.status_code == 400 and "已被他人修改" in html(r)

    def test_locked_record_needs_a_reason(self, cast, login):
        m = cast["members_a"]
        a = activity(cast["a"])
        services.submit(a, actor=cast["admin_a"])
        services.approve(a, actor=cast["bureau"])
        a.refresh_from_db()
        client = login(cast["admin_a"])
        page = html(client.get(f"/activities/{a.pk}/edit/"))
        assert "已审核通过并锁定" in page and "修改原因（必填）" in page
        data = {
            "organization": cast["a"].pk,
            "kinds": ["theme_day"],
            "date": "2025-03-12",
            "topic": "锁定后修改",
            "version": a.version,
            "roster": ",".join(str(x.pk) for x in m),
        }
        r = client.post(f"/activities/{a.pk}/edit/", data)
        assert r.status_code == 400 and "须填写修改原因" in html(r)
        # issue 13: the branch's admin only requests; the record stays as it was and keeps counting
        r = client.post(f"/activities/{a.pk}/edit/", {**data, "reason": "主持人填错"}, follow=True)
        assert "已提交修改申请" in html(r)
        a.refresh_from_db()
        assert (a.status, a.topic) == (ActivityStatus.APPROVED, "学习上级文件精神")
        change = ChangeRequest.objects.get(activity=a, state="pending")
        assert (change.kind, change.reason, change.payload["topic"]) == ("edit", "主持人填错", "锁定后修改")
        # the superior (here the bureau) approves it from the queue: the edit is applied, still approved
        bureau = login(cast["bureau"])
        queue = html(bureau.get("/activities/review/"))
        assert "待审批的修改、作废申请" in queue and "主持人填错" in queue and "已等待" in queue
        r = bureau.post(f"/activities/changes/{change.pk}/decide/", {"decision": "approve"}, follow=True)
        assert "已批准该申请" in html(r)
        a.refresh_from_db()
        assert (a.status, a.topic) == (ActivityStatus.APPROVED, "锁定后修改")
        notes = list(
            AuditEntry.objects.filter(model="activities.changerequest").values_list("note", flat=True)
        )
        assert any("申请修改" in n for n in notes) and any("批准修改申请" in n for n in notes)


def test_void_of_an_approved_record_needs_the_superior(cast, login):
    """Issue 13: a branch admin requests; the record keeps counting until the superior approves; a rejection
    (with a reason) leaves it; both are audited."""
    from dangjian.compliance import services as compliance
    from dangjian.core.periods import Period

    a = activity(cast["a"], day=date(2025, 3, 12))
    services.submit(a, actor=cast["admin_a"])
    services.approve(a, actor=cast["bureau"])

    def status() -> str:
        rs = compliance.evaluate(Period.parse("2025-03"), [cast["a"]], date(2026, 3, 15))
        return str(next(r.status for r in rs if r.requirement_key == "theme_day"))

    assert status() == "达标"
    branch = login(cast["admin_a"])
    page = html(branch.get(f"/activities/{a.pk}/"))
    assert "申请作废此记录" in page
    r = branch.post(f"/activities/{a.pk}/void/", {"reason": "重复登记"}, follow=True)
    assert "已提交作废申请" in html(r)
    a.refresh_from_db()
    assert not a.is_deleted and status() == "达标"
    change = ChangeRequest.objects.get(activity=a, state="pending")
    # the branch cannot decide its own request
    assert branch.post(f"/activities/changes/{change.pk}/decide/", {"decision": "approve"}).status_code == 403
    bureau = login(cast["bureau"])
    r = bureau.post(f"/activities/changes/{change.pk}/decide/", {"decision": "reject"}, follow=True)
    assert "驳回申请须填写驳回意见" in html(r)
    bureau.post(f"/activities/changes/{change.pk}/decide/", {"decision": "reject", "comment": "并非重复"})
    a.refresh_from_db()
    assert not a.is_deleted and status() == "达标"
    branch.post(f"/activities/{a.pk}/void/", {"reason": "确属重复登记"})
    change = ChangeRequest.objects.get(activity=a, state="pending")
    bureau.post(f"/activities/changes/{change.pk}/decide/", {"decision": "approve", "comment": "同意"})
    a.refresh_from_db()
    assert a.is_deleted and "确属重复登记" in a.void_reason and status() == "未达标"
    notes = list(AuditEntry.objects.filter(model="activities.changerequest").values_list("note", flat=True))
    assert sum("申请作废" in n for n in notes) == 2 and any("驳回作废申请" in n for n in notes)
    assert AuditEntry.objects.filter(
        model="activities.activity", object_id=str(a.pk), action="activity.delete"
    ).exists()


def test_entry_by_a_reviewer_is_approved_at_once(cast, login):
    """The bureau (or a superior's admin) entering a record approves it; the branch's own entry is a draft."""
    m = cast["members_a"]
    data = {
        "organization": cast["a"].pk,
        "kinds": ["theme_day"],
        "date": "2025-03-12",
        "topic": "局机关代录",
        "host": "张书记",
        "roster": ",".join(str(x.pk) for x in m),
    }
    login(cast["bureau"]).post("/activities/new/", data)
    assert Activity.objects.get(topic="局机关代录").status == ActivityStatus.APPROVED
    login(cast["admin_a"]).post("/activities/new/", {**data, "topic": "支部自录"})
    assert Activity.objects.get(topic="支部自录").status == ActivityStatus.DRAFT

    def test_remove_and_add_attachments(self, cast, login):
        a = activity(cast["a"], attachments=[png()])
        old = a.attachments.get()
        m = cast["members_a"]
        data = {
            "organization": cast["a"].pk,
            "kinds": ["theme_day"],
            "date": "2025-03-12",
            "topic": a.topic,
            "version": a.version,
            "roster": ",".join(str(x.pk) for x in m),
            "remove_attachments": [old.pk],
            "attachments": [png("新照片.png")],
        }
        assert login(cast["admin_a"]).post(f"/activities/{a.pk}/edit/", data).status_code == 302
        old.refresh_from_db()
        assert old.is_deleted
        assert list(a.attachments.filter(is_deleted=False).values_list("original_name", flat=True)) == [
            "新照片.png"
        ]


class TestAttachment:
    def test_served_through_the_scope_check(self, cast, login, client):
        a = activity(cast["a"], attachments=[png("照片.png")])
        att = a.attachments.get()
        r = login(cast["member"]).get(f"/activities/attachments/{att.pk}/")
        assert r.status_code == 200 and r["Content-Type"] == "image/png"
        assert b"".join(r.streaming_content) == PNG
        assert r["Content-Disposition"].startswith("inline")
        client.force_login(cast["admin_b"])
        assert client.get(f"/activities/attachments/{att.pk}/").status_code == 404
        att.is_deleted = True
        att.save()
        client.force_login(cast["bureau"])
        assert client.get(f"/activities/attachments/{att.pk}/").status_code == 404


class TestKindsPage:
    def test_add_rename_deactivate(self, cast, login):
        client = login(cast["bureau"])
        page = html(client.get("/activities/kinds/"))
        assert "支部党员大会" in page and "内置" in page
        r = client.post(
            "/activities/kinds/",
            {"name": "志愿服务", "synonyms": "学雷锋", "audience": "all", "sort": 200, "is_active": "on"},
        )
        assert r.status_code == 302
        k = ActivityKind.objects.get(name="志愿服务")
        r = client.post(
            f"/activities/kinds/{k.pk}/", {"name": "志愿服务活动", "audience": "all", "sort": 200}
        )
        assert r.status_code == 302
        k.refresh_from_db()
        assert (k.name, k.is_active) == ("志愿服务活动", False)
        assert "志愿服务活动" not in html(client.get("/activities/new/"))  # inactive kinds are not offered

    def test_builtin_rename_only(self, cast, login):
        client = login(cast["bureau"])
        k = ActivityKind.objects.get(key="heart_talk")
        r = client.post(
            f"/activities/kinds/{k.pk}/", {"name": "谈心谈话（年度）", "audience": "all", "sort": 80}
        )
        assert r.status_code == 302
        k.refresh_from_db()
        assert (k.name, k.audience, k.is_active) == ("谈心谈话（年度）", "talk", True)

    def test_duplicate_name_rejected(self, cast, login):
        r = login(cast["bureau"]).post("/activities/kinds/", {"name": "支委会", "audience": "all", "sort": 1})
        assert r.status_code == 400 and "已被" in html(r)


def test_navigation_under_organisational_life(cast, login, client):
    page = html(login(cast["admin_a"]).get("/"))
    assert "组织生活" in page and "/activities/new/" in page and "/activities/kinds/" not in page
    client.force_login(cast["bureau"])
    assert "/activities/kinds/" in html(client.get("/"))
    client.force_login(cast["member"])
    page = html(client.get("/"))
    assert "/activities/" in page and "/activities/new/" not in page


def test_home_panel_counts(cast, login, client):
    a = activity(cast["a"])
    services.submit(a, actor=None)
    b = activity(cast["a"], topic="退回的")
    services.submit(b, actor=None)
    services.return_for_correction(b, actor=cast["bureau"], comment="请补充")

    def panel(who):
        client.force_login(cast[who])
        r = client.get("/")
        ctx = next((p["ctx"] for p in r.context["panels"] if p["key"] == "activities_review"), None)
        return ctx and {k: v for k, v in ctx.items() if k != "by_org"}

    assert panel("bureau") == {"pending": 1, "returned": 1}
    assert panel("admin_a") == {"pending": 0, "returned": 1}
    c = activity(cast["a"], topic="已通过的", actor=cast["bureau"])  # approved at entry
    services.request_void(c, actor=cast["admin_a"], reason="重复登记")
    assert panel("bureau") == {"pending": 2, "returned": 1}  # the void request waits for the bureau too
    assert panel("admin_a") == {"pending": 0, "returned": 1}
    assert panel("admin_b") == {"pending": 0, "returned": 0}
    assert panel("member") is None and panel("inspector") is None


def test_roster_partial_without_an_organisation(cast, login):
    r = login(cast["bureau"]).get("/activities/roster/?organization=&date=2026-05-01")
    assert r.status_code == 200 and "请先选择党组织" in html(r)
    page = html(login(cast["bureau"]).get("/activities/new/"))
    assert '<option value="">请选择党组织</option>' in page and 'name="absent"' not in page


def test_review_of_a_record_changed_since_it_was_shown(cast, login, client):
    m = cast["members_a"]
    a = activity(cast["a"])
    services.submit(a, actor=cast["admin_a"])
    a.refresh_from_db()
    shown = a.version
    reviewer = login(cast["bureau"])
    reviewer.get(f"/activities/{a.pk}/")  # the reviewer opens the record at this version
    services.update_activity(
        a,
        version=a.version,
        actor=cast["admin_a"],
        kinds=["theme_day"],
        date=a.date,
        topic="提交后又改了",
        absences={m[1].pk: ("因公", "")},
    )
    r = reviewer.post(f"/activities/{a.pk}/review/", {"decision": "approve", "version": shown}, follow=True)
    assert "已被他人修改或办理" in html(r)
    a.refresh_from_db()
    assert a.status == ActivityStatus.SUBMITTED
    reviewer.post(f"/activities/{a.pk}/review/", {"decision": "approve", "version": a.version})
    a.refresh_from_db()
    assert a.status == ActivityStatus.APPROVED


def test_an_edit_request_is_refused_when_the_record_changed_after_it(cast, login):
    """The request carries the version it was filed against (core.actions.check_version): approving it after
    the record changed applies nothing and says why."""
    from django.db.models import F

    m = cast["members_a"]
    a = activity(cast["a"])
    services.submit(a, actor=cast["admin_a"])
    services.approve(a, actor=cast["bureau"])
    a.refresh_from_db()
    data = {
        "organization": cast["a"].pk,
        "kinds": ["theme_day"],
        "date": "2025-03-12",
        "topic": "锁定后修改",
        "version": a.version,
        "roster": ",".join(str(x.pk) for x in m),
        "reason": "主持人填错",
    }
    login(cast["admin_a"]).post(f"/activities/{a.pk}/edit/", data)
    change = ChangeRequest.objects.get(activity=a, state="pending")
    Activity.objects.filter(pk=a.pk).update(version=F("version") + 1)  # someone saved it in between
    r = login(cast["bureau"]).post(
        f"/activities/changes/{change.pk}/decide/", {"decision": "approve"}, follow=True
    )
    assert "申请提交后该记录已被修改，请驳回后由申请人重新申请" in html(r)
    a.refresh_from_db()
    assert a.topic == "学习上级文件精神"
    assert ChangeRequest.objects.get(pk=change.pk).state == "pending"
