"""Demo 党费: each member's base 核定 for last year and this year (wages by the kind of unit, pensions, 0.2 元 for
the laid off, a few 减免 for members on 低保), the payments month by month from last January to this month — mostly
cash on the branch's collection day, some transfers, a few 代交 and quarterly 预交, a little 自愿多交 around 七一 —
the branches' monthly 上缴 to their superior, and a handful of members in arrears (one of them past six months,
with the branch's talk recorded). The amounts are the ledger's own dues (dues.ledger), so the pages add up."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from dangjian.core import audit
from dangjian.core.models import AuditAction
from dangjian.dues import ledger, rules, services
from dangjian.dues.models import DuesBase, DuesConfig, DuesPayment, DuesRemittance, PaymentMethod
from dangjian.members.models import Member
from dangjian.orgs.models import Organization, UnitKind

ACTOR = "seed_demo"  # the bulk rows, audited once (site/tests/test_seed_demo.py)
SERVICE_ACTOR = "演示数据"  # writes through the services, each audited as itself (as demo/members.py does)
# Monthly after-tax wage ranges (yuan) by the kind of the member's unit.
WAGES = {
    UnitKind.BUREAU: (4800, 9800),
    UnitKind.INSTITUTION: (4200, 8200),
    UnitKind.SOE: (3000, 6500),
    UnitKind.RESTRUCTURED: (2400, 4600),
    UnitKind.BANKRUPTING: (1900, 3200),
    UnitKind.BANKRUPT_ENDED: (1900, 3000),
}
PENSIONS = (2300, 6800)
COLLECTORS = ("组织委员", "支部书记", "党小组长")
PROXIES = ("配偶代交", "子女代交", "同事代交")


def _money(rng, lo: int, hi: int) -> Decimal:
    return Decimal(rng.randrange(lo * 10, hi * 10)) / 10


def seed(ctx) -> None:
    rng, today = ctx.rng, ctx.today
    year, last = today.year, today.year - 1
    if not DuesConfig.objects.exists():
        DuesConfig.objects.create()  # the defaults, saved: the settings page shows who changes them
    kinds = dict(
        Organization.units.through.objects.order_by("id").values_list("organization_id", "unit__kind")
    )
    members = list(Member.objects.order_by("pk"))

    # --- bases: 核定 in January of each year; a raise for some in July; 减免 for a few on 低保 ---------------------
    bases = []
    for m in members:
        if m.category == rules.SERVING:
            lo, hi = WAGES.get(kinds.get(m.organization_id), (3000, 6000))
            income = _money(rng, lo, hi)
            if rng.random() < 0.04:
                income = _money(rng, 10200, 13500)  # a few leaders above 10,000
            for y in (last, year):
                first = max(1, m.join_date.month) if m.join_date.year == y else 1
                if m.join_date.year > y:
                    continue
                bases.append(DuesBase(member=m, year=y, effective_month=first, income=income))
                if y == year and rng.random() < 0.08 and first < 7:
                    bases.append(
                        DuesBase(member=m, year=y, effective_month=7, income=income + _money(rng, 200, 700))
                    )
                income += _money(rng, 0, 300)
        elif m.category == rules.RETIRED:
            pension = _money(rng, *PENSIONS)
            for y in (last, year):
                bases.append(DuesBase(member=m, year=y, effective_month=1, income=pension))
                pension += _money(rng, 50, 180)
        elif m.category == rules.LAID_OFF and rng.random() < 0.06:
            bases.append(
                DuesBase(
                    member=m,
                    year=year,
                    effective_month=1,
                    relief=True,
                    relief_reason="领取城市居民最低生活保障金，本人申请、支部研究",
                    approved_by="上一级党委",
                    approved_on=date(year, 1, 20),
                )
            )
    for b in bases:
        b.source, b.recorded_by = "import", ACTOR
    DuesBase.objects.bulk_create(bases, batch_size=1000)

    # --- payments: the ledger's dues, paid month by month ---------------------------------------------------------
    months = [date(last, m, 1) for m in range(1, 13)] + [date(year, m, 1) for m in range(1, today.month + 1)]
    sheet = ledger.build(months, today)
    methods = {m.name: m for m in PaymentMethod.objects.all()}
    by_member = sheet.by_member()
    current = {m.pk for m in members if m.status == "正常"}
    ended = [m for m in months if ledger.month_end(m) < today]
    owing = sorted(rng.sample(sorted(mid for mid in by_member if mid in current), 9))
    behind = dict(zip(owing, (3, 3, 4, 4, 5, 3, 7, 8, 4), strict=True))  # months unpaid at the end
    # (in id order: the ledger's rows come in the database's own order, which SQLite and PostgreSQL do not share)
    quarterly = {
        mid
        for mid in sorted(by_member)
        if sheet.members[mid].category == rules.RETIRED and rng.random() < 0.15
    }
    collected: dict[tuple[int, date], Decimal] = defaultdict(Decimal)  # (org, month) -> paid
    payments = []
    for mid in sorted(by_member):
        cells = by_member[mid]
        unpaid_from = ended[-behind[mid]] if mid in behind else None
        proxy = rng.random() < 0.05
        transfer = rng.random() < 0.35
        for c in cells:
            if c.amount is None or c.amount == 0:
                continue
            if unpaid_from is not None and c.month >= unpaid_from:
                continue
            if mid in quarterly and c.month.month % 3 != 1:
                continue  # paid with the quarter's first month below
            pay_day = c.month.replace(day=rng.choice((5, 8, 10, 12, 15)))
            if pay_day > today:
                continue
            span = [c.month]
            if mid in quarterly:
                span = [
                    x.month
                    for x in cells
                    if 0 <= rules.months_between(c.month, x.month) <= 2
                    and (unpaid_from is None or x.month < unpaid_from)
                ]
            method = "代交" if proxy else "转账" if transfer else "现金"
            for month in span:
                amount = next(x.amount for x in cells if x.month == month)
                payments.append(
                    DuesPayment(
                        member_id=mid,
                        organization_id=c.org_id,
                        month=month,
                        amount=amount,
                        paid_on=pay_day,
                        method=methods[method],
                        kind=rules.payment_kind(month, pay_day),
                        collected_by=rng.choice(COLLECTORS),
                        proxy_name=rng.choice(PROXIES) if proxy else "",
                        consent=proxy or month != c.month,
                        source="import",
                        recorded_by=ACTOR,
                    )
                )
                collected[(c.org_id, month)] += amount
        # 自愿多交 around 七一 (last year's)
        if cells and rng.random() < 0.02:
            july = date(last, 7, 1)
            org = next((x.org_id for x in cells if x.month == july), None)
            if org is not None:
                amount = Decimal(rng.choice((100, 200, 500, 1000)))
                payments.append(
                    DuesPayment(
                        member_id=mid,
                        organization_id=org,
                        month=july,
                        amount=amount,
                        paid_on=date(last, 7, 1),
                        method=methods["现金"],
                        kind=rules.PaymentKind.VOLUNTARY,
                        collected_by="支部书记",
                        note="庆祝建党纪念日自愿多交",
                        source="import",
                        recorded_by=ACTOR,
                    )
                )
                collected[(org, july)] += amount
    DuesPayment.objects.bulk_create(payments, batch_size=2000)

    # --- 上缴: each branch hands the month's dues to its superior around the 20th of the next month ---------------
    parents = {
        o.pk: Organization.objects.get_parent(o)
        for o in Organization.objects.filter(pk__in={k[0] for k in collected})
    }
    remittances = []
    for (org_id, month), amount in sorted(collected.items()):
        on = rules.add_months(month, 1).replace(day=20)
        if on > today or parents.get(org_id) is None:
            continue
        remittances.append(
            DuesRemittance(
                organization_id=org_id,
                to_org=parents[org_id],
                month=month,
                amount=amount,
                remitted_on=on,
                receipt_no=f"DF{month:%Y%m}-{org_id:03d}",
                handled_by="组织委员",
                recorded_by=ACTOR,
            )
        )
    DuesRemittance.objects.bulk_create(remittances, batch_size=1000)
    audit.record(
        AuditAction.IMPORT,
        actor_name=ACTOR,
        model="dues.duespayment",
        object_repr="演示党费数据",
        note=f"演示数据：党费基数 {len(bases)} 条、缴纳记录 {len(payments)} 条、上缴记录 {len(remittances)} 条",
    )

    # --- the longest arrears: the branch opened its handling and talked to the member ------------------------------
    longest = max(behind, key=lambda mid: (behind[mid], -mid))
    member = Member.objects.get(pk=longest)
    since = ended[-behind[longest]]
    opened = max(today.replace(day=1), since)
    case = services.open_case(
        member,
        arrears_months=behind[longest],
        since_month=since,
        opened_on=opened,
        note="该同志所在企业停产，长期在外地务工",
        actor_name=SERVICE_ACTOR,
    )
    services.add_step(
        case,
        kind="谈话",
        on=opened,
        people="支部书记、组织委员",
        note="电话联系并当面谈话，讲明按月交纳党费的规定和党章第九条；本人表示近期补交",
        actor_name=SERVICE_ACTOR,
    )
    ctx.log(
        f"党费：基数 {len(bases)} 条，缴纳记录 {len(payments)} 条，上缴记录 {len(remittances)} 条，"
        f"欠交满3个月 {len(behind)} 人（其中满6个月 {sum(1 for n in behind.values() if n >= 6)} 人，已登记处置 1 人）"
    )
