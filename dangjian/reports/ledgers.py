"""台账 and statistics exports (issue: reports part 3).

- The 台账 workbook of an organisation for a year: every activity with its attendance and minutes.
- A 党支部工作手册-style document: the branch's basic facts, committee, members, and the year's records by kind.
- Statistics workbooks shaped like the 党内统计 tables: members by gender, 民族, age band, education, join period and
  category; organisations by kind; changes during the year (MembershipEvent)."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date

from django.db.models import Count, Prefetch

from dangjian.activities.models import Activity, Attendance
from dangjian.core import progress
from dangjian.core.asof import year_as_of
from dangjian.core.dates import age_on
from dangjian.core.official_docx import OfficialDocument
from dangjian.core.xlsx import Sheet, workbook_bytes
from dangjian.members.choices import AGE_BANDS, ETHNICITIES, Category, Education, EventKind
from dangjian.members.models import MembershipEvent
from dangjian.orgs.asof import orgs_by_kind, posts_held, term_on
from dangjian.orgs.models import Organization, OrgKind

from .facts import members_at, scope_orgs


def _activities(org: Organization, year: int):
    return (
        Activity.objects.filter(organization__path__startswith=org.path, is_deleted=False, date__year=year)
        .select_related("organization", "party_group")
        .prefetch_related(
            "kinds", Prefetch("attendance", queryset=Attendance.objects.select_related("member"))
        )
        .order_by("date", "id")
    )


def ledger_size(org: Organization, year: int) -> int:
    """How many records the 台账 workbook of `org`'s subtree for `year` holds (a big one is made as a job)."""
    return Activity.objects.filter(
        organization__path__startswith=org.path, is_deleted=False, date__year=year
    ).count()


def ledger_workbook(org: Organization, year: int) -> bytes:
    acts = list(_activities(org, year))
    summary = []
    detail = []
    for i, a in enumerate(acts, start=1):
        progress.every(500, "整理台账", i, len(acts))
        absent = [
            f"{x.member.name}（{x.absence_reason or '未说明'}）" for x in a.attendance.all() if not x.present
        ]
        kinds = "、".join(k.name for k in a.kinds.all())
        quorum = "未达法定人数" if a.quorum_met is False else ""
        summary.append(
            [
                a.date,
                a.organization.name,
                kinds,
                a.topic,
                a.place,
                a.host,
                a.speaker,
                a.expected,
                a.present,
                "、".join(absent),
                quorum,
                a.minutes,
                a.resolutions,
            ]
        )
        for x in a.attendance.all():
            detail.append(
                [
                    a.date,
                    a.organization.name,
                    a.topic,
                    x.member.name,
                    "出席" if x.present else "缺席",
                    x.absence_reason,
                    x.note,
                ]
            )
    counts = Counter(k.name for a in acts for k in a.kinds.all())
    progress.report("生成工作簿", len(acts), len(acts))
    return workbook_bytes(
        [
            Sheet(
                "活动台账",
                [
                    "日期",
                    "党组织",
                    "活动类型",
                    "主题",
                    "地点",
                    "主持人",
                    "主讲人",
                    "应到人数",
                    "实到人数",
                    "缺席人员及原因",
                    "备注",
                    "会议记录",
                    "决议事项",
                ],
                summary,
                date_columns=[0],
                widths=[12, 22, 20, 30, 14, 10, 10, 9, 9, 30, 12, 60, 30],
            ),
            Sheet(
                "出勤明细",
                ["日期", "党组织", "主题", "姓名", "出勤", "缺席原因", "备注"],
                detail,
                date_columns=[0],
            ),
            Sheet("分类统计", ["活动类型", "次数"], sorted(counts.items(), key=lambda kv: -kv[1])),
        ]
    )


def handbook_document(org: Organization, year: int) -> OfficialDocument:
    """A 党支部工作手册: the branch's book of the year."""
    doc = OfficialDocument()
    doc.title(f"{org.name}工作手册（{year}年度）")
    doc.heading1("一、党支部基本情况")
    members = list(
        members_at(Organization.objects.filter(pk=org.pk), date(year, 12, 31)).order_by("join_date")
    )
    units = "、".join(u.name for u in org.units.all()) or "—"
    doc.para(
        f"党组织名称：{org.name}；组织类别：{org.get_kind_display()}；所在单位：{units}；"
        f"成立日期：{org.founded_on:%Y年%m月%d日}。"
        if org.founded_on
        else f"党组织名称：{org.name}；组织类别：{org.get_kind_display()}；所在单位：{units}。"
    )
    full = sum(1 for m in members if m.full_date and m.full_date <= date(year, 12, 31))
    doc.para(f"年末共有党员 {len(members)} 名，其中正式党员 {full} 名、预备党员 {len(members) - full} 名。")
    end = year_as_of(year)
    term = term_on(org, end)  # the committee in office at the year's end, not today's
    doc.heading1("二、支部委员会")
    if term:
        doc.para(
            f"第{term.number}届委员会于 {term.elected_on:%Y年%m月%d日} 选举产生，任期 {term.years} 年，"
            f"{term.effective_expiry:%Y年%m月%d日} 届满。"
        )
        doc.table(
            ["职务", "姓名", "专职/兼职"],
            [
                (p.get_title_display(), p.person_name, "专职" if p.is_full_time else "兼职")
                for p in posts_held(end, [org])
            ],
            widths_mm=[40, 60, 40],
        )
    else:
        doc.para("尚未录入任期信息。")
    doc.heading1("三、党员名册")
    doc.table(
        ["序号", "姓名", "性别", "出生日期", "入党日期", "人员类别"],
        [
            (i, m.name, m.gender, f"{m.birth_date:%Y-%m}", f"{m.join_date:%Y-%m-%d}", m.category)
            for i, m in enumerate(members, start=1)
        ],
        widths_mm=[12, 28, 14, 28, 34, 28],
    )
    doc.heading1("四、组织生活记录")
    by_kind: dict[str, list[Activity]] = defaultdict(list)
    acts = list(_activities(org, year).filter(organization=org))
    for a in acts:
        for k in a.kinds.all():
            by_kind[k.name].append(a)
    if not acts:
        doc.para("本年度暂无记录。")
    for i, (kind, items) in enumerate(sorted(by_kind.items(), key=lambda kv: kv[0]), start=1):
        doc.heading2(f"（{'一二三四五六七八九十'[i - 1] if i <= 10 else i}）{kind}（{len(items)}次）")
        for a in items:
            present = sum(1 for x in a.attendance.all() if x.present)
            doc.para(
                f"{a.date:%Y年%m月%d日}，{a.topic}。主持人：{a.host or '—'}；应到 {a.expected} 人，实到 {present} 人。"
                + (f"主要内容：{a.minutes[:300]}" if a.minutes else "")
            )
    return doc


def _join_period(d: date) -> str:
    if d.year < 1949:
        return "1949年9月底以前"
    if d.year <= 1966:
        return "1949年10月至1966年4月"
    if d.year <= 1976:
        return "1966年5月至1976年10月"
    if d.year <= 2002:
        return "1976年11月至2002年10月"
    if d.year <= 2012:
        return "2002年11月至2012年10月"
    return "2012年11月以后"


JOIN_PERIODS = [
    "1949年9月底以前",
    "1949年10月至1966年4月",
    "1966年5月至1976年10月",
    "1976年11月至2002年10月",
    "2002年11月至2012年10月",
    "2012年11月以后",
]


def statistics_workbook(root: Organization | None, year: int) -> bytes:
    end = date(year, 12, 31)
    orgs = scope_orgs(root, end)
    members = list(
        members_at(orgs, end).values(
            "gender", "ethnicity", "birth_date", "education", "join_date", "category", "full_date"
        )
    )
    total = len(members)

    def dist(label: str, values: list[str], key) -> list[list]:
        c = Counter(key(m) for m in members)
        rows = [[v, c.get(v, 0), f"{c.get(v, 0) * 100 / total:.1f}%" if total else "0%"] for v in values]
        rows.append(["合计", total, "100%" if total else "0%"])
        return rows

    used_ethnicities = [e for e in ETHNICITIES if any(m["ethnicity"] == e for m in members)]
    band = lambda m: next(lbl for lo, hi, lbl in AGE_BANDS if lo <= age_on(m["birth_date"], end) <= hi)  # noqa: E731
    org_counts = orgs_by_kind(end, root)
    events = (  # order_by(): the model's ordering would otherwise join the GROUP BY (one row per event)
        MembershipEvent.objects.filter(date__year=year)
        .filter(member__organization__in=orgs)
        .order_by()
        .values_list("kind")
        .annotate(n=Count("id"))
    )
    ev = dict(events)
    header = ["项目", "人数", "占比"]
    return workbook_bytes(
        [
            Sheet(
                "党员基本情况",
                ["项目", "人数"],
                [
                    ["党员总数", total],
                    ["其中：女党员", sum(m["gender"] == "女" for m in members)],
                    ["少数民族党员", sum(bool(m["ethnicity"]) and m["ethnicity"] != "汉族" for m in members)],
                    ["预备党员", sum(m["full_date"] is None or m["full_date"] > end for m in members)],
                    [
                        "大专及以上学历",
                        sum(m["education"] in ("研究生", "大学本科", "大学专科") for m in members),
                    ],
                ],
            ),
            Sheet("按性别", header, dist("性别", ["男", "女"], lambda m: m["gender"])),
            Sheet("按民族", header, dist("民族", used_ethnicities or ["汉族"], lambda m: m["ethnicity"])),
            Sheet("按年龄", header, dist("年龄", [lbl for _, _, lbl in AGE_BANDS], band)),
            Sheet("按学历", header, dist("学历", [e.value for e in Education], lambda m: m["education"])),
            Sheet(
                "按入党时间", header, dist("入党时间", JOIN_PERIODS, lambda m: _join_period(m["join_date"]))
            ),
            Sheet(
                "按人员类别", header, dist("人员类别", [c.value for c in Category], lambda m: m["category"])
            ),
            Sheet(
                "党组织",
                ["组织类别", "个数"],
                [[k.label, org_counts.get(k.value, 0)] for k in OrgKind]
                + [["合计", sum(org_counts.values())]],
            ),
            Sheet("年内变动", ["变动类型", "人次"], [[k.label, ev.get(k.value, 0)] for k in EventKind]),
            recruitment_sheet(orgs, year),
        ]
    )


def recruitment_sheet(orgs, year: int) -> Sheet:
    """发展党员 by organisation: the year's flows (steps dated in the year), the plan and the stock at year end
    (recruitment.stats); the organisations with neither are left out, a 合计 row closes it."""
    from dangjian.recruitment import stats

    org_list = list(orgs.order_by("path"))
    figures = stats.counts(year, [o.pk for o in org_list])
    plans = stats.plans(year, [o.pk for o in org_list])
    header = ["党组织", "计划名额", *[f"{f}（本年）" for f in stats.FLOWS], "其中青年", "其中大专以上", "其中一线",
              *[f"年末{s}" for s in stats.STOCK]]  # fmt: skip

    def row(label: str, c: stats.OrgCounts, quota: int | None) -> list:
        return [label, quota if quota is not None else "", *[c.flows[f] for f in stats.FLOWS], c.admitted_youth,
                c.admitted_educated, c.admitted_frontline, *[c.stock[s] for s in stats.STOCK]]  # fmt: skip

    rows = []
    for o in org_list:
        c, plan = figures.by_org.get(o.pk), plans.get(o.pk)
        if c is None and plan is None:
            continue
        rows.append(row(o.name, c or stats.OrgCounts(), plan.quota if plan else None))
    rows.append(row("合计", figures.total, sum(p.quota for p in plans.values())))
    return Sheet("发展党员", header, rows)


__all__ = ["handbook_document", "ledger_workbook", "statistics_workbook"]
