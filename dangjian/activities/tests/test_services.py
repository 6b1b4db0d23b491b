"""The write layer: the roll on a date, counts and quorum, validation, attachments, edits, review, voiding."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from dangjian import factories as f
from dangjian.activities import review, services
from dangjian.activities.models import Activity, ActivityKind, ActivityStatus, ReviewStep
from dangjian.core.models import AuditEntry
from dangjian.members.models import MembershipEvent
from dangjian.orgs.models import PartyGroup

from .factories import PDF, PNG, activity, pdf, png

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(date(2026, 5, 20), tick=False):
        yield


def names(members):
    return [m.name for m in members]


class TestMembersOn:
    def test_current_members_and_those_who_left_after_the_date(self, cast):
        a, b = cast["a"], cast["b"]
        newcomer = f.member(a, "新党员", join_date=date(2025, 9, 1), full_date=None)
        died = f.member(a, "已故党员", status="死亡", left_on=date(2025, 7, 1))
        moved = f.member(b, "调走党员")  # now in B, was in A until 2025-08-01
        MembershipEvent.objects.create(
            member=moved, kind="组织内转接", date=date(2025, 8, 1), from_org=a, to_org=b
        )
        came = f.member(a, "转入党员")
        MembershipEvent.objects.create(member=came, kind="转入", date=date(2025, 10, 1), to_org=a)
        june = names(services.members_on(a, date(2025, 6, 30)))
        assert "已故党员" in june and "调走党员" in june
        assert "新党员" not in june and "转入党员" not in june
        assert len(june) == 5
        nov = names(services.members_on(a, date(2025, 11, 1)))
        assert {"新党员", "转入党员"} <= set(nov)
        assert "已故党员" not in nov and "调走党员" not in nov
        assert "调走党员" in names(services.members_on(b, date(2025, 11, 1)))
        assert died.pk not in [m.pk for m in services.members_on(a, date(2026, 1, 1))]
        assert newcomer.pk in [m.pk for m in services.members_on(a, date(2026, 1, 1))]

    def test_subtree(self, cast):
        assert len(services.members_on(cast["organ"], date(2025, 1, 1))) == 0
        assert len(services.members_on(cast["organ"], date(2025, 1, 1), subtree=True)) == 5


class TestRecord:
    def test_everyone_present_by_default_counts_derived(self, cast):
        a = activity(cast["a"], ["theme_day", "party_lecture"], speaker="李老师")
        assert (a.expected, a.present, a.quorum_met) == (3, 3, None)
        assert a.attendance.filter(present=True).count() == 3
        assert a.status == ActivityStatus.DRAFT and a.source == "manual"
        entry = AuditEntry.objects.filter(model="activities.activity", object_id=str(a.pk)).get()
        assert entry.action == "activity.create" and "党课、主题党日" in entry.note

    def test_absences_with_reasons(self, cast):
        m = cast["members_a"]
        a = activity(cast["a"], absences={m[1].pk: ("因病", "住院"), m[2].pk: ("因公", "")})
        assert (a.expected, a.present) == (3, 1)
        x = a.attendance.get(member=m[1])
        assert (x.present, x.absence_reason, x.note) == (False, "因病", "住院")

    def test_quorum_counts_only_voting_members_and_exactly_half_fails(self, cast):
        org = cast["a"]
        m = cast["members_a"]
        f.member(org, "正式党员四")
        probationer = f.member(org, "预备党员", full_date=None)
        # 4 正式 + 1 预备; 2 正式 absent → 2 of 4 voters present: exactly half, no quorum
        a = activity(
            org, ["branch_assembly", "theme_day"], absences={m[1].pk: ("因公", ""), m[2].pk: ("事假", "")}
        )
        assert (a.expected, a.present, a.voting_expected, a.voting_present) == (5, 3, 4, 2)
        assert a.quorum_met is False and not a.counts
        # the 预备党员 absent instead: 4 of 4 voters
        b = activity(org, ["branch_assembly"], absences={probationer.pk: ("因病", "")}, topic="另一次")
        assert (b.voting_expected, b.voting_present, b.quorum_met) == (4, 4, True)
        assert b.counts

    def test_probationer_who_became_full_after_the_meeting_had_no_vote(self, cast):
        org = cast["a"]
        f.member(org, "转正晚", full_date=date(2025, 6, 1))
        a = activity(org, ["branch_assembly"], day=date(2025, 5, 1))
        assert (a.expected, a.voting_expected) == (4, 3)

    @pytest.mark.parametrize(
        "kwargs,field",
        [
            ({"day": date(2026, 5, 21)}, "date"),
            ({"day": date(2014, 12, 31)}, "date"),  # before the branch was founded
            ({"kinds": []}, "kinds"),
            ({"topic": "  "}, "topic"),
            ({"kinds": ["party_lecture"]}, "speaker"),
            ({"kinds": ["site_teaching"]}, "site"),
            ({"kinds": ["group_meeting"]}, "party_group"),
            ({"kinds": ["heart_talk"]}, "talk_a"),
            ({"hours": 30}, "hours"),
        ],
    )
    def test_rejections(self, cast, kwargs, field):
        day = kwargs.pop("day", date(2025, 3, 12))
        topic = kwargs.pop("topic", "主题")
        kinds = kwargs.pop("kinds", ["theme_day"])
        if "hours" in kwargs:
            from decimal import Decimal

            kwargs["hours"] = Decimal(kwargs["hours"])
        with pytest.raises(services.ActivityInvalid) as e:
            services.record_activity(organization=cast["a"], kinds=kinds, date=day, topic=topic, **kwargs)
        assert field in e.value.errors, e.value.errors
        assert not Activity.objects.exists()

    def test_absent_reason_required_and_must_be_on_the_roster(self, cast):
        m = cast["members_a"]
        with pytest.raises(services.ActivityInvalid, match="选择缺席原因"):
            activity(cast["a"], absences={m[1].pk: ("", "")})
        with pytest.raises(services.ActivityInvalid, match="不在应到名单"):
            activity(cast["a"], absences={cast["members_b"][0].pk: ("因公", "")})

    def test_talk_names_two_members_of_the_org(self, cast):
        m = cast["members_a"]
        a = activity(cast["a"], ["heart_talk"], talk_a=m[0], talk_b=m[1])
        assert (a.talk_a, a.talk_b, a.expected, a.present) == (m[0], m[1], 2, 2)
        with pytest.raises(services.ActivityInvalid) as e:
            activity(cast["a"], ["heart_talk"], talk_a=m[0], talk_b=cast["members_b"][0])
        assert "talk_b" in e.value.errors
        with pytest.raises(services.ActivityInvalid):
            activity(cast["a"], ["heart_talk"], talk_a=m[0], talk_b=m[0])

    def test_group_meeting_expects_the_group(self, cast):
        m = cast["members_a"]
        g = PartyGroup.objects.create(organization=cast["a"], name="第一党小组")
        m[0].party_group = g
        m[0].save()
        a = activity(cast["a"], ["group_meeting"], party_group=g)
        assert (a.party_group, a.expected) == (g, 1)
        other = PartyGroup.objects.create(organization=cast["b"], name="乙小组")
        with pytest.raises(services.ActivityInvalid, match="不属于"):
            activity(cast["a"], ["group_meeting"], party_group=other)

    def test_committee_meeting_expects_committee_members_in_office(self, cast):
        m = cast["members_a"]
        t = f.term(cast["a"], elected_on=date(2024, 1, 1))
        t.posts.update(id_number=m[0].id_number)
        a = activity(cast["a"], ["branch_committee"])
        assert a.expected == 1 and a.attendance.get().member == m[0]
        before = activity(cast["a"], ["branch_committee"], day=date(2023, 6, 1), topic="换届前")
        assert before.expected == 3  # no committee known then: everyone, with a note in the form

    def test_scope_of_the_actor(self, cast):
        with pytest.raises(services.ActivityInvalid, match="管理范围"):
            activity(cast["b"], actor=cast["admin_a"])
        assert activity(cast["a"], actor=cast["admin_a"]).created_by == cast["admin_a"]

    def test_inactive_kind_refused(self, cast):
        ActivityKind.objects.filter(key="tutorial").update(is_active=False)
        with pytest.raises(services.ActivityInvalid, match="已停用"):
            activity(cast["a"], ["tutorial"], speaker="专家")


class TestAttachments:
    def test_stored_under_a_random_name_by_content(self, cast):
        a = activity(cast["a"], attachments=[png("../../etc/现场.jpg"), pdf()])
        atts = list(a.attachments.order_by("id"))
        assert [x.content_type for x in atts] == ["image/png", "application/pdf"]
        assert atts[0].original_name == "现场.jpg"
        stored = Path(settings.MEDIA_ROOT) / atts[0].file.name
        assert stored.read_bytes() == PNG and stored.suffix == ".png"
        assert "现场" not in atts[0].file.name and len(stored.stem) == 32

    def test_content_not_extension_decides(self, cast):
        fake = SimpleUploadedFile("photo.jpg", b"MZ\x90\x00this is an exe", content_type="image/jpeg")
        with pytest.raises(services.ActivityInvalid, match="photo.jpg") as e:
            activity(cast["a"], attachments=[fake])
        assert "attachments" in e.value.errors
        assert not Activity.objects.exists()
        ok = SimpleUploadedFile("scan.bin", PDF, content_type="application/octet-stream")
        assert activity(cast["a"], attachments=[ok]).attachments.get().content_type == "application/pdf"

    @override_settings(DANGJIAN_UPLOAD_MAX_BYTES=50)
    def test_size_cap(self, cast):
        with pytest.raises(services.ActivityInvalid, match="超过上限"):
            activity(cast["a"], attachments=[png()])


def edit(a, actor, **kw):
    a.refresh_from_db()
    kw.setdefault("kinds", list(a.kinds.all()))
    kw.setdefault("date", a.date)
    kw.setdefault("topic", a.topic)
    kw.setdefault("host", a.host)
    return services.update_activity(a, version=kw.pop("version", a.version), actor=actor, **kw)


class TestEditAndReview:
    def test_edit_recomputes_and_audits(self, cast):
        m = cast["members_a"]
        a = activity(cast["a"])
        edit(a, cast["admin_a"], absences={m[2].pk: ("事假", "")}, kinds=["theme_day", "collective_study"])
        a.refresh_from_db()
        assert (a.present, a.version) == (2, 2)
        assert sorted(a.kinds.values_list("key", flat=True)) == ["collective_study", "theme_day"]
        e = AuditEntry.objects.filter(action="activity.update", object_id=str(a.pk)).latest("id")
        assert "absent" in e.changes and "kinds" in e.changes and "present" in e.changes

    def test_stale_version_refused(self, cast):
        a = activity(cast["a"])
        edit(a, cast["admin_a"], topic="第一次修改")
        with pytest.raises(services.ConcurrencyError):
            edit(a, cast["admin_a"], topic="过期的修改", version=1)
        a.refresh_from_db()
        assert a.topic == "第一次修改"

    def test_submit_approve_lock_and_edit_with_reason(self, cast):
        a = activity(cast["a"], actor=cast["admin_a"])
        services.submit(a, actor=cast["admin_a"])
        with pytest.raises(review.ReviewError) as e:
            services.approve(a, actor=cast["admin_a"])  # not the superior
        assert e.value.forbidden
        services.approve(a, actor=cast["bureau"], comment="规范")
        a.refresh_from_db()
        assert a.is_locked and a.reviewed_by == cast["bureau"]
        # issue 13: the branch's admin may not change an approved record directly any more (it requests)
        with pytest.raises(review.ReviewError) as e:
            edit(a, cast["admin_a"], topic="改正主题", reason="主题笔误")
        assert e.value.forbidden
        with pytest.raises(services.ActivityInvalid) as e:
            edit(a, cast["bureau"], topic="改一改")
        assert "reason" in e.value.errors
        edit(a, cast["bureau"], topic="改正主题", reason="主题笔误")
        a.refresh_from_db()
        assert (
            a.status == ActivityStatus.APPROVED and a.topic == "改正主题"
        )  # a reviewer's edit stays approved
        step = a.review_steps.latest("id")
        assert (step.action, step.comment, step.from_status) == ("edit_locked", "主题笔误", "approved")
        entry = AuditEntry.objects.filter(action="activity.update", object_id=str(a.pk)).latest("id")
        assert "主题笔误" in entry.note and entry.changes["topic"] == ["学习上级文件精神", "改正主题"]

    def test_superior_org_admin_reviews_and_return_needs_a_comment(self, cast):
        jg_admin = f.user("admin_jg", "org_admin", organization=cast["organ"])
        a = activity(cast["a"])
        services.submit(a, actor=cast["admin_a"])
        with pytest.raises(review.ReviewError, match="退回"):
            services.return_for_correction(a, actor=jg_admin, comment="")
        services.return_for_correction(a, actor=jg_admin, comment="请补充会议记录")
        a.refresh_from_db()
        assert (a.status, a.review_comment) == ("returned", "请补充会议记录")
        services.submit(a, actor=cast["admin_a"])
        services.approve(a, actor=jg_admin)
        assert [s.action for s in a.review_steps.order_by("id")] == ["submit", "return", "submit", "approve"]
        assert services.reviewable(Activity.objects.all(), jg_admin).count() == 1
        assert services.reviewable(Activity.objects.all(), cast["admin_a"]).count() == 0
        assert services.reviewable(Activity.objects.all(), cast["inspector"]).count() == 0

    def test_concurrent_review_claims_once(self, cast):
        a = activity(cast["a"])
        services.submit(a, actor=cast["admin_a"])
        stale = Activity.objects.get(pk=a.pk)
        services.approve(a, actor=cast["bureau"])
        with pytest.raises(review.ReviewError, match="刷新"):
            services.return_for_correction(stale, actor=cast["bureau"], comment="晚了")

    def test_void_keeps_the_record(self, cast):
        a = activity(cast["a"])
        with pytest.raises(review.ReviewError):
            services.void_activity(a, actor=cast["admin_a"], reason="")
        with pytest.raises(review.ReviewError) as e:
            services.void_activity(a, actor=cast["admin_b"], reason="x")
        assert e.value.forbidden
        services.void_activity(a, actor=cast["admin_a"], reason="重复登记")
        a.refresh_from_db()
        assert a.is_deleted and a.void_reason == "重复登记" and not a.counts
        assert AuditEntry.objects.filter(action="activity.delete", object_id=str(a.pk)).exists()
        assert ReviewStep.objects.filter(activity=a, action="void").exists()
        with pytest.raises((services.ActivityInvalid, PermissionDenied)):
            edit(a, cast["admin_a"], topic="作废后修改")


class TestKinds:
    def test_create_rename_deactivate(self, cast):
        k = services.create_kind(actor=cast["bureau"], name="志愿服务", synonyms="志愿活动、学雷锋")
        assert k.key == "local_1" and not k.is_builtin
        services.update_kind(k, actor=cast["bureau"], name="志愿服务活动", is_active=False)
        k.refresh_from_db()
        assert (k.name, k.is_active) == ("志愿服务活动", False)

    def test_builtin_kinds_keep_their_rules(self, cast):
        k = ActivityKind.objects.get(key="branch_assembly")
        services.update_kind(
            k, actor=cast["bureau"], name="党员大会（支部）", is_active=False, needs_quorum=False
        )
        k.refresh_from_db()
        assert (k.name, k.is_active, k.needs_quorum) == ("党员大会（支部）", True, True)

    def test_names_may_not_collide(self, cast):
        with pytest.raises(services.ActivityInvalid, match="支部委员会会议"):
            services.create_kind(actor=cast["bureau"], name="支委会议")
        with pytest.raises(services.ActivityInvalid, match="导入通用写法"):
            services.create_kind(actor=cast["bureau"], name="民主评议")
