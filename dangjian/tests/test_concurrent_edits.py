"""Issue 8 part 7: two people open the same edit page; the first saves, the second's save is refused with a clear
Chinese message instead of silently overwriting (the optimistic version check), proven through HTTP for the
member, organisation and activity edit pages."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest

from dangjian.activities.models import Activity
from dangjian.activities.tests.factories import activity
from dangjian.members.models import Member
from dangjian.orgs.models import Organization


class _FormFields(HTMLParser):
    """What a browser would submit for the first POST form that carries a `version` field."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict[str, Any]] = []
        self._form: dict[str, Any] | None = None
        self._select: str | None = None
        self._first_option: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self._form = {}
        if self._form is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._form.setdefault(name, []).append(a.get("value", "on"))
            elif kind not in ("submit", "button", "file"):
                self._form[name] = a.get("value") or ""
        elif tag == "select" and name:
            self._select, self._first_option = name, None
        elif tag == "option" and self._select:
            value = a.get("value", "")
            if self._first_option is None:
                self._first_option = value
            if "selected" in a:
                self._form.setdefault(self._select, []).append(value)
        elif tag == "textarea" and name:
            self._textarea = name
            self._form[name] = ""

    def handle_data(self, data):
        if self._form is not None and self._textarea:
            self._form[self._textarea] += data

    def handle_endtag(self, tag):
        if self._form is None:
            return
        if tag == "select" and self._select:
            self._form.setdefault(self._select, [self._first_option or ""])
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self.forms.append(self._form)
            self._form = None


def edit_form(client, url: str) -> dict[str, Any]:
    r = client.get(url)
    assert r.status_code == 200, (url, r.status_code)
    parser = _FormFields()
    parser.feed(r.content.decode())
    forms = [f for f in parser.forms if "version" in f]
    assert forms, f"{url} 的表单没有 version 字段"
    return forms[0]


def two_editors(login, first_user, second_user, url: str, field: str) -> tuple[Any, Any]:
    """Both open the page, each changes `field`, the first saves, then the second; returns both responses."""
    one, two = login(first_user), login(second_user)
    form_one, form_two = edit_form(one, url), edit_form(two, url)
    form_one[field] = "第一人修改的内容"
    form_two[field] = "第二人修改的内容"
    first = one.post(url, form_one)
    assert first.status_code == 302, first.content.decode()[:2000]
    second = two.post(url, form_two)
    return first, second


def assert_refused(response) -> None:
    assert response.status_code in (200, 400, 409)  # the form again, not a redirect to "已保存"
    html = response.content.decode()
    assert "已被他人修改" in html
    assert "刷新" in html  # and it says what to do


@pytest.mark.django_db
def test_member_second_save_is_refused(cast, login):
    m = cast["members_a"][1]
    url = f"/members/{m.pk}/edit/"
    _, second = two_editors(login, cast["admin_a"], cast["bureau"], url, "workplace")
    assert_refused(second)
    assert Member.objects.get(pk=m.pk).workplace == "第一人修改的内容"


@pytest.mark.django_db
def test_organisation_second_save_is_refused(cast, login):
    org = cast["a"]
    url = f"/orgs/{org.pk}/edit/"
    _, second = two_editors(login, cast["admin_a"], cast["bureau"], url, "note")
    assert_refused(second)
    assert Organization.objects.get(pk=org.pk).note == "第一人修改的内容"


@pytest.mark.django_db
def test_activity_second_save_is_refused(cast, login):
    a = activity(cast["a"], actor=cast["admin_a"])
    url = f"/activities/{a.pk}/edit/"
    _, second = two_editors(login, cast["admin_a"], cast["bureau"], url, "place")
    assert_refused(second)
    assert Activity.objects.get(pk=a.pk).place == "第一人修改的内容"


@pytest.mark.django_db
def test_the_same_person_in_two_tabs_is_refused_too(cast, login):
    """Not a matter of who: the stale version alone is refused."""
    m = cast["members_a"][2]
    url = f"/members/{m.pk}/edit/"
    _, second = two_editors(login, cast["admin_a"], cast["admin_a"], url, "workplace")
    assert_refused(second)
