"""Demo 年终总评: last year's appraisal with the default indicator tree, hand scores, one 加分 and one 扣分,
published — so the demo shows a frozen result."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from dangjian.supervision.appraisal import services, sources
from dangjian.supervision.models import Appraisal, IndicatorSource


def seed(ctx: Any, bureau: Any) -> None:
    year = ctx.today.year - 1
    if Appraisal.objects.filter(year=year).exists():
        return
    appraisal = services.create_appraisal(year, actor=bureau)
    orgs = sources.appraised_orgs(year, sources.reference_day(year, ctx.today))
    if not orgs:
        ctx.log("督查考核：没有参加年终总评的党组织，未发布演示总评")
        return
    leaves = [ind for top in services.active_tree(appraisal) for ind in (top.active_children or [top])]
    for ind in [i for i in leaves if i.source == IndicatorSource.MANUAL]:
        entries = {
            o.pk: (
                min(
                    ind.max_points,
                    Decimal(ctx.rng.randint(int(ind.max_points * 6), int(ind.max_points * 10))) / 10,
                ),
                "",
            )
            for o in orgs
        }
        services.save_manual_scores(ind, entries, actor=bureau)
    picked = ctx.rng.sample(orgs, min(2, len(orgs)))
    services.add_adjustment(
        appraisal, picked[0], "bonus", Decimal(2), "党建品牌创建经验被市委组织部转发推广", actor=bureau
    )
    services.add_adjustment(
        appraisal, picked[-1], "deduction", Decimal(3), "季度抽查发现问题整改逾期未销号", actor=bureau
    )
    v = services.publish(appraisal, actor=bureau, note="演示数据", today=ctx.today)
    ctx.log(f"督查考核：{appraisal.title}已发布第{v.number}版（{len(orgs)} 个党组织）")
