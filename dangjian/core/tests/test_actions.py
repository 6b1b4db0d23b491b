"""The write kernel (core/actions.py): stale copies refused, versions bumped, named events audited, refusals
placed on forms and views."""

import pytest
from django import forms
from django.contrib.messages.storage.fallback import FallbackStorage
from django.http import HttpResponse, HttpResponseRedirect
from django.test import RequestFactory

from dangjian import factories as f
from dangjian.core import actions
from dangjian.core.actions import Refusal, Stale
from dangjian.core.models import AuditEntry
from dangjian.orgs.models import Unit


@pytest.mark.django_db
def test_save_versioned_bumps_the_version_and_audits_the_named_event_with_the_diff():
    org = f.org("甲党支部")
    v = org.version
    org.name = "乙党支部"
    changes = actions.save_versioned(
        org, expected_version=v, actor=None, event="organization.rename", note="改名"
    )
    org.refresh_from_db()
    assert org.version == v + 1 and org.name == "乙党支部"
    assert changes["name"] == ["甲党支部", "乙党支部"]
    entry = AuditEntry.objects.filter(action="organization.rename").get()
    assert entry.changes["name"] == ["甲党支部", "乙党支部"]
    assert entry.note == "改名" and entry.object_id == str(org.pk)


@pytest.mark.django_db
def test_a_stale_copy_is_refused_and_nothing_is_written():
    org = f.org("甲党支部")
    mine = org.version
    other = type(org).objects.get(pk=org.pk)
    other.name = "他人改的名"
    actions.save_versioned(other, expected_version=mine, actor=None, event="organization.update")
    org.name = "我改的名"
    with pytest.raises(Stale) as caught:
        actions.save_versioned(org, expected_version=mine, actor=None, event="organization.update")
    assert caught.value.code == "stale" and isinstance(caught.value, Refusal)
    assert f"第 {mine} 版" in caught.value.message and f"第 {mine + 1} 版" in caught.value.message
    org.refresh_from_db()
    assert org.name == "他人改的名" and org.version == mine + 1
    assert AuditEntry.objects.filter(action="organization.update").count() == 1


@pytest.mark.django_db
def test_check_version_skips_none_and_refuses_garbage():
    org = f.org()
    actions.check_version(org, None)
    actions.check_version(org, str(org.version))
    with pytest.raises(Stale):
        actions.check_version(org, "abc")
    with pytest.raises(Stale, match="自定义"):
        actions.check_version(org, org.version + 1, "自定义提示")


@pytest.mark.django_db
def test_save_versioned_with_fields_saves_only_those():
    org = f.org("甲党支部", code="A0001")
    v = org.version
    type(org).objects.filter(pk=org.pk).update(code="B0002")  # a column this save must not overwrite
    org.name = "乙党支部"
    actions.save_versioned(org, expected_version=v, actor=None, event="organization.update", fields=["name"])
    org.refresh_from_db()
    assert (org.name, org.code, org.version) == ("乙党支部", "B0002", v + 1)


@pytest.mark.django_db
def test_lock_reads_the_row_from_a_model_or_a_queryset():
    org = f.org()
    assert actions.lock(type(org), org.pk) == org
    assert actions.lock(type(org).objects.filter(name=org.name), org.pk) == org


@pytest.mark.django_db
def test_create_audits_the_named_event():
    unit = actions.create(Unit, {"name": "某局", "kind": "institution"}, actor=None, event="unit.register")
    entry = AuditEntry.objects.get(action="unit.register")
    assert entry.object_id == str(unit.pk) and entry.changes["name"] == [None, "某局"]


@pytest.mark.django_db
def test_bulk_write_validates_all_first_and_audits_one_event_per_import_and_per_changed_row():
    old = Unit.objects.create(name="旧名单位", kind="institution")

    def validate(data):
        if not data["name"]:
            raise Refusal("单位名称不能为空", field="name")
        if data.get("pk"):
            row = Unit.objects.get(pk=data["pk"])
            before = actions.audit.snapshot(row)
            if row.name == data["name"]:
                return None
            row.name = data["name"]
            return actions.BulkRow(0, row, before)
        return actions.BulkRow(0, Unit(name=data["name"], kind="institution"))

    refused = actions.bulk_write(
        [(2, {"name": "新单位"}), (3, {"name": ""})],
        validate,
        actor=None,
        event="unit.import",
        row_event="unit.import_row",
    )
    assert [(r.row, r.refusal.field) for r in refused.refused] == [(3, "name")]
    assert not Unit.objects.filter(name="新单位").exists()  # nothing written when a row is refused
    assert not AuditEntry.objects.filter(action__startswith="unit.import").exists()

    done = actions.bulk_write(
        [
            (2, {"name": "新单位"}),
            (3, {"pk": old.pk, "name": "新名单位"}),
            (4, {"pk": old.pk, "name": "旧名单位"}),
        ],
        validate,
        actor=None,
        event="unit.import",
        row_event="unit.import_row",
        batch_size=1,
    )
    # Row 4 was validated against the stored row (before row 3 was written): unchanged, so not written.
    assert (done.created, done.updated, done.ok) == (1, 1, True)
    assert Unit.objects.filter(name="新单位").exists()
    rows = AuditEntry.objects.filter(action="unit.import_row").order_by("id")
    assert [e.note for e in rows] == ["第 2 行", "第 3 行"]
    assert rows[1].changes["name"] == ["旧名单位", "新名单位"]
    summary = AuditEntry.objects.get(action="unit.import")
    assert summary.changes["created"] == 1


class _Form(forms.Form):
    name = forms.CharField()


def test_refusal_to_form_places_the_message_on_its_field_or_the_form():
    form = _Form({"name": "x"})
    form.is_valid()
    actions.refusal_to_form(form, Refusal("名称重复", field="name"))
    actions.refusal_to_form(form, Refusal("整体有误", field="no_such_field"))
    actions.refusal_to_form(form, Refusal("未指明字段"))
    assert form.errors["name"] == ["名称重复"]
    assert form.non_field_errors() == ["整体有误", "未指明字段"]


def _request():
    request = RequestFactory().post("/x/")
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def test_refusals_as_messages_gives_a_400_page_or_a_message_and_redirect():
    @actions.refusals_as_messages
    def plain(request):
        raise Stale("已被他人修改<b>")

    response = plain(_request())
    assert response.status_code == 400
    assert "已被他人修改&lt;b&gt;" in response.content.decode()

    @actions.refusals_as_messages(redirect=lambda request, pk: HttpResponseRedirect(f"/back/{pk}/"))
    def with_redirect(request, pk):
        if pk == 1:
            raise Refusal("不能这样做")
        return HttpResponse("ok")

    request = _request()
    response = with_redirect(request, 1)
    assert response.status_code == 302 and response["Location"] == "/back/1/"
    assert [str(m) for m in request._messages] == ["不能这样做"]
    assert with_redirect(_request(), 2).content == b"ok"
