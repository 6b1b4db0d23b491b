"""Every URL × every role, one test each (design §6, after pretix; cases in `<app>/tests/urls_matrix.py`).

The parameters come from the URL resolver, not from the cases: a URL pattern without a case fails here as
`<url name>-<who>`, and so does a case for a name the resolver no longer has. The cast and every app's case
objects are built once per module inside a transaction that is rolled back at the end; each test runs in a
savepoint inside it, so a POST case changes nothing for the next test.
"""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import Client

from dangjian.core.testing import CAST_USERS, Case

from .matrix import collect_cases, url_names

# URL names that are not pages of the application.
EXEMPT = {"site:healthz"}
ANONYMOUS = "anonymous"
WHO = (ANONYMOUS, *CAST_USERS)
NAMES = sorted(url_names() - EXEMPT)


@pytest.fixture(scope="module")
def matrix(django_db_setup, django_db_blocker):
    """{url name: [Case, …]} for the whole module, built once."""
    from dangjian.conftest import reseed_builtin_data
    from dangjian.core import memo
    from dangjian.factories import cast as build_cast

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            memo.clear()
            # A transactional test that ran before in this worker flushed the rows migrations seed (activity
            # kinds, requirements): the cases need them, whatever the order the tests were dealt in.
            reseed_builtin_data()
            cast = build_cast()
            by_name: dict[str, list[Case]] = {}
            for case in collect_cases(cast):
                by_name.setdefault(case.name, []).append(case)
            yield cast, by_name
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            memo.clear()


def test_cases_name_existing_urls(matrix):
    _, by_name = matrix
    stale = sorted(set(by_name) - set(NAMES) - EXEMPT)
    assert not stale, f"这些权限矩阵用例对应的 URL 已不存在：{stale}"


@pytest.mark.django_db
@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("name", NAMES)
def test_permission(matrix, name: str, who: str) -> None:
    """Logged out → the login page; another branch's object → 404; missing permission → 403; allowed → `ok`."""
    cast, by_name = matrix
    cases = by_name.get(name)
    assert cases, f"URL {name} 没有权限矩阵用例：请在该应用的 tests/urls_matrix.py 中补充"
    failures = []
    for case in cases:
        client = Client()
        if who != ANONYMOUS:
            if case.public:
                continue
            client.force_login(cast[who])
        r = getattr(client, case.method)(case.url, case.data)
        if who == ANONYMOUS:
            if case.public:
                ok = r.status_code in case.ok
                want = str(case.ok)
            else:
                ok = r.status_code == 302 and "/accounts/login/" in r["Location"]
                want = "跳转登录页"
        else:
            ok = r.status_code in case.expected(who)
            want = str(case.expected(who))
        if not ok:
            failures.append(f"{case.method.upper()} {case.url}：应为 {want}，实际 {r.status_code}")
    assert not failures, f"角色 {who}：\n" + "\n".join(failures)
