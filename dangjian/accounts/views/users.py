"""Account management (三员分立: who may do what is decided in accounts.policy)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from dangjian.accounts.typing import AuthenticatedHttpRequest
from dangjian.core.actions import Refusal
from dangjian.core.params import page_param

from .. import policy, services
from ..forms import UserCreateForm, UserFilterForm, UserProfileForm, UserScopeForm
from ..models import User
from ..policy import Perm
from ..roles import Role

PAGE_SIZE = 30


add_form_errors = services.put_on_form


def locked_usernames(usernames: list[str] | QuerySet[Any, Any] | None = None) -> set[str]:
    """Usernames django-axes currently refuses (AXES_FAILURE_LIMIT failures within the cool-off time)."""
    since = timezone.now() - timedelta(hours=float(settings.AXES_COOLOFF_TIME))
    qs = AccessAttempt.objects.filter(
        attempt_time__gte=since, failures_since_start__gte=settings.AXES_FAILURE_LIMIT
    )
    if usernames is not None:
        qs = qs.filter(username__in=usernames)
    return set(qs.values_list("username", flat=True))


def _with_flags(qs: QuerySet[User]) -> QuerySet[User]:
    otp = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
    return qs.select_related("organization", "member", "suspended_organization").annotate(has_otp=Exists(otp))


def _filter(qs: QuerySet[User], form: UserFilterForm) -> QuerySet[User]:
    if not form.is_valid():
        return qs
    data = form.cleaned_data
    if data["q"]:
        qs = qs.filter(Q(username__icontains=data["q"]) | Q(display_name__icontains=data["q"]))
    if data["role"]:
        qs = qs.filter(role=data["role"])
    status = data["status"]
    if status == "active":
        qs = qs.filter(is_active=True)
    elif status == "inactive":
        qs = qs.filter(is_active=False)
    elif status == "must_change":
        qs = qs.filter(must_change_password=True, is_active=True)
    elif status == "awaits_role":
        qs = qs.filter(role=Role.NONE)
    elif status == "otp":
        qs = qs.filter(has_otp=True)  # type: ignore[misc]  # annotated above; the plugin sees model fields only
    return qs


@policy.requires(Perm.VIEW_ACCOUNTS)
def user_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = UserFilterForm(request.GET or None)
    qs = _filter(_with_flags(policy.visible_accounts(request.user)), form).order_by("username")
    page = Paginator(qs, PAGE_SIZE).get_page(page_param(request))
    locked = locked_usernames([u.username for u in page.object_list])
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "accounts/user_list.html",
        {
            "page_title": "用户管理",
            "form": form,
            "page": page,
            "locked": locked,
            "query": query.urlencode(),
            "can_create": policy.can(request.user, Perm.MANAGE_ACCOUNTS),
            "business_only": policy.sees_business_accounts_only(request.user),
            "role": request.user.role,
        },
    )


def _show_password(
    request: HttpRequest, target: User, password: str, *, created: bool, suspended: bool = False
) -> HttpResponse:
    return render(
        request,
        "accounts/user_password_issued.html",
        {
            "page_title": "开通账号" if created else "重置密码",
            "target": target,
            "password": password,
            "created": created,
            "suspended": suspended,
        },
    )


@policy.requires(Perm.MANAGE_ACCOUNTS)
def user_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user, password = services.create_user(
                username=data["username"],
                role=Role.NONE,  # 三员分立: roles come from the security administrator, later
                display_name=data["display_name"],
                phone=data["phone"],
                email=data["email"],
                actor=request.user,
            )
        except Refusal as exc:
            add_form_errors(form, exc)
        else:
            return _show_password(request, user, password, created=True)
    return render(
        request,
        "accounts/user_form.html",
        {"page_title": "开通账号", "form": form, "intro": "create", "submit": "开通账号"},
    )


@login_required
def user_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    target = policy.get_account_for(request.user, pk)
    actor = request.user
    expires = (
        target.password_changed_at + timedelta(days=settings.PASSWORD_EXPIRY_DAYS)
        if target.password_changed_at
        else None
    )
    return render(
        request,
        "accounts/user_detail.html",
        {
            "page_title": f"账号：{target.username}",
            "target": target,
            "member": services.linked_member(target),
            "has_otp": services.confirmed_device(target) is not None,
            "locked": target.username in locked_usernames([target.username]),
            "password_expires": expires,
            "password_expired": expires is not None and expires < timezone.now(),
            "can_manage": policy.can_act_on(actor, Perm.MANAGE_ACCOUNTS, target),
            "can_scope": policy.can_act_on(actor, Perm.CHANGE_SCOPE, target),
            "can_confirm": policy.can_act_on(actor, Perm.CHANGE_SCOPE, target)
            and target.awaits_role
            and bool(target.suspended_role)
            and not target.must_change_password,
            "manage_refusal": policy.refusal(actor, Perm.MANAGE_ACCOUNTS, target),
            "installation": policy.is_installation_account(target),
            "is_self": target.pk == actor.pk,
        },
    )


@login_required
def user_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    target = policy.get_account_for(request.user, pk, Perm.MANAGE_ACCOUNTS)
    initial = {
        "display_name": target.display_name,
        "phone": target.phone,
        "email": target.email,
        "version": target.version,
    }
    form = UserProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            changed = services.update_profile(
                target,
                display_name=data["display_name"],
                phone=data["phone"],
                email=data["email"],
                actor=request.user,
                version=data["version"],
            )
        except Refusal as exc:
            add_form_errors(form, exc)
        else:
            messages.success(request, "账号信息已保存。" if changed else "没有需要保存的修改。")
            return redirect("accounts:user_detail", pk=target.pk)
    return render(
        request,
        "accounts/user_form.html",
        {"page_title": f"修改账号信息：{target.username}", "form": form, "target": target, "submit": "保存"},
    )


@login_required
def user_scope(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    target = policy.get_account_for(request.user, pk, Perm.CHANGE_SCOPE)
    current_member = services.linked_member(target)
    # A suspended account starts from the role it had: granting it again is the usual answer.
    initial = {
        "role": target.suspended_role or target.role,
        "organization": target.suspended_organization_id or target.organization_id,
        "version": target.version,
    }
    form = UserScopeForm(request.POST or None, initial=initial, target=target)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        member = data.get("member")
        # An empty ID number keeps the member the account is already linked to.
        if member is None and data["role"] == Role.MEMBER:
            member = current_member
        try:
            changed = services.change_scope(
                target,
                role=data["role"],
                organization=data["organization"],
                member=member,
                actor=request.user,
                version=data["version"],
            )
        except Refusal as exc:
            add_form_errors(form, exc)
        else:
            messages.success(
                request, "角色和管理范围已调整，并已记入审计日志。" if changed else "角色和管理范围没有变化。"
            )
            return redirect("accounts:user_detail", pk=target.pk)
    return render(
        request,
        "accounts/user_form.html",
        {
            "page_title": f"调整角色和管理范围：{target.username}",
            "form": form,
            "target": target,
            "current_member": current_member,
            "awaits_own_password": target.must_change_password,
            "intro": "scope",
            "submit": "保存调整",
        },
    )


@login_required
@require_POST
def user_set_active(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    target = policy.get_account_for(request.user, pk, Perm.MANAGE_ACCOUNTS)
    active = request.POST.get("active") == "1"
    if services.set_active(target, active, actor=request.user):
        messages.success(request, f"账号 {target.username} 已{'启用' if active else '停用'}。")
    else:
        messages.info(request, f"账号 {target.username} 本来就是{'启用' if active else '停用'}状态。")
    return redirect("accounts:user_detail", pk=target.pk)


@login_required
@require_POST
def user_reset_password(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    target = policy.get_account_for(request.user, pk, Perm.MANAGE_ACCOUNTS)
    had_role = not target.awaits_role
    password = services.reset_password(target, actor=request.user)
    target.refresh_from_db()
    return _show_password(request, target, password, created=False, suspended=had_role and target.awaits_role)


@login_required
@require_POST
def user_reset_otp(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    target = policy.get_account_for(request.user, pk, Perm.MANAGE_ACCOUNTS)
    if services.reset_totp(target, actor=request.user):
        messages.success(
            request,
            f"已解除账号 {target.username} 的动态口令绑定。本人下次登录须先设置新密码，之后可重新绑定；"
            "其业务角色已暂停，待本人设置新密码后由安全管理员确认恢复。",
        )
    else:
        messages.info(request, f"账号 {target.username} 没有绑定动态口令。")
    return redirect("accounts:user_detail", pk=target.pk)


@login_required
@require_POST
def user_unlock(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    target = policy.get_account_for(request.user, pk, Perm.MANAGE_ACCOUNTS)
    services.unlock(target, actor=request.user)
    messages.success(request, f"已解除账号 {target.username} 的登录锁定。")
    return redirect("accounts:user_detail", pk=target.pk)


@login_required
@require_POST
def user_confirm_roles(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The security administrator confirms the role suspended by a reset (after the holder set a password)."""
    target = policy.get_account_for(request.user, pk, Perm.CHANGE_SCOPE)
    try:
        services.confirm_roles(
            target,
            actor=request.user,
            version=int(v) if (v := request.POST.get("version", "")).isdigit() else None,
        )
    except Refusal as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已确认恢复账号 {target.username} 的业务角色，并已记入审计日志。")
    return redirect("accounts:user_detail", pk=target.pk)
