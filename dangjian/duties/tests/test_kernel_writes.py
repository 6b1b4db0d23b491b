"""Issue 17: duties writes go through the write kernel: Stale for a stale copy, named audit events."""

from datetime import date

import pytest

from dangjian.core import audit_events
from dangjian.core.actions import Refusal, Stale
from dangjian.core.models import AuditEntry
from dangjian.duties import services
from dangjian.duties.workflow import CaseAction

from . import factories as f

pytestmark = pytest.mark.django_db


def _events(obj) -> list[str]:
    return list(
        AuditEntry.objects.filter(model=obj._meta.label_lower, object_id=str(obj.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )


def test_notice_lifecycle_leaves_named_events(cast, travel):
    travel(2026, 3, 2)
    n = f.notice(cast["root"], actor=cast["bureau"], issue=False, orgs=[cast["a"]])
    services.issue_notice(n, cast["bureau"], version=n.version)
    t = f.target(n, cast["a"])
    services.acknowledge(t, cast["admin_a"])
    services.feedback(t, "已组织学习", cast["admin_a"])
    n.refresh_from_db()
    services.withdraw_notice(n, cast["bureau"], reason="重复下发")
    assert _events(n) == ["notice.create", "notice.chosen_orgs", "notice.issue", "notice.withdraw"]
    assert _events(t) == ["noticetarget.acknowledge", "noticetarget.feedback"]
    assert audit_events.label("notice.issue") == "重点工作通知下发"  # registered by DutiesConfig.ready


def test_a_stale_copy_is_refused_with_both_versions(cast, travel):
    travel(2026, 3, 2)
    n = f.notice(cast["root"], actor=cast["bureau"], issue=False)
    services.save_notice(n, {"title": "第一次修改"}, cast["bureau"], version=1)
    with pytest.raises(Stale, match="第 1 版，当前为第 2 版") as exc:
        services.save_notice(n, {"title": "基于旧稿的修改"}, cast["bureau"], version=1)
    assert isinstance(exc.value, Refusal) and exc.value.code == "stale"
    n.refresh_from_db()
    assert n.title == "第一次修改" and n.version == 2
    c = f.case(cast["a"], to="submitted")
    services.act_on_case(c, CaseAction.APPROVE, cast["bureau"], version=c.version)
    assert _events(c)[-1] == "brandcase.approve"


def test_template_refusals_name_their_field(cast):
    with pytest.raises(Refusal) as exc:
        f.template(doc_number_template="{yaer}号")
    assert exc.value.field == "doc_number_template" and "{yaer}" in exc.value.message
    with pytest.raises(Refusal) as exc:
        services.add_progress(
            f.plan_item(f.plan(2026), cast["a"]), cast["admin_a"], text="", reported_on=date(2000, 1, 1)
        )
    assert exc.value.field == "text"
