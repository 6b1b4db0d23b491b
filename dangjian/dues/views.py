"""党费 pages: the year's statistics, the branch's monthly 收缴 ledger, a member's record (their own for a member),
bases, payments, 上缴, the arrears to handle, imports, the 统计表 workbook and the bureau's settings.

Views parse input and check access (policy for the role, scope for the objects: 404 outside); every write goes
through services."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import BadRequest
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from dangjian.accounts import policy, scope
from dangjian.accounts.policy import Perm, can
from dangjian.core import audit
from dangjian.core.actions import Refusal, refusal_to_form
from dangjian.core.import_views import ImportSpec, wizard_view
from dangjian.core.params import page_param, year_param
from dangjian.core.xlsx import XLSX_CONTENT_TYPE, workbook_bytes
from dangjian.members.models import Member
from dangjian.orgs.models import Organization

from . import arrears, exports, ledger, rules, services, stats
from .forms import (
    BaseForm,
    CaseForm,
    CloseForm,
    ConfigForm,
    MethodForm,
    PaymentForm,
    RemittanceForm,
    StepForm,
    VoidForm,
)
from .importing import BASE_COLUMNS, PAYMENT_COLUMNS, BaseImporter, PaymentImporter, parse_month
from .models import ArrearsCase, DuesBase, DuesConfig, DuesPayment, DuesRemittance, PaymentMethod

PAGE_SIZE = 50


# --- parameters and scope ---------------------------------------------------------------------------------------
def month_param(request: HttpRequest, name: str = "month") -> date:
    """`?month=2026-03`; this month when absent; 400 otherwise; never a month after this one."""
    raw = request.GET.get(name, "").strip()
    this = timezone.localdate().replace(day=1)
    if not raw:
        return this
    try:
        month = parse_month(raw[:20])
    except ValueError:
        raise BadRequest(f"参数“{name}”应写作 2026-03") from None
    if month is None or not 2000 <= month.year <= 2100:
        raise BadRequest(f"参数“{name}”应写作 2026-03")
    return min(month, this)


def _org(request: HttpRequest) -> Organization | None:
    """The organisation asked for (`?org=`, 404 outside the scope), else the user's own (None: the whole tree)."""
    raw = request.GET.get("org", "").strip()
    if raw:
        return scope.get_org_for_user(request.user, raw)
    return scope.home_org(request.user)


def _orgs(request: HttpRequest, org: Organization | None) -> QuerySet[Organization] | None:
    """The organisations whose figures the page shows: the subtree of `org`, else everything the user reads
    (None = no restriction, for those who read the whole tree)."""
    if org is not None:
        return Organization.objects.filter(path__startswith=org.path)
    if can(request.user, Perm.VIEW_ALL):
        return None
    return scope.visible_orgs(request.user)


def _can_collect(request: HttpRequest, org: Organization | None) -> bool:
    return can(request.user, Perm.COLLECT_DUES) and (
        scope.is_bureau_admin(request.user)
        if org is None
        else scope.org_in_scope(request.user, org, write=True)
    )


def _writable_members(user) -> QuerySet[Member]:
    return scope.filter_by_org(Member.objects.all(), user, write=True)


def _member_for(request: HttpRequest, raw: Any, *, write: bool = False) -> Member:
    return scope.get_object_for_user(
        request.user, Member.objects.select_related("organization"), write=write, pk=raw
    )


def _version(request: HttpRequest) -> int | None:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None


def _download(data: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


# --- the year -------------------------------------------------------------------------------------------------
@policy.requires(Perm.VIEW_DUES)
def overview(request: HttpRequest) -> HttpResponse:
    year = year_param(request)
    org = _org(request)
    result = stats.year_stats(year, timezone.localdate(), orgs=_orgs(request, org))
    return render(
        request,
        "dues/overview.html",
        {
            "page_title": f"{year}年党费收缴统计",
            "year": year,
            "org": org,
            "result": result,
            "months": [
                (m, result.by_month[m], result.remitted_by_month.get(m, ledger.ZERO)) for m in result.months
            ],
            "can_collect": _can_collect(request, org),
            "config": DuesConfig.current(),
        },
    )


@policy.requires(Perm.VIEW_DUES)
def export(request: HttpRequest) -> HttpResponse:
    """党费收缴统计表 (.xlsx): by organisation, by month, and member by member."""
    year = year_param(request)
    org = _org(request)
    result = stats.year_stats(year, timezone.localdate(), orgs=_orgs(request, org))
    subject = (org.short_name or org.name) if org else "全局"
    audit.record("dues.export", actor=request.user, note=f"导出{subject}{year}年党费收缴统计表")
    return _download(
        workbook_bytes(exports.year_sheets(result, subject)),
        f"{subject}{year}年党费收缴统计表.xlsx",
        XLSX_CONTENT_TYPE,
    )


# --- the month --------------------------------------------------------------------------------------------------
@policy.requires(Perm.VIEW_DUES)
def monthly_ledger(request: HttpRequest) -> HttpResponse:
    """The branch's 收缴 ledger of a month: each member's 应交 / 实交 / 欠交 and payments, the month's 上缴; for an
    organisation with branches below it, their totals."""
    month = month_param(request)
    org = _org(request)
    today = timezone.localdate()
    sheet = ledger.build([month], today, orgs=_orgs(request, org))
    in_progress = ledger.month_end(month) >= today
    rows = []
    own = [c for c in sheet.cells if org is not None and c.org_id == org.pk]
    for c in sorted(own, key=lambda c: sheet.members[c.member_id].name):
        rows.append(
            {
                "cell": c,
                "member": sheet.members[c.member_id],
                "payments": sheet.payments.get((c.member_id, month), []),
            }
        )
    totals = ledger.Totals()
    for c in own:
        totals.add(c)
    by_org = sheet.totals_by_org()
    children = []
    if by_org and (org is None or set(by_org) != {org.pk}):
        names = {o.pk: o for o in Organization.objects.filter(pk__in=list(by_org))}
        remit = ledger.remitted(by_org, [month])
        children = sorted(
            (
                {"org": names[oid], "totals": t, "remitted": remit.get(oid, {}).get(month, ledger.ZERO)}
                for oid, t in by_org.items()
            ),
            key=lambda r: r["org"].path,
        )
    remittances = (
        list(
            DuesRemittance.objects.filter(organization=org, month=month, is_voided=False).select_related(
                "to_org"
            )
        )
        if org is not None
        else []
    )
    return render(
        request,
        "dues/ledger.html",
        {
            "page_title": f"党费收缴台账 {month.year}年{month.month}月",
            "month": month,
            "prev": rules.add_months(month, -1),
            "next": rules.add_months(month, 1) if not in_progress else None,
            "org": org,
            "rows": rows,
            "totals": totals,
            "children": children,
            "remittances": remittances,
            "remitted": sum((r.amount for r in remittances), ledger.ZERO),
            "in_progress": in_progress,
            "can_collect": _can_collect(request, org) and org is not None,
        },
    )


# --- a member's record ------------------------------------------------------------------------------------------
def _member_record(request: HttpRequest, member: Member, *, own: bool) -> HttpResponse:
    year = year_param(request)
    today = timezone.localdate()
    months = ledger.year_months(year)
    sheet = ledger.build(months, today, member_ids=[member.pk])
    cells = {c.month: c for c in sheet.cells}
    facts = sheet.members.get(member.pk) or ledger.load_facts([member.pk])[member.pk]
    org_names = dict(
        Organization.objects.filter(pk__in={c.org_id for c in cells.values()}).values_list("pk", "name")
    )
    grid = []
    for m in months:
        c = cells.get(m)
        ended = ledger.month_end(m) < today
        if c is None:
            state = "—" if m <= today else ""
        elif c.settled:
            state = "已交清" if c.amount else ("免交" if c.amount == 0 else "已交")
        else:
            state = "欠交" if ended else "未交"
        grid.append(
            {
                "month": m,
                "cell": c,
                "state": state,
                "ended": ended,
                "org": org_names.get(c.org_id) if c else "",
            }
        )
    t = ledger.Totals()
    for c in sheet.cells:
        if ledger.month_end(c.month) < today:
            t.add(c)
    payments = (
        DuesPayment.objects.filter(member=member, month__year=year)
        .select_related("method")
        .order_by("month", "paid_on", "id")
    )
    can_collect = (
        not own
        and can(request.user, Perm.COLLECT_DUES)
        and scope.org_in_scope(request.user, member.organization, write=True)
    )
    return render(
        request,
        "dues/member.html",
        {
            "page_title": f"{member.name}的党费记录" if not own else "我的党费",
            "member": member,
            "year": year,
            "grid": grid,
            "totals": t,
            "current_due": ledger.due_of(facts, min(today.replace(day=1), date(year, 12, 1)), sheet.config),
            "bases": DuesBase.objects.filter(member=member).order_by("-year", "-effective_month")[:10],
            "payments": payments,
            "own": own,
            "can_collect": can_collect,
            "cases": ArrearsCase.objects.filter(member=member).order_by("-opened_on")
            if not own
            else ArrearsCase.objects.none(),
        },
    )


@policy.requires(Perm.VIEW_DUES)
def member_record(request: HttpRequest, pk: int) -> HttpResponse:
    return _member_record(request, _member_for(request, pk), own=False)


@policy.requires(Perm.VIEW_OWN_MEMBER)
def mine(request: HttpRequest) -> HttpResponse:
    me = scope.member_record(request.user)
    if me is None:
        raise Http404("未关联党员信息")
    return _member_record(request, me, own=True)


# --- payments ---------------------------------------------------------------------------------------------------
@policy.requires(Perm.COLLECT_DUES)
def payment_add(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    members = _writable_members(request.user).filter(status="正常").select_related("organization")
    chosen = None
    if request.GET.get("member"):
        chosen = _member_for(request, request.GET["member"], write=True)
        members = (members | Member.objects.filter(pk=chosen.pk)).select_related("organization")
    month = month_param(request)
    initial: dict[str, Any] = {
        "month": f"{month:%Y-%m}",
        "paid_on": today,
        "collected_by": str(request.user)[:40],
        "method": PaymentMethod.objects.filter(is_active=True).order_by("sort", "id").first(),
    }
    due = None
    if chosen is not None:
        initial["member"] = chosen.pk
        facts = ledger.load_facts([chosen.pk])[chosen.pk]
        due = ledger.due_of(facts, month, DuesConfig.current())
        if due.amount:
            initial["amount"] = due.amount
    form = PaymentForm(
        request.POST or None, members=members.order_by("organization__path", "name"), initial=initial
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.record_payment(
                d["member"],
                services.PaymentData(
                    d["month"],
                    d["amount"],
                    d["paid_on"],
                    d["method"],
                    collected_by=d["collected_by"],
                    proxy_name=d["proxy_name"],
                    consent=d["consent"],
                    voluntary=d["voluntary"],
                    note=d["note"],
                ),
                actor=request.user,
            )
        except Refusal as exc:
            refusal_to_form(form, exc)
        else:
            m = d["member"]
            messages.success(
                request, f"已登记 {m.name} {d['month'].year}年{d['month'].month}月党费 {d['amount']} 元。"
            )
            return redirect(f"{reverse('dues:ledger')}?org={m.organization_id}&month={d['month']:%Y-%m}")
    return render(
        request,
        "dues/payment_form.html",
        {"page_title": "登记党费缴纳", "form": form, "member": chosen, "due": due, "month": month},
    )


@policy.requires(Perm.COLLECT_DUES)
@require_POST
def payment_void(request: HttpRequest, pk: int) -> HttpResponse:
    payment = scope.get_object_for_user(
        request.user, DuesPayment.objects.select_related("member"), write=True, pk=pk
    )
    form = VoidForm(request.POST)
    reason = form.data.get("reason", "") if not form.is_valid() else form.cleaned_data["reason"]
    try:
        services.void_payment(payment, reason=reason, expected_version=_version(request), actor=request.user)
    except Refusal as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "该缴纳记录已作废。")
    return redirect(f"{reverse('dues:member', args=[payment.member_id])}?year={payment.month.year}")


# --- bases ---------------------------------------------------------------------------------------------------
@policy.requires(Perm.VIEW_DUES)
def bases(request: HttpRequest) -> HttpResponse:
    """The year's 核定: each member on the roll with the base in force and the monthly due; those missing first."""
    year = year_param(request)
    org = _org(request)
    today = timezone.localdate()
    result = stats.year_stats(year, today, orgs=_orgs(request, org))
    lines = sorted(
        result.members,
        key=lambda m: (m.monthly_due.amount is not None, m.has_base_this_year, m.facts.name),
    )
    page = Paginator(lines, PAGE_SIZE).get_page(page_param(request))
    query = urlencode({"year": year, **({"org": org.pk} if org else {})})
    return render(
        request,
        "dues/bases.html",
        {
            "page_title": f"{year}年党费基数核定",
            "year": year,
            "org": org,
            "page": page,
            "lines": page.object_list,
            "query": query,
            "missing": len(result.missing_base),
            "not_assessed": len(result.not_yet_assessed),
            "can_collect": can(request.user, Perm.COLLECT_DUES),
        },
    )


def _base_data(d: dict[str, Any]) -> services.BaseData:
    return services.BaseData(
        year=d["year"],
        effective_month=d["effective_month"],
        income=d["income"],
        relief=d["relief"],
        relief_amount=d["relief_amount"],
        relief_reason=d["relief_reason"],
        approved_by=d["approved_by"],
        approved_on=d["approved_on"],
        note=d["note"],
    )


@policy.requires(Perm.COLLECT_DUES)
def base_add(request: HttpRequest) -> HttpResponse:
    if not request.GET.get("member"):
        raise BadRequest("请从党员的党费记录或基数核定页面进入")
    member = _member_for(request, request.GET["member"], write=True)
    today = timezone.localdate()
    form = BaseForm(request.POST or None, initial={"year": year_param(request), "effective_month": 1})
    if request.method == "POST" and form.is_valid():
        try:
            services.save_base(member, _base_data(form.cleaned_data), actor=request.user)
        except Refusal as exc:
            refusal_to_form(form, exc)
        else:
            messages.success(request, f"已核定 {member.name} {form.cleaned_data['year']}年党费基数。")
            return redirect(f"{reverse('dues:member', args=[member.pk])}?year={form.cleaned_data['year']}")
    return render(
        request,
        "dues/base_form.html",
        {"page_title": "核定党费基数", "form": form, "member": member, "today": today, "base": None},
    )


@policy.requires(Perm.COLLECT_DUES)
def base_edit(request: HttpRequest, pk: int) -> HttpResponse:
    base = scope.get_object_for_user(
        request.user,
        DuesBase.objects.select_related("member"),
        org_field="member__organization",
        write=True,
        pk=pk,
    )
    member = base.member
    initial = {
        f: getattr(base, f)
        for f in ("year", "effective_month", "income", "relief", "relief_amount", "relief_reason", "approved_by",
                  "approved_on", "note")
    }  # fmt: skip
    form = BaseForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_base(
                member,
                _base_data(form.cleaned_data),
                actor=request.user,
                base=base,
                expected_version=_version(request),
            )
        except Refusal as exc:
            refusal_to_form(form, exc)
        else:
            messages.success(request, f"已修改 {member.name} 的党费基数。")
            return redirect(f"{reverse('dues:member', args=[member.pk])}?year={form.cleaned_data['year']}")
    return render(
        request,
        "dues/base_form.html",
        {"page_title": "修改党费基数", "form": form, "member": member, "base": base},
    )


# --- 上缴 ------------------------------------------------------------------------------------------------------
@policy.requires(Perm.COLLECT_DUES)
def remittance_add(request: HttpRequest) -> HttpResponse:
    orgs = scope.editable_orgs(request.user).filter(depth__gt=1).order_by("path")
    org = (
        scope.get_org_for_user(request.user, request.GET["org"], write=True)
        if request.GET.get("org")
        else None
    )
    month = month_param(request)
    initial: dict[str, Any] = {
        "month": f"{month:%Y-%m}",
        "remitted_on": timezone.localdate(),
        "organization": org,
    }
    if org is not None:
        sheet = ledger.build([month], timezone.localdate(), orgs=Organization.objects.filter(pk=org.pk))
        paid = sum((c.paid for c in sheet.cells), ledger.ZERO)
        done = sum(ledger.remitted([org.pk], [month]).get(org.pk, {}).values(), ledger.ZERO)
        if paid > done:
            initial["amount"] = paid - done
    form = RemittanceForm(request.POST or None, orgs=orgs, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.record_remittance(
                d["organization"],
                services.RemittanceData(
                    d["month"],
                    d["amount"],
                    d["remitted_on"],
                    None,
                    d["receipt_no"],
                    d["handled_by"],
                    d["note"],
                ),
                actor=request.user,
            )
        except Refusal as exc:
            refusal_to_form(form, exc)
        else:
            messages.success(request, f"已登记 {d['organization'].name} 上缴党费 {d['amount']} 元。")
            return redirect(f"{reverse('dues:ledger')}?org={d['organization'].pk}&month={d['month']:%Y-%m}")
    return render(request, "dues/remittance_form.html", {"page_title": "登记党费上缴", "form": form})


@policy.requires(Perm.COLLECT_DUES)
@require_POST
def remittance_void(request: HttpRequest, pk: int) -> HttpResponse:
    row = scope.get_object_for_user(request.user, DuesRemittance.objects.all(), write=True, pk=pk)
    try:
        services.void_remittance(row, reason=request.POST.get("reason", "")[:100], actor=request.user)
    except Refusal as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "该上缴记录已作废。")
    return redirect(f"{reverse('dues:ledger')}?org={row.organization_id}&month={row.month:%Y-%m}")


# --- arrears ---------------------------------------------------------------------------------------------------
@policy.requires(Perm.VIEW_DUES)
def arrears_list(request: HttpRequest) -> HttpResponse:
    """Members in arrears for the reminder threshold or longer (as of this month's first day), those past the
    党章 第九条 threshold flagged for the branch to handle, and the handling recorded."""
    org = _org(request)
    today = timezone.localdate()
    config = DuesConfig.current()
    orgs = _orgs(request, org)
    found = arrears.in_arrears(today.replace(day=1), orgs, config.remind_months)
    cases_qs = ArrearsCase.objects.select_related("member", "organization")
    cases_qs = scope.filter_by_org(cases_qs, request.user)
    if org is not None:
        cases_qs = cases_qs.filter(organization__path__startswith=org.path)
    open_cases = {c.member_id: c for c in cases_qs.filter(is_closed=False)}
    names = dict(Organization.objects.filter(pk__in={a.org_id for a in found}).values_list("pk", "name"))
    ok = arrears.excused(found)
    rows = [
        {
            "a": a,
            "org": names.get(a.org_id, ""),
            "case": open_cases.get(a.member_id),
            "flag": a.months >= config.flag_months and a.member_id not in ok,
            "excused": a.member_id in ok,
        }
        for a in found
    ]
    return render(
        request,
        "dues/arrears.html",
        {
            "page_title": "欠交党费",
            "org": org,
            "rows": rows,
            "flagged": sum(1 for r in rows if r["flag"]),
            "config": config,
            "open_cases": list(open_cases.values()),
            "closed_cases": list(cases_qs.filter(is_closed=True)[:50]),
            "can_collect": can(request.user, Perm.COLLECT_DUES),
            "as_of": today.replace(day=1),
        },
    )


@policy.requires(Perm.COLLECT_DUES)
def case_add(request: HttpRequest) -> HttpResponse:
    if not request.GET.get("member"):
        raise BadRequest("请从欠交党费名单进入")
    member = _member_for(request, request.GET["member"], write=True)
    today = timezone.localdate()
    found = arrears.member_arrears(member, today.replace(day=1))
    form = CaseForm(request.POST or None, initial={"opened_on": today})
    if request.method == "POST" and form.is_valid():
        if found is None:
            form.add_error(None, "该党员目前没有连续欠交的党费，无需登记处置")
        else:
            try:
                case = services.open_case(
                    member,
                    arrears_months=found.months,
                    since_month=found.since,
                    opened_on=form.cleaned_data["opened_on"],
                    note=form.cleaned_data["note"],
                    actor=request.user,
                )
            except Refusal as exc:
                refusal_to_form(form, exc)
            else:
                messages.success(request, f"已登记 {member.name} 欠交党费的处置，请逐项记录谈话等处置情况。")
                return redirect("dues:case", pk=case.pk)
    return render(
        request,
        "dues/case_form.html",
        {"page_title": "登记欠交党费处置", "form": form, "member": member, "found": found},
    )


def _case_for(request: HttpRequest, pk: int, *, write: bool = False) -> ArrearsCase:
    return scope.get_object_for_user(
        request.user, ArrearsCase.objects.select_related("member", "organization"), write=write, pk=pk
    )


@policy.requires(Perm.VIEW_DUES)
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case_for(request, pk)
    writable = can(request.user, Perm.COLLECT_DUES) and scope.org_in_scope(
        request.user, case.organization, write=True
    )
    today = timezone.localdate()
    return render(
        request,
        "dues/case.html",
        {
            "page_title": f"{case.member.name} 欠交党费处置",
            "case": case,
            "steps": case.steps.all(),
            "writable": writable and not case.is_closed,
            "step_form": StepForm(initial={"date": today}),
            "close_form": CloseForm(initial={"closed_on": today}),
            "now": arrears.member_arrears(case.member, today.replace(day=1)),
        },
    )


@policy.requires(Perm.COLLECT_DUES)
@require_POST
def case_step(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case_for(request, pk, write=True)
    form = StepForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.add_step(
                case,
                kind=d["kind"],
                on=d["date"],
                people=d["people"],
                note=d["note"],
                valid_reason=d["valid_reason"],
                expected_version=_version(request),
                actor=request.user,
            )
        except Refusal as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "已记录处置环节。")
    else:
        messages.error(request, "；".join(e for errs in form.errors.values() for e in errs))
    return redirect("dues:case", pk=case.pk)


@policy.requires(Perm.COLLECT_DUES)
@require_POST
def case_close(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case_for(request, pk, write=True)
    form = CloseForm(request.POST)
    if form.is_valid():
        try:
            services.close_case(
                case,
                outcome=form.cleaned_data["outcome"],
                on=form.cleaned_data["closed_on"],
                expected_version=_version(request),
                actor=request.user,
            )
        except Refusal as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "该处置已结案。")
    else:
        messages.error(request, "；".join(e for errs in form.errors.values() for e in errs))
    return redirect("dues:case", pk=case.pk)


# --- imports --------------------------------------------------------------------------------------------------
def _bases_spec(request: HttpRequest) -> ImportSpec:
    return ImportSpec(
        key="dues_bases",
        title="导入党费基数",
        columns=BASE_COLUMNS,
        make_importer=lambda req: BaseImporter(actor=req.user, member_scope=_writable_members(req.user)),
        template_name="党费基数导入模板.xlsx",
        back_url=reverse("dues:bases"),
        rules=(
            "每行一名党员一个年度的核定基数：月收入为税后相对固定的经常性工资收入，或离退休费、养老金总额（元）。",
            "生效月份写作 2026-01，留空按1月；年内收入变化的另起一行，写明新的生效月份（党费规定第十条）。",
            "学生、下岗失业、农牧渔民和人员类别为“其他”的党员按固定数额交纳，月收入可留空。",
            "减免填“是”的须填写减免原因（须经上一级党委批准）；同一党员同一年度同一生效月份重复导入只更新不新增。",
        ),
    )


def _payments_spec(request: HttpRequest) -> ImportSpec:
    return ImportSpec(
        key="dues_payments",
        title="导入党费缴纳记录",
        columns=PAYMENT_COLUMNS,
        make_importer=lambda req: PaymentImporter(actor=req.user, member_scope=_writable_members(req.user)),
        template_name="党费缴纳导入模板.xlsx",
        back_url=reverse("dues:ledger"),
        rules=(
            "所属月份写作 2026-03；同一月份可有多笔缴纳。所属月份晚于缴纳日期所在月份的为预交，最多预交3个月。",
            "方式填写系统中启用的收缴方式（如现金、转账、代交）；本平台不接入在线支付。",
            "五项内容完全相同的记录重复导入不会重复计入。",
        ),
    )


_bases_wizard = wizard_view(_bases_spec)
_payments_wizard = wizard_view(_payments_spec)


@policy.requires(Perm.COLLECT_DUES)
def import_bases(request: HttpRequest) -> HttpResponse:
    return _bases_wizard(request)


@policy.requires(Perm.COLLECT_DUES)
def import_payments(request: HttpRequest) -> HttpResponse:
    return _payments_wizard(request)


# --- settings -------------------------------------------------------------------------------------------------
@policy.requires(Perm.MANAGE_BUREAU)
def config(request: HttpRequest) -> HttpResponse:
    cfg = DuesConfig.current()
    form = ConfigForm(request.POST if request.POST.get("action") == "save" else None, instance=cfg)
    method_form = MethodForm(request.POST if request.POST.get("action") == "add_method" else None)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "save" and form.is_valid():
                services.update_config(
                    cfg, {k: form.cleaned_data[k] for k in form.Meta.fields}, actor=request.user
                )
                messages.success(request, "党费设置已保存。")
                return redirect("dues:config")
            if action == "add_method" and method_form.is_valid():
                services.add_method(
                    method_form.cleaned_data["name"],
                    needs_proxy=method_form.cleaned_data["needs_proxy"],
                    actor=request.user,
                )
                messages.success(request, "已新增收缴方式。")
                return redirect("dues:config")
            if action == "toggle":
                method = get_object_or_404(PaymentMethod, pk=request.POST.get("method") or 0)
                services.set_method_active(method, not method.is_active, actor=request.user)
                messages.success(
                    request, f"已{'停用' if method.is_active else '启用'}收缴方式“{method.name}”。"
                )
                return redirect("dues:config")
        except Refusal as exc:
            refusal_to_form(method_form if action == "add_method" else form, exc)
            if action == "toggle":
                messages.error(request, exc.message)
                return redirect("dues:config")
    return render(
        request,
        "dues/config.html",
        {
            "page_title": "党费设置",
            "form": form,
            "method_form": method_form,
            "methods": PaymentMethod.objects.all(),
            "bands": {
                "serving": rules.SERVING_BANDS,
                "retired": rules.RETIRED_BANDS,
            },
            "rules": rules,
        },
    )
