"""Demo data for compliance: the requirements come from the migration; here a few reasoned exemptions for
branches in bankrupt enterprises, as the bureau grants them (see design §1: members in failing firms)."""

from __future__ import annotations

from typing import Any

from dangjian.compliance import services
from dangjian.compliance.models import Exemption, Requirement
from dangjian.orgs.models import BRANCH_KINDS, Organization, UnitKind

REASON = (
    "所在企业已破产终结，党员均已下岗分散居住，难以按月集中；经局党组研究同意，本年度改为每季度集中开展一次"
)


def seed(ctx: Any) -> None:
    if Exemption.objects.exists():
        return
    theme = Requirement.objects.filter(key="theme_day").first()
    if theme is None:
        return
    branches = (
        Organization.objects.filter(
            kind__in=BRANCH_KINDS,
            dissolved_on__isnull=True,
            units__kind__in=[UnitKind.BANKRUPT_ENDED, UnitKind.BANKRUPTING],
        )
        .distinct()
        .order_by("path")[:2]
    )
    start, end = ctx.today.replace(month=1, day=1), ctx.today.replace(month=12, day=31)
    for org in branches:
        services.grant_exemption(org, theme, start, end, REASON, actor_name="演示数据")
    ctx.log(f"制度要求：{Requirement.objects.count()} 项；豁免：{len(branches)} 个党支部的主题党日")
