"""Pages of committees, terms and 换届: record or correct the current term and its seats, an approved delay,
the renewal steps in order (the 选举大会 starts the new term), and the 换届 overview."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from dangjian.accounts.scope import visible_orgs
from dangjian.core.actions import Refusal, refusal_to_form
from dangjian.members.models import Member

from . import services
from .access import admin_or_reader_view, org_for_write, writer_view
from .forms import (
    DelayForm,
    ElectionForm,
    MemberChoices,
    StepForm,
    TermForm,
    initial_posts,
    post_formset,
    posts_from,
)
from .models import RENEWAL_ORDER, CommitteeKind, Organization, OrgKind, RenewalStepKind
from .services import reminders
from .terms import COMMITTEE_THRESHOLD, STATUS_TAG, TermStatus

BLANK_POST_ROWS = 3
MIN_POST_ROWS = 7


def member_choices(org: Organization) -> MemberChoices:
    """Seats are filled from the current members of the organisation's subtree (a 党委's committee comes
    from its branches). One query."""
    rows = (
        Member.objects.current()
        .filter(organization__path__startswith=org.path)
        .order_by("organization__path", "name", "id")
        .values_list("pk", "name", "id_number", "organization__name")
    )
    return MemberChoices(list(rows))


def _default_committee_kind(org: Organization) -> str:
    if not org.is_branch:
        return CommitteeKind.COMMITTEE
    formal = Member.objects.current().filter(organization=org, full_date__isnull=False).count()
    return CommitteeKind.COMMITTEE if formal >= COMMITTEE_THRESHOLD else CommitteeKind.SECRETARY_ONLY


def _blank_rows(existing: int) -> int:
    return max(BLANK_POST_ROWS, MIN_POST_ROWS - existing)


def _posts_error(formset, exc: services.Refusal) -> bool:
    if exc.field == "posts":
        formset.posts_error = exc.message  # shown above the seats table
        return True
    return False


def _not_elected(request: HttpRequest, org: Organization) -> HttpResponse:
    return render(
        request,
        "orgs/not_elected.html",
        {"page_title": f"任期：{org.name}", "org": org},
    )


# --- 换届提醒: 提醒 (站内通知) and 发函 (提醒函 .docx) by the superior organisation ----------------------------
def _remindable(request: HttpRequest, pk: int) -> Organization:
    org = org_for_write(request.user, pk)
    if not reminders.may_remind(request.user, org):
        raise PermissionDenied("只有上级党组织可以提醒本组织换届")
    return org


@require_POST
@writer_view
def renewal_remind(request: HttpRequest, pk: int) -> HttpResponse:
    org = _remindable(request, pk)
    try:
        reminders.remind_renewal(org, request.user)
    except Refusal as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已向{org.name}的管理员发送换届提醒（同一天重复提醒不再重复通知）。")
    return redirect(reverse("orgs:terms") + "#org-" + str(org.pk))


@writer_view
def renewal_letter(request: HttpRequest, pk: int) -> HttpResponse:
    org = _remindable(request, pk)
    try:
        data = reminders.renewal_letter(org, request.user)
    except Refusal as exc:
        messages.error(request, exc.message)
        return redirect("orgs:terms")
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    name = quote(f"关于做好党组织换届工作的提醒函（{org.name}）.docx")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{name}"
    return response


# --- record / correct the current term ---------------------------------------------------------------------
@writer_view
def term_edit(request: HttpRequest, pk: int) -> HttpResponse:
    org = org_for_write(request.user, pk)
    if not org.has_elected_term:
        return _not_elected(request, org)
    term = services.current_term(org)
    members = member_choices(org)
    posts = list(term.posts.all()) if term else []
    if term:
        initial: dict[str, Any] = {
            "number": term.number,
            "elected_on": term.elected_on,
            "years": term.years,
            "committee_kind": term.committee.kind,
            "note": term.note,
            "version": term.version,
        }
    else:
        initial = {
            "number": 1,
            "years": org.default_term_years,
            "committee_kind": _default_committee_kind(org),
        }
    form = TermForm(request.POST or None, initial=initial)
    formset = post_formset(
        request.POST or None,
        members,
        initial_posts(posts, members),
        allow_end=True,
        blank_rows=_blank_rows(len(posts)),
    )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        d = form.cleaned_data
        try:
            services.save_current_term(
                org,
                number=d["number"],
                elected_on=d["elected_on"],
                years=d["years"],
                committee_kind=d["committee_kind"],
                posts=posts_from(formset),
                note=d["note"],
                expected_version=d["version"],
                actor=request.user,
            )
        except services.Refusal as exc:
            if not _posts_error(formset, exc):
                refusal_to_form(form, exc)
        else:
            messages.success(request, "本届任期及委员会组成已保存。")
            return redirect("orgs:detail", pk=org.pk)
    return render(
        request,
        "orgs/term_form.html",
        {
            "page_title": f"{'更正' if term else '录入'}本届任期：{org.name}",
            "org": org,
            "term": term,
            "form": form,
            "formset": formset,
            "allow_end": True,
        },
    )


@writer_view
def term_delay(request: HttpRequest, pk: int) -> HttpResponse:
    org = org_for_write(request.user, pk)
    if not org.has_elected_term:
        return _not_elected(request, org)
    term = services.current_term(org)
    form = DelayForm(
        request.POST or None,
        initial={
            "version": term.version if term else None,
            "extended_to": term.extended_to if term else None,
            "reason": term.extension_reason if term else "",
        },
    )
    if request.method == "POST" and term is not None and form.is_valid():
        d = form.cleaned_data
        try:
            services.grant_delay(
                term,
                extended_to=d["extended_to"],
                reason=d["reason"],
                expected_version=d["version"],
                actor=request.user,
            )
        except services.Refusal as exc:
            refusal_to_form(form, exc)
        else:
            messages.success(request, f"已登记延期换届，届满日期延至 {d['extended_to']:%Y-%m-%d}。")
            return redirect("orgs:detail", pk=org.pk)
    return render(
        request,
        "orgs/delay.html",
        {"page_title": f"延期换届：{org.name}", "org": org, "term": term, "form": form},
    )


# --- 换届 steps ------------------------------------------------------------------------------------------------
def _step_rows(term) -> tuple[list[dict[str, Any]], str | None]:
    done = {s.kind: s for s in term.renewal_steps.select_related("new_term")} if term else {}
    nxt = services.step_after(RENEWAL_ORDER, done) if term else None
    rows = []
    passed_next = False
    for k in RENEWAL_ORDER:
        passed_next = passed_next or k == nxt
        rows.append(
            {
                "kind": k,
                "label": RenewalStepKind(k).label,
                "step": done.get(k),
                "is_next": k == nxt,
                "skipped": k not in done and not passed_next,
            }
        )
    return rows, nxt


@writer_view
def renewal(request: HttpRequest, pk: int) -> HttpResponse:
    org = org_for_write(request.user, pk)
    if not org.has_elected_term:
        return _not_elected(request, org)
    term = services.renewal_term(org)
    rows, nxt = _step_rows(term)
    today = timezone.localdate()
    form = StepForm(request.POST or None, initial={"kind": nxt, "done_on": today})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if d["kind"] == RenewalStepKind.ELECTION:
            return redirect("orgs:renewal_election", pk=org.pk)
        try:
            step = services.record_step(
                org, d["kind"], d["done_on"], doc_number=d["doc_number"], note=d["note"], actor=request.user
            )
        except services.Refusal as exc:
            refusal_to_form(form, exc)
        else:
            messages.success(request, f"已登记“{step.get_kind_display()}”。")
            return redirect("orgs:renewal", pk=org.pk)
    current = services.current_term(org)
    return render(
        request,
        "orgs/renewal.html",
        {
            "page_title": f"换届：{org.name}",
            "org": org,
            "term": term,
            "current": current,
            "wrapping_up": term is not None and current is not None and term.pk != current.pk,
            "rows": rows,
            "next_kind": nxt,
            "next_label": RenewalStepKind(nxt).label if nxt else "",
            "is_election_next": nxt == RenewalStepKind.ELECTION,
            "form": form,
        },
    )


@writer_view
def renewal_election(request: HttpRequest, pk: int) -> HttpResponse:
    org = org_for_write(request.user, pk)
    if not org.has_elected_term:
        return _not_elected(request, org)
    term = services.renewal_term(org)
    _, nxt = _step_rows(term)
    members = member_choices(org)
    initial = {
        "elected_on": timezone.localdate(),
        "number": (term.number + 1) if term else 1,
        "years": org.default_term_years,
        "committee_kind": _default_committee_kind(org),
    }
    form = ElectionForm(request.POST or None, initial=initial)
    formset = post_formset(request.POST or None, members, [], allow_end=False, blank_rows=MIN_POST_ROWS)
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        d = form.cleaned_data
        try:
            services.record_step(
                org,
                RenewalStepKind.ELECTION,
                d["elected_on"],
                doc_number=d["doc_number"],
                note=d["note"],
                actor=request.user,
                election={
                    "years": d["years"],
                    "number": d["number"],
                    "committee_kind": d["committee_kind"],
                    "posts": posts_from(formset),
                },
            )
        except services.Refusal as exc:
            if not _posts_error(formset, exc):
                refusal_to_form(form, exc)
        else:
            messages.success(
                request, f"已登记选举大会，第{d['number']}届委员会自 {d['elected_on']:%Y-%m-%d} 起任职。"
            )
            return redirect("orgs:renewal", pk=org.pk)
    return render(
        request,
        "orgs/election.html",
        {
            "page_title": f"登记选举大会：{org.name}",
            "org": org,
            "term": term,
            "ready": nxt == RenewalStepKind.ELECTION,
            "next_label": RenewalStepKind(nxt).label if nxt else "",
            "form": form,
            "formset": formset,
            "allow_end": False,
        },
    )


# --- the 换届 overview ---------------------------------------------------------------------------------------
@admin_or_reader_view
def overview(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    rows = services.term_overview(visible_orgs(request.user), today)
    counts = {s: 0 for s in TermStatus}
    for r in rows:
        counts[r.status] += 1
    status = request.GET.get("status", "")
    kind = request.GET.get("kind", "")
    shown = [r for r in rows if (not status or r.status == status) and (not kind or r.org.kind == kind)]
    for r in shown:
        r.can_remind = r.status in reminders.DUE and reminders.may_remind(request.user, r.org)
    return render(
        request,
        "orgs/overview.html",
        {
            "page_title": "换届管理",
            "today": today,
            "rows": shown,
            "total": len(rows),
            "stats": [{"status": s, "n": counts[s], "tag": STATUS_TAG[s]} for s in TermStatus],
            "status": status,
            "kind": kind,
            "kinds": OrgKind.choices,
            "step_labels": [RenewalStepKind(k).label for k in RENEWAL_ORDER],
            "order": RENEWAL_ORDER,
        },
    )
