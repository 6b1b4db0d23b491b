"""The permission-matrix cases of every app (`<app>/tests/urls_matrix.py`) and the named URLs they must cover."""

from __future__ import annotations

import importlib

from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver

from dangjian.core.testing import Case


def url_names(resolver=None, prefix: str = "") -> set[str]:
    names: set[str] = set()
    for p in (resolver or get_resolver()).url_patterns:
        if isinstance(p, URLResolver):
            ns = f"{prefix}{p.namespace}:" if p.namespace else prefix
            names |= url_names(p, ns)
        elif isinstance(p, URLPattern) and p.name:
            names.add(prefix + p.name)
    return names


def collect_cases(cast) -> list[Case]:
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
