"""驾驶舱: the bureau's dashboard as data. Every chart carries its table and, for each category, the URL of the
list behind it; the page renders them with ECharts (vendored) and a table view."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count
from django.db.models.functions import ExtractMonth
from django.utils import timezone

from dangjian.activities.models import Activity
from dangjian.core import memo, stamps
from dangjian.core.dates import age_on
from dangjian.core.periods import Period, PeriodKind
from dangjian.members.asof import members_on_roll
from dangjian.members.choices import AGE_BANDS, Category, Education
from dangjian.members.models import Member
from dangjian.orgs.asof import orgs_by_kind, orgs_existing, terms_in_office, units_by_kind
from dangjian.orgs.models import Organization, OrgKind, UnitKind
from dangjian.orgs.terms import term_status

DRILL = "/reports/drill/"


# Charts with a row per organisation show at most this many (a county has fewer; a city has thousands).
ORG_ROWS = 50


def _cap_note(total: int, which: str) -> str:
    return f"（共{total}个，显示{which}的{ORG_ROWS}个）" if total > ORG_ROWS else ""


def _cap_extra(total: int, shown: int, more_url: str) -> dict[str, Any]:
    return {"total": total, "shown": shown, "more_url": more_url} if total > shown else {}


def drill(**params: Any) -> str:
    return f"{DRILL}?{urlencode({k: v for k, v in params.items() if v is not None})}"


@dataclass
class Chart:
    id: str
    title: str
    kind: str  # bar | pie | line | heatmap | timeline
    categories: list[str] = field(default_factory=list)
    series: list[dict[str, Any]] = field(default_factory=list)  # [{"name": .., "data": [..]}]
    links: list[str] = field(default_factory=list)  # one per category (bar/pie/line) or per cell (heatmap)
    columns: list[str] = field(default_factory=list)  # the table view
    rows: list[list[Any]] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "kind": self.kind,
            "categories": self.categories,
            "series": self.series,
            "links": self.links,
            "extra": self.extra,
        }


def _orgs(root: Organization | None, today: date | None = None):
    """The organisations as of the dashboard's day (orgs.asof); without a day, those not dissolved."""
    if today is not None:
        return orgs_existing(today, root)
    qs = Organization.objects.filter(dissolved_on__isnull=True)
    return qs.filter(path__startswith=root.path) if root is not None else qs


def _members(root: Organization | None, today: date | None = None):
    """Members on the roll as of the dashboard's day (members.asof); without a day, today's roll."""
    if today is not None:
        return members_on_roll(today, _orgs(root, today))
    qs = Member.objects.current()
    return qs.filter(organization__path__startswith=root.path) if root is not None else qs


def _scope_param(root: Organization | None) -> int | None:
    return root.pk if root is not None else None


def counts_chart(
    cid: str,
    title: str,
    kind: str,
    pairs: list[tuple[str, str, int]],
    metric: str,
    field_: str,
    root: Organization | None,
) -> Chart:
    """pairs: (value, label, count)."""
    c = Chart(cid, title, kind, columns=[title.split("（")[0], "数量"])
    c.categories = [label for _, label, _ in pairs]
    c.series = [{"name": "数量", "data": [n for _, _, n in pairs]}]
    c.links = [
        drill(metric=metric, field=field_, value=value, org=_scope_param(root)) for value, _, _ in pairs
    ]
    c.rows = [[label, n] for _, label, n in pairs]
    return c


def unit_chart(root, today: date | None = None):  # every chart builder takes (root, today)
    """Units of the organisations existing on the day, each by its kind on that day (orgs.asof)."""
    on = today or timezone.localdate()
    by = units_by_kind(on, _orgs(root, on))
    return counts_chart(
        "units",
        "单位分类（个）",
        "bar",
        [(k.value, k.label, len(by.get(k.value, []))) for k in UnitKind],
        "units",
        "kind",
        root,
    )


def org_chart(root, today: date | None = None):
    by = orgs_by_kind(today or timezone.localdate(), root)
    return counts_chart(
        "orgs",
        "党组织分类（个）",
        "bar",
        [(k.value, k.label, by.get(k.value, 0)) for k in OrgKind],
        "orgs",
        "kind",
        root,
    )


def member_charts(root, today: date) -> list[Chart]:
    qs = _members(root, today)
    rows = list(qs.values_list("category", "gender", "education", "birth_date", "full_date"))
    cat = Counter(r[0] for r in rows)
    gender = Counter(r[1] for r in rows)
    edu = Counter(r[2] or "未填" for r in rows)
    standing = Counter("预备党员" if r[4] is None or r[4] > today else "正式党员" for r in rows)
    ages = Counter()
    for r in rows:
        a = age_on(r[3], today)
        ages[next(label for lo, hi, label in AGE_BANDS if lo <= a <= hi)] += 1
    return [
        counts_chart(
            "category",
            "党员人员类别（名）",
            "pie",
            [(c.value, c.label, cat.get(c.value, 0)) for c in Category],
            "members",
            "category",
            root,
        ),
        counts_chart(
            "standing",
            "正式党员与预备党员（名）",
            "pie",
            [("full", "正式党员", standing["正式党员"]), ("probationary", "预备党员", standing["预备党员"])],
            "members",
            "standing",
            root,
        ),
        counts_chart(
            "gender",
            "党员性别（名）",
            "pie",
            [(g, g, gender.get(g, 0)) for g in ("男", "女")],
            "members",
            "gender",
            root,
        ),
        counts_chart(
            "age",
            "党员年龄段（名）",
            "bar",
            [(label, label, ages.get(label, 0)) for _, _, label in AGE_BANDS],
            "members",
            "age",
            root,
        ),
        counts_chart(
            "education",
            "党员学历（名）",
            "bar",
            [(e.value, e.label, edu.get(e.value, 0)) for e in Education],
            "members",
            "education",
            root,
        ),
    ]


# 待审核 (met only with records awaiting review) sits between 进行中 and 达标 on the heat map's scale
STATUS_SCORE = {"达标": 4, "待审核": 3, "进行中": 2, "未达标": 1, "豁免": 0, "不适用": None}


def compliance_heatmap(root, today: date) -> Chart:
    """The quarter's matrix as a heat map: one cell per branch × requirement, with the status the 达标情况
    matrix (`/compliance/`) shows for the same quarter — the same evaluation and the same summary over the
    requirement's periods in the quarter (any 未达标 month makes the quarter's cell 未达标)."""
    from dangjian.compliance import services as compliance

    quarter = Period.containing(today, PeriodKind.QUARTER)
    orgs = list(_orgs(root).filter(kind__in=["branch", "joint_branch", "temp_branch"]).order_by("path"))
    ev = compliance.run(quarter, _orgs(root).filter(pk__in=[o.pk for o in orgs]), today)
    reqs = ev.requirements
    cell = {(org_id, req_id): str(c.status) for (org_id, req_id), c in ev.cells.items()}
    total = len(orgs)
    if total > ORG_ROWS:  # a city's thousands of rows are unreadable: the ones needing attention come first
        unmet = Counter(org_id for (org_id, _), status in cell.items() if status == "未达标")
        orgs = sorted(orgs, key=lambda o: -unmet[o.pk])[:ORG_ROWS]
    title = f"{quarter.label}制度落实热力图"
    c = Chart(
        "heatmap",
        title + _cap_note(total, "未达标项最多"),
        "heatmap",
        columns=["党组织", *[q.name for q in reqs]],
    )
    c.categories = [q.name for q in reqs]
    c.extra = {
        "orgs": [o.short_name or o.name for o in orgs],
        "statuses": ["未达标", "进行中", "待审核", "达标"],
        **_cap_extra(total, len(orgs), "/compliance/"),
    }
    data, links = [], []
    for y, org in enumerate(orgs):
        row = [org.name]
        for x, q in enumerate(reqs):
            status = cell.get((org.id, q.id), "不适用")
            row.append(status)
            score = STATUS_SCORE.get(status)
            if score:
                data.append([x, y, score])
                links.append(drill(metric="activities", org=org.pk, kind=q.kind_key, period=str(quarter)))
        c.rows.append(row)
    c.series = [{"name": "达标情况", "data": data}]
    c.links = links
    return c


def term_timeline(root, today: date) -> Chart:
    orgs = {o.id: o for o in _orgs(root, today)}
    terms = list(terms_in_office(today, list(orgs.values())).values())  # the terms in office on the day
    ordered = sorted(terms, key=lambda t: t.effective_expiry)  # overdue and soonest first
    total = len(ordered)
    c = Chart(
        "terms",
        "换届时间轴（届满日期）" + _cap_note(total, "届满最早"),
        "timeline",
        columns=["党组织", "届满日期", "状态"],
    )
    points = []
    for t in ordered[:ORG_ROWS]:
        org = orgs[t.committee.organization_id]
        status = str(term_status(t.effective_expiry, today))
        points.append(
            {
                "name": org.short_name or org.name,
                "value": [t.effective_expiry.isoformat(), status],
                "status": status,
            }
        )
        c.links.append(f"/orgs/{org.pk}/")
        c.rows.append([org.name, t.effective_expiry.isoformat(), status])
    recorded = {t.committee.organization_id for t in terms}
    missing = [org for org in orgs.values() if org.has_elected_term and org.id not in recorded]
    for org in missing[:ORG_ROWS]:
        c.rows.append([org.name, "—", "未录入任期"])
    c.series = [{"name": "届满", "data": points}]
    c.extra = {"today": today.isoformat(), **_cap_extra(total, min(total, ORG_ROWS), "/orgs/")}
    return c


def activity_trend(root, today: date) -> Chart:
    qs = Activity.objects.filter(is_deleted=False)
    if root is not None:
        qs = qs.filter(organization__path__startswith=root.path)
    c = Chart(
        "trend",
        "组织生活开展趋势（次/月）",
        "line",
        columns=["月份", f"{today.year - 1}年", f"{today.year}年"],
    )
    c.categories = [f"{m}月" for m in range(1, 13)]
    series = []
    for year in (today.year - 1, today.year):
        by = dict(
            qs.filter(date__year=year)
            .order_by()
            .annotate(m=ExtractMonth("date"))
            .values_list("m")
            .annotate(n=Count("id"))
        )
        series.append(
            {
                "name": f"{year}年",
                "data": [
                    by.get(m, 0) if (year < today.year or m <= today.month) else None for m in range(1, 13)
                ],
            }
        )
    c.series = series
    c.links = [
        drill(metric="activities", month=f"{today.year}-{m:02d}", org=_scope_param(root))
        for m in range(1, 13)
    ]
    c.rows = [[f"{m}月", series[0]["data"][m - 1], series[1]["data"][m - 1]] for m in range(1, 13)]
    # the month under way is not over: shown as 进行中 (partial), not as a drop
    month_end = Period.containing(today, PeriodKind.MONTH).end
    if today < month_end:
        label = f"{today.month}月进行中（截至{today.day}日）"
        c.extra = {"partial": today.month - 1, "partial_label": label}
        c.rows[today.month - 1][0] = label
    return c


def study_chart(root, today: date) -> Chart:
    from dangjian.study.services import org_stats, yearly_progress

    stats = org_stats(yearly_progress(today.year, _members(root)))
    stats.sort(key=lambda s: s.rate)
    total = len(stats)
    stats = stats[:ORG_ROWS]
    c = Chart(
        "study",
        f"{today.year}年学时达标率（%）" + _cap_note(total, "达标率最低"),
        "bar",
        columns=["党组织", "党员", "达标", "达标率%", "人均学时"],
    )
    c.categories = [s.name for s in stats]
    c.series = [{"name": "达标率", "data": [s.rate for s in stats]}]
    c.links = [f"/study/members/?org={s.org_id}&year={today.year}" for s in stats]
    c.rows = [[s.name, s.members, s.met, s.rate, float(s.average)] for s in stats]
    c.extra = {"horizontal": True, **_cap_extra(total, len(stats), f"/study/?year={today.year}")}
    return c


def rectification_chart(root, today: date) -> Chart:
    from dangjian.supervision.flow import STATE_LABELS, State
    from dangjian.supervision.models import Rectification

    qs = Rectification.objects.all()
    if root is not None:
        qs = qs.filter(organization__path__startswith=root.path)
    by = dict(qs.order_by().values_list("status").annotate(n=Count("id")))
    overdue = qs.filter(
        status__in=[State.PENDING, State.IN_PROGRESS, State.SUBMITTED], deadline__lt=today
    ).count()
    c = Chart("rectifications", "整改事项（按状态，项）", "bar", columns=["状态", "数量"])
    states = [State.PENDING, State.IN_PROGRESS, State.SUBMITTED, State.CLOSED]
    c.categories = [STATE_LABELS[s] for s in states] + ["其中逾期"]
    values = [by.get(s.value, 0) for s in states] + [overdue]
    c.series = [{"name": "数量", "data": values}]
    c.links = [f"/supervision/rectifications/?status={s.value}" for s in states] + [
        "/supervision/rectifications/?status=open&overdue=on"
    ]
    c.rows = [[label, n] for label, n in zip(c.categories, values, strict=True)]
    return c


def notice_chart(root, today: date) -> Chart:
    from dangjian.duties.services import notice_stats

    org_ids = list(_orgs(root).values_list("id", flat=True)) if root is not None else None
    t = notice_stats(today.year, org_ids, as_of=today).total
    c = Chart("notices", f"{today.year}年通知签收与反馈（份次）", "bar", columns=["项目", "份次"])
    pairs = [
        ("下发", t.issued),
        ("已签收", t.acknowledged),
        ("按时签收", t.acknowledged_on_time),
        ("应反馈", t.feedback_expected),
        ("已反馈", t.fed_back),
        ("按时反馈", t.fed_back_on_time),
    ]
    c.categories = [p[0] for p in pairs]
    c.series = [{"name": "份次", "data": [p[1] for p in pairs]}]
    c.links = ["/duties/notices/"] * len(pairs)
    c.rows = [list(p) for p in pairs]
    return c


def recruitment_chart(root, today: date) -> Chart:
    """发展党员: the pipeline now (by stage) and the year so far (发展, 转正), from recruitment.stats."""
    from urllib.parse import urlencode

    from dangjian.recruitment import stats

    org_ids = list(_orgs(root).values_list("id", flat=True)) if root is not None else None
    total = stats.counts(today.year, org_ids).total
    c = Chart("recruitment", f"发展党员（{today.year}年，人）", "bar", columns=["项目", "人数"])
    scope = {"org": root.pk} if root is not None else {}
    pairs = [(s, total.stock[s], "/recruitment/?" + urlencode({**scope, "stage": s})) for s in stats.STOCK]
    pairs += [
        ("本年发展", total.flows["预备"], f"/recruitment/plans/?year={today.year}"),
        ("本年转正", total.flows["转正"], f"/recruitment/plans/?year={today.year}"),
    ]
    c.categories = [p[0] for p in pairs]
    c.series = [{"name": "人数", "data": [p[1] for p in pairs]}]
    c.links = [p[2] for p in pairs]
    c.rows = [[p[0], p[1]] for p in pairs]
    return c


EXTRA_CHARTS: list = [rectification_chart, notice_chart, recruitment_chart]


def _year_activity_topics(today: date) -> list[str]:
    return stamps.months_topics(Activity, today.year)


def _topics(today: date) -> dict[Any, list[str]]:
    """What each chart reads (`core.stamps`): its memoised data is reused until one of them is written."""
    from dangjian.compliance.periodcache import BASE_TOPICS
    from dangjian.study.services import year_topics

    orgs = ["orgs_organization"]
    return {
        unit_chart: [*orgs, "orgs_unit", "orgs_unitkindchange"],
        org_chart: orgs,
        member_charts: [*orgs, "members_member", "members_membershipevent"],
        compliance_heatmap: [*BASE_TOPICS, *_year_activity_topics(today)],
        term_timeline: [*orgs, "orgs_term", "orgs_committee"],
        activity_trend: [
            *orgs,
            *stamps.months_topics(Activity, today.year - 1),
            *_year_activity_topics(today),
        ],
        study_chart: [*orgs, "members_member", "orgs_term", "orgs_post", *year_topics(today.year)],
        rectification_chart: [*orgs, "supervision_rectification"],
        notice_chart: [*orgs, "duties_notice", "duties_noticetarget"],
        recruitment_chart: [*orgs, "recruitment_candidate", "recruitment_recruitmentstep"],
    }


def _chart(
    fn: Any, root: Organization | None, today: date, topics: list[str], versions: dict[str, int]
) -> Any:
    if not topics:  # a chart registered without its topics is computed every time
        return fn(root, today)
    params = (root.pk if root is not None else None, today)
    name = f"dashboard-{fn.__module__}.{fn.__name__}"
    return memo.memoized(name, params, topics, lambda: fn(root, today), shared=True, snapshot=versions)


def build(root: Organization | None, today: date) -> list[Chart]:
    topics = _topics(today)
    # every chart's versions in one query
    versions = stamps.snapshot(t for chart_topics in topics.values() for t in chart_topics)

    def chart(fn: Any) -> Any:
        return _chart(fn, root, today, topics.get(fn, []), versions)

    charts = [
        chart(unit_chart),
        chart(org_chart),
        *chart(member_charts),
        chart(compliance_heatmap),
        chart(term_timeline),
        chart(activity_trend),
        chart(study_chart),
    ]
    for fn in EXTRA_CHARTS:
        extra = chart(fn)
        if extra is not None:
            charts.append(extra)
    return charts
