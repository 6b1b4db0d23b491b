"""Pages of QR 签到: the secretary's screen (the QR code and the live attendance list) and the scan.

The screen and its fragments are the record's writers' (scope.get_object_for_user with write: 404 outside the
scope); the scan is any signed-in member's, checked in services.scan. Views parse and check; writes go through
services (engagement) and activities.checkin.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from dangjian.accounts import scope
from dangjian.accounts.policy import Perm, requires
from dangjian.activities import checkin, rules
from dangjian.activities.models import Activity, Attendance
from dangjian.core.actions import Refusal
from dangjian.core.qr import svg_data_uri

from . import services, tokens

writers = requires(Perm.CHANGE_BUSINESS, "只有党组织管理员可以组织扫码签到")

# A scan made while signed out, kept in the session across the login (password, TOTP): the token is judged at
# the moment of the scan, if the login ends within LOGIN_GRACE seconds of it.
SESSION_SCAN = "engagement.scan"
LOGIN_GRACE = 600


def _record(request: HttpRequest, pk: int) -> Activity:
    qs = Activity.objects.select_related("organization")
    return scope.get_object_for_user(request.user, qs, write=True, pk=pk)


def _scan_url(request: HttpRequest, token: tokens.Token) -> str:
    return request.build_absolute_uri(
        reverse("engagement:scan", args=[token.activity_id, token.step, token.sig])
    )


def _list_context(a: Activity) -> dict[str, Any]:
    rows = list(
        Attendance.objects.filter(activity=a)
        .select_related("member")
        .order_by("member__initials", "member__name", "member_id")
    )
    checked = sorted((r for r in rows if r.checked_in_at), key=lambda r: (r.checked_in_at, r.pk))
    return {
        "checked": checked,
        "waiting": [r for r in rows if r.not_checked_in],
        "present_by_hand": [r for r in rows if r.present and not r.checked_in_at],
        "absent": [r for r in rows if not r.present and r.absence_reason],
    }


def _qr_context(request: HttpRequest, a: Activity) -> dict[str, Any]:
    now = time.time()
    refusal = checkin.checkin_refusal(a, datetime.fromtimestamp(now, tz=UTC))
    ctx: dict[str, Any] = {"a": a, "refusal": refusal}
    if not refusal and a.checkin_opened_at is not None:
        token = tokens.issue(a.pk, now)
        url = _scan_url(request, token)
        ctx.update(token=token, scan_url=url, qr=svg_data_uri(url), seconds_left=tokens.seconds_left(now))
    return ctx


@writers
@require_GET
def checkin_screen(request: HttpRequest, pk: int) -> HttpResponse:
    """The screen the secretary shows at the meeting: start QR 签到, then the changing code and the list."""
    a = _record(request, pk)
    ctx = _qr_context(request, a)
    ctx.update(_list_context(a))
    ctx.update(
        page_title="扫码签到",
        window=rules.window_text(a.date, a.start_time, a.end_time),
        opened=a.checkin_opened_at is not None,
        live=a.checkin_opened_at is not None and not ctx["refusal"],
    )
    return render(request, "engagement/checkin_screen.html", ctx)


@writers
@require_POST
def checkin_open(request: HttpRequest, pk: int) -> HttpResponse:
    a = _record(request, pk)
    try:
        checkin.open_checkin(a, actor=request.user)
    except Refusal as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已开始扫码签到：请将本页二维码展示给参会党员。")
    return redirect("engagement:checkin_screen", pk=a.pk)


@writers
@require_GET
def checkin_qr(request: HttpRequest, pk: int) -> HttpResponse:
    """The current code (htmx refreshes it every few seconds; it changes every 30 s)."""
    a = _record(request, pk)
    return render(request, "engagement/_checkin_qr.html", _qr_context(request, a))


@writers
@require_GET
def checkin_list(request: HttpRequest, pk: int) -> HttpResponse:
    """Who has checked in, refreshed live on the secretary's screen."""
    a = _record(request, pk)
    refusal = checkin.checkin_refusal(a)
    ctx = {"a": a, "live": a.checkin_opened_at is not None and not refusal, **_list_context(a)}
    return render(request, "engagement/_checkin_list.html", ctx)


def _scan_time(request: HttpRequest, key: list[Any]) -> datetime:
    """When this scan happened: now, or when the same code was scanned before the login it waited for."""
    now = time.time()
    kept = request.session.pop(SESSION_SCAN, None)
    if isinstance(kept, dict) and kept.get("key") == key:
        at = float(kept.get("at") or 0)
        if 0 <= now - at <= LOGIN_GRACE:
            return datetime.fromtimestamp(at, tz=UTC)
    return datetime.fromtimestamp(now, tz=UTC)


@require_GET
def scan(request: HttpRequest, pk: int, step: int, sig: str) -> HttpResponse:
    """The address the QR code carries. Signed out: the scan is remembered and the member signs in (the login
    brings them back here, TOTP step included). Signed in: checked in at once, or told why not."""
    key = [pk, step, sig]
    if not request.user.is_authenticated:
        request.session[SESSION_SCAN] = {"key": key, "at": time.time()}
        return redirect_to_login(request.get_full_path())
    at = _scan_time(request, key)
    try:
        activity = Activity.objects.select_related("organization").get(pk=pk)
    except Activity.DoesNotExist:
        raise Http404("未找到该活动")
    token = tokens.Token(pk, step, sig)
    ctx: dict[str, Any] = {"page_title": "扫码签到"}
    try:
        result = services.scan(request.user, activity, token, scanned_at=at)
    except PermissionDenied:
        raise
    except Refusal as exc:
        ctx["refusal"] = exc.message
        status = 403 if exc.code in ("no_member", "not_on_roll") else 400
        return render(request, "engagement/scan_result.html", ctx, status=status)
    ctx.update(
        a=result.activity,
        already=result.already,
        at=timezone.localtime(result.attendance.checked_in_at or at),
        member=result.attendance.member,
    )
    return render(request, "engagement/scan_result.html", ctx)
