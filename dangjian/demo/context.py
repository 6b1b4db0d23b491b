"""The demo bureau (`dangjian seed_demo`): the base (organisations, units, terms, members, users) is built by
`demo_base.seed_base`; then every app that has a `demo.py` adds its own records through `seed(ctx)`, in the
order of INSTALLED_APPS (the layer order of design §3), so that later apps find what earlier ones made."""

from __future__ import annotations

import importlib
import random
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings


@dataclass
class DemoContext:
    rng: random.Random
    today: date
    orgs: dict[str, Any] = field(default_factory=dict)  # code → Organization
    users: dict[str, Any] = field(default_factory=dict)  # username → User
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # (username, password, role label)
    log: Any = print

    @property
    def branches(self) -> list[Any]:
        return [o for o in self.orgs.values() if o.is_branch]


def app_seeders() -> list[Any]:
    seeders = []
    for app in settings.INSTALLED_APPS:
        if not app.startswith("dangjian.") or app.startswith("dangjian.site"):
            continue
        name = app.replace(".apps.CoreConfig", "") + ".demo"
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        seeders.append(module)
    return seeders
