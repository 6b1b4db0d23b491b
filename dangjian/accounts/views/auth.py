"""Sign-in, the TOTP second step, sign-out, password change and the user's own TOTP device."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import NON_FIELD_ERRORS
from django.forms.utils import ErrorDict
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import default_key

from dangjian.core import audit
from dangjian.core.actions import Refusal
from dangjian.core.models import AuditAction

from .. import lockout, otp, policy, services
from ..forms import LoginForm, PasswordChangeForm, TokenForm, lockout_minutes
from ..middleware import SESSION_LAST_SEEN, SESSION_OTP_REQUIRED, password_expired
from ..models import User
from ..signals import FAILURE_NOTE_ATTR, LOGIN_NOTE_ATTR, LOGOUT_NOTE_ATTR, logged_username
from ..typing import AuthenticatedHttpRequest

SESSION_PENDING = "_pending_otp"  # a user who passed the password step and owes a TOTP code
SESSION_SETUP_KEY = "_otp_setup_key"  # the secret shown on the setup page until it is confirmed
PENDING_SECONDS = 300


def complete_login(request: HttpRequest, user: User, *, backend: str, device: Any = None, note: str) -> None:
    setattr(request, LOGIN_NOTE_ATTR, note)
    auth_login(request, user, backend=backend)
    if device is not None:
        otp_login(request, device)
    request.session[SESSION_OTP_REQUIRED] = policy.otp_required(user)
    request.session[SESSION_LAST_SEEN] = time.time()
    if user.is_superuser:
        messages.warning(
            request,
            "您使用的是超级用户账号：它仅供安装和维护使用，没有业务数据权限，本次登录已记入审计日志。",
        )


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        username = str(request.POST.get("username") or "")[:150]
        wait = lockout.wait_for(username)
        if wait:
            # Too many recent failures of this username (from any address): refused before the password is
            # checked, so nothing is counted and the real holder is never locked out by someone else.
            audit.record(
                AuditAction.LOGIN_FAILED,
                actor_name=logged_username(username),
                model="accounts.user",
                object_repr=logged_username(username),
                ip=lockout.client_ip(request),
                note=f"登录失败：该用户名近期失败次数较多，须等待 {wait} 秒后再试，本次未核对密码",
            )
            # An unbound form: binding it would run authenticate() and count a failure after all.
            form = self.get_form_class()(request, initial={"username": username})
            form._errors = ErrorDict(  # type: ignore[attr-defined]  # set before is_valid(): stays unbound
                {
                    NON_FIELD_ERRORS: form.error_class(
                        [f"该账号近期登录失败次数较多，为防止猜测密码，请 {wait} 秒后再试。"]
                    )
                }
            )
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        user = form.get_user()
        backend: str = user.backend  # type: ignore[attr-defined]  # set by authenticate()
        if services.confirmed_device(user) is not None:
            self.request.session[SESSION_PENDING] = {
                "uid": user.pk,
                "backend": backend,
                "at": time.time(),
                "next": self.get_success_url(),
            }
            return redirect("accounts:login_otp")
        complete_login(self.request, user, backend=backend, note="用户名和密码")
        return HttpResponseRedirect(self.get_success_url())

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["timeout"] = self.request.GET.get("timeout") == "1"
        ctx["idle_minutes"] = settings.SESSION_IDLE_TIMEOUT // 60
        ctx["page_title"] = "登录"
        return ctx


def _locked_response(request: HttpRequest, credentials: dict[str, str]) -> HttpResponse:
    # AxesMiddleware replaces the response of a request flagged this way with the lockout page.
    request.axes_locked_out = True  # type: ignore[attr-defined]  # read by AxesMiddleware
    request.axes_credentials = credentials  # type: ignore[attr-defined]
    return HttpResponse(status=429)


def login_otp(request: HttpRequest) -> HttpResponse:
    """The second step: the code of the user's authenticator. Wrong codes count towards the lockout."""
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    pending = request.session.get(SESSION_PENDING)
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        request.session.pop(SESSION_PENDING, None)
        if pending:
            messages.warning(request, "输入动态口令超时，请重新登录。")
        return redirect("accounts:login")
    user = User.objects.filter(pk=pending["uid"], is_active=True).first()
    device = services.confirmed_device(user) if user is not None else None
    if device is None:
        request.session.pop(SESSION_PENDING, None)
        return redirect("accounts:login")
    credentials = {"username": user.username}
    if AxesProxyHandler.is_locked(request, credentials):
        request.session.pop(SESSION_PENDING, None)
        return _locked_response(request, credentials)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed, _ = device.verify_is_allowed()
        if not allowed:
            form.add_error("token", "动态口令尝试过于频繁，请稍等几秒后再输入。")
        elif device.verify_token(form.cleaned_data["token"]):
            request.session.pop(SESSION_PENDING, None)
            complete_login(
                request, user, backend=pending["backend"], device=device, note="用户名和密码 + 动态口令"
            )
            return redirect(pending["next"] or settings.LOGIN_REDIRECT_URL)
        else:
            setattr(request, FAILURE_NOTE_ATTR, "动态口令不正确")
            user_login_failed.send(sender=__name__, credentials=credentials, request=request)
            if getattr(request, "axes_locked_out", False):
                request.session.pop(SESSION_PENDING, None)
                return _locked_response(request, credentials)
            remaining = settings.AXES_FAILURE_LIMIT - (getattr(request, "axes_failures_since_start", 0) or 0)
            form.add_error(
                "token",
                f"动态口令不正确。再失败 {remaining} 次，本地址登录该账号将被锁定 {lockout_minutes()} 分钟。",
            )
    return render(
        request,
        "accounts/login_otp.html",
        {"form": form, "pending_user": user, "page_title": "动态口令验证"},
    )


@login_required
@require_POST
def large_text(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The 大字 switch in the user menu: on or off for this person, kept with their account."""
    on = request.POST.get("on") == "1"
    services.set_large_text(request.user, on, actor=request.user)
    messages.success(request, "已开启大字模式。" if on else "已关闭大字模式。")
    target = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = reverse("site:home")
    return redirect(target)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        setattr(request, LOGOUT_NOTE_ATTR, "用户退出")
        logout(request)
        messages.info(request, "您已安全退出。")
    return redirect("accounts:login")


def _password_reason(user: User) -> str:
    if user.must_change_password:
        if user.last_login is None or user.password_history.count() == 0:
            return "首次登录，请先修改初始密码。"
        return "您的密码已由管理员重置，请先设置新密码。"
    if password_expired(user):
        return f"您的密码已使用超过 {settings.PASSWORD_EXPIRY_DAYS} 天，请修改后继续使用。"
    return ""


@login_required
def password_change(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    form = PasswordChangeForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_password(user, form.cleaned_data["new_password1"], actor=user)
        except Refusal as exc:
            form.add_error("new_password1", exc.message)
        else:
            update_session_auth_hash(request, user)
            messages.success(request, "密码已修改。")
            return redirect(settings.LOGIN_REDIRECT_URL)
    expires = (
        user.password_changed_at + timedelta(days=settings.PASSWORD_EXPIRY_DAYS)
        if user.password_changed_at
        else None
    )
    return render(
        request,
        "accounts/password_change.html",
        {
            "form": form,
            "page_title": "修改密码",
            "reason": _password_reason(user),
            "expires_on": expires,
            "expiry_days": settings.PASSWORD_EXPIRY_DAYS,
        },
    )


@login_required
def otp_setup(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The user's own authenticator: bind one (QR code + a code to confirm), or see that one is bound."""
    user = request.user
    required = bool(request.session.get(SESSION_OTP_REQUIRED)) or policy.otp_required(user)
    device = services.confirmed_device(user)
    ctx: dict[str, Any] = {"page_title": "双因素认证", "required": required, "device": device}
    if device is not None:
        ctx["remove_form"] = TokenForm()
        return render(request, "accounts/otp_setup.html", ctx)
    key = request.session.get(SESSION_SETUP_KEY) or default_key()
    request.session[SESSION_SETUP_KEY] = key
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.confirm_totp(user, key, form.cleaned_data["token"], actor=user)
        except Refusal as exc:
            form.add_error("token", exc.message)
        else:
            request.session.pop(SESSION_SETUP_KEY, None)
            otp_login(request, device)
            messages.success(request, "已绑定动态口令。今后登录时，输入密码后还须输入验证器中的动态口令。")
            return redirect(settings.LOGIN_REDIRECT_URL)
    ctx.update(
        form=form,
        qr=otp.qr_data_uri(otp.config_url(user, key)),
        manual_key=otp.manual_key(key),
        issuer=settings.OTP_TOTP_ISSUER,
    )
    return render(request, "accounts/otp_setup.html", ctx)


@login_required
@require_POST
def otp_remove(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    device = services.confirmed_device(user)
    if device is None:
        messages.info(request, "您尚未绑定动态口令。")
        return redirect("accounts:otp_setup")
    if policy.otp_required(user):
        messages.error(
            request,
            "系统管理员已要求您的角色必须启用双因素认证，不能解除绑定。更换手机请联系系统管理员重置。",
        )
        return redirect("accounts:otp_setup")
    form = TokenForm(request.POST)
    if not form.is_valid() or not device.verify_token(form.cleaned_data["token"]):
        messages.error(request, "动态口令不正确，未解除绑定。")
        return redirect("accounts:otp_setup")
    services.remove_totp(user, actor=user, note="本人解除动态口令绑定")
    request.session.pop("otp_device_id", None)
    messages.success(request, "已解除动态口令绑定。")
    return redirect("accounts:otp_setup")


def lockout_response(
    request: HttpRequest, original_response: Any = None, credentials: Any = None
) -> HttpResponse:
    """The page django-axes shows for a locked account (AXES_LOCKOUT_CALLABLE); status 429."""
    from axes.helpers import get_failure_limit

    from ..lockout import typed_username

    ctx = {
        # What the person typed, not the stored form (a digest for unknown names would tell them so).
        "username": typed_username(request, credentials),
        "failure_limit": get_failure_limit(request, credentials),
        "minutes": lockout_minutes(),
        "page_title": "账号已锁定",
    }
    return render(request, "accounts/locked.html", ctx, status=429)
