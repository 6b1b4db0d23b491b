"""主要做法和成效, from data: each of the bureau's mechanisms that has records in the year is written with its
figures (and, for 现场教学 and 专题辅导, the sites and lecturers by name); a mechanism without records is left
out rather than written with a zero."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from django.db.models import Q

from dangjian.activities.models import Activity

from . import facts
from .metrics import Metrics
from .prose import names, nonzero, ordinals, pct

SECTION = "主要做法和成效"
# The bureau's own meetings (activities part 6): kind key → how the report names them.
BUREAU_MEETINGS = {
    "annual_conference": "年度党建工作会议",
    "leadership_life_meeting": "党组民主生活会",
    "center_group_study": "党组理论学习中心组学习",
}


@dataclass
class Scope:
    year: int
    root: object
    end: date
    org_ids: list[int]
    as_of: date  # the year's last day, or today while the year runs (what is not yet due is not yet late)


def _acts(s: Scope, key: str):
    return Activity.objects.filter(
        is_deleted=False, date__year=s.year, organization_id__in=s.org_ids, kinds__key=key
    ).distinct()


def leadership(m: Metrics, s: Scope) -> list[str]:
    from dangjian.duties.models import LeadingGroup, ListStatus, WorkPlan
    from dangjian.duties.models.plans import YearEndStatus

    points = []
    groups = LeadingGroup.objects.filter(is_active=True, organization_id__in=s.org_ids).filter(
        Q(established_on__isnull=True) | Q(established_on__lte=s.end)
    )
    group = groups.order_by("organization__depth", "id").first()
    m.count("leading_groups", "党建工作领导小组", groups, SECTION)
    if group is not None:
        members = group.members.filter(is_active=True).count()
        points.append(
            f"成立{group.name}" + (f"（成员{members}名）" if members else "") + "，统筹推进全系统党建工作"
        )
    conference = _acts(s, "annual_conference").order_by("date").first()
    if conference is not None:
        points.append(
            f"{conference.date.month}月{conference.date.day}日召开{s.year}年度党建工作会议，安排部署全年工作"
        )
    plans = WorkPlan.objects.filter(year=s.year, is_deleted=False, status=ListStatus.ISSUED)
    m.count("work_plans", "印发工作要点", plans, SECTION)
    plan = plans.order_by("issued_on", "id").first()
    if plan is not None:
        items = plan.items.filter(is_active=True)
        statuses = Counter(items.values_list("year_end_status", flat=True))
        text = f"印发《{plan.title}》，明确重点任务{items.count()}项"
        done = nonzero(
            (YearEndStatus(k).label, statuses.get(k, 0), "项")
            for k in (YearEndStatus.DONE, YearEndStatus.MOSTLY, YearEndStatus.NOT_DONE)
        )
        m.put("work_plan_items", "工作要点任务", items.count(), "duties.WorkPlanItem（有效）", SECTION)
        m.put(
            "work_plan_done", "工作要点完成", statuses.get(YearEndStatus.DONE, 0), "年终评定为完成", SECTION
        )
        if done:
            text += f"，年终评定{done}"
        points.append(text)
    points.extend(_notices(m, s))
    points.extend(_duty_lists(m, s))
    return points


def _notices(m: Metrics, s: Scope) -> list[str]:
    from dangjian.duties import services as duties

    stats = duties.notice_stats(s.year, s.org_ids if s.root is not None else None, as_of=s.as_of)
    t = stats.total
    q = "duties.services.notice_stats：本年已下发通知的签收与反馈（签收时限内为按时）"
    m.put("notices", "印发通知（份）", stats.notices, q, SECTION)
    m.put("notices_issued", "通知下发（份次）", t.issued, q, SECTION)
    m.put("notices_ack_on_time", "按时签收（份次）", t.acknowledged_on_time, q, SECTION)
    m.put("notices_feedback_expected", "应反馈（份次）", t.feedback_expected, q, SECTION)
    m.put("notices_feedback_on_time", "按时反馈（份次）", t.fed_back_on_time, q, SECTION)
    if not t.issued:
        return []
    text = f"坚持每月初统一拟定重点工作通知，全年印发通知{stats.notices}份、下发{t.issued}份次"
    if t.acknowledged_on_time:
        text += f"，按时签收{t.acknowledged_on_time}份次，按时签收率{pct(t.acknowledged_on_time, t.issued)}"
    if t.feedback_expected and t.fed_back_on_time:
        text += f"，应反馈{t.feedback_expected}份次、按时反馈{t.fed_back_on_time}份次"
    return [text]


def _duty_lists(m: Metrics, s: Scope) -> list[str]:
    from dangjian.duties.models import Duty, DutyList, ListStatus
    from dangjian.duties.services.responsibility import completion_rates

    lists = DutyList.objects.filter(
        year=s.year, is_deleted=False, status=ListStatus.ISSUED, organization_id__in=s.org_ids
    ).order_by("issued_on", "id")
    m.count("duty_lists", "印发责任清单", lists, SECTION)
    if not lists:
        return []
    rates = completion_rates(s.year, s.as_of, Duty.objects.filter(duty_list__in=lists))
    due = sum(r.tally.due for r in rates["lists"])
    done = sum(r.tally.done for r in rates["lists"])
    q = "duties.services.responsibility.completion_rates：本年已印发清单的责任事项，截至年底"
    m.put("duty_occurrences_due", "责任事项应完成（项次）", due, q, SECTION)
    m.put("duty_occurrences_done", "责任事项已完成（项次）", done, q, SECTION)
    text = f"印发{names([f'《{t}》' for t in lists.values_list('title', flat=True)], '份责任清单')}"
    if due:
        text += f"，责任事项应完成{due}项次"
        if done:
            text += f"、已完成{done}项次，完成率{pct(done, due)}"
    return [text]


def bureau_meetings(m: Metrics, s: Scope) -> list[str]:
    """The 党组's own 民主生活会 and 中心组学习 (the 年度党建工作会议 opens the leadership paragraph)."""
    from dangjian.activities.models import BureauMeeting

    counts = {
        key: m.count(f"meetings_{key}", label, _acts(s, key), SECTION)
        for key, label in BUREAU_MEETINGS.items()
    }
    points = []
    life = counts["leadership_life_meeting"]
    if life:
        details = list(BureauMeeting.objects.filter(activity__in=_acts(s, "leadership_life_meeting")))
        items = sum(len(d.rectification_items) for d in details)
        m.put(
            "life_meeting_rectifications",
            "民主生活会整改清单（项）",
            items,
            "activities.BureauMeeting：本年民主生活会记录的整改清单行数",
            SECTION,
        )
        text = f"局党组召开民主生活会{life}次"
        if any(d.opinions_solicited for d in details):
            text += "，会前广泛征求意见"
        if any(d.self_examination for d in details):
            text += "，班子成员逐一对照检查"
        if items:
            text += f"，形成整改清单{items}项"
        points.append(text)
    study = counts["center_group_study"]
    if study:
        points.append(f"党组理论学习中心组集中学习{study}次")
    return points


def organisational_life(m: Metrics, s: Scope) -> list[str]:
    points = []
    total = m.get("activities_total")
    if total:
        kinds = nonzero(
            (mt.label.removeprefix("开展"), mt.value, "次")
            for mt in m.rows()
            if mt.key.startswith("activities_")
            and mt.key != "activities_total"
            and mt.key.removeprefix("activities_") not in BUREAU_MEETINGS  # written with the 党组's meetings
        )
        points.append(f"局属各级党组织全年记录组织生活{total}次" + (f"，其中{kinds}" if kinds else ""))
    points.extend(_renewals(m, s))
    reviews = m.get("reviews_held")
    if reviews:
        from dangjian.honors.models import ReviewReport

        n = ReviewReport.objects.filter(round__year=s.year, organization_id__in=s.org_ids).count()
        m.put("review_reports", "述职的党组织书记", n, "honors.ReviewReport（本年述职评议）", SECTION)
        points.append(
            "召开党组织书记抓党建工作述职评议会议" + (f"，{n}名党组织书记现场述职并接受评议" if n else "")
        )
    return points


def _renewals(m: Metrics, s: Scope) -> list[str]:
    from dangjian.orgs.models import Term

    terms = list(
        Term.objects.filter(elected_on__year=s.year, committee__organization_id__in=s.org_ids).select_related(
            "previous"
        )
    )
    renewed = [t for t in terms if t.previous_id]
    on_time = [t for t in renewed if t.elected_on <= (t.previous.extended_to or t.previous.expires_on)]
    q = "orgs.Term：本年选举产生、接续上一届的届次；按期 = 选举日期不晚于上一届（经批准延期的）届满日期"
    m.put("terms_renewed", "本年换届", len(renewed), q, SECTION)
    m.put("terms_renewed_on_time", "按期换届", len(on_time), q, SECTION)
    points = []
    if renewed:
        text = f"全年{len(renewed)}个党组织完成换届"
        if len(on_time) == len(renewed):
            text += "，均按期完成"
        elif on_time:
            text += f"，其中按期换届{len(on_time)}个"
        points.append(text)
    if not m.get("terms_overdue") and not m.get("terms_missing") and m.get("org_branches"):
        points.append("严格落实换届提醒制度，截至年底局属各级党组织没有超期未换届现象")
    return points


def supervision(m: Metrics, s: Scope) -> list[str]:
    from dangjian.supervision.models import (
        Finding,
        InspectionRound,
        InspectionTarget,
        Observation,
        Rectification,
        RectificationStatus,
        ResultChoice,
        RoundStatus,
    )

    rounds = InspectionRound.objects.filter(quarter__startswith=f"{s.year}Q", status=RoundStatus.ACTIVE)
    targets = InspectionTarget.objects.filter(round__in=rounds, organization_id__in=s.org_ids)
    findings = Finding.objects.filter(target__in=targets, result=ResultChoice.FAIL)
    rects = Rectification.objects.filter(finding__in=findings)
    n_rounds = m.count("inspection_rounds", "季度抽查（轮）", rounds, SECTION)
    n_targets = m.count("inspection_targets", "抽查党组织（个次）", targets, SECTION)
    n_findings = m.count("inspection_findings", "抽查发现问题（不符合项）", findings, SECTION)
    n_closed = m.count(
        "rectifications_closed", "整改销号", rects.filter(status=RectificationStatus.CLOSED), SECTION
    )
    n_obs = m.count(
        "observations", "半年观摩（次）", Observation.objects.filter(year=s.year, is_cancelled=False), SECTION
    )
    grades = appraisal_grades(m, s)
    parts = []
    if n_rounds:
        text = f"开展季度抽查{n_rounds}轮"
        if n_targets:
            text += f"、抽查党组织{n_targets}个次"
        if n_findings:
            text += f"，发现问题{n_findings}个" + (
                f"、已整改销号{n_closed}个" if n_closed else "、正在督促整改"
            )
        parts.append(text)
    if n_obs:
        parts.append(f"组织半年观摩{n_obs}次")
    graded = nonzero((f"“{g}”", n, "个") for g, n in grades.items())
    if graded:
        parts.append(f"年终总评评定{graded}")
    if not parts:
        return []
    return ["常态化落实“月提醒、季抽查、半年观摩、年终总评”制度，" + "，".join(parts)]


def appraisal_grades(m: Metrics, s: Scope) -> dict[str, int]:
    """Grades of the year's 年终总评 as last published (its latest frozen version), for the organisations in
    scope; empty when nothing is published."""
    from dangjian.supervision.appraisal.scoring import GRADES
    from dangjian.supervision.models import AppraisalVersion

    version = AppraisalVersion.objects.filter(appraisal__year=s.year).order_by("-number").first()
    counts = dict.fromkeys(GRADES, 0)
    if version is not None:
        ids = set(s.org_ids)
        for row in version.data.get("rows", []):
            if row.get("org_id") in ids and row.get("grade") in counts:
                counts[row["grade"]] += 1
    m.put(
        "appraisal_grades",
        "年终总评等次（个）",
        counts,
        "supervision.AppraisalVersion：本年年终总评最新发布版本的等次",
        SECTION,
    )
    return counts


def honors(m: Metrics, s: Scope) -> list[str]:
    local = nonzero(
        (cat, m.get(f"honors_{cat}"), unit)
        for cat, unit in (("优秀共产党员", "名"), ("优秀党务工作者", "名"), ("先进基层党组织", "个"))
    )
    points = []
    if local:
        points.append(f"“七一”前后通报表彰{local}")
    if m.get("honors_higher"):
        points.append(f"获上级表彰{m.get('honors_higher')}项")
    return points


def education(m: Metrics, s: Scope) -> list[str]:
    points = []
    if m.get("study_members"):
        if m.get("study_recorded"):
            points.append(
                f"以集体学习为基础，依托“学习强国”等网络平台开展个人自学，{m.get('study_members')}名党员人均学时"
                f"{m.get('study_avg_hours')}"
                + (
                    f"，{m.get('study_met')}名达到年度学时要求，达标率{m.get('study_rate')}%"
                    if m.get("study_met")
                    else ""
                )
            )
        else:
            points.append("全年未录入学习记录")
    sites = _distinct(_acts(s, "site_teaching"), "site", "place")
    speakers = _distinct(_acts(s, "tutorial"), "speaker")
    n_site = m.get("activities_site_teaching")
    n_tutorial = m.get("activities_tutorial")
    m.put(
        "education_sites",
        "现场教学地点",
        sites,
        "activities：现场教学记录的教学地点（未填时取地点）",
        SECTION,
    )
    m.put("education_speakers", "专题辅导主讲人", speakers, "activities：专题辅导记录的主讲人", SECTION)
    if n_site:
        where = f"到{names(sites, '处')}" if sites else ""
        points.append(f"积极“走出去”，组织党员干部{where}开展现场教学{n_site}次")
    if n_tutorial:
        who = f"邀请{names(speakers, '名专家')}" if speakers else ""
        points.append(f"积极“请进来”，{who}作专题辅导{n_tutorial}次")
    cases = m.get("brand_cases")
    if cases:
        points.append(f"总结推广党建品牌和典型经验案例{cases}个")
    return points


def _distinct(acts, *fields: str) -> list[str]:
    """The first non-blank of `fields` for each record, each value once, in date order."""
    seen: dict[str, None] = {}
    for row in acts.order_by("date", "id").values_list(*fields):
        value = next((v.strip() for v in row if v and v.strip()), "")
        if value:
            seen.setdefault(value, None)
    return list(seen)


def brand_cases(m: Metrics, s: Scope) -> None:
    from dangjian.duties import services as duties

    cases = duties.published_case_count(s.year, s.org_ids if s.root is not None else None)
    m.put("brand_cases", "发布党建品牌案例", cases, "duties.services.published_case_count", SECTION)


def recruitment(m: Metrics, s: Scope) -> list[str]:
    """发展党员: the year's figures (facts.recruitment_facts) in one point, left out when nothing happened."""
    admitted, full = m.get("recruitment_flow_3"), m.get("recruitment_flow_4")
    extended, cancelled = m.get("recruitment_flow_5"), m.get("recruitment_flow_6")
    stock = [(label, m.get(f"recruitment_stock_{i}"), "名") for i, label in
             enumerate(("入党申请人", "入党积极分子", "发展对象", "预备党员"))]  # fmt: skip
    if not (admitted or full or any(n for _, n, _ in stock)):
        return []
    text = "严格按照《中国共产党发展党员工作细则》规范发展党员程序"
    if admitted:
        text += f"，全年发展党员{admitted}名"
        parts = nonzero(
            (label, m.get(key), "名")
            for key, label in (
                ("recruitment_youth", "35岁及以下青年"),
                ("recruitment_educated", "大专及以上学历"),
                ("recruitment_frontline", "生产、工作一线"),
            )
        )
        if parts:
            text += f"（其中{parts}）"
        quota = m.get("recruitment_quota")
        if quota:
            text += f"，完成年度计划名额{quota}名的{pct(admitted, quota)}"
    if full:
        text += f"，预备党员按期转正{full}名"
    if extended:
        text += f"，延长预备期{extended}名"
    if cancelled:
        text += f"，取消预备党员资格{cancelled}名"
    held = nonzero(stock)
    if held:
        text += f"；年末有{held}"
    return [text]


def sections(m: Metrics, year: int, root, today: date) -> list[tuple[str, list[str]]]:
    end = date(year, 12, 31)
    s = Scope(
        year,
        root,
        end,
        list(facts.scope_orgs(root, end).values_list("pk", flat=True)),
        min(today, end),
    )
    brand_cases(m, s)
    out = []
    first = leadership(m, s) + bureau_meetings(m, s)
    if first:
        out.append(("强化组织领导，层层压实责任", first))
    second = organisational_life(m, s) + recruitment(m, s) + supervision(m, s) + honors(m, s)
    if second:
        out.append(("强化固本强基，严肃党内政治生活", second))
    third = education(m, s)
    if third:
        out.append(("强化学习教育，筑牢信仰之基", third))
    return [(title, [p + "。" for p in ordinals(points)]) for title, points in out]
