"""Every URL × every role (see dangjian.core.testing)."""

from __future__ import annotations

import importlib

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from dangjian.core.testing import CAST_USERS, Case

# URL names that are not pages of the application.
EXEMPT = {"site:healthz"}


def _url_names(resolver=None, prefix: str = "") -> set[str]:
    names: set[str] = set()
    for p in (resolver or get_resolver()).url_patterns:
        if isinstance(p, URLResolver):
            ns = f"{prefix}{p.namespace}:" if p.namespace else prefix
            names |= _url_names(p, ns)
        elif isinstance(p, URLPattern) and p.name:
            names.add(prefix + p.name)
    return names


def _collect(cast) -> list[Case]:
    cases: list[Case] = []
    for app in settings.INSTALLED_APPS:
        if not app.startswith("dangjian."):
            continue
        module_name = app.replace(".apps.CoreConfig", "") + ".tests.urls_matrix"
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue
        cases.extend(module.cases(cast))
    return cases


@pytest.mark.django_db
def test_every_url_has_a_case(cast):
    covered = {c.name for c in _collect(cast)}
    missing = sorted(_url_names() - covered - EXEMPT)
    assert not missing, f"这些 URL 没有权限矩阵用例：{missing}"


@pytest.mark.django_db(transaction=False)
def test_permission_matrix(cast):
    failures = []
    for case in _collect(cast):
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
