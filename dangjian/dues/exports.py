"""党费收缴统计表 (.xlsx, core.xlsx): the year by organisation, by month, and member by member. No ID numbers: the
table is for the 公布 and the superior's statistics, not a roster."""

from __future__ import annotations

from decimal import Decimal

from dangjian.core.xlsx import Sheet

from .stats import YearStats


def _n(amount: Decimal | None) -> float | None:
    return None if amount is None else float(amount)


def year_sheets(result: YearStats, subject: str) -> list[Sheet]:
    t = result.total
    by_org = [
        [
            r.org.name,
            r.org.code,
            len(r.totals.members),
            r.totals.months_due,
            r.totals.months_paid,
            _n(r.totals.due),
            _n(r.totals.paid),
            _n(r.totals.arrears),
            f"{r.totals.rate}%" if r.totals.rate is not None else "—",
            _n(r.remitted),
        ]
        for r in result.orgs
    ]
    by_org.append(
        [
            f"合计（{subject}）",
            "",
            len(t.members),
            t.months_due,
            t.months_paid,
            _n(t.due),
            _n(t.paid),
            _n(t.arrears),
            f"{t.rate}%" if t.rate is not None else "—",
            _n(result.remitted),
        ]
    )
    by_month = [
        [
            f"{m.year}年{m.month}月",
            len(mt.members),
            _n(mt.due),
            _n(mt.paid),
            _n(mt.arrears),
            mt.arrears_months,
            _n(result.remitted_by_month.get(m)),
        ]
        for m, mt in result.by_month.items()
    ]
    names = {r.org.pk: r.org.name for r in result.orgs}
    members = [
        [
            names.get(m.org_id, ""),
            m.facts.name,
            m.facts.category,
            _n(m.monthly_due.amount) if m.monthly_due.amount is not None else "未核定",
            m.totals.months_due,
            m.totals.months_paid,
            m.totals.arrears_months,
            _n(m.totals.due),
            _n(m.totals.paid),
            _n(m.totals.arrears),
        ]
        for m in result.members
    ]
    note = f"统计截至 {result.as_of:%Y-%m-%d}，按已结束的 {len(result.months)} 个月计算"
    return [
        Sheet(
            "收缴统计",
            ["党组织", "组织代码", "交纳人数", "应交人·月", "已交人·月", "应交金额（元）", "实交金额（元）",
             "欠交金额（元）", "收缴率", "上缴金额（元）"],
            [*by_org, [note]],
            widths=[30, 12, 10, 10, 10, 14, 14, 14, 10, 14],
        ),
        Sheet(
            "按月汇总",
            ["月份", "交纳人数", "应交金额（元）", "实交金额（元）", "欠交金额（元）", "欠交人数", "上缴金额（元）"],
            by_month,
            widths=[12, 10, 14, 14, 14, 10, 14],
        ),
        Sheet(
            "党员明细",
            ["党组织", "姓名", "人员类别", "月应交（元）", "应交月数", "已交月数", "欠交月数", "应交金额（元）",
             "实交金额（元）", "欠交金额（元）"],
            members,
            widths=[30, 10, 10, 12, 10, 10, 10, 14, 14, 14],
        ),
    ]  # fmt: skip
