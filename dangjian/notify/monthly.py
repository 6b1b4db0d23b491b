"""月提醒 assembly (design §4 `remind`): for each organisation, as of the first day of the month, what the
requirements still need this month / quarter / year, its term, members' 入党纪念日 this month, 预备党员 whose
probation ends within this month or the next two, and whatever the other apps report through their
`reminders.items_for_month(month, as_of, org_ids)` (notices, duties, rectifications, study, 发展党员, 党费)."""

from __future__ import annotations

import importlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings

from dangjian.core.periods import Period, add_months, add_years
from dangjian.members.models import Member
from dangjian.orgs.asof import terms_in_office
from dangjian.orgs.models import Organization
from dangjian.orgs.terms import TermStatus, term_status

ALERT_TERM_STATUSES = {TermStatus.EXPIRING, TermStatus.OVERDUE, TermStatus.MISSING}


@dataclass
class OrgItems:
    org: Organization
    items: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"org": self.org.code, "items": self.items}


# What the reminders read of an organisation: loading only these keeps a 10× city's 20,000 organisations cheap.
ORG_FIELDS = (
    "id",
    "path",
    "depth",
    "numchild",
    "name",
    "short_name",
    "code",
    "kind",
    "founded_on",
    "dissolved_on",
)


def active_orgs(orgs=None) -> list[Organization]:
    qs = orgs if orgs is not None else Organization.objects.all()
    return list(qs.filter(dissolved_on__isnull=True).only(*ORG_FIELDS).order_by("path"))


def term_items(orgs: list[Organization], as_of: date) -> dict[int, list[dict]]:
    """换届 alerts as of the month's first day (orgs.asof): the term in office that day and its approved expiry
    (an election recorded later in the month does not hide the month's alert)."""
    terms = terms_in_office(as_of, orgs)
    out: dict[int, list[dict]] = {}
    for org in orgs:
        term = terms.get(org.id)
        expiry = term.effective_expiry if term is not None else None
        status = term_status(expiry, as_of, elected=org.has_elected_term)
        if status in ALERT_TERM_STATUSES:
            out[org.id] = [
                {"type": "term", "status": str(status), "expires_on": expiry.isoformat() if expiry else None}
            ]
    return out


def activity_items(orgs: list[Organization], month: Period, as_of: date) -> dict[int, list[dict]]:
    """Requirements whose current period (containing the first day of the month) is not yet met."""
    from dangjian.compliance import services as compliance

    # The month as the range gives each requirement only its period that contains the month (its month,
    # quarter, half or year): the periods a reminder is about, not every period of the year.
    results = compliance.evaluate(month, orgs=orgs, today=as_of)  # the organisations already loaded
    out: dict[int, list[dict]] = defaultdict(list)
    for r in results:
        if r.status == "进行中":
            out[r.org_id].append(
                {
                    "type": "activity",
                    "requirement": r.requirement_key,
                    "kind": r.kind_name,
                    "period": str(r.period),
                    "required": r.required,
                    "done": r.done,
                }
            )
    return out


def birthday_items(orgs: list[Organization], month: Period) -> dict[int, list[dict]]:
    """入党纪念日 (政治生日) this month, by 入党日期."""
    rows = (
        Member.objects.current()
        .filter(
            organization__in=[o.id for o in orgs],
            join_date__month=month.index,
            join_date__year__lt=month.year,
        )
        .order_by("join_date", "name")
        .values("organization_id", "name", "join_date")
    )
    out: dict[int, list[dict]] = defaultdict(list)
    for r in rows:
        out[r["organization_id"]].append(
            {
                "type": "birthday",
                "member": r["name"],
                "join_date": r["join_date"].isoformat(),
                "years": month.year - r["join_date"].year,
            }
        )
    return out


def probation_items(orgs: list[Organization], month: Period) -> dict[int, list[dict]]:
    """预备党员 whose one-year probation (细则 第三十二条) ends within this month or the next two."""
    last = add_months(month.start, 3)
    earliest_join = add_years(month.start, -1)
    rows = (
        Member.objects.current()
        .filter(
            organization__in=[o.id for o in orgs],
            full_date__isnull=True,
            join_date__gte=earliest_join,
            join_date__lt=add_years(last, -1),
        )
        .order_by("join_date")
        .values("organization_id", "name", "join_date")
    )
    out: dict[int, list[dict]] = defaultdict(list)
    for r in rows:
        due = add_years(r["join_date"], 1)
        if month.start <= due < last:
            out[r["organization_id"]].append(
                {"type": "probation", "member": r["name"], "due_on": due.isoformat()}
            )
    return out


def provider_modules() -> list[Any]:
    modules = []
    for app in settings.INSTALLED_APPS:
        if not app.startswith("dangjian.") or app == "dangjian.notify":
            continue
        name = app.replace(".apps.CoreConfig", "") + ".reminders"
        try:
            modules.append(importlib.import_module(name))
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
    return modules


def build(month: Period, orgs=None) -> list[OrgItems]:
    as_of = month.start
    org_list = active_orgs(orgs)
    ids = [o.id for o in org_list]
    sources = [
        term_items(org_list, as_of),
        activity_items(org_list, month, as_of),
        birthday_items(org_list, month),
        probation_items(org_list, month),
    ]
    for module in provider_modules():
        sources.append(module.items_for_month(month, as_of, ids))
    result = []
    for org in org_list:
        items: list[dict] = []
        for source in sources:
            items.extend(source.get(org.id, []))
        result.append(OrgItems(org, items))
    return result


TYPE_LABELS = {
    "term": "换届",
    "activity": "组织生活",
    "birthday": "政治生日",
    "probation": "预备党员转正",
    "notice": "通知",
    "duty": "责任清单",
    "rectification": "整改",
    "study": "学时",
    "candidate": "发展党员",
    "dues": "党费",
}


def describe(item: dict[str, Any]) -> str:
    """One line of Chinese for an item, as the notification and the group robot show it."""
    t = item.get("type")
    if t == "term":
        if item["status"] == TermStatus.MISSING:
            return "尚未录入本届委员会任期信息，请尽快补录"
        when = item.get("expires_on") or ""
        return (
            f"本届委员会{item['status']}（届满日期 {when}），请按规定做好换届准备"
            if item["status"] == TermStatus.EXPIRING
            else f"本届委员会已于 {when} 届满，尚未换届，请抓紧报请换届"
        )
    if t == "activity":
        return f"{item['period']} {item['kind']}：应开展 {item['required']} 次，已开展 {item['done']} 次"
    if t == "birthday":
        return f"{item['member']} 同志本月迎来入党 {item['years']} 周年（入党日期 {item['join_date']}），可开展政治生日活动"
    if t == "probation":
        return f"预备党员 {item['member']} 的预备期将于 {item['due_on']} 届满，请及时做好转正工作"
    if t == "notice":
        return f"通知《{item.get('title', '')}》{item.get('status', '')}，反馈截止 {item.get('deadline', '')}"
    if t == "duty":
        late = "已逾期" if item.get("overdue") else "即将到期"
        who = f"，责任人 {item['responsible']}" if item.get("responsible") else ""
        return f"责任事项“{item.get('title', '')}”{late}（时限 {item.get('due_on', '')}{who}）"
    if t == "rectification":
        late = "已逾期" if item.get("overdue") else "待完成"
        return f"整改事项“{item.get('title', '')}”{late}（期限 {item.get('deadline', '')}，{item.get('status', '')}）"
    if t == "candidate":
        from dangjian.recruitment.rules import STEPS  # notify reads every app above it

        step = STEPS.get(item.get("step") or 0)
        what = step.ref if step else f"第{item.get('step')}步"
        when = "已逾期，应于" if item.get("late") else "应于"
        return f"发展党员 {item.get('member', '')}：{what}{when} {item.get('due_on', '')} 前完成"
    if t == "dues":
        from dangjian.dues.rules import FLAG_MONTHS

        months = item.get("arrears_months", 0)
        text = f"{item.get('member', '')} 已连续 {months} 个月未交纳党费，请提醒按时交纳"
        if months >= FLAG_MONTHS:
            text += "；无正当理由连续6个月不交纳的，请谈话并按党章第九条记录处置情况"
        return text
    if t == "study":
        names = "、".join(m["member"] for m in item.get("members", [])[:10])
        more = "等" if item.get("behind", 0) > 10 else ""
        return f"{item.get('year')} 年学时未达标 {item.get('behind')} 人：{names}{more}"
    return str(item)
