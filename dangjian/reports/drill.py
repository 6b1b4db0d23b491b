"""The lists behind the dashboard's figures (units, organisations, members, activities), always inside scope."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404, QueryDict
from django.utils import timezone

from dangjian.accounts import scope
from dangjian.activities.models import Activity
from dangjian.core.periods import Period, add_years
from dangjian.members.choices import AGE_BANDS
from dangjian.members.models import Member
from dangjian.orgs.models import Organization, OrgKind, Unit, UnitKind


def _subtree(user: Any, params: QueryDict) -> QuerySet[Organization]:
    orgs = scope.visible_orgs(user)
    if params.get("org"):
        root = scope.get_org_for_user(user, params["org"])
        orgs = orgs.filter(path__startswith=root.path)
    return orgs


def resolve(user: Any, params: QueryDict) -> tuple[str, list[str], QuerySet]:
    metric, field, value = params.get("metric"), params.get("field"), params.get("value", "")
    orgs = _subtree(user, params)
    if metric == "units":
        qs = Unit.objects.filter(is_active=True, organizations__in=orgs).distinct().order_by("kind", "name")
        if field == "kind":
            qs = qs.filter(kind=value)
        label = dict(UnitKind.choices).get(value, "全部")
        return f"单位：{label}", ["单位名称", "类别"], qs
    if metric == "orgs":
        qs = orgs.filter(dissolved_on__isnull=True).order_by("path")
        if field == "kind":
            qs = qs.filter(kind=value)
        return f"党组织：{dict(OrgKind.choices).get(value, '全部')}", ["组织名称", "类别", "代码"], qs
    if metric == "members":
        qs = (
            Member.objects.current()
            .filter(organization__in=orgs)
            .select_related("organization")
            .order_by("organization__path", "name")
        )
        today = timezone.localdate()
        if field in ("category", "gender", "education"):
            qs = qs.filter(**{field: value})
        elif field == "standing":
            qs = qs.filter(full_date__isnull=value == "probationary")
        elif field == "age":
            band = next(((lo, hi) for lo, hi, label in AGE_BANDS if label == value), None)
            if band is None:
                raise Http404("年龄段不正确")
            lo, hi = band
            # Age in [lo, hi] ⇔ born in (today − (hi+1) years, today − lo years].
            qs = qs.filter(birth_date__gt=add_years(today, -(hi + 1)), birth_date__lte=add_years(today, -lo))
        return f"党员：{value or '全部'}", ["姓名", "性别", "党组织", "人员类别", "公民身份号码"], qs
    if metric == "activities":
        qs = (
            Activity.objects.filter(is_deleted=False, organization__in=orgs)
            .select_related("organization")
            .prefetch_related("kinds")
            .order_by("-date")
        )
        title = "组织生活记录"
        if params.get("kind"):
            qs = qs.filter(kinds__key=params["kind"])
        if params.get("period") or params.get("month"):
            try:
                p = Period.parse(params.get("period") or params["month"])
            except ValueError:
                raise Http404("期间不正确")
            qs = qs.filter(date__gte=p.start, date__lte=p.end)
            title += f"（{p.label}）"
        return title, ["日期", "党组织", "主题", "类型"], qs.distinct()
    raise Http404("未知的统计项")


def row(obj: Any, metric: str) -> dict[str, Any]:
    if metric == "units":
        return {"cells": [obj.name, obj.get_kind_display()], "url": ""}
    if metric == "orgs":
        return {"cells": [obj.name, obj.get_kind_display(), obj.code], "url": f"/orgs/{obj.pk}/"}
    if metric == "members":
        return {
            "cells": [obj.name, obj.gender, obj.organization.name, obj.category, obj.masked_id_number],
            "url": f"/members/{obj.pk}/",
        }
    return {
        "cells": [
            obj.date.isoformat(),
            obj.organization.name,
            obj.topic,
            "、".join(k.name for k in obj.kinds.all()),
        ],
        "url": f"/activities/{obj.pk}/",
    }
