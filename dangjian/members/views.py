"""Member pages: the list (search, filters, export), a member's page with their history, create / edit, the
status actions (组织内转接, 转出 / 停止党籍 / 出党 / 死亡, 恢复党籍, 转正) and the roster import wizard.

Views parse input and check access (members.access, on the scope helper); every write is a services call."""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from dangjian.accounts import policy
from dangjian.accounts.policy import Perm
from dangjian.accounts.scope import (
    can_write,
    editable_orgs,
    member_record,
    own_record_only,
    scope_label,
    visible_orgs,
)
from dangjian.core import memo, progress
from dangjian.core.dates import age_on
from dangjian.core.idnumber import mask_id_number, mask_phone
from dangjian.core.import_views import ImportSpec, wizard_view
from dangjian.core.params import int_param, page_param
from dangjian.core.xlsx import XLSX_CONTENT_TYPE
from dangjian.orgs.picker import top_options

from . import forms, services
from .access import (
    get_member_for_user,
    is_self,
    may_edit,
    may_export_full,
    may_see_full_identity,
    visible_members,
)
from .choices import AGE_BANDS, Category, Gender, Status
from .filters import STANDINGS, STATUS_ALL, MemberFilters
from .models import Member
from .roster import COLUMNS, RULES_HELP, RosterImporter, write_roster

PAGE_SIZES = (20, 50, 100)
DEFAULT_PAGE_SIZE = 50


def _page_size(request: HttpRequest) -> int:
    size = int_param(request, "per", DEFAULT_PAGE_SIZE, min=1, max=max(PAGE_SIZES))
    return size if size in PAGE_SIZES else DEFAULT_PAGE_SIZE


def _client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


# An export of more members than this runs as a job (its page shows the progress; the file downloads when ready).
EXPORT_JOB_ROWS = 5000


# -- list and export --------------------------------------------------------------------------------------
@policy.requires(Perm.VIEW_MEMBERS, "您的角色不能查看党员信息")
@require_http_methods(["GET"])
def member_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    filters = MemberFilters.from_params(request.GET, user)
    full = may_export_full(user)
    is_member = own_record_only(user)
    if is_member:
        # A member's list is their own record, whatever its status: the filters do not apply.
        qs = visible_members(user)
    else:
        qs = filters.apply(visible_members(user), today, full_id_search=full)
    if request.GET.get("export") == "xlsx":
        return _export(request, qs, filters, full=full)
    qs = qs.order_by("organization__path", "name", "pk")
    page = memo.CountedPaginator(qs, _page_size(request), COUNT_TOPICS).get_page(page_param(request))
    # values() on the page's slice only: the paginator's COUNT stays free of the organisation join.
    page.object_list = _rows(page.object_list.values(*LIST_FIELDS), today)
    options, more = ([], False) if is_member else top_options(user, filters.org)
    ctx = {
        "page_title": "党员名册",
        "page": page,
        "filters": filters,
        "options": options,
        "more": more,
        "categories": Category.values,
        "standings": STANDINGS,
        "genders": Gender.values,
        "age_labels": [label for _, _, label in AGE_BANDS],
        "statuses": Status.values,
        "status_all": STATUS_ALL,
        "page_sizes": PAGE_SIZES,
        "per": _page_size(request),
        "is_member_view": is_member,
        "can_write": can_write(user),
        "can_export": not is_member,
        "scope_label": scope_label(user),
        "query": filters.querystring(
            per=_page_size(request) if _page_size(request) != DEFAULT_PAGE_SIZE else ""
        ),
    }
    return render(request, "members/list.html", ctx)


# What the list's total reads: it is counted again only after one of them is written (`core.memo.count`).
COUNT_TOPICS = ("members_member", "orgs_organization")

# The columns of a list row: plain values, no model instances, so that a page of 100 rows stays cheap.
LIST_FIELDS = (
    "pk",
    "name",
    "gender",
    "birth_date",
    "id_number",
    "phone",
    "category",
    "full_date",
    "join_date",
    "is_floating",
    "is_lost",
    "status",
    "organization__name",
    "organization__short_name",
)


def _rows(values: Any, today: Any) -> list[dict[str, Any]]:
    """The page's rows ready to print: masked, aged and linked here, once, rather than per cell in the template."""
    marker = 2**31 - 1
    link = reverse("members:detail", args=[marker]).replace(str(marker), "{}")
    return [
        {
            "url": link.format(v["pk"]),
            "name": v["name"],
            "is_floating": v["is_floating"],
            "is_lost": v["is_lost"],
            "gender": v["gender"],
            "age": age_on(v["birth_date"], today),
            "id_number": mask_id_number(v["id_number"]),
            "org": v["organization__short_name"] or v["organization__name"],
            "category": v["category"],
            "probationary": v["full_date"] is None,
            "join_date": v["join_date"].isoformat(),
            "phone": mask_phone(v["phone"]) or "—",
            "status": v["status"],
        }
        for v in values
    ]


def _export(request: HttpRequest, qs: Any, filters: MemberFilters, *, full: bool) -> HttpResponse:
    """The filtered list as a roster workbook. Full ID numbers and phones for writers (their scope bounds the
    rows; the file then re-imports); masked for the inspector. Always audited."""
    if own_record_only(request.user):
        raise PermissionDenied("党员本人不能导出名册")
    if qs.count() > getattr(settings, "DANGJIAN_EXPORT_JOB_ROWS", EXPORT_JOB_ROWS):
        # A big export runs as a job (issue 20): the page shows its progress, the file downloads when ready.
        from dangjian.jobs import services as jobs
        from dangjian.jobs.models import JobKind

        query = request.GET.copy()
        query.pop("export", None)
        job = jobs.enqueue(
            request.user,
            JobKind.EXPORT,
            f"导出党员名册（{filters.describe()}）",
            {"export": "dangjian.members.views.export_job", "query": query.urlencode()},
        )
        return redirect("jobs:detail", pk=job.pk)
    response = HttpResponse(content_type=XLSX_CONTENT_TYPE)
    name = f"党员名册-{timezone.localdate():%Y%m%d}.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    count = write_roster(response, qs, full=full)
    services.record_export(actor=request.user, count=count, full=full, scope=filters.describe())
    return response


def export_job(user: Any, params: dict[str, Any]) -> tuple[str, bytes, str]:
    """The roster export as a job (jobs.services.run_export_job): the same filters, scope and audit as `_export`,
    checked again for the job's owner as they are now."""
    policy.check(user, Perm.VIEW_MEMBERS, "您的角色不能查看党员信息")
    if own_record_only(user):
        raise PermissionDenied("党员本人不能导出名册")
    filters = MemberFilters.from_params(QueryDict(params.get("query", "")), user)
    full = may_export_full(user)
    qs = filters.apply(visible_members(user), timezone.localdate(), full_id_search=full)
    total = qs.count()
    progress.report("导出党员名册", 0, total)
    buffer = io.BytesIO()
    count = write_roster(buffer, qs, full=full)
    progress.report("导出党员名册", count, max(total, count))
    services.record_export(actor=user, count=count, full=full, scope=filters.describe())
    return f"党员名册-{timezone.localdate():%Y%m%d}.xlsx", buffer.getvalue(), XLSX_CONTENT_TYPE


@policy.requires(Perm.VIEW_MEMBERS, "您的角色不能查看党员信息")
def me(request: HttpRequest) -> HttpResponse:
    own = member_record(request.user)
    if own is None:
        raise Http404("您的账号没有关联党员信息")
    return redirect("members:detail", pk=own.pk)


@policy.requires(Perm.VIEW_MEMBERS, "您的角色不能查看党员信息")
@require_http_methods(["GET"])
def me_download(request: HttpRequest) -> HttpResponse:
    """The member's own record as a workbook, in full (个人信息的查阅与复制); audited like any export."""
    own = member_record(request.user)
    if own is None:
        raise Http404("您的账号没有关联党员信息")
    response = HttpResponse(content_type=XLSX_CONTENT_TYPE)
    name = f"本人党员信息-{timezone.localdate():%Y%m%d}.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    count = write_roster(response, Member.objects.filter(pk=own.pk), full=True)
    services.record_export(actor=request.user, count=count, full=True, scope="本人信息")
    return response


# -- a member's page -----------------------------------------------------------------------------------------
@policy.requires(Perm.VIEW_MEMBERS, "您的角色不能查看党员信息")
@require_http_methods(["GET"])
def member_detail(request: HttpRequest, pk: int) -> HttpResponse:
    # Honours are read from 两优一先 (a lower layer than members), imported here only for the page.
    from dangjian.honors.services import honors_of_member

    member = get_member_for_user(request.user, pk)
    own = is_self(request.user, member)
    # Writers in scope and the member themself see the full numbers; every such view by someone else is audited.
    revealed = may_see_full_identity(request.user, member)
    if revealed and not own:
        services.record_full_view(member, actor=request.user, ip=_client_ip(request))
    events = member.events.select_related("from_org", "to_org").order_by("-date", "-id")
    ancestors = list(member.organization.ancestors_and_self())
    linkable = set(
        visible_orgs(request.user).filter(pk__in=[o.pk for o in ancestors]).values_list("pk", flat=True)
    )
    editable = may_edit(request.user, member)
    ctx = {
        "page_title": f"党员：{member.name}",
        "member": member,
        "events": events,
        "revealed": revealed,
        "audited_view": revealed and not own,
        "is_own": own,
        "editable": editable,
        "is_current": member.status == Status.NORMAL,
        "is_suspended": member.status == Status.SUSPENDED,
        # only the organisations whose roster the reader may open are links (a member's ancestors were 404s)
        "ancestors": [(o, o.pk in linkable) for o in ancestors],
        "honors": honors_of_member(member),
    }
    return render(request, "members/detail.html", ctx)


# -- create and edit --------------------------------------------------------------------------------------
@policy.requires(Perm.CHANGE_BUSINESS, "您没有维护党员信息的权限")
@require_http_methods(["GET", "POST"])
def member_create(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    orgs = editable_orgs(request.user)
    initial = {}
    if request.GET.get("org"):
        initial["organization"] = request.GET["org"]
    form = forms.MemberCreateForm(request.POST or None, orgs=orgs, today=today, initial=initial)
    if request.method == "POST" and form.is_valid():
        assert form.facts is not None
        d = form.cleaned_data
        transfer = None
        if d["how"] == forms.MemberCreateForm.HOW_TRANSFER:
            transfer = services.TransferIn(on=d["transfer_on"], source=d["transfer_source"])
        try:
            member = services.create_member(
                form.facts, d["organization"], actor=request.user, transfer_in=transfer
            )
        except services.MemberError as exc:
            form.add_error(_field(form, exc.field), exc.message)
        else:
            messages.success(request, f"已新增党员“{member.name}”。")
            return redirect("members:detail", pk=member.pk)
    return render(
        request,
        "members/form.html",
        {"form": form, "page_title": "新增党员", "back": reverse("members:list"), "creating": True},
    )


def _field(form: Any, name: str | None) -> str | None:
    return name if name in form.fields else None


@policy.requires(Perm.CHANGE_BUSINESS, "您没有维护党员信息的权限")
@require_http_methods(["GET", "POST"])
def member_edit(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_member_for_user(request.user, pk, write=True)
    if request.method == "GET" and not is_self(request.user, member):
        # The form shows the full ID number and phone: a full view like the member's page.
        services.record_full_view(member, actor=request.user, ip=_client_ip(request))
    form = forms.MemberEditForm(request.POST or None, member=member, today=timezone.localdate())
    if request.method == "POST" and form.is_valid():
        try:
            changes = services.update_member(
                member, form.changes(), expected_version=form.cleaned_data["version"], actor=request.user
            )
        except services.MemberError as exc:
            form.add_error(_field(form, exc.field), exc.message)
        else:
            messages.success(request, "已保存。" if changes else "没有修改任何内容。")
            return redirect("members:detail", pk=member.pk)
    return render(
        request,
        "members/form.html",
        {
            "form": form,
            "member": member,
            "page_title": f"修改党员信息：{member.name}",
            "back": reverse("members:detail", args=[member.pk]),
        },
    )


# -- status actions ------------------------------------------------------------------------------------------
def _action(
    request: HttpRequest,
    pk: int,
    *,
    form_class: type[forms.ActionForm],
    title: str,
    intro: str,
    run: Any,
    form_kwargs: Any = None,
    done: str,
    blocked: Any = None,
) -> HttpResponse:
    member = get_member_for_user(request.user, pk, write=True)
    ctx = {"member": member, "page_title": f"{title}：{member.name}", "title": title, "intro": intro}
    reason = blocked(member) if blocked else None
    if reason:
        return render(request, "members/action.html", {**ctx, "blocked": reason})
    kwargs = form_kwargs(request, member) if form_kwargs else {}
    form = form_class(request.POST or None, member=member, today=timezone.localdate(), **kwargs)
    if request.method == "POST" and form.is_valid():
        try:
            run(member, form.cleaned_data, request.user)
        except services.MemberError as exc:
            form.add_error(_field(form, exc.field), exc.message)
        else:
            messages.success(request, done.format(name=member.name))
            return redirect("members:detail", pk=member.pk)
    return render(request, "members/action.html", {**ctx, "form": form})


def _not_current(member: Any) -> str | None:
    if member.status != Status.NORMAL:
        return f"该党员的党籍状态为“{member.status}”，不能办理此项。"
    return None


@policy.requires(Perm.CHANGE_BUSINESS, "您没有维护党员信息的权限")
@require_http_methods(["GET", "POST"])
def member_move(request: HttpRequest, pk: int) -> HttpResponse:
    def run(member, d, user):
        services.move_member(
            member, d["organization"], d["on"], expected_version=d["version"], actor=user, note=d["note"]
        )

    return _action(
        request,
        pk,
        form_class=forms.MoveForm,
        title="组织内转接",
        intro="将党员的组织关系转到本系统内的另一个党支部，记“组织内转接”变动。党组织管理员只能在本组织及下级党组织之间转接；"
        "转往其他党组织由局党建管理员办理。",
        run=run,
        form_kwargs=lambda request, member: {"orgs": editable_orgs(request.user)},
        done="已将“{name}”转接。",
        blocked=_not_current,
    )


@policy.requires(Perm.CHANGE_BUSINESS, "您没有维护党员信息的权限")
@require_http_methods(["GET", "POST"])
def member_leave(request: HttpRequest, pk: int) -> HttpResponse:
    def run(member, d, user):
        services.end_membership(
            member,
            d["kind"],
            d["on"],
            expected_version=d["version"],
            destination=d.get("destination") or "",
            actor=user,
            note=d["note"],
        )

    return _action(
        request,
        pk,
        form_class=forms.LeaveForm,
        title="转出、停止党籍、出党或死亡",
        intro="办理后该党员不再计入在册党员，但信息和变动记录永久保留，不会删除。转往系统内其他党支部请用“组织内转接”。",
        run=run,
        done="已为“{name}”登记党籍变动。",
        blocked=_not_current,
    )


@policy.requires(Perm.CHANGE_BUSINESS, "您没有维护党员信息的权限")
@require_http_methods(["GET", "POST"])
def member_restore(request: HttpRequest, pk: int) -> HttpResponse:
    def run(member, d, user):
        services.restore_membership(
            member, d["on"], expected_version=d["version"], actor=user, note=d["note"]
        )

    return _action(
        request,
        pk,
        form_class=forms.RestoreForm,
        title="恢复党籍",
        intro="仅适用于停止党籍的党员（《中国共产党党员教育管理工作条例》第二十四条）。",
        run=run,
        done="已恢复“{name}”的党籍。",
        blocked=lambda m: None if m.status == Status.SUSPENDED else "只有停止党籍的党员可以恢复党籍。",
    )


@policy.requires(Perm.CHANGE_BUSINESS, "您没有维护党员信息的权限")
@require_http_methods(["GET", "POST"])
def member_full(request: HttpRequest, pk: int) -> HttpResponse:
    def run(member, d, user):
        services.confirm_full(member, d["on"], expected_version=d["version"], actor=user, note=d["note"])

    return _action(
        request,
        pk,
        form_class=forms.FullForm,
        title="预备党员转正",
        intro="预备期一年，自支部大会通过其为预备党员之日算起；可延长一次，不超过一年（《中国共产党发展党员工作细则》第三十二条）。",
        run=run,
        done="“{name}”已转为正式党员。",
        blocked=lambda m: (
            _not_current(m)
            or (None if m.is_probationary else f"该党员已于 {m.full_date:%Y-%m-%d} 转为正式党员，无需办理。")
            or _in_pipeline(m)
        ),
    )


def _in_pipeline(member: Any) -> str | None:
    """A 预备党员 who came through the 发展党员 pipeline is confirmed there (steps 22–24), so that the roster and
    the pipeline never disagree (the page reads the recruitment app's record; it writes nothing there)."""
    candidate = getattr(member, "candidate", None)
    if candidate is not None and candidate.stage == "预备党员":
        return (
            f"该党员正在发展党员程序中（预备期至 {candidate.probation_ends_on:%Y-%m-%d}），"
            "转正请在“发展党员”中按第22–24步办理（提出转正申请、支部大会讨论、上级党委审批）。"
        )
    return None


# -- import ---------------------------------------------------------------------------------------------------
def _import_spec(request: HttpRequest) -> ImportSpec:
    return ImportSpec(
        key="roster",
        title="导入党员名册",
        columns=COLUMNS,
        make_importer=lambda req: RosterImporter(actor=req.user, scope_user=req.user),
        template_name="党员名册导入模板.xlsx",
        back_url=reverse("members:list"),
        rules=RULES_HELP,
    )


_wizard = wizard_view(_import_spec)


@policy.requires(Perm.CHANGE_BUSINESS, "您没有维护党员信息的权限")
@require_http_methods(["GET", "POST"])
def roster_import(request: HttpRequest) -> HttpResponse:
    return _wizard(request)
