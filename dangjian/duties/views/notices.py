"""月度重点工作通知 and other notices: drafting and issuing (the bureau), 签收 and 反馈 (the organisations),
the tracking table, and the templates behind "生成本月通知"."""

from __future__ import annotations

from collections import Counter

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from dangjian.accounts import scope
from dangjian.core.actions import Refusal, refusal_to_form
from dangjian.core.params import optional_year_param
from dangjian.core.xlsx import Sheet

from .. import services
from ..access import (
    bureau_required,
    business_required,
    get_notice,
    get_target,
    notices_for,
    reads_all,
    writer_required,
)
from ..forms import FeedbackForm, NoticeForm, TemplateForm, WithdrawForm
from ..models import FeedbackFile, Notice, NoticeKind, NoticeStatus, NoticeTarget, NoticeTemplate, TargetMode
from ..tracking import STATUS_TAGS, TargetStatus, ack_due_on, acknowledged_on_time, fed_back_on_time
from .common import paginate, safe_next, version_param, xlsx_download


def _status_counts(notices: list[Notice], today) -> None:
    """Attach per-status counts of each notice's deliveries (one query for the page)."""
    counts: dict[int, Counter] = {n.pk: Counter() for n in notices}
    targets = NoticeTarget.objects.filter(notice__in=notices).select_related("notice")
    for t in targets:
        counts[t.notice_id][t.status_on(today)] += 1
    for n in notices:
        c = counts[n.pk]
        n.counts = [(s, c[s], STATUS_TAGS[s]) for s in TargetStatus]
        n.total = sum(c.values())


@business_required
def notice_index(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    user = request.user
    if reads_all(user):
        qs = notices_for(user).select_related("issuer")
        year = optional_year_param(request)
        if year is not None:
            qs = qs.filter(year=year)
        page = paginate(request, qs.order_by("-year", F("month").desc(nulls_last=True), "-id"))
        notices = list(page)
        _status_counts(notices, today)
        return render(
            request,
            "duties/notice_index.html",
            {
                "page_title": "重点工作通知",
                "page": page,
                "notices": notices,
                "year": "" if year is None else str(year),
                "is_bureau": scope.is_bureau_admin(user),
                "today": today,
            },
        )
    targets = (
        scope.filter_by_org(NoticeTarget.objects.all(), user)
        .exclude(notice__status=NoticeStatus.DRAFT)
        .select_related("notice", "organization")
        .order_by("-notice__issued_at", "organization__path")
    )
    page = paginate(request, targets)
    rows = [(t, t.status_on(today)) for t in page]
    return render(
        request,
        "duties/notice_inbox.html",
        {
            "page_title": "重点工作通知",
            "page": page,
            "rows": rows,
            "tags": STATUS_TAGS,
            "can_write": scope.can_write(user),
            "today": today,
        },
    )


def _notice_form(request: HttpRequest, notice: Notice | None) -> HttpResponse:
    if notice is not None and notice.status != NoticeStatus.DRAFT:
        messages.error(request, "通知已下发，不能再修改；如内容有误，请撤销后重新拟稿。")
        return redirect("duties:notice_detail", pk=notice.pk)
    form = NoticeForm(request.POST or None, request.FILES or None, instance=notice)
    if notice is None and request.method != "POST":
        today = timezone.localdate()
        form.initial.update({"kind": NoticeKind.GENERAL, "year": today.year, "target_mode": TargetMode.ALL})
    if request.method == "POST" and form.is_valid():
        issuer = notice.issuer if notice else services.bureau_org()
        data = {k: v for k, v in form.data_for_service().items()}
        data["issuer"] = issuer
        try:
            row = services.save_notice(
                notice,
                data,
                request.user,
                chosen=form.cleaned_data["chosen_orgs"],
                files=form.cleaned_data["files"],
                version=form.cleaned_data["version"],
            )
        except Refusal as exc:
            refusal_to_form(form, exc)
        else:
            messages.success(request, "通知草稿已保存。核对无误后请点击“下发”。")
            return redirect("duties:notice_detail", pk=row.pk)
    title = "拟写通知" if notice is None else f"修改通知：{notice.title}"
    back = reverse("duties:notice_detail", args=[notice.pk]) if notice else reverse("duties:notice_index")
    return render(
        request,
        "duties/notice_form.html",
        {"page_title": title, "form": form, "back_url": back, "notice": notice},
    )


@bureau_required
def notice_create(request: HttpRequest) -> HttpResponse:
    return _notice_form(request, None)


@bureau_required
def notice_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _notice_form(request, get_notice(request.user, pk))


@require_POST
@bureau_required
def notice_generate(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    try:
        year = int(request.POST.get("year") or today.year)
        month = int(request.POST.get("month") or today.month)
        if not 1 <= month <= 12:
            raise ValueError
    except ValueError:
        messages.error(request, "年份或月份无效。")
        return redirect("duties:notice_index")
    try:
        notice, created = services.generate_monthly(year, month, request.user)
    except Refusal as exc:
        messages.error(request, exc.message)
        return redirect("duties:notice_index")
    if created:
        messages.success(request, f"已按模板生成{year}年{month}月通知草稿，请修改后下发。")
        return redirect("duties:notice_edit", pk=notice.pk)
    messages.info(
        request, f"{year}年{month}月的月度通知已存在（{notice.get_status_display()}），未重复生成。"
    )
    return redirect("duties:notice_detail", pk=notice.pk)


def counts_unsigned(rows: list) -> int:
    return sum(1 for r in rows if r[0].acknowledged_at is None)


@business_required
def notice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    notice = get_notice(request.user, pk)
    today = timezone.localdate()
    targets = (
        scope.filter_by_org(notice.targets.all(), request.user)
        .select_related("organization", "acknowledged_by", "fed_back_by")
        .order_by("organization__path")
    )
    issued_on = notice.issued_on
    rows = []
    for t in targets:
        t.notice = notice
        status = t.status_on(today)
        late_ack = (
            issued_on is not None
            and t.acknowledged_on is not None
            and not acknowledged_on_time(issued_on, notice.deadline, t.acknowledged_on, notice.ack_days)
        )
        late_fb = t.fed_back_on is not None and not fed_back_on_time(notice.deadline, t.fed_back_on)
        rows.append((t, status, late_ack, late_fb))
    if request.GET.get("export") == "xlsx":
        data = [
            [
                t.organization.name,
                s.value,
                t.acknowledged_at and timezone.localtime(t.acknowledged_at).strftime("%Y-%m-%d %H:%M"),
                "是" if late else "",
                t.fed_back_at and timezone.localtime(t.fed_back_at).strftime("%Y-%m-%d %H:%M"),
                t.feedback_text,
            ]
            for t, s, late, _lf in rows
        ]
        sheet = Sheet(
            "签收反馈情况",
            ["党组织", "状态", "签收时间", "签收逾期", "反馈时间", "反馈内容"],
            data,
            widths=[30, 10, 18, 10, 18, 60],
        )
        return xlsx_download(
            request, [sheet], f"{notice.title}-签收反馈情况.xlsx", f"通知“{notice.title}”签收反馈情况"
        )
    counts = Counter(r[1] for r in rows)
    editable = set(
        scope.editable_orgs(request.user)
        .filter(pk__in=[r[0].organization_id for r in rows])
        .values_list("pk", flat=True)
    )
    return render(
        request,
        "duties/notice_detail.html",
        {
            "page_title": notice.title,
            "notice": notice,
            "rows": rows,
            "tags": STATUS_TAGS,
            "counts": [(s, counts[s], STATUS_TAGS[s]) for s in TargetStatus],
            "editable": editable,
            "attachments": notice.attachments.filter(is_deleted=False),
            "is_bureau": scope.is_bureau_admin(request.user),
            "ack_due": ack_due_on(issued_on, notice.deadline, notice.ack_days) if issued_on else None,
            "withdraw_form": WithdrawForm(),
            "unsigned": counts_unsigned(rows),
            "own_org_id": getattr(request.user, "organization_id", None),
            "today": today,
        },
    )


@require_POST
@bureau_required
def notice_issue(request: HttpRequest, pk: int) -> HttpResponse:
    notice = get_notice(request.user, pk)
    try:
        n = services.issue_notice(notice, request.user, version=version_param(request))
    except Refusal as exc:
        messages.error(request, "未下发：" + exc.message)
    else:
        messages.success(request, f"通知已下发至 {n} 个党组织。")
    return redirect("duties:notice_detail", pk=notice.pk)


@require_POST
@bureau_required
def notice_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    notice = get_notice(request.user, pk)
    try:
        services.withdraw_notice(notice, request.user, reason=request.POST.get("reason", ""))
    except Refusal as exc:
        messages.error(request, "未撤销：" + exc.message)
    else:
        messages.success(request, "通知已撤销；各党组织不再需要签收和反馈。")
    return redirect("duties:notice_detail", pk=notice.pk)


@require_POST
@bureau_required
def notice_urge(request: HttpRequest, pk: int) -> HttpResponse:
    notice = get_notice(request.user, pk)
    try:
        n = services.urge(notice, request.user)
    except Refusal as exc:
        messages.error(request, "未催办：" + exc.message)
    else:
        if n:
            messages.success(request, f"已向 {n} 个未签收的党组织发出催办（同一天重复催办不重复提醒）。")
        else:
            messages.info(request, "各党组织均已签收，无需催办。")
    return redirect("duties:notice_detail", pk=notice.pk)


@require_POST
@writer_required
def notice_ack(request: HttpRequest, pk: int) -> HttpResponse:
    target = get_target(request.user, pk, write=True)
    try:
        done = services.acknowledge(target, request.user, proxy_note=request.POST.get("proxy_note", ""))
    except Refusal as exc:
        messages.error(request, exc.message)
    else:
        if done:
            messages.success(request, f"已签收：{target.notice.title}")
        else:
            messages.info(request, "该通知此前已签收。")
    return redirect(safe_next(request, reverse("duties:notice_detail", args=[target.notice_id])))


@business_required
def notice_feedback(request: HttpRequest, pk: int) -> HttpResponse:
    target = get_target(request.user, pk)
    can_write = scope.org_in_scope(request.user, target.organization, write=True)
    if request.method == "POST" and not can_write:
        raise PermissionDenied("您没有为该党组织反馈的权限")
    form = None
    if can_write and target.notice.status == NoticeStatus.ISSUED and target.notice.requires_feedback:
        form = FeedbackForm(
            request.POST or None,
            request.FILES or None,
            initial={"feedback_text": target.feedback_text, "version": target.version},
        )
        if request.method == "POST" and form.is_valid():
            try:
                services.feedback(
                    target,
                    form.cleaned_data["feedback_text"],
                    request.user,
                    files=form.cleaned_data["files"],
                    version=form.cleaned_data["version"],
                    proxy_note=form.cleaned_data["proxy_note"],
                )
            except Refusal as exc:
                refusal_to_form(form, exc)
            else:
                messages.success(request, "反馈已提交。")
                return redirect("duties:notice_detail", pk=target.notice_id)
    elif request.method == "POST":
        messages.error(request, "该通知已撤销或无需反馈。")
        return redirect("duties:notice_detail", pk=target.notice_id)
    return render(
        request,
        "duties/notice_feedback.html",
        {
            "page_title": f"反馈：{target.notice.title}",
            "target": target,
            "form": form,
            "is_proxy": services.is_proxy(target, request.user),
            "status": target.status_on(timezone.localdate()),
            "tags": STATUS_TAGS,
            "files": FeedbackFile.objects.filter(target=target, is_deleted=False),
        },
    )


# --- templates -----------------------------------------------------------------------------------------------
@bureau_required
def template_index(request: HttpRequest) -> HttpResponse:
    templates = NoticeTemplate.objects.order_by("-is_default", "id")
    today = timezone.localdate()
    previews = [(t, services.render_template(t, today.year, today.month)) for t in templates]
    return render(request, "duties/template_index.html", {"page_title": "通知模板", "previews": previews})


def _template_form(request: HttpRequest, template: NoticeTemplate | None) -> HttpResponse:
    form = TemplateForm(request.POST or None, instance=template)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_template(
                template, form.data_for_service(), request.user, version=form.cleaned_data["version"]
            )
        except Refusal as exc:
            refusal_to_form(form, exc)
        else:
            messages.success(request, "模板已保存。")
            return redirect("duties:template_index")
    title = "新建通知模板" if template is None else f"修改模板：{template.name}"
    return render(
        request, "duties/form.html", {"page_title": title, "form": form, "back": "duties:template_index"}
    )


@bureau_required
def template_create(request: HttpRequest) -> HttpResponse:
    return _template_form(request, None)


@bureau_required
def template_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _template_form(request, get_object_or_404(NoticeTemplate, pk=pk))
