"""发展党员 pages: the list per organisation with stage filters, a candidate's page (the timeline of steps, what
is due next and by when, a link to the form of each due step the user records), the form of a step, a
superior's waiver of an interval rule, 终止, the superior's queue, a step's documents, and the 公示 settings.

Views parse input and check access (recruitment.access, on the scope helper); every write is a services call."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from dangjian.accounts import policy
from dangjian.accounts.policy import Perm, can
from dangjian.accounts.scope import editable_orgs, get_org_for_user, scope_label, visible_orgs
from dangjian.core import audit
from dangjian.core.actions import Refusal, refusal_to_form
from dangjian.core.params import choice_param, page_param, year_param
from dangjian.orgs.models import Organization, OrgKind, PartyGroup
from dangjian.orgs.picker import top_options

from . import access, documents, forms, rules, services, stats
from .models import (
    Candidate,
    Holiday,
    RecruitmentPlan,
    RecruitmentSettings,
    RecruitmentStep,
    Stage,
    StepDocument,
)

PAGE_SIZE = 50
OPEN, ALL = "进行中", "全部"
STAGE_FILTERS = (OPEN, *[s for s in Stage.values], "已归档", ALL)


@dataclass
class Row:
    """A candidate as the list and the queue show it."""

    candidate: Candidate
    due: rules.Due | None
    dues: list[rules.Due]


def _rows(candidates: list[Candidate], today: date) -> list[Row]:
    calendar = services.work_calendar()
    required = RecruitmentSettings.current().publicity_workdays
    out = []
    for c in candidates:
        facts = services.facts_of(
            c, on=today, steps=list(c.steps.all()), calendar=calendar, publicity_required=required
        )
        dues = rules.due_steps(facts)
        out.append(Row(c, dues[0] if dues else None, dues))
    return out


def _with_steps(qs: QuerySet[Candidate]) -> QuerySet[Candidate]:
    return qs.select_related("organization").prefetch_related(
        Prefetch("steps", queryset=RecruitmentStep.objects.order_by("id"))
    )


def _stage_filter(qs: QuerySet[Candidate], stage: str) -> QuerySet[Candidate]:
    if stage == OPEN:
        return qs.exclude(stage=Stage.ENDED).filter(archived_on__isnull=True)
    if stage == "已归档":
        return qs.filter(archived_on__isnull=False)
    if stage in Stage.values:
        return qs.filter(stage=stage)
    return qs


# --- list ---------------------------------------------------------------------------------------------------------
@policy.requires(Perm.VIEW_STAFF, "您的角色不能查看发展党员信息")
@require_http_methods(["GET"])
def candidate_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    if not access.reads_candidates(user):
        raise PermissionDenied("您的角色不能查看发展党员信息")
    org = get_org_for_user(user, request.GET["org"]) if request.GET.get("org") else None
    stage = choice_param(request, "stage", STAGE_FILTERS, OPEN)
    qs = access.visible_candidates(user)
    if org is not None:
        qs = qs.filter(organization__path__startswith=org.path)
    counts = {s: 0 for s in Stage.values}
    for s in qs.values_list("stage", flat=True):
        counts[s] += 1
    qs = _stage_filter(qs, stage).order_by("organization__path", "applied_on", "pk")
    page = Paginator(_with_steps(qs), PAGE_SIZE).get_page(page_param(request))
    options, more = top_options(user, org)
    query = f"org={org.pk}&" if org else ""
    return render(
        request,
        "recruitment/list.html",
        {
            "page_title": "发展党员",
            "org": org,
            "stage": stage,
            "stages": STAGE_FILTERS,
            "counts": counts,
            "page": page,
            "rows": _rows(list(page.object_list), today),
            "options": options,
            "more": more,
            "query": query,
            "scope_label": scope_label(user),
            "can_create": access.branch_orgs(user).exists(),
            "today": today,
        },
    )


# --- a candidate ------------------------------------------------------------------------------------------------
@dataclass
class TimelineItem:
    step: RecruitmentStep
    documents: list[StepDocument]


@policy.requires(Perm.VIEW_STAFF, "您的角色不能查看发展党员信息")
@require_http_methods(["GET"])
def candidate_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    candidate = access.get_candidate_for_user(user, pk)
    steps = list(
        candidate.steps.select_related("activity", "override")
        .prefetch_related("documents")
        .order_by("date", "id")
    )
    facts = services.facts_of(candidate, on=today, steps=steps)
    dues = rules.due_steps(facts)
    caps = access.capacities(user, candidate.organization)
    recordable = [d for d in dues if d.step.actor in caps]
    waivable = [
        n
        for n in sorted({d.number for d in dues} & {7, 13, 17, 23, 24})
        if services.open_override(candidate, n) is None
    ]
    return render(
        request,
        "recruitment/detail.html",
        {
            "page_title": f"发展党员：{candidate.name}",
            "c": candidate,
            "timeline": [TimelineItem(s, [d for d in s.documents.all() if not d.is_deleted]) for s in steps],
            "dues": dues,
            "next": dues[0] if dues else None,
            "recordable": recordable,
            "can_waive": rules.SUPERIOR in caps and bool(waivable) and candidate.is_open,
            "can_terminate": bool(caps) and candidate.stage in rules.BEFORE_MEMBERSHIP,
            "open_overrides": candidate.overrides.filter(step__isnull=True),
            "contacts": list(candidate.contacts.all()),
            "introducers": list(candidate.introducers.all()),
            "phases": rules.PHASES,
            "documents": [(k, documents.KINDS[k]) for k in documents.available(candidate)],
            "stages": rules.STAGES,
            "today": today,
        },
    )


def _step_form(request: HttpRequest, candidate: Candidate, number: int, today: date) -> forms.StepForm:
    org = candidate.organization
    superior = rules.SUPERIOR in access.capacities(request.user, org)
    full = services.full_members_on(org, today) if number in rules.DECISION_STEPS else None
    hint = None
    if number == 12:
        hint = services.work_calendar().end_of(today, RecruitmentSettings.current().publicity_workdays)
    return forms.StepForm(
        request.POST or None,
        request.FILES or None,
        number=number,
        candidate=candidate,
        today=today,
        members=services.branch_members(org, today),
        assemblies=services.assemblies(org),
        groups=PartyGroup.objects.filter(organization=org, is_active=True),
        full_members=full,
        superior=superior,
        publicity_end_hint=hint,
    )


@policy.requires(Perm.CHANGE_BUSINESS, "您没有登记发展党员步骤的权限")
@require_http_methods(["GET", "POST"])
def step_record(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    candidate = access.get_candidate_for_user(user, pk)
    if number not in rules.STEPS or number == 1:
        raise Http404("没有这个步骤")
    reason = access.refusal_for(user, candidate.organization, number)
    if reason:
        raise PermissionDenied(reason)
    step = rules.STEPS[number]
    facts = services.facts_of(candidate, on=today)
    blocked = [v.text for v in rules.check_order(number, today, facts) if v.code not in ("order_date",)]
    due = next((d for d in rules.due_steps(facts) if d.number == number), None)
    form = _step_form(request, candidate, number, today)
    if request.method == "POST" and not blocked and form.is_valid():
        try:
            services.record_step(
                candidate,
                number,
                form.step_input(request.FILES.getlist("documents")),
                actor=user,  # type: ignore[arg-type]
                expected_version=form.cleaned_data["version"],
                override_reason=form.cleaned_data.get("override_reason") or "",
            )
        except Refusal as exc:
            refusal_to_form(form, exc)
        else:
            messages.success(request, f"已登记{step.title}。")
            return redirect("recruitment:detail", pk=candidate.pk)
    return render(
        request,
        "recruitment/step.html",
        {
            "page_title": f"{step.title}：{candidate.name}",
            "c": candidate,
            "step": step,
            "due": due,
            "form": form,
            "blocked": blocked,
            "cite": step.cite.shown(),
        },
    )


@policy.requires(Perm.CHANGE_BUSINESS, "您没有登记入党申请的权限")
@require_http_methods(["GET", "POST"])
def candidate_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    orgs = access.branch_orgs(user)
    form = forms.ApplicationForm(request.POST or None, request.FILES or None, orgs=orgs, today=today)
    if request.method == "POST" and orgs.exists() and form.is_valid() and form.person is not None:
        try:
            candidate = services.create_candidate(
                form.person,
                form.cleaned_data["organization"],
                form.cleaned_data["applied_on"],
                actor=user,  # type: ignore[arg-type]
                document_no=form.cleaned_data.get("document_no") or "",
                notes=form.cleaned_data.get("notes") or "",
                uploads=request.FILES.getlist("documents"),
            )
        except Refusal as exc:
            refusal_to_form(form, exc)
        else:
            messages.success(request, f"已登记{candidate.name}的入党申请（第1步）。")
            return redirect("recruitment:detail", pk=candidate.pk)
    return render(
        request,
        "recruitment/create.html",
        {"page_title": "登记入党申请", "form": form, "has_orgs": orgs.exists(), "cite": rules.AGE.shown()},
    )


@policy.requires(Perm.CHANGE_BUSINESS, "您没有批准时限例外的权限")
@require_http_methods(["GET", "POST"])
def override_grant(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    candidate = access.get_candidate_for_user(user, pk)
    if rules.SUPERIOR not in access.capacities(user, candidate.organization):
        raise PermissionDenied("时限要求的例外只能由上级党委批准")
    numbers = [n for n in (7, 13, 17, 23, 24)]
    form = forms.OverrideForm(request.POST or None, numbers=numbers)
    if request.method == "POST" and form.is_valid():
        try:
            services.grant_override(
                candidate,
                form.cleaned_data["number"],
                form.cleaned_data["reason"],
                actor=user,  # type: ignore[arg-type]
            )
        except Refusal as exc:
            refusal_to_form(form, exc)
        else:
            messages.success(request, "已批准时限例外，党支部可据此登记该步骤。")
            return redirect("recruitment:detail", pk=candidate.pk)
    return render(
        request,
        "recruitment/form.html",
        {
            "page_title": f"批准时限例外：{candidate.name}",
            "title": "批准时限例外",
            "c": candidate,
            "form": form,
            "intro": "时限要求（积极分子满一年、公示期、审批期限、预备期满）确需例外时，由上级党委写明理由批准，"
            "仅对该对象的该步骤有效，记入审计日志。步骤顺序和其他条件不能例外。",
        },
    )


@policy.requires(Perm.CHANGE_BUSINESS, "您没有终止发展程序的权限")
@require_http_methods(["GET", "POST"])
def candidate_terminate(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    candidate = access.get_candidate_for_user(user, pk)
    if not access.capacities(user, candidate.organization):
        raise PermissionDenied("只有本支部或上级党委可以终止发展程序")
    form = forms.TerminateForm(request.POST or None, candidate=candidate, today=today)
    if request.method == "POST" and form.is_valid():
        try:
            services.terminate(
                candidate,
                form.cleaned_data["on"],
                form.cleaned_data["reason"],
                actor=user,  # type: ignore[arg-type]
                expected_version=form.cleaned_data["version"],
            )
        except Refusal as exc:
            refusal_to_form(form, exc)
        else:
            messages.success(request, f"已终止{candidate.name}的发展程序。")
            return redirect("recruitment:detail", pk=candidate.pk)
    return render(
        request,
        "recruitment/form.html",
        {
            "page_title": f"终止发展程序：{candidate.name}",
            "title": "终止发展程序",
            "c": candidate,
            "form": form,
            "intro": "记录保留，不会删除。预备党员不在此终止，应经支部大会讨论、上级党委批准取消预备党员资格。",
        },
    )


# --- the superior's queue ---------------------------------------------------------------------------------------
@policy.requires(Perm.CHANGE_BUSINESS, "您没有办理发展党员的权限")
@require_http_methods(["GET"])
def queue(request: HttpRequest) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    qs = access.superior_candidates(user).exclude(stage=Stage.ENDED).filter(archived_on__isnull=True)
    rows = [
        r
        for r in _rows(list(_with_steps(qs.order_by("organization__path", "applied_on", "pk"))), today)
        if any(d.step.actor == rules.SUPERIOR for d in r.dues)
    ]
    items = []
    for r in rows:
        for d in r.dues:
            if d.step.actor == rules.SUPERIOR:
                items.append((r.candidate, d))
    items.sort(key=lambda i: (not i[1].late, i[1].due_on or date.max, i[0].organization.path))
    return render(
        request,
        "recruitment/queue.html",
        {
            "page_title": "发展党员待上级党委办理",
            "items": items,
            "is_superior": access.is_superior_somewhere(user),
            "today": today,
        },
    )


# --- documents ---------------------------------------------------------------------------------------------------
@policy.requires(Perm.VIEW_STAFF, "您的角色不能查看发展党员材料")
@require_http_methods(["GET"])
def document(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        doc = StepDocument.objects.select_related("step").get(pk=pk, is_deleted=False)
    except (StepDocument.DoesNotExist, ValueError):
        raise Http404("未找到该文件")
    access.get_candidate_for_user(request.user, doc.step.candidate_id)  # 404 outside the scope
    response = FileResponse(doc.file.open("rb"), content_type=doc.content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quoted(doc.original_name)}"
    return response


def _quoted(name: str) -> str:
    from urllib.parse import quote

    return quote(name)


# --- settings ------------------------------------------------------------------------------------------------------
@policy.requires(Perm.MANAGE_BUREAU, "只有局党建管理员可以修改发展党员设置")
@require_http_methods(["GET", "POST"])
def settings_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    row = RecruitmentSettings.current()
    action = request.POST.get("action", "")
    settings_form = forms.SettingsForm(
        request.POST if action == "settings" else None,
        initial={"publicity_workdays": row.publicity_workdays, "version": row.version},
    )
    holiday_form = forms.HolidayForm(request.POST if action == "holiday" else None)
    if request.method == "POST":
        try:
            if action == "settings" and settings_form.is_valid():
                services.update_settings(
                    settings_form.cleaned_data["publicity_workdays"],
                    actor=user,  # type: ignore[arg-type]
                    expected_version=settings_form.cleaned_data.get("version"),
                )
                messages.success(request, "已保存公示设置。")
                return redirect("recruitment:settings")
            if action == "holiday" and holiday_form.is_valid():
                d = holiday_form.cleaned_data
                services.add_holiday(d["date"], d["name"], bool(d.get("is_workday")), actor=user)  # type: ignore[arg-type]
                messages.success(request, "已加入节假日日历。")
                return redirect("recruitment:settings")
            if action == "remove":
                holiday = Holiday.objects.filter(pk=request.POST.get("holiday") or 0).first()
                if holiday is None:
                    raise Http404("未找到该日期")
                services.remove_holiday(holiday, actor=user)  # type: ignore[arg-type]
                messages.success(request, "已从节假日日历中删除。")
                return redirect("recruitment:settings")
        except Refusal as exc:
            refusal_to_form(holiday_form if action == "holiday" else settings_form, exc)
    year = timezone.localdate().year
    return render(
        request,
        "recruitment/settings.html",
        {
            "page_title": "发展党员公示与节假日设置",
            "settings_form": settings_form,
            "holiday_form": holiday_form,
            "holidays": Holiday.objects.filter(date__year__gte=year - 1),
            "cite": rules.PUBLICITY.shown(),
        },
    )


def org_candidates_url(org: Organization) -> str:
    return f"{reverse('recruitment:list')}?org={org.pk}"


# --- plans and figures ---------------------------------------------------------------------------------------------
@dataclass
class PlanRow:
    org: Organization
    depth: int
    plan: Any
    counts: stats.OrgCounts
    editable: bool

    @property
    def admitted(self) -> int:
        return self.counts.flows["预备"]

    @property
    def activists(self) -> int:
        return self.counts.stock[rules.ACTIVIST]

    @property
    def targets(self) -> int:
        return self.counts.stock[rules.TARGET]

    @property
    def done_rate(self) -> str:
        if self.plan is None or not self.plan.quota:
            return "—"
        return f"{self.counts.flows['预备'] * 100 / self.plan.quota:.0f}%"


@policy.requires(Perm.VIEW_STAFF, "您的角色不能查看发展党员计划")
@require_http_methods(["GET"])
def plan_list(request: HttpRequest) -> HttpResponse:
    """Each organisation's yearly plan beside what it did (its subtree): 发展 (预备), of them 一线 / 青年 / 高知, and
    the year's pipeline figures (stats.counts)."""
    user = request.user
    if not access.reads_candidates(user):
        raise PermissionDenied("您的角色不能查看发展党员计划")
    today = timezone.localdate()
    year = year_param(request, today.year)
    orgs = list(
        visible_orgs(user).filter(dissolved_on__isnull=True).exclude(kind=OrgKind.DANGZU).order_by("path")
    )
    ids = [o.pk for o in orgs]
    figures = stats.counts(year, ids)
    plans = stats.plans(year, ids)
    writable = (
        set(editable_orgs(user).values_list("pk", flat=True)) if can(user, Perm.CHANGE_BUSINESS) else set()
    )
    top = min((o.depth for o in orgs), default=1)
    rows = []
    for o in orgs:
        sub = stats.OrgCounts()
        for other in orgs:
            if other.path.startswith(o.path) and other.pk in figures.by_org:
                sub.add(figures.by_org[other.pk])
        rows.append(PlanRow(o, o.depth - top, plans.get(o.pk), sub, o.pk in writable))
    total = figures.total
    return render(
        request,
        "recruitment/plans.html",
        {
            "page_title": f"{year}年发展党员计划与统计",
            "year": year,
            "years": list(range(today.year - 4, today.year + 2)),
            "rows": rows,
            "flows": [("发展（接收预备党员）" if f == "预备" else f, total.flows[f]) for f in stats.FLOWS],
            "stock": [(s, total.stock[s]) for s in stats.STOCK],
            "total": total,
        },
    )


@policy.requires(Perm.CHANGE_BUSINESS, "您没有制定发展党员计划的权限")
@require_http_methods(["GET", "POST"])
def plan_edit(request: HttpRequest, org: int, year: int) -> HttpResponse:
    user = request.user
    organization = get_org_for_user(user, org, write=True)
    if not 2000 <= year <= 2100:
        raise Http404("年度无效")
    plan = RecruitmentPlan.objects.filter(organization=organization, year=year).first()
    initial = {f: getattr(plan, f) for f in services.PLAN_FIELDS} if plan else {}
    form = forms.PlanForm(
        request.POST or None, initial={**initial, "version": plan.version if plan else None}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.save_plan(
                organization,
                year,
                form.cleaned_data,
                actor=user,  # type: ignore[arg-type]
                expected_version=form.cleaned_data.get("version") if plan else None,
            )
        except Refusal as exc:
            refusal_to_form(form, exc)
        else:
            messages.success(request, f"已保存{organization.name}{year}年发展党员计划。")
            return redirect(f"{reverse('recruitment:plans')}?year={year}")
    return render(
        request,
        "recruitment/plan_form.html",
        {"page_title": f"{year}年发展党员计划：{organization.name}", "org": organization, "year": year,
         "form": form},
    )  # fmt: skip


# --- documents (.docx) -------------------------------------------------------------------------------------------
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@policy.requires(Perm.VIEW_STAFF, "您的角色不能下载发展党员文书")
@require_http_methods(["GET"])
def candidate_document(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """The 入党志愿书 cover data, the 档案 checklist or the 公示 notice of a candidate (documents.py); the download
    is audited."""
    candidate = access.get_candidate_for_user(request.user, pk)
    if kind not in documents.available(candidate):
        raise Http404("该对象暂无此文书")
    data = documents.build(candidate, kind).to_bytes()
    filename = f"{candidate.name}{documents.KINDS[kind]}.docx"
    audit.record(
        "candidate.document",
        actor=request.user,
        instance=candidate,
        note=f"下载{documents.KINDS[kind]}",
        ip=request.META.get("REMOTE_ADDR") or None,
    )
    response = HttpResponse(data, content_type=DOCX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quoted(filename)}"
    return response
