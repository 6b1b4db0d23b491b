"""Pages of 组织生活: the records (list, record, new, edit), review, 台账 import, kinds, attachments.

Views parse input and check access (dangjian.accounts.scope); every write goes through services.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from dangjian.accounts import scope
from dangjian.accounts.policy import Perm, requires
from dangjian.core import drafts
from dangjian.core import uploads as core_uploads
from dangjian.core.import_views import ImportSpec, wizard_view
from dangjian.core.params import choice_param, int_param, page_param
from dangjian.members.models import Member
from dangjian.orgs.models import Organization, PartyGroup

from . import checkin, meetings, privacy, review, rules, services, uploads
from .forms import (
    ABSENCE_REASONS,
    ActivityForm,
    KindForm,
    ListFilterForm,
    ReviewForm,
    VoidForm,
    absences_from,
    date_from,
)
from .importer import COLUMNS, RULES, ActivityImporter
from .models import (
    Activity,
    ActivityKind,
    ActivityStatus,
    Attachment,
    Attendance,
    BureauMeeting,
    ChangeRequest,
    ChangeState,
    KindAudience,
)

PAGE_SIZE = 30
readers = requires(Perm.VIEW_BUSINESS, "您的角色不能查看组织生活记录")
writers = requires(Perm.CHANGE_BUSINESS, "只有党组织管理员可以登记和修改组织生活记录")
reviewers = requires(Perm.REVIEW_ACTIVITIES, "只有上级党组织管理员或局党建管理员可以审核")
bureau_only = requires(Perm.MANAGE_BUREAU, "只有局党建管理员可以维护活动类型")


def _next_url(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default


def _writable_orgs(user: Any) -> QuerySet[Organization]:
    return scope.editable_orgs(user).filter(dissolved_on__isnull=True).order_by("path")


def _record(request: HttpRequest, pk: int, *, write: bool = False) -> Activity:
    qs = Activity.objects.select_related("organization", "party_group", "talk_a", "talk_b")
    return scope.get_object_for_user(request.user, qs, write=write, pk=pk)


# --- list ---------------------------------------------------------------------------------------------------
@readers
@require_GET
def activity_list(request: HttpRequest) -> HttpResponse:
    orgs = scope.visible_orgs(request.user).order_by("path")
    form = ListFilterForm(request.GET or None, orgs=orgs)
    qs = scope.filter_by_org(Activity.objects.all(), request.user)
    status = ""
    if form.is_valid():
        cd = form.cleaned_data
        if cd["org"]:
            qs = qs.filter(organization__path__startswith=cd["org"].path)
        if cd["kind"]:
            qs = qs.filter(kinds=cd["kind"])
        if cd["start"]:
            qs = qs.filter(date__gte=cd["start"])
        if cd["end"]:
            qs = qs.filter(date__lte=cd["end"])
        if cd["q"]:
            qs = qs.filter(topic__icontains=cd["q"]).filter(privacy.readable_talks_q(request.user))
        status = cd["status"] or ""
    if status == "voided":
        qs = qs.filter(is_deleted=True)
    else:
        qs = qs.filter(is_deleted=False)
        if status == "no_quorum":
            qs = qs.filter(quorum_met=False)
        elif status:
            qs = qs.filter(status=status)
    qs = (
        qs.select_related("organization")
        .prefetch_related(Prefetch("kinds", queryset=ActivityKind.objects.order_by("sort", "id")))
        .order_by("-date", "-id")
    )
    page = Paginator(qs, PAGE_SIZE).get_page(page_param(request))
    hidden = privacy.hidden_talk_ids(request.user, page.object_list)
    for a in page.object_list:
        a.topic_hidden = a.pk in hidden
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "activities/list.html",
        {
            "page_title": "组织生活记录",
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "can_write": scope.can_write(request.user),
        },
    )


# --- one record ---------------------------------------------------------------------------------------------
@readers
@require_GET
def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _record(request, pk)
    if not privacy.talk_content_visible(request.user, activity):
        return render(
            request,
            "activities/talk_private.html",
            {"page_title": "谈心谈话", "a": activity, "kinds": activity.kinds.order_by("sort", "id")},
        )
    attendance = list(
        Attendance.objects.filter(activity=activity)
        .select_related("member")
        .order_by("present", "member__initials", "member__name")
    )
    actor = services.review_actor(request.user, activity)
    actions = set(review.allowed_actions(activity.status, activity.is_deleted, actor))
    change = services.pending_change(activity)
    if review.Action.APPROVE in actions:
        mark_seen(request, activity)  # opened: its content has been shown to this reviewer
    opened = activity.checkin_opened_at is not None
    # QR 签到 (engagement): offered to whoever may edit the record, on its day while it takes check-ins
    checkin_offer = (
        actor.can_write
        and not checkin.state_refusal(activity)
        and (activity.date == timezone.localdate() or not checkin.window_refusal(activity, timezone.now()))
    )
    return render(
        request,
        "activities/detail.html",
        {
            "page_title": activity.topic,
            "a": activity,
            "kinds": activity.kinds.order_by("sort", "id"),
            "present": [x for x in attendance if x.present],
            "absent": [x for x in attendance if not x.present and (x.absence_reason or not opened)],
            "waiting": [x for x in attendance if opened and x.not_checked_in],
            "checked_in": sum(1 for x in attendance if x.checked_in_at),
            "checkin_offer": checkin_offer,
            "checkin_window": rules.window_text(activity.date, activity.start_time, activity.end_time),
            "attachments": activity.attachments.filter(is_deleted=False).order_by("id"),
            "meeting": BureauMeeting.objects.filter(activity=activity).first(),
            "steps": activity.review_steps.select_related("actor").order_by("at", "id"),
            "can_edit": bool(
                actions & {review.Action.EDIT, review.Action.EDIT_LOCKED, review.Action.REQUEST_CHANGE}
            )
            and change is None,
            "can_submit": review.Action.SUBMIT in actions,
            "can_withdraw": review.Action.WITHDRAW in actions,
            "can_review": review.Action.APPROVE in actions,
            "can_void": bool(actions & {review.Action.VOID, review.Action.VOID_LOCKED}),
            "void_by_request": review.Action.REQUEST_CHANGE in actions and change is None,
            "change": change,
            "can_decide": change is not None and actor.can_review,
            "void_form": VoidForm(),
        },
    )


def _kinds_queryset(extra_ids: set[int] = frozenset()) -> QuerySet[ActivityKind]:  # type: ignore[assignment]
    return ActivityKind.objects.filter(Q(is_active=True) | Q(pk__in=extra_ids)).order_by("sort", "id")


def _roster_context(
    org: Organization | None,
    day: date,
    kinds: list[ActivityKind],
    *,
    party_group: PartyGroup | None,
    talk_a: Member | None,
    talk_b: Member | None,
    absences: dict[int, tuple[str, str]],
    errors: dict[str, list[str]] | None = None,
) -> dict[str, Any]:
    if org is None:
        return {"roster_rows": [], "roster_note": "请先选择党组织", "roster_ids": ""}
    everyone = services.members_on(org, day, subtree=not org.is_branch)
    if not kinds:
        kinds = []
    roster = services.roster_for(
        org, day, kinds, party_group=party_group, talk_a=talk_a, talk_b=talk_b, everyone=everyone
    )
    audiences = {k.audience for k in kinds}
    rows = [
        {
            "m": m,
            "absent": m.pk in absences,
            "reason": absences.get(m.pk, ("", ""))[0],
            "note": absences.get(m.pk, ("", ""))[1],
            "voting": rules.has_vote(m.full_date, day),
        }
        for m in roster.members
    ]
    return {
        "roster_rows": rows,
        "roster_ids": ",".join(str(i) for i in roster.ids),
        "roster_note": roster.note,
        "roster_audience": roster.audience,
        "roster_day": day,
        "roster_org": org,
        "needs_group": KindAudience.GROUP in audiences,
        "needs_talk": KindAudience.TALK in audiences,
        "needs_quorum": any(k.needs_quorum for k in kinds),
        "groups": list(org.party_groups.filter(is_active=True).order_by("name")),
        "talk_choices": everyone,
        "sel_group": party_group.pk if party_group else None,
        "sel_talk_a": talk_a.pk if talk_a else None,
        "sel_talk_b": talk_b.pk if talk_b else None,
        "reasons": ABSENCE_REASONS,
        "field_errors": errors or {},
        "voting_total": sum(1 for r in rows if r["voting"]),
    }


def _pick(model: Any, value: Any, qs: QuerySet | None = None) -> Any:
    try:
        return (qs if qs is not None else model.objects).get(pk=int(value))
    except (TypeError, ValueError, model.DoesNotExist):
        return None


_NONE: dict[str, Any] = {"party_group": None, "talk_a": None, "talk_b": None, "absences": {}}


@writers
@require_GET
def roster_partial(request: HttpRequest) -> HttpResponse:
    """The attendance list for the chosen organisation, date and kinds (refreshed as the form changes)."""
    if not request.GET.get("organization"):
        return render(
            request, "activities/_roster.html", _roster_context(None, timezone.localdate(), [], **_NONE)
        )
    org = _pick(Organization, request.GET.get("organization"))
    if org is None or not scope.org_in_scope(request.user, org, write=True):
        raise Http404("未找到该党组织")
    day = date_from(request.GET.get("date"), timezone.localdate())
    keys = request.GET.getlist("kinds")
    kinds = list(ActivityKind.objects.filter(key__in=keys).order_by("sort", "id"))
    talkers = scope.filter_by_org(Member.objects.all(), request.user, write=True)
    ctx = _roster_context(
        org,
        day,
        kinds,
        party_group=_pick(PartyGroup, request.GET.get("party_group"), org.party_groups.all()),
        # Only members the user may write for: an id from another branch names nobody (issue 14 item 10).
        talk_a=_pick(Member, request.GET.get("talk_a"), talkers),
        talk_b=_pick(Member, request.GET.get("talk_b"), talkers),
        absences=absences_from(request.GET),
    )
    return render(request, "activities/_roster.html", ctx)


def _initial_from_query(request: HttpRequest, orgs: QuerySet[Organization]) -> dict[str, Any]:
    """`/activities/new/?org=<id>&kinds=<key>[,<key>]` (the compliance page's 本月待办 links here)."""
    initial: dict[str, Any] = {"date": timezone.localdate()}
    org_param = request.GET.get("org")
    if org_param:
        org = _pick(Organization, org_param)
        if org is None or not scope.org_in_scope(request.user, org):
            raise Http404("未找到该党组织")
        if not scope.org_in_scope(request.user, org, write=True):
            raise PermissionDenied("您没有为该党组织登记活动的权限")
        initial["organization"] = org
    elif len(orgs[:2]) == 1:
        initial["organization"] = orgs.first()
    keys = [k for k in (request.GET.get("kinds") or "").split(",") if k]
    if keys:
        initial["kinds"] = list(
            ActivityKind.objects.filter(key__in=keys, is_active=True).values_list("key", flat=True)
        )
    return initial


def _apply_errors(form: ActivityForm, exc: services.ActivityInvalid) -> None:
    for name, msgs in exc.errors.items():
        for msg in msgs:
            form.add_error(name if name in form.fields else None, msg)


def _form_state(form: ActivityForm, request: HttpRequest) -> dict[str, Any]:
    """Best-effort values for the attendance list while the form is not (yet) valid."""
    data = form.data if form.is_bound else None
    cd = getattr(form, "cleaned_data", {}) or {}
    if data is None:
        org = form.initial.get("organization")
        day = form.initial.get("date") or timezone.localdate()
        keys = form.initial.get("kinds") or []
        group = form.initial.get("party_group")
        talk_a, talk_b = form.initial.get("talk_a"), form.initial.get("talk_b")
    else:
        org = cd.get("organization") or _pick(
            Organization, data.get("organization"), form.fields["organization"].queryset
        )
        day = cd.get("date") or date_from(data.get("date"), timezone.localdate())
        keys = data.getlist("kinds")
        group = cd.get("party_group")
        talk_a, talk_b = cd.get("talk_a"), cd.get("talk_b")
    kinds = [k for k in form.kind_list if k.key in set(keys)]
    return {"org": org, "day": day, "kinds": kinds, "group": group, "talk_a": talk_a, "talk_b": talk_b}


def _render_form(
    request: HttpRequest,
    form: ActivityForm,
    absences: dict[int, tuple[str, str]],
    *,
    activity: Activity | None = None,
    status: int = 200,
) -> HttpResponse:
    s = _form_state(form, request)
    ctx = _roster_context(
        s["org"],
        s["day"],
        s["kinds"],
        party_group=s["group"],
        talk_a=s["talk_a"],
        talk_b=s["talk_b"],
        absences=absences,
        errors={k: v for k, v in form.errors.items()},
    )
    ctx.update(
        {
            "form": form,
            "a": activity,
            "page_title": "修改组织生活记录" if activity else "登记组织生活",
            "attachments": activity.attachments.filter(is_deleted=False).order_by("id") if activity else [],
            "single_org": form.fields["organization"].queryset.count() == 1,
            "locked": activity is not None and activity.is_locked,
            "today": timezone.localdate(),
            "upload_policy": core_uploads.POLICIES[uploads.POLICY],
            "max_attachments": uploads.MAX_FILES_PER_RECORD,
        }
    )
    return render(request, "activities/form.html", ctx, status=status)


def _details(cd: dict[str, Any]) -> dict[str, Any]:
    return {
        "place": cd.get("place") or "",
        "host": cd.get("host") or "",
        "speaker": cd.get("speaker") or "",
        "site": cd.get("site") or "",
        "party_group": cd.get("party_group"),
        "talk_a": cd.get("talk_a"),
        "talk_b": cd.get("talk_b"),
        "minutes": cd.get("minutes") or "",
        "resolutions": cd.get("resolutions") or "",
        "hours": cd.get("hours"),
        "start_time": cd.get("start_time"),
        "end_time": cd.get("end_time"),
    }


def meeting_initial(activity: Activity) -> dict[str, str]:
    detail = BureauMeeting.objects.filter(activity=activity).first()
    return {f: getattr(detail, f) for f in meetings.DETAIL_FIELDS} if detail is not None else {}


def _roster_changed(form: ActivityForm, roster: services.Roster) -> bool:
    shown = form.roster_ids()
    return shown is not None and set(shown) != set(roster.ids)


ROSTER_CHANGED = "日期、党组织或活动类型改变后，应到名单已随之更新；请核对下方出勤名单后再保存。"


@writers
def activity_new(request: HttpRequest) -> HttpResponse:
    orgs = _writable_orgs(request.user)
    kinds = _kinds_queryset()
    if request.method != "POST":
        form = ActivityForm(initial=_initial_from_query(request, orgs), orgs=orgs, kinds=kinds)
        return _render_form(request, form, {})
    form = ActivityForm(request.POST, orgs=orgs, kinds=kinds)
    absences = absences_from(request.POST)
    if form.is_valid():
        cd = form.cleaned_data
        roster = services.roster_for(
            cd["organization"],
            cd["date"],
            list(cd["kinds"]),
            party_group=cd.get("party_group"),
            talk_a=cd.get("talk_a"),
            talk_b=cd.get("talk_b"),
        )
        if _roster_changed(form, roster):
            form.add_error(None, ROSTER_CHANGED)
        else:
            try:
                activity = services.record_activity(
                    organization=cd["organization"],
                    kinds=list(cd["kinds"]),
                    date=cd["date"],
                    topic=cd["topic"],
                    actor=request.user,
                    absences=absences,
                    attachments=request.FILES.getlist("attachments"),
                    roster=roster,
                    submit=request.POST.get("then") == "submit",
                    **_details(cd),
                )
            except services.ActivityInvalid as exc:
                _apply_errors(form, exc)
            else:
                meetings.save_details(activity, cd, actor=request.user)
                drafts.saved(request, "activity-new")  # the phone's copy of the form can go (js/drafts.js)
                done = "已保存并提交上级审核" if activity.status == ActivityStatus.SUBMITTED else "已保存"
                messages.success(request, f"{done}：{activity.date:%Y-%m-%d} {activity.topic}")
                return redirect("activities:detail", pk=activity.pk)
    return _render_form(request, form, absences, status=400)


REQUESTED = "已提交修改申请，须经上级党组织同意后生效；在此之前记录保持原样并继续计入达标。"


@writers
def activity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _record(request, pk, write=True)
    if activity.is_deleted:
        messages.error(request, "该记录已作废，不能修改。")
        return redirect("activities:detail", pk=activity.pk)
    current = list(activity.kinds.all())
    orgs = _writable_orgs(request.user) | Organization.objects.filter(pk=activity.organization_id)
    kinds = _kinds_queryset({k.pk for k in current})
    if request.method != "POST":
        absences = {
            a.member_id: (a.absence_reason, a.note) for a in activity.attendance.filter(present=False)
        }
        initial = {
            "organization": activity.organization,
            "kinds": [k.key for k in current],
            "date": activity.date,
            "version": activity.version,
            **{
                f: getattr(activity, f)
                for f in (
                    "topic",
                    "host",
                    "place",
                    "speaker",
                    "site",
                    "party_group",
                    "talk_a",
                    "talk_b",
                    "start_time",
                    "end_time",
                )
            },
            **{f: getattr(activity, f) for f in ("hours", "minutes", "resolutions")},
            **meeting_initial(activity),
        }
        form = ActivityForm(initial=initial, orgs=orgs.distinct(), kinds=kinds)
        return _render_form(request, form, absences, activity=activity)
    form = ActivityForm(request.POST, orgs=orgs.distinct(), kinds=kinds)
    absences = absences_from(request.POST)
    if form.is_valid():
        cd = form.cleaned_data
        roster = services.roster_for(
            cd["organization"],
            cd["date"],
            list(cd["kinds"]),
            party_group=cd.get("party_group"),
            talk_a=cd.get("talk_a"),
            talk_b=cd.get("talk_b"),
        )
        if _roster_changed(form, roster):
            form.add_error(None, ROSTER_CHANGED)
        else:
            by_request = activity.status == ActivityStatus.APPROVED and not services.may_review_org(
                request.user, activity.organization
            )
            # 保存并提交审核 on a draft or returned record: the edit and the submission in one transaction
            then_submit = (
                not by_request
                and request.POST.get("then") == "submit"
                and activity.status in (ActivityStatus.DRAFT, ActivityStatus.RETURNED)
            )
            try:
                with transaction.atomic():
                    _save_edit(request, activity, cd, by_request, absences, roster)
                    if then_submit:
                        activity.refresh_from_db()
                        services.submit(activity, actor=request.user)
            except services.ActivityInvalid as exc:
                _apply_errors(form, exc)
            except services.ConcurrencyError as exc:
                form.add_error(None, exc.message)
            except review.ReviewError as exc:
                raise PermissionDenied(exc.message)
            else:
                drafts.saved(request, f"activity-{activity.pk}")
                if by_request:
                    messages.success(request, REQUESTED)
                else:
                    messages.success(request, "已保存修改并提交上级审核。" if then_submit else "已保存修改。")
                return redirect("activities:detail", pk=activity.pk)
    return _render_form(request, form, absences, activity=activity, status=400)


def _save_edit(
    request: HttpRequest, activity: Activity, cd: dict[str, Any], by_request: bool, absences: Any, roster: Any
) -> None:
    (services.request_edit if by_request else services.update_activity)(
        activity,
        **({} if by_request else {"version": cd.get("version") or 0}),
        actor=request.user,
        organization=cd["organization"],
        kinds=list(cd["kinds"]),
        date=cd["date"],
        topic=cd["topic"],
        reason=cd.get("reason") or "",
        absences=absences,
        attachments=request.FILES.getlist("attachments"),
        remove_attachments=[int(x) for x in request.POST.getlist("remove_attachments") if x.isdigit()],
        roster=roster,
        **_details(cd),
    )
    if not by_request:  # the 党组's own meetings are entered by reviewers, so their details never wait
        meetings.save_details(activity, cd, actor=request.user)


# --- review -------------------------------------------------------------------------------------------------
def _act(request: HttpRequest, activity: Activity, fn: Callable[[], Any], done: str) -> HttpResponse:
    try:
        fn()
    except review.ReviewError as exc:
        if exc.forbidden:
            raise PermissionDenied(exc.message)
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect(_next_url(request, reverse("activities:detail", args=[activity.pk])))


@writers
@require_POST
def activity_submit(request: HttpRequest, pk: int) -> HttpResponse:
    a = _record(request, pk, write=True)
    return _act(request, a, lambda: services.submit(a, actor=request.user), "已提交上级党组织审核。")


@writers
@require_POST
def activity_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    a = _record(request, pk, write=True)
    return _act(request, a, lambda: services.withdraw(a, actor=request.user), "已撤回，可修改后重新提交。")


@writers
@require_POST
def activity_void(request: HttpRequest, pk: int) -> HttpResponse:
    a = _record(request, pk, write=True)
    form = VoidForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    if a.status == ActivityStatus.APPROVED and not services.may_review_org(request.user, a.organization):
        try:
            services.request_void(a, actor=request.user, reason=reason)
        except services.ActivityInvalid as exc:
            messages.error(request, exc.message)
        except review.ReviewError as exc:
            raise PermissionDenied(exc.message)
        else:
            messages.success(request, "已提交作废申请，须经上级党组织同意后生效；在此之前记录继续计入达标。")
        return redirect("activities:detail", pk=a.pk)
    return _act(
        request, a, lambda: services.void_activity(a, actor=request.user, reason=reason), "已作废该记录。"
    )


@reviewers
@require_POST
def change_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """A reviewer approves or rejects a request to void / edit an approved record."""
    change = get_object_or_404(ChangeRequest.objects.select_related("activity"), pk=pk)
    a = _record(request, change.activity_id)  # 404 outside the reviewer's scope
    approve = request.POST.get("decision") == "approve"
    comment = (request.POST.get("comment") or "").strip()[:300]
    try:
        services.decide_change(change, actor=request.user, approve=approve, comment=comment)
    except review.ReviewError as exc:
        if exc.forbidden:
            raise PermissionDenied(exc.message)
        messages.error(request, exc.message)
    except (services.ActivityInvalid, services.ConcurrencyError) as exc:
        messages.error(request, "申请未能执行：" + exc.message)
    else:
        messages.success(request, "已批准该申请，并已执行。" if approve else "已驳回该申请，记录保持不变。")
    return redirect(_next_url(request, reverse("activities:detail", args=[a.pk])))


@reviewers
@require_POST
def activity_review(request: HttpRequest, pk: int) -> HttpResponse:
    a = _record(request, pk)
    if not services.may_review_org(request.user, a.organization):
        raise PermissionDenied("只有上级党组织的管理员或局党建管理员可以审核该记录")
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择“审核通过”或“退回”。")
        return redirect(_next_url(request, reverse("activities:detail", args=[a.pk])))
    comment = form.cleaned_data["comment"]
    version = form.cleaned_data.get("version")
    if form.cleaned_data["decision"] == "approve":
        if a.pk not in seen_versions(request):  # approved only once its content was shown (issue 18)
            messages.error(request, services.NOT_SEEN)
            return redirect(reverse("activities:detail", args=[a.pk]))
        return _act(
            request,
            a,
            lambda: services.approve(a, actor=request.user, comment=comment, version=version),
            "已审核通过。",
        )
    return _act(
        request,
        a,
        lambda: services.return_for_correction(a, actor=request.user, comment=comment, version=version),
        "已退回，并附退回意见。",
    )


QUEUE_ORDERS = {"oldest": ("submitted_at", "id"), "newest": ("-submitted_at", "-id")}
QUEUE_AGES = (("", "不限"), ("3", "3 天以上"), ("7", "7 天以上"), ("14", "14 天以上"), ("30", "30 天以上"))
SEEN_KEY = "activities.review_seen"  # {record pk: version shown to this reviewer}, in the reviewer's session
SEEN_KEEP = 500


def mark_seen(request: HttpRequest, a: Activity) -> None:
    """Remember that this reviewer was shown the record's content at its current version (issue 18): only then
    may it be approved from the queue, alone or with others."""
    seen = dict(request.session.get(SEEN_KEY) or {})
    seen.pop(str(a.pk), None)
    seen[str(a.pk)] = a.version
    request.session[SEEN_KEY] = dict(list(seen.items())[-SEEN_KEEP:])


def seen_versions(request: HttpRequest) -> dict[int, int]:
    return {int(k): int(v) for k, v in (request.session.get(SEEN_KEY) or {}).items()}


def _queue_orgs(user: Any) -> QuerySet[Organization]:
    pending = services.reviewable(
        Activity.objects.filter(status=ActivityStatus.SUBMITTED, is_deleted=False), user
    ).values("organization")
    return Organization.objects.filter(pk__in=pending).order_by("path")


@reviewers
@require_GET
def review_queue(request: HttpRequest) -> HttpResponse:
    orgs = _queue_orgs(request.user)
    org_id = int_param(request, "org", None, min=1)
    kinds = ActivityKind.objects.order_by("sort", "id")
    kind = choice_param(request, "kind", [k.key for k in kinds])
    age = choice_param(request, "age", [v for v, _ in QUEUE_AGES if v])
    order = choice_param(request, "order", QUEUE_ORDERS, "oldest")
    qs = services.reviewable(
        Activity.objects.filter(status=ActivityStatus.SUBMITTED, is_deleted=False), request.user
    )
    if org_id is not None:
        # the organisation and those below it, within the reviewer's scope (404 outside it)
        org = scope.get_org_for_user(request.user, org_id)
        qs = qs.filter(organization__path__startswith=org.path)
    if kind:
        qs = qs.filter(kinds__key=kind)
    now = timezone.now()
    if age:
        qs = qs.filter(submitted_at__lte=now - timedelta(days=int(age)))
    qs = (
        qs.select_related("organization")
        .prefetch_related(Prefetch("kinds", queryset=ActivityKind.objects.order_by("sort", "id")))
        .order_by(*QUEUE_ORDERS[order])
        .distinct()
    )
    page = Paginator(qs, PAGE_SIZE).get_page(page_param(request))
    seen = seen_versions(request)
    for a in page.object_list:
        a.age_days = (now - a.submitted_at).days if a.submitted_at else None
        a.seen = seen.get(a.pk) == a.version
    changes = list(
        ChangeRequest.objects.filter(
            state=ChangeState.PENDING,
            activity__in=services.reviewable(Activity.objects.filter(is_deleted=False), request.user),
        )
        .select_related("activity__organization", "requested_by")
        .order_by("requested_at", "id")[:200]
    )
    for c in changes:
        c.age_days = (now - c.requested_at).days
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "activities/queue.html",
        {
            "page_title": "审核组织生活记录",
            "page": page,
            "changes": changes,
            "next": request.get_full_path(),
            "orgs": orgs,
            "kinds": kinds,
            "ages": QUEUE_AGES,
            "f": {"org": org_id, "kind": kind, "age": age, "order": order},
            "query": query.urlencode(),
        },
    )


@reviewers
@require_GET
def review_expand(request: HttpRequest, pk: int) -> HttpResponse:
    """The record's content, expanded in place in the queue (htmx); showing it marks it seen for this reviewer."""
    a = _record(request, pk)
    if not services.may_review_org(request.user, a.organization):
        raise PermissionDenied("只有上级党组织的管理员或局党建管理员可以审核该记录")
    attendance = Attendance.objects.filter(activity=a).select_related("member").order_by("member__name")
    if a.status == ActivityStatus.SUBMITTED:
        mark_seen(request, a)
    return render(
        request,
        "activities/_review_expand.html",
        {
            "a": a,
            "kinds": a.kinds.order_by("sort", "id"),
            "absent": [x for x in attendance if not x.present],
            "attachments": a.attachments.filter(is_deleted=False).order_by("id"),
            "selectable": a.status == ActivityStatus.SUBMITTED,
        },
    )


@reviewers
@require_POST
def review_bulk(request: HttpRequest) -> HttpResponse:
    """Approve the selected records, each shown to this reviewer first; refusals are reported per record."""
    pks = [int(v) for v in request.POST.getlist("pk") if v.isascii() and v.isdigit()][:200]
    back = _next_url(request, reverse("activities:queue"))
    if not pks:
        messages.error(request, "请先展开记录核对内容，再勾选要通过的记录。")
        return redirect(back)
    comment = (request.POST.get("comment") or "").strip()[:300]
    result = services.bulk_approve(pks, actor=request.user, seen=seen_versions(request), comment=comment)
    if result.approved:
        messages.success(request, f"已审核通过 {len(result.approved)} 条记录。")
    for _pk, label, message in result.refused:
        messages.error(request, f"{label}：未通过——{message}")
    return redirect(back)


# --- attachments --------------------------------------------------------------------------------------------
@readers
@require_GET
def attachment_file(request: HttpRequest, pk: int) -> HttpResponse:
    att = get_object_or_404(Attachment.objects.select_related("activity"), pk=pk, is_deleted=False)
    activity = _record(request, att.activity_id)  # 404 outside the reader's scope
    if not privacy.talk_content_visible(request.user, activity):
        raise Http404("附件不存在")
    try:
        handle = default_storage.open(att.file.name, "rb")
    except (FileNotFoundError, OSError):
        raise Http404("附件文件不存在")
    # Only images and PDFs are ever stored (checked by content), so they may open in the browser.
    response = FileResponse(
        handle, content_type=att.content_type, filename=att.original_name, as_attachment=False
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- kinds (bureau) -----------------------------------------------------------------------------------------
@bureau_only
def kind_list(request: HttpRequest) -> HttpResponse:
    form = KindForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            values = dict(form.cleaned_data)
            key = values.pop("key", "") or ""
            kind = services.create_kind(actor=request.user, key=key, **values)
        except services.ActivityInvalid as exc:
            for name, msgs in exc.errors.items():
                for msg in msgs:
                    form.add_error(name if name in form.fields else None, msg)
        else:
            messages.success(request, f"已新增活动类型“{kind.name}”。")
            return redirect("activities:kinds")
    kinds = ActivityKind.objects.annotate(used=Count("activities", filter=Q(activities__is_deleted=False)))
    return render(
        request,
        "activities/kinds.html",
        {"page_title": "活动类型", "kinds": kinds.order_by("sort", "id"), "form": form},
        status=400 if request.method == "POST" else 200,
    )


@bureau_only
def kind_edit(request: HttpRequest, pk: int) -> HttpResponse:
    kind = get_object_or_404(ActivityKind, pk=pk)
    form = KindForm(request.POST or None, instance=kind)
    if request.method == "POST" and form.is_valid():
        values = {f: form.cleaned_data[f] for f in form.cleaned_data}
        try:
            services.update_kind(ActivityKind.objects.get(pk=kind.pk), actor=request.user, **values)
        except services.ActivityInvalid as exc:
            for name, msgs in exc.errors.items():
                for msg in msgs:
                    form.add_error(name if name in form.fields else None, msg)
        else:
            messages.success(request, "已保存活动类型。")
            return redirect("activities:kinds")
    return render(
        request,
        "activities/kind_form.html",
        {"page_title": f"修改活动类型：{kind.name}", "kind": kind, "form": form},
        status=400 if request.method == "POST" else 200,
    )


# --- 台账 import ----------------------------------------------------------------------------------------------
def _import_spec(request: HttpRequest) -> ImportSpec:
    return ImportSpec(
        key="activities",
        title="导入组织生活台账",
        columns=COLUMNS,
        make_importer=lambda req: ActivityImporter(
            actor=req.user, allowed_org_ids=set(scope.editable_orgs(req.user).values_list("pk", flat=True))
        ),
        template_name="组织生活台账导入模板.xlsx",
        back_url=reverse("activities:list"),
        rules=RULES,
    )


activity_import = writers(wizard_view(_import_spec))


# --- home panel ---------------------------------------------------------------------------------------------
def home_panel(request: HttpRequest) -> dict[str, Any] | None:
    """For admins: records waiting for their review, and their own records sent back for correction."""
    user = request.user
    live = Activity.objects.filter(is_deleted=False)
    pending = services.reviewable(live.filter(status=ActivityStatus.SUBMITTED), user).count()
    # requests to void / edit an approved record wait for the same reviewer (issue 13)
    pending += ChangeRequest.objects.filter(
        state=ChangeState.PENDING, activity__in=services.reviewable(live, user)
    ).count()
    returned = scope.filter_by_org(live.filter(status=ActivityStatus.RETURNED), user, write=True).count()
    return {"pending": pending, "returned": returned, "by_org": services.pending_by_org(user)}
