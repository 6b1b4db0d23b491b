"""Every URL × every role (see dangjian.core.testing)."""

from __future__ import annotations

import pytest
from django.test import Client

from dangjian.core.testing import CAST_USERS

from .matrix import collect_cases, url_names

# URL names that are not pages of the application.
EXEMPT = {"site:healthz"}


@pytest.mark.django_db
def test_every_url_has_a_case(cast):
    covered = {c.name for c in collect_cases(cast)}
    missing = sorted(url_names() - covered - EXEMPT)
    assert not missing, f"这些 URL 没有权限矩阵用例：{missing}"


@pytest.mark.django_db(transaction=False)
def test_permission_matrix(cast):
    failures = []
    for case in collect_cases(cast):
        anon = Client()
        r = getattr(anon, case.method)(case.url, case.data)
        if case.public:
            if r.status_code not in case.ok:
                failures.append(f"{case.url} 未登录：{r.status_code}")
        elif not (r.status_code == 302 and "/accounts/login/" in r["Location"]):
            failures.append(f"{case.url} 未登录应跳转登录页，实际 {r.status_code}")
        for who in CAST_USERS:
            if case.public:
                continue
            c = Client()
            c.force_login(cast[who])
            r = getattr(c, case.method)(case.url, case.data)
            if r.status_code not in case.expected(who):
                failures.append(
                    f"{case.method.upper()} {case.url} 角色 {who}：应为 {case.expected(who)}，实际 {r.status_code}"
                )
    assert not failures, "\n".join(failures)
