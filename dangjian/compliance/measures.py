"""The compliance measures (core.measures): one per requirement, its status for an organisation and period,
exactly as the 达标 grid computes it. The engine already reads a period as of its end: the records dated in the
period (one approved after the period still counts — design §4: a late entry or approval is a correction about
the period, and the grid shows it too), the roll on its last day; `as_of` (today) only decides 进行中."""

from __future__ import annotations

from datetime import date

from dangjian.core.measures import MeasureStatus, MeasureValue
from dangjian.core.periods import Period
from dangjian.orgs.models import Organization

from . import engine
from .models import Requirement

_STATUS = {
    engine.Status.MET: MeasureStatus.MET,
    engine.Status.EXEMPT: MeasureStatus.MET,
    engine.Status.UNMET: MeasureStatus.UNMET,
    engine.Status.PENDING: MeasureStatus.PENDING,
    engine.Status.AWAITING: MeasureStatus.PENDING,
    engine.Status.NA: MeasureStatus.NA,
}


def choices() -> list[tuple[str, str]]:
    return [(r.key, f"{r.name}（达标情况）") for r in Requirement.objects.filter(is_active=True)]


def requirement_value(key: str, org: Organization, period_end: date, as_of: date) -> MeasureValue:
    """The requirement's result for the organisation in the requirement's period that contains `period_end`."""
    from .services import requirement_specs, run

    req = Requirement.objects.filter(key=key).first()
    if req is None:
        return MeasureValue(MeasureStatus.NA, None, f"制度要求“{key}”不存在")
    period = Period.containing(period_end, req.period)
    specs = requirement_specs([key], range_period=period)
    if not specs:
        return MeasureValue(MeasureStatus.NA, None, f"{req.name}：该期间未启用")
    results = [r for r in run(period, [org], as_of, requirements=specs).results if r.period == period]
    if not results:
        return MeasureValue(MeasureStatus.NA, None, f"{req.name}：{period.label}不适用")
    r = results[0]
    progress = min(100, round(100 * r.done / r.required)) if r.required else None
    detail = f"{req.name} {period.label}：{r.status}（{r.done}/{r.required}）"
    if r.note:
        detail += f"，{r.note}"
    return MeasureValue(_STATUS[r.status], progress, detail)
