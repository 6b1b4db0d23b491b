"""The filters of the member list (and its export): search, subtree, category, standing, gender, age band,
status. Other pages link here with `?org=<pk>` for an organisation's whole subtree."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.db.models import Q, QuerySet
from django.http import QueryDict

from dangjian.accounts.scope import get_org_for_user
from dangjian.orgs.models import Organization

from .choices import AGE_BANDS, Category, Gender, Status
from .models import Member
from .rules import birth_range_for_age

STATUS_CURRENT, STATUS_ALL = "", "all"
STANDINGS = ("正式", "预备")
AGE_LABELS = [label for _, _, label in AGE_BANDS]
_ID_QUERY = re.compile(r"^\d{4,17}[\dX]?$")


@dataclass
class MemberFilters:
    q: str = ""
    org: Organization | None = None
    category: str = ""
    standing: str = ""
    gender: str = ""
    age: str = ""
    status: str = STATUS_CURRENT

    @classmethod
    def from_params(cls, params: QueryDict, user: Any) -> MemberFilters:
        """Unknown values are ignored; an organisation outside the user's scope answers 404."""
        f = cls(q=" ".join(params.get("q", "").split())[:50])
        org = params.get("org", "").strip()
        if org:
            f.org = get_org_for_user(user, org)
        f.category = _one_of(params.get("category"), Category.values)
        f.standing = _one_of(params.get("standing"), STANDINGS)
        f.gender = _one_of(params.get("gender"), Gender.values)
        f.age = _one_of(params.get("age"), AGE_LABELS)
        status = params.get("status", "")
        f.status = status if status == STATUS_ALL or status in Status.values else STATUS_CURRENT
        return f

    def apply(self, qs: QuerySet[Member], today: date, *, full_id_search: bool) -> QuerySet[Member]:
        if self.status == STATUS_CURRENT:
            qs = qs.filter(status=Status.NORMAL)
        elif self.status != STATUS_ALL:
            qs = qs.filter(status=self.status)
        if self.org is not None:
            qs = qs.filter(organization__path__startswith=self.org.path)
        if self.category:
            qs = qs.filter(category=self.category)
        if self.standing:
            qs = qs.filter(full_date__isnull=self.standing == "预备")
        if self.gender:
            qs = qs.filter(gender=self.gender)
        if self.age:
            lo, hi, _ = AGE_BANDS[AGE_LABELS.index(self.age)]
            first, last = birth_range_for_age(lo, hi, today)
            qs = qs.filter(birth_date__range=(first, last))
        if self.q:
            qs = qs.filter(search_q(self.q, full_id_search=full_id_search))
        return qs

    def querystring(self, **overrides: Any) -> str:
        """The filters as URL parameters (for pagination and export links)."""
        params = {
            "q": self.q,
            "org": self.org.pk if self.org else "",
            "category": self.category,
            "standing": self.standing,
            "gender": self.gender,
            "age": self.age,
            "status": self.status,
            **overrides,
        }
        return urlencode({k: v for k, v in params.items() if v not in ("", None)})

    def describe(self) -> str:
        parts = [f"{self.org.name}及下级" if self.org else "全部"]
        if self.q:
            parts.append(f"搜索“{self.q}”")
        parts += [
            p for p in (self.category, self.standing and f"{self.standing}党员", self.gender, self.age) if p
        ]
        parts.append({STATUS_CURRENT: "在册", STATUS_ALL: "全部状态"}.get(self.status, self.status))
        return "，".join(parts)

    @property
    def active(self) -> bool:
        return bool(
            self.q or self.org or self.category or self.standing or self.gender or self.age or self.status
        )


def _one_of(value: str | None, allowed: Any) -> str:
    return value if value and value in allowed else ""


def search_q(q: str, *, full_id_search: bool) -> Q:
    """Name (contains), 拼音首字母 (contains, any case), ID number. Only users who may see full numbers search
    by number at all: for the others (the inspector) a search by the complete number would confirm a guess of
    the masked digits, one candidate at a time (issue 14 item 3)."""
    text = q.upper().replace(" ", "")
    cond = Q(name__icontains=q)
    if text.isascii() and text.isalpha():
        cond |= Q(initials__contains=text)
    if full_id_search and _ID_QUERY.match(text):
        cond |= Q(id_number__contains=text)
    return cond
