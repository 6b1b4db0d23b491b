"""The security settings page (system administrator)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render

from dangjian.core import actions
from dangjian.core.actions import Refusal

from .. import policy, services
from ..forms import SecurityConfigForm, lockout_minutes
from ..models import SecurityConfig
from ..passwords import MIN_LENGTH
from ..policy import Perm
from ..typing import AuthenticatedHttpRequest


@policy.requires(Perm.CONFIGURE_SECURITY)
def security_config(request: AuthenticatedHttpRequest) -> HttpResponse:
    config = SecurityConfig.current()
    form = SecurityConfigForm(
        request.POST or None,
        initial={"require_otp_for_admins": config.require_otp_for_admins, "version": config.version},
    )
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.update_security_config(
                require_otp_for_admins=form.cleaned_data["require_otp_for_admins"],
                actor=request.user,
                version=form.cleaned_data["version"],
            )
        except Refusal as exc:
            actions.refusal_to_form(form, exc)
        else:
            messages.success(
                request, "安全设置已保存，将在相关用户下次登录时生效。" if changed else "安全设置没有变化。"
            )
            return redirect("accounts:security")
    policies = [
        (
            "密码长度与复杂度",
            f"至少 {MIN_LENGTH} 位，包含大写字母、小写字母、数字、特殊字符中的至少三类，不能包含用户名",
        ),
        ("密码有效期", f"{settings.PASSWORD_EXPIRY_DAYS} 天，到期后登录须先修改"),
        ("历史密码", f"不能与最近 {settings.PASSWORD_HISTORY} 次使用的密码相同"),
        ("首次登录", "新开通或被重置密码的账号，登录后须先修改密码"),
        (
            "登录失败处理",
            f"连续失败 {settings.AXES_FAILURE_LIMIT} 次锁定 {lockout_minutes()} 分钟（可由账号管理员提前解除）",
        ),
        ("会话空闲超时", f"{settings.SESSION_IDLE_TIMEOUT // 60} 分钟无操作自动退出"),
        ("审计", "登录、登录失败、退出、账号与权限变更均记入审计日志，日志以哈希链防篡改"),
    ]
    return render(
        request,
        "accounts/security.html",
        {"page_title": "安全设置", "form": form, "config": config, "policies": policies},
    )
