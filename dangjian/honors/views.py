"""述职评议, 民主评议党员 results and 两优一先 pages."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from dangjian.accounts import policy, scope
from dangjian.accounts.policy import Perm
from dangjian.core import uploads
from dangjian.core.actions import Refusal, refusal_to_form
from dangjian.core.params import optional_year_param, year_param
from dangjian.members.models import Member
from dangjian.orgs.models import Organization

from . import services
from .forms import (
    ExternalHonorForm,
    HonorRoundForm,
    NominationForm,
    ObjectionForm,
    ReportForm,
    ReviewRoundForm,
    ReviewRuleForm,
)
from .models import (
    AppraisalGrade,
    Honor,
    HonorRound,
    MemberGrade,
    Nomination,
    NominationStatus,
    Objection,
    ReviewReport,
    ReviewRound,
)


def _bureau(request: HttpRequest) -> None:
    policy.check(request.user, Perm.MANAGE_BUREAU, "您没有访问该功能的权限")


# ----------------------------------------------------------------------------------------- 述职评议


@policy.requires(Perm.VIEW_STAFF)
def review_rounds(request: HttpRequest) -> HttpResponse:
    form = ReviewRoundForm(
        request.POST or None,
        initial={
            "year": timezone.localdate().year,
            "title": f"{timezone.localdate().year}年度党组织书记抓基层党建工作述职评议",
        },
    )
    if request.method == "POST":
        _bureau(request)
        if form.is_valid():
            try:
                rnd = services.create_review_round(
                    form.cleaned_data["year"],
                    form.cleaned_data["title"],
                    actor=request.user,
                    meeting_on=form.cleaned_data["meeting_on"],
                )
            except Refusal as exc:
                refusal_to_form(form, exc)
            else:
                messages.success(
                    request, f"已创建，生成述职报告 {rnd.reports.count()} 份（按各党组织现任书记）。"
                )
                return redirect("honors:review", pk=rnd.pk)
    rounds = ReviewRound.objects.all()
    return render(
        request,
        "honors/review_rounds.html",
        {
            "rounds": rounds,
            "form": form,
            "page_title": "述职评议",
            "is_bureau": scope.is_bureau_admin(request.user),
        },
    )


@policy.requires(Perm.VIEW_STAFF)
def review(request: HttpRequest, pk: int) -> HttpResponse:
    rnd = get_object_or_404(ReviewRound, pk=pk)
    reports = scope.filter_by_org(rnd.reports.select_related("organization"), request.user)
    show_results = policy.can(request.user, Perm.VIEW_ALL) and services.results_visible(rnd)
    rule_form = ReviewRuleForm(instance=rnd) if scope.is_bureau_admin(request.user) else None
    return render(
        request,
        "honors/review.html",
        {
            "rnd": rnd,
            "reports": reports,
            "page_title": rnd.title,
            "is_bureau": scope.is_bureau_admin(request.user),
            "results": services.results(rnd) if show_results else None,
            "can_vote": services.can_vote(rnd, request.user),
            # while voting is open even the turnout stays hidden: the page must not change when someone votes
            "voters": rnd.voters.count() if rnd.is_closed else None,
            "evaluators": rnd.evaluators.count(),
            "rule_form": rule_form,
        },
    )


@policy.requires(Perm.MANAGE_BUREAU)
@require_POST
def review_settings(request: HttpRequest, pk: int) -> HttpResponse:
    rnd = get_object_or_404(ReviewRound, pk=pk)
    action = request.POST.get("action")
    try:
        if action in ("open", "close"):
            services.set_voting(rnd, open_=action == "open", actor=request.user)
            messages.success(
                request, "已开启测评。" if action == "open" else "测评已结束，结果已锁定；公布后方可查看。"
            )
        elif action == "publish":
            services.publish_results(rnd, actor=request.user)
            messages.success(request, "测评结果已公布。")
        else:
            form = ReviewRuleForm(request.POST, instance=rnd)
            if not form.is_valid():
                messages.error(
                    request, "设置有误：" + "；".join(f"{k}：{v[0]}" for k, v in form.errors.items())
                )
            else:
                services.update_review_rules(
                    rnd,
                    good_share=form.cleaned_data["good_share"],
                    fairly_good_share=form.cleaned_data["fairly_good_share"],
                    poor_share=form.cleaned_data["poor_share"],
                    evaluators=form.cleaned_data["evaluators"],
                    actor=request.user,
                )
                messages.success(request, "评定规则和测评人名单已保存。")
    except Refusal as exc:
        messages.error(request, exc.message)
    return redirect("honors:review", pk=rnd.pk)


def _report_for(request: HttpRequest, pk: int, write: bool = False) -> ReviewReport:
    return scope.get_object_for_user(
        request.user, ReviewReport.objects.select_related("round", "organization"), write=write, pk=pk
    )


@policy.requires(Perm.VIEW_STAFF)
def report(request: HttpRequest, pk: int) -> HttpResponse:
    rep = _report_for(request, pk)
    can_edit = scope.org_in_scope(request.user, rep.organization, write=True) and not rep.round.is_closed
    form = ReportForm(request.POST or None, request.FILES or None, initial={"text": rep.text})
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied("您不能修改该述职报告")
        if form.is_valid():
            checked = form.cleaned_data.get("file")  # a core.uploads.Checked: the 'report' policy passed
            upload, file_name = None, ""
            if checked is not None:
                # stored under a generated name with the real extension; downloaded with that extension
                upload = ContentFile(checked.data, name=uploads.stored_name(checked.kind))
                file_name = uploads.download_name(checked.original_name, checked.kind)
            if not form.errors:
                try:
                    services.submit_report(
                        rep,
                        text=form.cleaned_data["text"],
                        upload=upload,
                        file_name=file_name,
                        actor=request.user,
                    )
                except Refusal as exc:
                    refusal_to_form(form, exc)
                else:
                    messages.success(request, "述职报告已提交。")
                    return redirect("honors:report", pk=rep.pk)
    return render(
        request,
        "honors/report.html",
        {
            "rep": rep,
            "form": form,
            "can_edit": can_edit,
            "dossier": services.dossier(rep),
            "page_title": f"{rep.organization}述职",
        },
    )


@policy.requires(Perm.VIEW_STAFF)
def report_file(request: HttpRequest, pk: int) -> FileResponse:
    rep = _report_for(request, pk)
    if not rep.file:
        raise Http404("没有报告文件")
    fh = rep.file.open("rb")
    # the type comes from the content, also for files kept before uploads were checked whole: never text/html
    kind = uploads.identify(fh)
    if kind is None:
        return FileResponse(
            fh, as_attachment=True, filename="述职报告.bin", content_type="application/octet-stream"
        )
    return FileResponse(
        fh,
        as_attachment=True,
        filename=uploads.download_name(rep.file_name or "述职报告", kind),
        content_type=kind.content_type,
    )


@policy.requires(Perm.VIEW_STAFF)
def vote(request: HttpRequest, pk: int) -> HttpResponse:
    rnd = get_object_or_404(ReviewRound, pk=pk)
    if not rnd.evaluators.filter(pk=request.user.pk).exists():
        raise PermissionDenied("您不在本次测评人名单中")
    reports = list(rnd.reports.select_related("organization"))
    errors: list[str] = []
    if request.method == "POST":
        grades = {r.id: request.POST.get(f"r{r.id}", "") for r in reports}
        try:
            services.vote(rnd, request.user, grades)
        except Refusal as exc:
            errors = [exc.message]
        else:
            messages.success(request, "投票成功。测评为无记名方式，系统不记录您的评价内容与身份的对应关系。")
            return redirect("honors:review", pk=rnd.pk)
    return render(
        request,
        "honors/vote.html",
        {
            "rnd": rnd,
            "reports": reports,
            "errors": errors,
            "grades": ["好", "较好", "一般", "差"],
            "can_vote": services.can_vote(rnd, request.user),
            "page_title": "民主测评",
        },
    )


# ----------------------------------------------------------------------------------------- 民主评议党员


@policy.requires(Perm.VIEW_STAFF)
def grades(request: HttpRequest) -> HttpResponse:
    year = year_param(request)
    branches = (
        scope.visible_orgs(request.user)
        .filter(kind__in=["branch", "joint_branch", "temp_branch"], dissolved_on__isnull=True)
        .order_by("path")
    )
    org_id = request.GET.get("org") or (branches[0].pk if branches else None)
    if org_id is None:
        return render(
            request, "honors/grades.html", {"branches": branches, "year": year, "page_title": "民主评议党员"}
        )
    org = scope.get_org_for_user(request.user, org_id)
    members = list(Member.objects.current().filter(organization=org).order_by("name"))
    existing = {g.member_id: g for g in MemberGrade.objects.filter(year=year, member__in=members)}
    can_edit = scope.org_in_scope(request.user, org, write=True)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied("您不能登记该支部的评议结果")
        data = {m.id: request.POST.get(f"g{m.id}", "") for m in members}
        notes = {m.id: request.POST.get(f"n{m.id}", "")[:200] for m in members}
        if any(v and v not in AppraisalGrade.values for v in data.values()):
            messages.error(request, "评定等次只能是 优秀、合格、基本合格、不合格")
        else:
            n = services.set_grades(org, year, data, actor=request.user, notes=notes)
            messages.success(request, f"已保存 {n} 名党员的评议结果。")
            return redirect(f"{request.path}?org={org.pk}&year={year}")
    counts = {g: sum(1 for x in existing.values() if x.grade == g) for g in AppraisalGrade.values}
    rows = [{"m": m, "g": existing.get(m.id)} for m in members]
    return render(
        request,
        "honors/grades.html",
        {
            "branches": branches,
            "org": org,
            "year": year,
            "rows": rows,
            "choices": AppraisalGrade.values,
            "can_edit": can_edit,
            "counts": counts,
            "page_title": "民主评议党员",
        },
    )


# ----------------------------------------------------------------------------------------- 两优一先


@policy.requires(Perm.VIEW_STAFF)
def honor_rounds(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    form = HonorRoundForm(
        request.POST or None,
        initial={"year": today.year, "title": f"{today.year}年度“两优一先”评选表彰", "publicity_days": 5},
    )
    if request.method == "POST":
        _bureau(request)
        if form.is_valid():
            try:
                rnd = services.create_honor_round(form.cleaned_data, actor=request.user)
            except Refusal as exc:
                refusal_to_form(form, exc)
            else:
                messages.success(request, "评选已创建，各党组织可在推荐期内推荐。")
                return redirect("honors:round", pk=rnd.pk)
    return render(
        request,
        "honors/honor_rounds.html",
        {
            "rounds": HonorRound.objects.all(),
            "form": form,
            "is_bureau": scope.is_bureau_admin(request.user),
            "page_title": "两优一先",
        },
    )


@policy.requires(Perm.VIEW_STAFF)
def honor_round(request: HttpRequest, pk: int) -> HttpResponse:
    rnd = get_object_or_404(HonorRound, pk=pk)
    noms = scope.filter_by_org(rnd.nominations.select_related("member", "organization"), request.user)
    is_bureau = scope.is_bureau_admin(request.user)
    if request.method == "POST":
        _bureau(request)
        try:
            if request.POST.get("action") == "publicity":
                n = services.start_publicity(rnd, actor=request.user)
                messages.success(
                    request, f"已对 {n} 个审核通过的对象进行公示（{rnd.publicity_days} 个工作日）。"
                )
            elif request.POST.get("action") == "award":
                n = services.award(rnd, actor=request.user)
                messages.success(request, f"已表彰 {n} 个对象。")
        except Refusal as exc:
            messages.error(request, exc.message)
        return redirect("honors:round", pk=rnd.pk)
    window_open = rnd.opens_on <= timezone.localdate() <= rnd.closes_on
    return render(
        request,
        "honors/honor_round.html",
        {
            "rnd": rnd,
            "noms": noms,
            "is_bureau": is_bureau,
            "window_open": window_open,
            "page_title": rnd.title,
            "can_nominate": scope.can_write(request.user),
        },
    )


@policy.requires(Perm.NOMINATE_HONORS)
def nominate(request: HttpRequest, pk: int) -> HttpResponse:
    rnd = get_object_or_404(HonorRound, pk=pk)
    orgs = scope.editable_orgs(request.user).filter(dissolved_on__isnull=True).order_by("path")
    members = scope.filter_by_org(Member.objects.current(), request.user, write=True).select_related(
        "organization"
    )
    form = NominationForm(request.POST or None, orgs=orgs, members=members)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            n = services.nominate(
                rnd,
                category=d["category"],
                org=d["organization"],
                member=d["member"],
                deeds=d["deeds"],
                actor=request.user,
                bureau=scope.is_bureau_admin(request.user),
            )
        except Refusal as exc:
            refusal_to_form(form, exc)
        else:
            messages.success(request, "推荐已提交，等待局党建部门审核。")
            return redirect("honors:nomination", pk=n.pk)
    return render(request, "honors/nominate.html", {"rnd": rnd, "form": form, "page_title": "推荐"})


@policy.requires(Perm.VIEW_STAFF)
def nomination(request: HttpRequest, pk: int) -> HttpResponse:
    n = scope.get_object_for_user(
        request.user, Nomination.objects.select_related("round", "member", "organization"), pk=pk
    )
    is_bureau = scope.is_bureau_admin(request.user)
    can_resubmit = n.status == NominationStatus.RETURNED and scope.org_in_scope(
        request.user, n.organization, write=True
    )
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action in ("approve", "return"):
                _bureau(request)
                services.review(
                    n,
                    approve=action == "approve",
                    comment=request.POST.get("comment", ""),
                    actor=request.user,
                    expected_version=request.POST.get("version"),
                )
            elif action == "resubmit":
                if not can_resubmit:
                    raise PermissionDenied("不能重新提交")
                services.resubmit(
                    n,
                    deeds=request.POST.get("deeds", n.deeds),
                    actor=request.user,
                    expected_version=request.POST.get("version"),
                )
            elif action == "objection":
                _bureau(request)
                form = ObjectionForm(request.POST)
                if not form.is_valid():
                    raise Refusal("请填写收到日期和反映内容")
                services.record_objection(
                    n,
                    received_on=form.cleaned_data["received_on"],
                    content=form.cleaned_data["content"],
                    actor=request.user,
                )
            elif action in ("uphold", "dismiss"):
                _bureau(request)
                o = get_object_or_404(Objection, pk=request.POST.get("objection"), nomination=n)
                services.handle_objection(
                    o,
                    upheld=action == "uphold",
                    handling=request.POST.get("handling", ""),
                    actor=request.user,
                )
            messages.success(request, "已保存。")
        except Refusal as exc:
            messages.error(request, exc.message)
        return redirect("honors:nomination", pk=n.pk)
    return render(
        request,
        "honors/nomination.html",
        {
            "n": n,
            "is_bureau": is_bureau,
            "can_resubmit": can_resubmit,
            "objection_form": ObjectionForm(initial={"received_on": timezone.localdate()}),
            "page_title": "推荐对象",
        },
    )


@policy.requires(Perm.VIEW_BUSINESS)
def honors_list(request: HttpRequest) -> HttpResponse:
    qs = Honor.objects.select_related("member", "organization").order_by("-awarded_on")
    year = optional_year_param(request)
    if year is not None:
        qs = qs.filter(awarded_on__year=year)
    form = None
    if scope.is_bureau_admin(request.user):
        form = ExternalHonorForm(
            request.POST or None,
            orgs=Organization.objects.order_by("path"),
            members=Member.objects.current().select_related("organization"),
        )
        if request.method == "POST" and form.is_valid():
            d = form.cleaned_data
            try:
                services.add_external_honor(
                    title=d["title"],
                    category=d["category"],
                    level=d["level"],
                    awarded_on=d["awarded_on"],
                    awarded_by=d["awarded_by"],
                    member=d["member"],
                    org=d["organization"],
                    note=d["note"],
                    actor=request.user,
                )
            except Refusal as exc:
                refusal_to_form(form, exc)
            else:
                messages.success(request, "荣誉已登记。")
                return redirect("honors:list")
    elif request.method == "POST":
        raise PermissionDenied("只有局党建管理员可以登记荣誉")
    return render(
        request,
        "honors/honors_list.html",
        {"honors": qs[:500], "form": form, "year": "" if year is None else year, "page_title": "表彰荣誉"},
    )
