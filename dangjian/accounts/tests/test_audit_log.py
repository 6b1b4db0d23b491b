"""The audit log pages (/audit/, core) and `dangjian verify_audit`."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangjian.accounts import services
from dangjian.core import audit
from dangjian.core.models import AuditAction, AuditEntry
from dangjian.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def entries(n: int, **kw) -> None:
    audit.record_many(
        [
            audit.Entry(action=AuditAction.OTHER, actor_name="测试", object_repr=f"对象{i}", **kw)
            for i in range(n)
        ]
    )


@pytest.mark.parametrize("who", ["bureau", "admin_a", "member", "inspector", "sysadmin", "secadmin"])
def test_only_the_audit_admin_reads_the_log(login, cast, who):
    entries(1)
    pk = AuditEntry.objects.latest("id").pk
    client = login(cast[who])
    for url in ("/audit/", f"/audit/{pk}/", "/audit/verify/"):
        assert client.get(url).status_code == 403, url


def test_list_filters(login, cast):
    with time_machine.travel(datetime(2026, 1, 5, 2, 0, tzinfo=UTC), tick=False):
        services.update_profile(
            cast["inspector"], display_name="一月", phone="", email="", actor=cast["sysadmin"]
        )
    with time_machine.travel(datetime(2026, 2, 10, 2, 0, tzinfo=UTC), tick=False):
        services.change_scope(
            cast["admin_a"], role="org_admin", organization=cast["b"], member=None, actor=cast["secadmin"]
        )
        audit.record(
            AuditAction.LOGIN_FAILED,
            actor_name="ghost",
            model="accounts.user",
            object_repr="ghost",
            ip="10.1.2.3",
            note="登录失败：用户名或密码不正确",
        )
    client = login(cast["auditor"])

    def ids(query: str) -> set[int]:
        r = client.get("/audit/" + query)
        assert r.status_code == 200
        return {e.pk for e, _ in r.context["rows"]}

    jan = AuditEntry.objects.get(note="修改账号信息").pk
    perm = AuditEntry.objects.get(action="user.permission").pk
    ghost = AuditEntry.objects.get(action="account.login_failed").pk
    genesis = AuditEntry.objects.get(action=audit.GENESIS).pk  # written with the first entry
    assert ids("?start=2026-01-01&end=2026-01-31") == {genesis, jan}
    assert ids("?start=2026-02-10&end=2026-02-10") == {perm, ghost}
    assert ids("?actor=secadmin") == {perm}  # by username
    assert ids("?action=*.permission") == {perm}  # a generic verb over every kind of object
    assert ids("?model=accounts.user&action=account.login_failed") == {ghost}
    assert ids("?action=*.update") == {jan}
    assert ids(f"?q={cast['admin_a'].pk}&model=accounts.user") >= {perm}
    assert ids("?q=第二党支部") == set()  # the keyword matches object and note, not the changes
    assert ids("?q=调整角色") == {perm}
    assert ids("?ip=10.1.2.3") == {ghost}
    r = client.get("/audit/?start=2026-02-01&end=2026-01-01")
    assert "结束日期不能早于开始日期" in r.content.decode() and r.context["rows"] == []
    assert "请输入有效的 IP 地址" in client.get("/audit/?ip=999").content.decode()


def test_list_pages_and_keeps_the_filters(login, cast):
    entries(120)
    client = login(cast["auditor"])
    r = client.get("/audit/?action=*.other")
    assert r.context["page"].paginator.num_pages == 3
    assert "action=%2A.other&amp;page=2" in r.content.decode()
    r2 = client.get("/audit/?action=*.other&page=3")
    assert len(r2.context["rows"]) == 20
    assert r2.context["rows"][-1][0].object_repr == "对象0"  # newest first


def test_list_queries_do_not_grow_with_the_log(login, cast):
    client = login(cast["auditor"])
    entries(5)
    client.get("/audit/")

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/audit/?action=*.other").status_code == 200
        return len(ctx.captured_queries)

    small = count()
    entries(200)
    assert count() == small


def test_detail_shows_the_changed_fields_before_and_after(login, cast):
    services.update_profile(
        cast["inspector"], display_name="赵督查", phone="13800138000", email="", actor=cast["sysadmin"]
    )
    entry = AuditEntry.objects.get(note="修改账号信息")
    r = login(cast["auditor"]).get(f"/audit/{entry.pk}/")
    body = r.content.decode()
    assert r.status_code == 200
    rows = {row["name"]: row for row in r.context["rows"]}
    assert rows["display_name"]["label"] == "姓名"
    assert rows["display_name"]["before"] == "inspector" and rows["display_name"]["after"] == "赵督查"
    # personal fields are stored masked (issue 14 item 4): the audit admin does not see the number
    assert rows["phone"]["label"] == "手机号码" and rows["phone"]["after"].startswith("138****8000 #")
    assert "13800138000" not in body
    assert "修改前" in body and "修改后" in body and "赵督查" in body
    assert "与内容一致" in body and "与前一条相连" in body
    assert f"?model=accounts.user&amp;q={cast['inspector'].pk}" in body


def test_detail_and_verify_page_show_tampering(login, cast):
    entries(3)
    middle = AuditEntry.objects.order_by("id")[1]
    with connection.cursor() as cur:
        cur.execute("UPDATE core_auditentry SET note = %s WHERE id = %s", ["被改过", middle.pk])
    client = login(cast["auditor"])
    assert "本条已被篡改" in client.get(f"/audit/{middle.pk}/").content.decode()
    body = client.get("/audit/verify/").content.decode()
    assert "发现异常" in body and f"第 {middle.pk} 条" in body


def test_verify_page_when_intact(login, cast):
    entries(4)
    body = login(cast["auditor"]).get("/audit/verify/").content.decode()
    assert "哈希链完整" in body and "共 5 条记录" in body  # with the genesis entry


def test_logins_through_the_site_reach_the_log_page(client, cast):
    client.post("/accounts/login/", {"username": "bureau", "password": "Wrong#2026"})
    client.post("/accounts/login/", {"username": "auditor", "password": TEST_PASSWORD})
    body = client.get("/audit/?action=account.login_failed").content.decode()
    assert "bureau" in body and "127.0.0.1" in body


# --- verify_audit ----------------------------------------------------------------------------------------------
def verify(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("verify_audit", *args, stdout=out)
    except SystemExit as exc:
        return int(exc.code), out.getvalue()
    return 0, out.getvalue()


def test_verify_audit_intact():
    entries(5)
    code, out = verify("--json")
    data = json.loads(out)
    # five entries and the genesis entry that starts the keyed chain
    assert code == 0 and data["ok"] is True and data["entries"] == 6 and data["first_broken"] is None
    code, out = verify()
    assert code == 0 and "审计日志完整：共 6 条记录" in out


def test_verify_audit_on_an_empty_log():
    code, out = verify("--json")
    assert code == 0 and json.loads(out) == {
        "ok": True,
        "entries": 0,
        "checkpoint": None,
        "first_broken": None,
        "reason": "审计日志完整",
    }


def test_verify_audit_detects_a_row_modified_with_raw_sql():
    entries(5)
    third = AuditEntry.objects.order_by("id")[2]
    with connection.cursor() as cur:
        cur.execute("UPDATE core_auditentry SET changes = %s WHERE id = %s", ['{"x": 1}', third.pk])
    code, out = verify("--json")
    data = json.loads(out)
    assert code == 1
    assert data["ok"] is False and data["entries"] == 6
    assert data["first_broken"] == third.pk and "篡改" in data["reason"]
    code, out = verify()
    assert code == 1 and f"第 {third.pk} 条" in out


def test_verify_audit_detects_a_deleted_row():
    entries(5)
    rows = list(AuditEntry.objects.order_by("id"))
    with connection.cursor() as cur:
        cur.execute("DELETE FROM core_auditentry WHERE id = %s", [rows[2].pk])
    code, out = verify("--json")
    data = json.loads(out)
    assert code == 1 and data["entries"] == 5
    assert data["first_broken"] == rows[3].pk and "删除" in data["reason"]


def test_verify_audit_detects_the_last_row_deleted():
    entries(3)
    last = AuditEntry.objects.order_by("-id").first()
    with connection.cursor() as cur:
        cur.execute("DELETE FROM core_auditentry WHERE id = %s", [last.pk])
    code, out = verify("--json")
    data = json.loads(out)
    assert code == 1 and data["first_broken"] is None and "末尾" in data["reason"]
    code, out = verify()
    assert code == 1 and "日志末尾" in out


def test_the_application_cannot_delete_entries(cast):
    entries(1)
    with pytest.raises(PermissionError):
        AuditEntry.objects.latest("id").delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()
