"""A small bureau's 党费 year built through the services, and its hand count (test_ledger, test_commands).

Frozen at 2026-11-27: the months of 2026 that have ended are January to October (10).

| member | 人员类别 / base                 | months owed            | paid                               |
| ---    | ---                            | ---                    | ---                                |
| a0     | 在职, 2026 base 4500 → 45.00  | A Jan–Oct (10)         | 45 each month but Mar 40, Jun none; Feb +100 自愿多交 |
| a1     | 离退休, 2025 base 6000 → 60.00 (carried) | A Jan–Oct (10) | nothing in 2026 (all of 2025)  |
| a2     | 下岗失业, no base → 0.20        | A Jan–Oct (10)         | 0.20 each month                    |
| new    | 在职 预备党员 joined 2026-05-15, base 2026-05 3000 → 15.00 | A May–Oct (6) | May–Aug |
| mover  | 在职 base 2000 → 10.00, moved A → B on 2026-07-10 | A Jan–Jun (6), B Jul–Oct (4) | every month |
| leaver | 在职, no base, 转出 2026-04-20  | A Jan–Mar (3)          | Jan 10.00                          |
| exempt | 下岗失业, 2026 base 免交         | A Jan–Oct (10)         | nothing (0.00 due)                 |
| b0, b1 | 在职, no base                  | B Jan–Oct (10 each)    | nothing                            |
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from dangjian import factories
from dangjian.dues import services
from dangjian.dues.models import PaymentMethod
from dangjian.members import services as members
from dangjian.members.choices import EventKind
from dangjian.members.models import Member

TODAY = date(2026, 11, 27)
D = Decimal


def pay(
    member, month: date, amount: str, *, paid_on: date | None = None, voluntary: bool = False, method="现金"
):
    return services.record_payment(
        member,
        services.PaymentData(
            month,
            D(amount),
            paid_on or month.replace(day=10),
            PaymentMethod.objects.get(name=method),
            collected_by="组织委员",
            voluntary=voluntary,
        ),
        actor_name="测试",
    )


def build(cast) -> dict:
    a, b = cast["a"], cast["b"]
    a0, a1, a2 = cast["members_a"]
    Member.objects.filter(pk=a1.pk).update(category="离退休")
    Member.objects.filter(pk=a2.pk).update(category="下岗失业")
    for m in (a0, a1, a2):
        m.refresh_from_db()
    services.save_base(a0, services.BaseData(2026, 1, income=D("4500")))
    services.save_base(a1, services.BaseData(2025, 1, income=D("6000")))
    for month in range(1, 11):
        m = date(2026, month, 1)
        if month == 3:
            pay(a0, m, "40")
        elif month != 6:
            pay(a0, m, "45")
        pay(a2, m, "0.20")
    pay(a0, date(2026, 2, 1), "100", voluntary=True)
    for month in range(1, 13):
        pay(a1, date(2025, month, 1), "60")
    new = factories.member(a, "新党员", join_date=date(2026, 5, 15), full_date=None, birth=date(1998, 2, 3))
    services.save_base(new, services.BaseData(2026, 5, income=D("3000")))
    for month in (5, 6, 7, 8):
        pay(new, date(2026, month, 1), "15")
    mover = factories.member(a, "调动党员")
    services.save_base(mover, services.BaseData(2026, 1, income=D("2000")))
    members.move_member(mover, b, date(2026, 7, 10), expected_version=mover.version, actor_name="测试")
    mover.refresh_from_db()
    for month in range(1, 11):
        pay(mover, date(2026, month, 1), "10")
    leaver = factories.member(a, "转出党员")
    pay(leaver, date(2026, 1, 1), "10")
    members.end_membership(
        leaver, EventKind.TRANSFER_OUT, date(2026, 4, 20), expected_version=leaver.version, destination="外县"
    )
    exempt = factories.member(a, "免交党员", category="下岗失业")
    services.save_base(
        exempt,
        services.BaseData(
            2026,
            1,
            relief=True,
            relief_reason="领取最低生活保障金",
            approved_by="局机关党委",
            approved_on=date(2026, 1, 5),
        ),
    )
    return {"a0": a0, "a1": a1, "a2": a2, "new": new, "mover": mover, "leaver": leaver, "exempt": exempt}


# The hand count of the table above (yuan; months).
HAND = {
    "orgs": {
        "A": {"due": "1202.00", "paid": "632.00", "arrears": "680.00"},
        "B": {"due": "40.00", "paid": "40.00", "arrears": "0.00"},
    },
    # name: (monthly_due, months_due, months_paid, arrears_months)
    "members": {
        "甲支部党员0": ("45.00", 10, 8, 2),
        "甲支部党员1": ("60.00", 10, 0, 10),
        "甲支部党员2": ("0.20", 10, 10, 0),
        "新党员": ("15.00", 6, 4, 2),
        "调动党员": ("10.00", 10, 10, 0),
        "转出党员": (None, 3, 1, 2),
        "免交党员": ("0.00", 10, 10, 0),
        "乙支部党员0": (None, 10, 0, 10),
        "乙支部党员1": (None, 10, 0, 10),
    },
}
