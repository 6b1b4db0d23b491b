"""学习教育 pages: progress of members against the yearly thresholds, records, import, settings."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from dangjian.accounts import policy, scope
from dangjian.accounts.policy import Perm
from dangjian.core import drafts
from dangjian.core.actions import Refusal, refusal_to_form
from dangjian.core.import_views import ImportSpec, wizard_view
from dangjian.core.params import page_param, year_param
from dangjian.members.models import Member

from . import services
from .forms import ConfigForm, RecordForm
from .importing import COLUMNS, StudyImporter
from .models import StudyConfig, StudyRecord


def _readable_members(user):
    """Members whose study this user may read: their scope; a member only themself."""
    if scope.own_record_only(user):
        m = scope.member_record(user)
        return Member.objects.filter(pk=m.pk) if m else Member.objects.none()
    return scope.filter_by_org(Member.objects.all(), user)


def _writable_members(user):
    return scope.filter_by_org(Member.objects.current(), user, write=True)


@policy.requires(Perm.VIEW_BUSINESS)
def overview(request: HttpRequest) -> HttpResponse:
    if scope.own_record_only(request.user):
        m = scope.member_record(request.user)
        if m is None:
            raise Http404("未关联党员信息")
        return redirect("study:member", pk=m.pk)
    year = year_param(request)
    members = _readable_members(request.user).filter(status="正常")
    progress = services.yearly_progress(year, members)
    stats = services.org_stats(progress)
    total = len(progress)
    met = sum(mp.progress.met for mp in progress)
    hours = sum((mp.progress.hours for mp in progress), Decimal(0))
    return render(
        request,
        "study/overview.html",
        {
            "page_title": "学习教育",
            "year": year,
            "stats": stats,
            "total": total,
            "met": met,
            "rate": int(met * 100 / total) if total else 0,
            "average": (hours / total).quantize(Decimal("0.1")) if total else 0,
            "config": StudyConfig.current(),
            "can_write": scope.can_write(request.user),
            "is_bureau": scope.is_bureau_admin(request.user),
        },
    )


@policy.requires(Perm.VIEW_STAFF)
def member_progress(request: HttpRequest) -> HttpResponse:
    year = year_param(request)
    members = _readable_members(request.user).filter(status="正常")
    org_id = request.GET.get("org")
    if org_id:
        org = scope.get_org_for_user(request.user, org_id)
        members = members.filter(organization__path__startswith=org.path)
    progress = services.yearly_progress(year, members.order_by("organization__path", "name"))
    only = request.GET.get("only")
    if only == "behind":
        progress = [mp for mp in progress if not mp.progress.met]
    elif only == "leaders":
        progress = [mp for mp in progress if mp.progress.is_leader]
    progress.sort(key=lambda mp: (mp.progress.met, -mp.progress.shortfall))
    page = Paginator(progress, 50).get_page(page_param(request))
    return render(
        request,
        "study/member_progress.html",
        {
            "page_title": "党员学时进度",
            "year": year,
            "page": page,
            "only": only or "",
            "org_id": org_id or "",
        },
    )


@policy.requires(Perm.VIEW_BUSINESS)
def member_detail(request: HttpRequest, pk: int) -> HttpResponse:
    member = (
        scope.get_object_for_user(request.user, _readable_members(request.user), pk=pk)
        if not scope.own_record_only(request.user)
        else _readable_members(request.user).filter(pk=pk).first()
    )
    if member is None:
        raise Http404("未找到该党员")
    year = year_param(request)
    progress = services.yearly_progress(year, Member.objects.filter(pk=member.pk))[0].progress
    records = StudyRecord.objects.filter(member=member, date__year=year, is_deleted=False).order_by("-date")
    is_self = scope.own_record_only(request.user)
    can_write = is_self or scope.org_in_scope(request.user, member.organization, write=True)
    return render(
        request,
        "study/member_detail.html",
        {
            "page_title": f"{member.name}的学习记录",
            "member": member,
            "year": year,
            "progress": progress,
            "records": records,
            "activities": services.credited_activities(member, year),
            "can_write": can_write,
            "config": StudyConfig.current(),
            "is_self": is_self,
        },
    )


DRAFT_KEY = "study-new"  # the record form's data-draft


@policy.requires(Perm.RECORD_STUDY)
def add_record(request: HttpRequest) -> HttpResponse:
    self_report = scope.own_record_only(request.user)
    if self_report:
        me = scope.member_record(request.user)
        if me is None:
            raise Http404("未关联党员信息")
        members = Member.objects.filter(pk=me.pk)
    else:
        members = _writable_members(request.user).select_related("organization")
    initial = {"day": timezone.localdate(), "hours": 1}
    if self_report:
        initial["member"] = me.pk
    elif request.GET.get("member"):
        initial["member"] = request.GET["member"]
    form = RecordForm(request.POST or None, members=members, self_report=self_report, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.add_record(
                d["member"],
                day=d["day"],
                hours=d["hours"],
                content=d["content"],
                form=d["form"],
                actor=request.user,
                source="self" if self_report else "manual",
            )
        except Refusal as exc:
            refusal_to_form(form, exc)
        else:
            messages.success(request, f"已登记 {d['member'].name} 的学习记录（{d['hours']} 学时）。")
            drafts.saved(request, DRAFT_KEY)  # the phone's copy of the form can go (static/js/drafts.js)
            return redirect("study:member", pk=d["member"].pk)
    return render(request, "study/record_form.html", {"page_title": "登记学习记录", "form": form})


@policy.requires(Perm.RECORD_STUDY)
@require_POST
def void_record(request: HttpRequest, pk: int) -> HttpResponse:
    qs = StudyRecord.objects.filter(is_deleted=False)
    if scope.own_record_only(request.user):
        me = scope.member_record(request.user)
        record = qs.filter(pk=pk, member=me, source="self").first() if me else None
        if record is None:
            raise Http404("未找到该记录")
    else:
        record = scope.get_object_for_user(
            request.user, qs, org_field="member__organization", write=True, pk=pk
        )
    services.void_record(record, actor=request.user, reason=request.POST.get("reason", "")[:100])
    messages.success(request, "该学习记录已作废。")
    return redirect("study:member", pk=record.member_id)


@policy.requires(Perm.MANAGE_BUREAU)
def config(request: HttpRequest) -> HttpResponse:
    cfg = StudyConfig.current()
    form = ConfigForm(request.POST or None, instance=cfg)
    if request.method == "POST" and form.is_valid():
        services.update_config(cfg, form.cleaned_data, actor=request.user)
        messages.success(request, "学时设置已保存。")
        return redirect("study:overview")
    return render(request, "study/config.html", {"page_title": "学时设置", "form": form})


def _import_spec(request: HttpRequest) -> ImportSpec:
    return ImportSpec(
        key="study",
        title="导入学习记录",
        columns=COLUMNS,
        make_importer=lambda req: StudyImporter(actor=req.user, member_scope=_writable_members(req.user)),
        template_name="学习记录导入模板.xlsx",
        back_url=reverse("study:overview"),
        rules=(
            "公民身份号码须与党员名册一致，姓名须与名册登记的姓名相同。",
            "学时须大于 0，同一党员同一天合计不超过 24 学时。",
            "同一党员同一天相同内容和形式的记录重复导入不会重复计入。",
            "学习形式填“学习强国”的按“网络平台”计入。",
        ),
    )


_wizard = wizard_view(_import_spec)


@policy.requires(Perm.CHANGE_BUSINESS)
def import_records(request: HttpRequest) -> HttpResponse:
    return _wizard(request)
