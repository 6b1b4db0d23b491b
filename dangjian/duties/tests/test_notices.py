"""Notices: targets, issue, 签收, 反馈, the monthly template, notice_stats."""

from datetime import date

import pytest

from dangjian.core.actions import Refusal
from dangjian.duties import services
from dangjian.duties.models import Notice, NoticeKind, NoticeStatus, NoticeTarget, TargetMode
from dangjian.duties.tracking import TargetStatus
from dangjian.factories import org
from dangjian.orgs.models import OrgKind

from . import factories as f

pytestmark = pytest.mark.django_db


def _targets(n):
    return sorted(NoticeTarget.objects.filter(notice=n).values_list("organization__code", flat=True))


def test_targets_by_mode_never_the_issuer_nor_a_dissolved_org(cast, travel):
    travel(2026, 3, 2)
    gone = org("已撤销党支部", parent=cast["organ"], code="GONE", dissolved_on=date(2025, 12, 31))
    all_ = f.notice(cast["root"], actor=cast["bureau"], deadline=date(2026, 3, 25))
    assert _targets(all_) == ["A", "B", "JG"]
    kinds = f.notice(
        cast["root"], actor=cast["bureau"], target_mode=TargetMode.KINDS, target_kinds=[OrgKind.BRANCH]
    )
    assert _targets(kinds) == ["A", "B"]
    chosen = f.notice(cast["root"], actor=cast["bureau"], orgs=[cast["b"], gone])
    assert _targets(chosen) == ["B"]


def test_issue_materialises_targets_once(cast, travel):
    travel(2026, 3, 2)
    n = f.notice(
        cast["root"], actor=cast["bureau"], target_mode=TargetMode.KINDS, target_kinds=[OrgKind.BRANCH]
    )
    org("新成立党支部", parent=cast["organ"], code="NEW")
    assert _targets(n) == ["A", "B"]  # history is not rewritten by a later change to the tree
    with pytest.raises(Refusal, match="不能重复下发"):
        services.issue_notice(n, cast["bureau"])
    late = f.notice(cast["root"], actor=cast["bureau"], issue=False, deadline=date(2026, 3, 1))
    with pytest.raises(Refusal) as exc:
        services.issue_notice(late, cast["bureau"])
    assert exc.value.field == "deadline"
    with pytest.raises(Refusal, match="组织类别"):
        f.notice(cast["root"], target_mode=TargetMode.KINDS, target_kinds=[], issue=False)
    with pytest.raises(Refusal, match="已下发"):
        services.save_notice(n, {"title": "改"}, cast["bureau"])


def test_acknowledge_once_feedback_implies_acknowledgement(cast, travel):
    travel(2026, 3, 2)
    n = f.notice(cast["root"], actor=cast["bureau"], orgs=[cast["a"], cast["b"]], deadline=date(2026, 3, 25))
    ta, tb = f.target(n, cast["a"]), f.target(n, cast["b"])
    assert ta.status_on(date(2026, 3, 2)) is TargetStatus.UNACKED
    travel(2026, 3, 3)
    assert services.acknowledge(ta, cast["admin_a"]) is True
    travel(2026, 3, 4)
    assert services.acknowledge(ta, cast["admin_a"]) is False
    ta.refresh_from_db()
    assert ta.acknowledged_on == date(2026, 3, 3)
    assert ta.status_on(date(2026, 3, 4)) is TargetStatus.ACKED
    travel(2026, 3, 20)
    services.feedback(tb, "已组织学习", cast["admin_b"], files=[f.checked("照片.jpg", f.JPEG)])
    tb.refresh_from_db()
    assert tb.acknowledged_on == date(2026, 3, 20) and tb.fed_back_on == date(2026, 3, 20)
    assert tb.files.count() == 1
    travel(2026, 3, 28)
    services.feedback(tb, "补充：已整改", cast["admin_b"], version=tb.version)
    tb.refresh_from_db()
    assert tb.fed_back_on == date(2026, 3, 20) and tb.feedback_text == "补充：已整改"
    ta.refresh_from_db()
    assert ta.status_on(date(2026, 3, 28)) is TargetStatus.OVERDUE
    assert tb.status_on(date(2026, 3, 28)) is TargetStatus.FED_BACK
    with pytest.raises(Refusal, match="反馈内容"):
        services.feedback(ta, "", cast["admin_a"])


def test_withdrawn_notice_needs_nothing(cast, travel):
    travel(2026, 3, 2)
    n = f.notice(cast["root"], actor=cast["bureau"], orgs=[cast["a"]])
    with pytest.raises(Refusal, match="撤销原因"):
        services.withdraw_notice(n, cast["bureau"], reason="")
    services.withdraw_notice(n, cast["bureau"], reason="重复下发")
    t = f.target(n, cast["a"])
    with pytest.raises(Refusal, match="已撤销"):
        services.acknowledge(t, cast["admin_a"])


def test_notice_stats(cast, travel):
    travel(2026, 3, 2)
    n1 = f.notice(cast["root"], actor=cast["bureau"], orgs=[cast["a"], cast["b"]], deadline=date(2026, 3, 25))
    n2 = f.notice(
        cast["root"],
        actor=cast["bureau"],
        orgs=[cast["a"]],
        deadline=date(2026, 3, 10),
        requires_feedback=False,
    )
    f.notice(cast["root"], actor=cast["bureau"], orgs=[cast["a"]], issue=False)  # drafts do not count
    travel(2026, 3, 4)
    services.acknowledge(f.target(n1, cast["a"]), cast["admin_a"])  # in time (3 days)
    services.acknowledge(f.target(n2, cast["a"]), cast["admin_a"])
    travel(2026, 3, 9)
    services.acknowledge(f.target(n1, cast["b"]), cast["admin_b"])  # late
    travel(2026, 3, 20)
    services.feedback(f.target(n1, cast["a"]), "已落实", cast["admin_a"])  # on time
    travel(2026, 3, 27)
    services.feedback(f.target(n1, cast["b"]), "已落实", cast["admin_b"])  # late
    s = services.notice_stats(2026, as_of=date(2026, 3, 31))
    assert (s.notices, s.issued, s.acknowledged_on_time, s.fed_back_on_time) == (2, 3, 2, 1)
    assert s.total.feedback_expected == 2 and s.total.fed_back == 2 and s.total.due == 3
    a, b = s.by_org[cast["a"].pk], s.by_org[cast["b"].pk]
    assert (a.issued, a.acknowledged_on_time, a.fed_back_on_time) == (2, 2, 1)
    assert (b.issued, b.acknowledged_on_time, b.fed_back_on_time) == (1, 0, 0)
    only_b = services.notice_stats(2026, [cast["b"].pk], as_of=date(2026, 3, 31))
    assert (only_b.notices, only_b.issued) == (1, 1)
    earlier = services.notice_stats(2026, as_of=date(2026, 3, 5))
    assert earlier.total.acknowledged == 2 and earlier.total.fed_back == 0
    assert services.notice_stats(2025).issued == 0


def test_notice_stats_count_by_the_local_day(cast, travel):
    """签收 just after local midnight is the next day's, although it is still the previous day in UTC."""
    travel(2026, 3, 2)  # issued 2026-03-02; 签收 due within 3 days: by 2026-03-05
    n = f.notice(cast["root"], actor=cast["bureau"], orgs=[cast["a"], cast["b"]], deadline=date(2026, 3, 25))
    travel(2026, 3, 5, 23)  # 15:00 UTC, local 03-05: in time
    services.acknowledge(f.target(n, cast["a"]), cast["admin_a"])
    travel(2026, 3, 6, 0)  # 16:00 UTC on 03-05, but local 03-06: late
    services.acknowledge(f.target(n, cast["b"]), cast["admin_b"])
    s = services.notice_stats(2026, as_of=date(2026, 3, 31))
    assert (s.by_org[cast["a"].pk].acknowledged_on_time, s.by_org[cast["b"].pk].acknowledged_on_time) == (
        1,
        0,
    )
    assert services.notice_stats(2026, as_of=date(2026, 3, 5)).total.acknowledged == 1


def test_generate_monthly_from_the_template(cast, travel):
    travel(2026, 5, 3)
    with pytest.raises(Refusal, match="模板"):
        services.generate_monthly(2026, 5, cast["bureau"])
    f.template(cast["bureau"])
    n, created = services.generate_monthly(2026, 5, cast["bureau"])
    assert created and n.status == NoticeStatus.DRAFT and n.kind == NoticeKind.MONTHLY
    assert n.title == "关于做好2026年5月份党建重点工作的通知"
    assert "2026年5月25日前反馈" in n.body and n.doc_number == "商党办〔2026〕5号"
    assert n.deadline == date(2026, 5, 25) and n.issuer == cast["root"]
    assert set(n.target_kinds) == {OrgKind.BRANCH, OrgKind.JOINT_BRANCH, OrgKind.TEMP_BRANCH}
    again, created = services.generate_monthly(2026, 5, cast["bureau"])
    assert not created and again.pk == n.pk
    services.issue_notice(n, cast["bureau"])
    assert _targets(n) == ["A", "B"]
    assert Notice.objects.filter(kind=NoticeKind.MONTHLY, month=5).count() == 1


def test_template_placeholders_are_checked(cast):
    with pytest.raises(Refusal) as exc:
        f.template(title_template="{year}年{mon}月通知")
    assert exc.value.field == "title_template" and "{mon}" in exc.value.message
    with pytest.raises(Refusal) as exc:
        f.template(body_template="请于{deadline前反馈")
    assert exc.value.field == "body_template" and "花括号" in exc.value.message
    with pytest.raises(Refusal) as exc:
        f.template(deadline_day=31)
    assert exc.value.field == "deadline_day"
    t1 = f.template()
    t2 = f.template(name="第二个")
    t1.refresh_from_db()
    assert t2.is_default and not t1.is_default


def test_proxy_ack_needs_a_reason_is_recorded_and_told(cast, travel):
    from dangjian.notify.models import Notification

    travel(2026, 3, 2)
    n = f.notice(cast["root"], actor=cast["bureau"], orgs=[cast["a"], cast["b"]], deadline=date(2026, 3, 25))
    # 新通知: each organisation's admins are told at issue
    assert Notification.objects.filter(recipient=cast["admin_a"], kind="notice.issue").count() == 1
    ta, tb = f.target(n, cast["a"]), f.target(n, cast["b"])
    with pytest.raises(Refusal, match="代签收须写明方式及理由"):
        services.acknowledge(ta, cast["bureau"])
    ta.refresh_from_db()
    assert ta.acknowledged_at is None
    assert services.acknowledge(ta, cast["bureau"], proxy_note="电话确认，书记同意") is True
    ta.refresh_from_db()
    assert ta.ack_proxy_note == "电话确认，书记同意"
    assert Notification.objects.filter(recipient=cast["admin_a"], kind="notice.proxy_ack").exists()
    # the organisation's own admin signs without a reason, and it is no proxy
    assert services.acknowledge(tb, cast["admin_b"], proxy_note="忽略") is True
    tb.refresh_from_db()
    assert tb.ack_proxy_note == ""
    with pytest.raises(Refusal, match="代反馈须写明"):
        services.feedback(tb, "已落实", cast["bureau"])


def test_urge_tells_the_unsigned_once_a_day(cast, travel):
    from dangjian.notify.models import Notification

    travel(2026, 3, 2)
    n = f.notice(cast["root"], actor=cast["bureau"], orgs=[cast["a"], cast["b"]], deadline=date(2026, 3, 25))
    services.acknowledge(f.target(n, cast["b"]), cast["admin_b"])
    assert services.urge(n, cast["bureau"]) == 1
    assert services.urge(n, cast["bureau"]) == 1
    urged = Notification.objects.filter(kind="notice.urge")
    assert list(urged.values_list("recipient__username", flat=True)) == ["admin_a"]
    travel(2026, 3, 3)
    services.urge(n, cast["bureau"])
    assert urged.count() == 2  # a new day, a new 催办
