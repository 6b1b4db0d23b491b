"""The demo bureau (`dangjian seed_demo`): the base (organisations, units, terms, members, users) is built by
`base.seed_base`; then each domain's module here adds its records through `seed(ctx)`, in the layer order of
design §3 (the order of INSTALLED_APPS), so that later ones find what earlier ones made."""

from __future__ import annotations

import importlib
import random
from dataclasses import dataclass, field
from datetime import date
from typing import Any


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


# The layer order of design §3; supervision seeds its appraisal itself (.appraisal). 党费 (dues, above members)
# comes last, so that adding it drew nothing from the random stream the others had used before.
SEEDERS = (
    "orgs",
    "members",
    "activities",
    "recruitment",
    "compliance",
    "study",
    "duties",
    "supervision",
    "honors",
    "dues",
)


def app_seeders() -> list[Any]:
    return [importlib.import_module(f"dangjian.demo.{name}") for name in SEEDERS]
