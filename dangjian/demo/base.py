"""The base of the demo bureau (design §1, the bureau's report): units of every kind, the organisation tree,
committees and terms, about 600 members with their history, party groups and one login per role.

Everything is drawn from `ctx.rng` in a fixed order, so a seed and a day always give the same bureau. Rows are
written with bulk_create; the tree goes through treebeard (a couple of dozen nodes).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.utils import timezone
from pypinyin import Style, lazy_pinyin

from dangjian.accounts.models import User
from dangjian.accounts.roles import Role
from dangjian.core import audit
from dangjian.core.models import AuditAction
from dangjian.core.periods import add_months, add_years
from dangjian.members.choices import Category, EventKind, Status
from dangjian.members.models import Member, MembershipEvent
from dangjian.orgs.models import (
    Committee,
    CommitteeKind,
    Organization,
    OrgKind,
    PartyGroup,
    Post,
    PostTitle,
    Term,
    Unit,
    UnitKind,
)

from .context import DemoContext
from .people import IdBook, NameBook, Person, make_person, random_day

ROOT_CODE = "XSWJ"
ROOT_NAME = "中共x商务局党组"
DEMO_PASSWORD = "Demo#2026"  # satisfies accounts.passwords (length 9, four character classes)
ACTOR = "seed_demo"
# One login per role (design §4 roles); the names are pinyin a Chinese user reads at once.
DEMO_USERS = [
    ("dangjianban", Role.BUREAU_ADMIN),  # 局党建办
    ("zhibu1", Role.ORG_ADMIN),  # 机关第一党支部
    ("duchayuan", Role.INSPECTOR),
    ("dangyuan", Role.MEMBER),
    ("xitong", Role.SYSTEM_ADMIN),
    ("anquan", Role.SECURITY_ADMIN),
    ("shenji", Role.AUDIT_ADMIN),
]

SERVING, LAID_OFF, RETIRED = Category.SERVING.value, Category.LAID_OFF.value, Category.RETIRED.value


@dataclass(frozen=True)
class OrgSpec:
    code: str
    name: str
    kind: str
    parent: str | None
    units: tuple[str, ...]
    founded: date | int  # a date, or days before today
    size: int = 0  # members (branches only)
    mix: tuple[float, float, float] = (1.0, 0.0, 0.0)  # share in service, laid off, retired
    setting: str = "office"  # the education mix (demo_people.EDUCATION_MIX)
    groups: tuple[str, ...] = ()  # 党小组
    term_in: int | None = None  # days from today to the current term's expiry; None = no term recorded
    probationers: int = 0
    short: str = ""
    note: str = ""
    transferred_in: bool = (
        False  # a new branch: its members' relations came in from elsewhere when it was founded
    )


# The bureau's units (design §2 kinds), in the order they are listed.
UNITS: list[tuple[str, str, str]] = [
    ("x商务局", UnitKind.BUREAU, ""),
    ("x电子商务发展服务中心", UnitKind.INSTITUTION, ""),
    ("x商务综合行政执法大队", UnitKind.INSTITUTION, ""),
    ("x投资促进服务中心", UnitKind.INSTITUTION, ""),
    ("x对外贸易服务中心", UnitKind.INSTITUTION, ""),
    ("x农贸市场服务中心", UnitKind.INSTITUTION, ""),
    ("x酒类流通管理服务中心", UnitKind.INSTITUTION, ""),
    ("x商贸集团有限公司", UnitKind.SOE, ""),
    ("x百货大楼有限公司", UnitKind.SOE, "生产经营困难"),
    ("x物资供应有限公司", UnitKind.SOE, "生产经营困难"),
    ("x商业总公司", UnitKind.RESTRUCTURED, "2006年改制"),
    ("x糖业烟酒有限公司", UnitKind.RESTRUCTURED, "2005年改制"),
    ("x饮食服务有限公司", UnitKind.RESTRUCTURED, "2007年改制"),
    ("x食品有限公司", UnitKind.BANKRUPTING, "破产清算中"),
    ("原x五金交电化工公司", UnitKind.BANKRUPT_ENDED, "2014年破产终结"),
    ("原x针织纺织品公司", UnitKind.BANKRUPT_ENDED, "2015年破产终结"),
    ("原x蔬菜公司", UnitKind.BANKRUPT_ENDED, "2016年破产终结"),
    ("原x煤建公司", UnitKind.BANKRUPT_ENDED, "2016年破产终结"),
    ("x华联超市有限公司", UnitKind.PRIVATE, "业务指导"),
    ("x电子商务协会", UnitKind.SOCIAL, ""),
]

ENTERPRISE_MIX = (0.85, 0.05, 0.10)
# fmt: off
ORGS: list[OrgSpec] = [
    OrgSpec(ROOT_CODE, ROOT_NAME, OrgKind.DANGZU, None, ("x商务局",), date(2019, 3, 15), short="局党组"),
    OrgSpec("JGDW", "中共x商务局机关委员会", OrgKind.ORGAN_COMMITTEE, ROOT_CODE, ("x商务局",), date(2019, 5, 10),
            term_in=520, short="机关党委"),
    OrgSpec("JG01", "中共x商务局机关第一支部委员会", OrgKind.BRANCH, "JGDW", ("x商务局",), date(2019, 5, 20), 34,
            groups=("第一党小组", "第二党小组"), term_in=300, probationers=2, short="机关第一党支部"),
    OrgSpec("JG02", "中共x商务局机关第二支部委员会", OrgKind.BRANCH, "JGDW", ("x商务局",), date(2019, 5, 20), 28,
            term_in=62, probationers=1, short="机关第二党支部"),
    OrgSpec("JGLT", "中共x商务局离退休干部支部委员会", OrgKind.BRANCH, "JGDW", ("x商务局",), date(2019, 6, 1), 48,
            (0.0, 0.0, 1.0), "retired", ("第一党小组", "第二党小组", "第三党小组"), term_in=700,
            short="离退休干部党支部"),
    OrgSpec("SY01", "中共x电子商务发展服务中心支部委员会", OrgKind.BRANCH, "JGDW", ("x电子商务发展服务中心",),
            date(2016, 4, 8), 24, (0.92, 0.0, 0.08), "institution", term_in=420, probationers=1,
            short="电商中心党支部"),
    OrgSpec("SY02", "中共x商务综合行政执法大队支部委员会", OrgKind.BRANCH, "JGDW", ("x商务综合行政执法大队",),
            date(2012, 9, 1), 40, (0.9, 0.0, 0.1), "institution", ("执法一中队党小组", "执法二中队党小组"),
            term_in=135, probationers=2, short="执法大队党支部"),
    OrgSpec("SY03", "中共x投资促进服务中心支部委员会", OrgKind.BRANCH, "JGDW", ("x投资促进服务中心",),
            date(2015, 3, 20), 18, (0.9, 0.0, 0.1), "institution", term_in=820, probationers=1,
            short="投促中心党支部"),
    OrgSpec("SY04", "中共x对外贸易服务中心支部委员会", OrgKind.BRANCH, "JGDW", ("x对外贸易服务中心",),
            date(2008, 6, 26), 20, (0.9, 0.0, 0.1), "institution", term_in=240, probationers=1,
            short="外贸中心党支部"),
    OrgSpec("SY05", "中共x农贸市场服务中心支部委员会", OrgKind.BRANCH, "JGDW", ("x农贸市场服务中心",),
            date(2003, 5, 12), 30, (0.75, 0.0, 0.25), "institution", term_in=175, short="市场中心党支部"),
    OrgSpec("SY06", "中共x酒类流通管理服务中心支部委员会", OrgKind.BRANCH, "JGDW", ("x酒类流通管理服务中心",),
            date(2010, 11, 3), 20, (0.85, 0.0, 0.15), "institution", term_in=600, short="酒管中心党支部"),
    OrgSpec("GQDW", "中共x商贸集团有限公司委员会", OrgKind.COMMITTEE, ROOT_CODE, ("x商贸集团有限公司",),
            date(1998, 6, 30), term_in=900, short="商贸集团党委"),
    OrgSpec("GQ01", "中共x商贸集团有限公司机关支部委员会", OrgKind.BRANCH, "GQDW", ("x商贸集团有限公司",),
            date(1998, 7, 1), 32, ENTERPRISE_MIX, "enterprise", term_in=380, probationers=1,
            short="集团机关党支部"),
    OrgSpec("GQ02", "中共x百货大楼有限公司支部委员会", OrgKind.BRANCH, "GQDW", ("x百货大楼有限公司",),
            date(1998, 7, 1), 50, (0.6, 0.15, 0.25), "enterprise", ("经营党小组", "管理党小组", "退休党小组"),
            term_in=95, probationers=2, short="百货大楼党支部"),
    OrgSpec("GQ03", "中共x物资供应有限公司支部委员会", OrgKind.BRANCH, "GQDW", ("x物资供应有限公司",),
            date(1998, 7, 1), 48, (0.55, 0.2, 0.25), "enterprise", ("第一党小组", "第二党小组"), term_in=640,
            probationers=1, short="物资公司党支部"),
    OrgSpec("GZZZ", "中共x商业总公司总支部委员会", OrgKind.GENERAL_BRANCH, ROOT_CODE, ("x商业总公司",),
            date(2006, 4, 1), term_in=160, short="商业总公司党总支"),
    OrgSpec("GZ01", "中共x商业总公司第一支部委员会", OrgKind.BRANCH, "GZZZ", ("x商业总公司",), date(2006, 4, 1),
            36, (0.2, 0.4, 0.4), "enterprise", ("第一党小组", "第二党小组"), term_in=460, short="总公司第一党支部"),
    OrgSpec("GZ02", "中共x糖业烟酒有限公司支部委员会", OrgKind.BRANCH, "GZZZ", ("x糖业烟酒有限公司",),
            date(2006, 4, 1), 30, (0.2, 0.4, 0.4), "enterprise", term_in=300, short="糖酒公司党支部"),
    OrgSpec("GZ03", "中共x饮食服务有限公司支部委员会", OrgKind.BRANCH, "GZZZ", ("x饮食服务有限公司",),
            date(2007, 8, 1), 24, (0.15, 0.45, 0.4), "enterprise", term_in=980, short="饮服公司党支部"),
    OrgSpec("PC01", "中共x食品有限公司支部委员会", OrgKind.BRANCH, ROOT_CODE, ("x食品有限公司",), date(1985, 6, 1),
            50, (0.06, 0.5, 0.44), "enterprise", ("第一党小组", "第二党小组", "第三党小组"), term_in=-70,
            short="食品公司党支部", note="企业正在破产清算"),
    OrgSpec("LH01", "中共x商务局破产企业联合支部委员会", OrgKind.JOINT_BRANCH, ROOT_CODE,
            ("原x五金交电化工公司", "原x针织纺织品公司", "原x蔬菜公司", "原x煤建公司"), date(2016, 10, 12), 50,
            (0.0, 0.4, 0.6), "enterprise", ("五交化党小组", "针纺党小组", "蔬菜煤建党小组"), term_in=250,
            short="破产企业联合党支部", note="覆盖4家破产终结企业"),
    # A recently founded branch in a non-public firm the bureau guides; its term has not been entered yet.
    OrgSpec("FG01", "中共x华联超市有限公司支部委员会", OrgKind.BRANCH, ROOT_CODE, ("x华联超市有限公司",), 215, 11,
            (1.0, 0.0, 0.0), "enterprise", term_in=None, short="华联超市党支部", note="非公企业，局党组业务指导",
            transferred_in=True),
    OrgSpec("SH01", "中共x电子商务协会支部委员会", OrgKind.BRANCH, ROOT_CODE, ("x电子商务协会",),
            date(2021, 9, 1), 6, (1.0, 0.0, 0.0), "institution", term_in=700, short="电商协会党支部"),
]
# fmt: on
ORGS_BY_CODE = {s.code: s for s in ORGS}
# 专职 party workers are rare here (the bureau's report names their lack): only these posts are full-time.
FULL_TIME_POSTS = {("JGDW", PostTitle.DEPUTY), ("GQDW", PostTitle.DEPUTY), ("GZZZ", PostTitle.SECRETARY)}

POSITIONS = {
    "office": ["科员", "副科长", "科长", "一级主任科员", "四级主任科员", "办公室主任", "副局长"],
    "institution": ["工作人员", "副主任", "主任", "专业技术人员", "科员"],
    "enterprise": ["职工", "营业员", "会计", "部门经理", "副总经理", "仓库保管员", "司机"],
}
FLOATING_PLACES = ["江苏省苏州市", "浙江省宁波市", "广东省东莞市", "上海市嘉定区", "河南省郑州市"]


@dataclass
class Built:
    """What the base made, for the summary and the later steps."""

    units: dict[str, Unit] = field(default_factory=dict)
    members: dict[str, list[Member]] = field(default_factory=lambda: defaultdict(list))  # org code → current
    names: NameBook | None = None  # every name given so far, so that no two people share one
    counts: dict[str, int] = field(default_factory=dict)


def seed_base(ctx: DemoContext) -> Built:
    built = Built()
    _units(built)
    _orgs(ctx, built)
    groups = _party_groups(ctx)
    _members(ctx, built, groups)
    _committees(ctx, built)
    _users(ctx, built)
    _audit(built)
    return built


def _days_before(today: date, founded: date | int) -> date:
    return founded if isinstance(founded, date) else today - timedelta(days=founded)


def _units(built: Built) -> None:
    rows = Unit.objects.bulk_create([Unit(name=n, kind=k, note=note) for n, k, note in UNITS])
    built.units = {u.name: u for u in rows}
    built.counts["orgs.unit"] = len(rows)


def _orgs(ctx: DemoContext, built: Built) -> None:
    through = Organization.units.through
    links = []
    for spec in ORGS:
        fields = {
            "name": spec.name,
            "short_name": spec.short,
            "code": spec.code,
            "kind": spec.kind,
            "founded_on": _days_before(ctx.today, spec.founded),
            "note": spec.note,
            "phone": f"0370-{ctx.rng.randint(2, 8)}{ctx.rng.randint(0, 999999):06d}",
        }
        parent = ctx.orgs.get(spec.parent) if spec.parent else None
        node = (
            Organization.objects.add_child(parent, fields)
            if parent
            else Organization.objects.add_root(fields)
        )
        ctx.orgs[spec.code] = node
        links += [through(organization_id=node.pk, unit_id=built.units[u].pk) for u in spec.units]
    through.objects.bulk_create(links)
    built.counts["orgs.organization"] = len(ORGS)


def _party_groups(ctx: DemoContext) -> dict[str, list[PartyGroup]]:
    rows = [PartyGroup(organization=ctx.orgs[spec.code], name=name) for spec in ORGS for name in spec.groups]
    PartyGroup.objects.bulk_create(rows)
    by_org: dict[str, list[PartyGroup]] = defaultdict(list)
    for g in rows:
        by_org[g.organization.code].append(g)
    return by_org


def _categories(ctx: DemoContext, spec: OrgSpec, count: int) -> list[str]:
    """Exactly `count` categories in the spec's proportions (largest remainders), shuffled."""
    shares = dict(zip((SERVING, LAID_OFF, RETIRED), spec.mix, strict=True))
    exact = {c: s * count for c, s in shares.items()}
    n = {c: int(v) for c, v in exact.items()}
    for c in sorted(exact, key=lambda c: exact[c] - n[c], reverse=True)[: count - sum(n.values())]:
        n[c] += 1
    out = [c for c in (SERVING, LAID_OFF, RETIRED) for _ in range(n[c])]
    ctx.rng.shuffle(out)
    return out


def _probation_joins(ctx: DemoContext) -> list[date]:
    """The 预备党员's 入党 dates: the first third finish their year within the next three months
    (月提醒 lists them), the rest joined more recently."""
    total = sum(s.probationers for s in ORGS)
    soon = total // 3
    today = ctx.today
    out = [
        random_day(ctx.rng, add_months(today, -12) + timedelta(days=7), add_months(today, -9))
        for _ in range(soon)
    ]
    out += [
        random_day(ctx.rng, add_months(today, -9) + timedelta(days=1), today - timedelta(days=20))
        for _ in range(total - soon)
    ]
    return out


def _workplace(ctx: DemoContext, spec: OrgSpec, unit: str, category: str) -> str:
    if category == RETIRED:
        return f"{unit}（退休）"
    if category == LAID_OFF:
        return f"原{unit.removeprefix('原')}职工"
    return f"{unit} {ctx.rng.choice(POSITIONS[spec.setting if spec.setting in POSITIONS else 'office'])}"


def _initials(name: str) -> str:
    return "".join(lazy_pinyin(name, style=Style.FIRST_LETTER)).lower()[:20]


def _member(person: Person, org: Organization, **extra: Any) -> Member:
    return Member(
        name=person.name,
        initials=_initials(person.name),
        gender=person.gender,
        ethnicity=person.ethnicity,
        id_number=person.id_number,
        birth_date=person.birth_date,
        education=person.education,
        join_date=person.join_date,
        full_date=person.full_date,
        category=person.category,
        organization=org,
        phone=person.phone,
        **extra,
    )


def _members(ctx: DemoContext, built: Built, groups: dict[str, list[PartyGroup]]) -> None:
    rng, today = ctx.rng, ctx.today
    names, ids = NameBook(rng), IdBook(rng)
    built.names = names
    probation = iter(_probation_joins(ctx))
    rows: list[Member] = []
    events: list[tuple[Member, str, date, dict[str, Any]]] = []
    for spec in ORGS:
        if not spec.size:
            continue
        org = ctx.orgs[spec.code]
        founded = org.founded_on
        cats = _categories(ctx, spec, spec.size - spec.probationers)
        people = [
            make_person(
                rng, names, ids, today, category=SERVING, setting=spec.setting, probation_join=next(probation)
            )
            for _ in range(spec.probationers)
        ]
        female = 0.45 if spec.setting in ("retired", "institution") else 0.32
        people += [
            make_person(rng, names, ids, today, category=c, setting=spec.setting, female_share=female)
            for c in cats
        ]
        org_groups = groups.get(spec.code, [])
        for i, person in enumerate(people):
            unit = spec.units[i % len(spec.units)]
            m = _member(
                person,
                org,
                workplace=_workplace(ctx, spec, unit, person.category),
                party_group=org_groups[i % len(org_groups)] if org_groups else None,
            )
            rows.append(m)
            built.members[spec.code].append(m)
            events.append((m, EventKind.JOINED, person.join_date, {"to_org": org}))
            if person.full_date:
                events.append((m, EventKind.FULL, person.full_date, {"to_org": org}))
            if spec.transferred_in and person.join_date < founded:
                events.append(
                    (m, EventKind.TRANSFER_IN, founded, {"to_org": org, "destination": "原所在党组织"})
                )
    _flags(ctx, built)
    rows += _transfers(ctx, names, ids, events)
    Member.objects.bulk_create(rows, batch_size=500)
    MembershipEvent.objects.bulk_create(
        [
            MembershipEvent(member=m, kind=kind, date=day, recorded_by="演示数据", **extra)
            for m, kind, day, extra in sorted(events, key=lambda e: (e[2], e[0].id_number, e[1]))
        ],
        batch_size=500,
    )
    for g in (g for gs in groups.values() for g in gs):
        leader = next(m for m in rows if m.party_group is g)
        g.leader_name = leader.name
    PartyGroup.objects.bulk_update([g for gs in groups.values() for g in gs], ["leader_name"])
    built.counts["members.member"] = len(rows)
    built.counts["members.membershipevent"] = len(events)
    built.counts["orgs.partygroup"] = sum(len(gs) for gs in groups.values())


def _flags(ctx: DemoContext, built: Built) -> None:
    """A few laid-off members work away (流动党员); two cannot be reached (失联党员)."""
    rng = ctx.rng
    laid_off = [
        m for code in ("GZ01", "GZ02", "GZ03", "PC01") for m in built.members[code] if m.category == LAID_OFF
    ]
    for m in rng.sample(laid_off, 5):
        m.is_floating = True
        m.floating_note = f"外出务工：{rng.choice(FLOATING_PLACES)}"
        m.workplace = "外出务工"
    for code in ("LH01", "PC01"):
        m = rng.choice([m for m in built.members[code] if m.category == LAID_OFF and not m.is_floating])
        m.is_lost = True
        m.lost_since = date(ctx.today.year - rng.randint(2, 5), rng.randint(1, 12), 1)


def _transfers(
    ctx: DemoContext, names: NameBook, ids: IdBook, events: list[tuple[Member, str, date, dict[str, Any]]]
) -> list[Member]:
    """Two members transferred in from another county department; three transferred out this year."""
    rng, today = ctx.rng, ctx.today
    jg02 = ctx.orgs["JG02"]
    for m in [
        m for m, kind, _, _ in events if m.organization is jg02 and m.full_date and kind == EventKind.FULL
    ][:2]:
        day = random_day(rng, max(m.full_date, add_years(today, -3)), add_months(today, -6))
        events.append(
            (m, EventKind.TRANSFER_IN, day, {"to_org": jg02, "destination": "x发展和改革委员会机关党支部"})
        )
    gone = []
    for code, dest in (
        ("GQ02", "x市商务局机关党支部"),
        ("SY02", "x市场监督管理局党支部"),
        ("JG02", "中共x县委办公室支部委员会"),
    ):
        org = ctx.orgs[code]
        spec = next(s for s in ORGS if s.code == code)
        person = make_person(rng, names, ids, today, category=SERVING, setting=spec.setting)
        left = random_day(rng, add_months(today, -8), today - timedelta(days=10))
        m = _member(person, org, workplace="已调离", status=Status.TRANSFERRED_OUT, left_on=left)
        gone.append(m)
        events.append((m, EventKind.JOINED, person.join_date, {"to_org": org}))
        if person.full_date:
            events.append((m, EventKind.FULL, person.full_date, {"to_org": org}))
        events.append((m, EventKind.TRANSFER_OUT, left, {"from_org": org, "destination": dest}))
    return gone


# The seats of a full committee, in their usual order (支部条例 第二十条; a 党委 adds ordinary 委员).
SEATS = (
    PostTitle.SECRETARY,
    PostTitle.DEPUTY,
    PostTitle.ORGANIZATION,
    PostTitle.PROPAGANDA,
    PostTitle.DISCIPLINE,
    PostTitle.MEMBER,
    PostTitle.MEMBER,
)


def _post_titles(spec: OrgSpec, full_members: int) -> tuple[str, list[str]]:
    """The committee's form and its seats: a committee from 7 正式党员 (3–5 seats), else a secretary only."""
    if spec.kind in (OrgKind.COMMITTEE, OrgKind.ORGAN_COMMITTEE):
        seats = SEATS
    elif spec.kind == OrgKind.GENERAL_BRANCH or full_members >= 30:
        seats = SEATS[:5]
    elif full_members >= 15:
        seats = (PostTitle.SECRETARY, *SEATS[2:5])  # no deputy
    elif full_members >= 7:
        seats = (PostTitle.SECRETARY, *SEATS[2:4])
    else:
        return CommitteeKind.SECRETARY_ONLY, [PostTitle.SECRETARY]
    return CommitteeKind.COMMITTEE, list(seats)


def _pool(built: Built, org: Organization) -> list[Member]:
    """Members who may hold the organisation's posts: its own, or its subtree's for a 党委 or 总支."""
    codes = [o.code for o in ORGS_BY_CODE.values() if o.code == org.code or _is_under(o.code, org.code)]
    return [m for c in codes for m in built.members.get(c, [])]


def _is_under(code: str, ancestor: str) -> bool:
    parent = ORGS_BY_CODE[code].parent
    while parent:
        if parent == ancestor:
            return True
        parent = ORGS_BY_CODE[parent].parent
    return False


def _holders(ctx: DemoContext, pool: list[Member], n: int, elected: date) -> list[Member]:
    """n distinct holders; the first (the secretary) has over a year of party standing (第二十三条)."""
    eligible = [m for m in pool if m.full_date and m.full_date <= add_years(elected, -1)]
    if not eligible:  # a young branch: its longest-standing members
        eligible = sorted(pool, key=lambda m: (m.join_date, m.id_number))[:n]
    serving = [m for m in eligible if m.category == SERVING] or eligible
    first = ctx.rng.choice(serving)
    rest = [m for m in eligible if m is not first]
    return [first, *ctx.rng.sample(rest, min(n - 1, len(rest)))]


def _committees(ctx: DemoContext, built: Built) -> None:
    today = ctx.today
    committees, terms, posts = [], [], []
    plans = []
    for spec in ORGS:
        org = ctx.orgs[spec.code]
        if spec.term_in is None or not org.has_elected_term:
            continue
        years = org.default_term_years
        expires = today + timedelta(days=spec.term_in)
        elected = add_years(expires, -years)
        if elected < org.founded_on:
            raise ValueError(f"{spec.code}: 本届选举日期早于成立日期，请调整 term_in")
        pool = _pool(built, org)
        full_members = sum(1 for m in built.members.get(spec.code, []) if m.full_date)
        kind, titles = _post_titles(spec, full_members if spec.size else len(pool))
        committee = Committee(organization=org, kind=kind)
        committees.append(committee)
        number = 1 + (elected - org.founded_on).days // (365 * years)
        current = Term(
            committee=committee,
            number=number,
            elected_on=elected,
            years=years,
            expires_on=add_years(elected, years),
            is_current=True,
        )
        terms.append(current)
        plans.append((spec, current, titles, pool))
        if number > 1 and add_years(elected, -years) >= org.founded_on:
            prev_elected = add_years(elected, -years)
            previous = Term(
                committee=committee,
                number=number - 1,
                elected_on=prev_elected,
                years=years,
                expires_on=add_years(prev_elected, years),
                is_current=False,
                ended_on=elected,
            )
            terms.append(previous)
            plans.append((spec, previous, [PostTitle.SECRETARY], pool))
    Committee.objects.bulk_create(committees)
    for t in terms:
        t.committee_id = t.committee.pk
    Term.objects.bulk_create(terms)
    for spec, term, titles, pool in plans:
        holders = _holders(ctx, pool, len(titles), term.elected_on)
        for sort, (title, m) in enumerate(zip(titles, holders, strict=False)):
            posts.append(
                Post(
                    term=term,
                    title=title,
                    person_name=m.name,
                    id_number=m.id_number,
                    is_full_time=term.is_current and (spec.code, title) in FULL_TIME_POSTS,
                    started_on=term.elected_on,
                    ended_on=term.ended_on,
                    sort=sort,
                )
            )
    Post.objects.bulk_create(posts)
    built.counts.update({"orgs.committee": len(committees), "orgs.term": len(terms), "orgs.post": len(posts)})


def _post_holder(code: str, title: str) -> Member | None:
    post = (
        Post.objects.filter(term__committee__organization__code=code, term__is_current=True, title=title)
        .order_by("sort")
        .first()
    )
    return Member.objects.filter(id_number=post.id_number).first() if post else None


def _users(ctx: DemoContext, built: Built) -> None:
    jg01 = ctx.orgs["JG01"]
    bureau_person = _post_holder("JGDW", PostTitle.DEPUTY)
    branch_person = _post_holder("JG01", PostTitle.SECRETARY)
    member_person = next(
        m
        for m in built.members["JG01"]
        if m.full_date
        and m.category == SERVING
        and (branch_person is None or m.id_number != branch_person.id_number)
    )
    inspector_person = built.members["JG02"][0]
    names = built.names or NameBook(ctx.rng)
    scope = {Role.BUREAU_ADMIN: ctx.orgs[ROOT_CODE], Role.ORG_ADMIN: jg01}
    display = {
        Role.BUREAU_ADMIN: bureau_person.name if bureau_person else "",
        Role.ORG_ADMIN: branch_person.name if branch_person else "",
        Role.INSPECTOR: inspector_person.name,
        Role.MEMBER: member_person.name,
        Role.SYSTEM_ADMIN: names.draw("男", 1988),
        Role.SECURITY_ADMIN: names.draw("女", 1990),
        Role.AUDIT_ADMIN: names.draw("女", 1985),
    }
    plan = [(username, role, scope.get(role), display[role]) for username, role in DEMO_USERS]
    hashed = make_password(DEMO_PASSWORD)
    now = timezone.now()
    users = [
        User(
            username=username,
            role=role,
            organization=org,
            display_name=display,
            password=hashed,
            must_change_password=False,
            password_changed_at=now,
        )
        for username, role, org, display in plan
    ]
    for u in users:  # the policy the password form enforces; fail loudly if it ever tightens
        validate_password(DEMO_PASSWORD, u)
    User.objects.bulk_create(users)
    member_person.user = next(u for u in users if u.role == Role.MEMBER)
    Member.objects.filter(pk=member_person.pk).update(user=member_person.user)
    for u in users:
        ctx.users[u.username] = u
        ctx.logins.append((u.username, DEMO_PASSWORD, u.role_label))
    built.counts["accounts.user"] = len(users)


def _audit(built: Built) -> None:
    audit.record_many(
        audit.Entry(
            action=AuditAction.CREATE,
            actor_name=ACTOR,
            model=label,
            object_repr=f"演示数据：{count} 条",
            changes={"count": count},
            note="seed_demo 生成演示数据",
        )
        for label, count in built.counts.items()
    )
