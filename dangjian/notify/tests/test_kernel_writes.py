"""Issue 17: the group-robot page saves through notify.services (named events); who is reminded comes from the
policy table and the scope, not from role names."""

from __future__ import annotations

import pytest

from dangjian import factories
from dangjian.accounts.roles import Role
from dangjian.core.models import AuditEntry
from dangjian.notify import services
from dangjian.notify.models import OrgWebhook

pytestmark = pytest.mark.django_db


def test_webhook_saved_and_audited_by_the_service(cast):
    data = {
        "kind": "wecom",
        "url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=1",
        "is_active": True,
    }
    hook = services.save_webhook(cast["a"], data, actor=cast["admin_a"])
    assert hook.organization == cast["a"] and OrgWebhook.objects.count() == 1
    assert AuditEntry.objects.filter(action="orgwebhook.create", object_id=str(hook.pk)).count() == 1
    services.save_webhook(cast["a"], {**data, "is_active": False}, actor=cast["admin_a"])
    assert OrgWebhook.objects.get().is_active is False and OrgWebhook.objects.count() == 1
    entry = AuditEntry.objects.get(action="orgwebhook.update")
    assert entry.changes["is_active"] == [True, False]


def test_reminded_admins_by_policy_and_scope(cast):
    off = factories.user("admin_a_off", Role.ORG_ADMIN, organization=cast["a"])
    off.is_active = False
    off.save(update_fields=["is_active"])
    by_org, bureau = services._admins_by_org([cast["a"], cast["b"]])
    assert bureau == [cast["bureau"]]
    assert by_org == {cast["a"].pk: [cast["admin_a"]], cast["b"].pk: [cast["admin_b"]]}
