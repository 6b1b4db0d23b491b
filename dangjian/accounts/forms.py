"""Forms of the account pages. They parse and check input; writes happen in services."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.core.exceptions import ValidationError

from dangjian.orgs.models import Organization

from . import services
from .policy import GRANTABLE_ROLES
from .roles import Role

PHONE = re.compile(r"^(1\d{10}|0\d{2,3}-?\d{7,8})$")
TOKEN_HELP = "打开手机上的身份验证器（如微信小程序“腾讯身份验证器”、Microsoft Authenticator），输入当前显示的 6 位数字。"


def lockout_minutes() -> int:
    return round(float(settings.AXES_COOLOFF_TIME) * 60)


class LoginForm(auth_forms.AuthenticationForm):
    error_messages = {
        "invalid_login": "用户名或密码不正确。",
        "inactive": "该账号已停用，请联系系统管理员。",
    }

    def get_invalid_login_error(self) -> ValidationError:
        # django-axes counted this failure while authenticate() ran; tell the person how many tries remain.
        failures = getattr(self.request, "axes_failures_since_start", None) or 0
        remaining = settings.AXES_FAILURE_LIMIT - failures
        message = "用户名或密码不正确。"
        if failures and remaining > 0:
            message += f"再失败 {remaining} 次，本地址登录该账号将被锁定 {lockout_minutes()} 分钟。"
        elif not failures:
            message += f"连续失败 {settings.AXES_FAILURE_LIMIT} 次，本地址登录该账号将被锁定 {lockout_minutes()} 分钟。"
        return ValidationError(message, code="invalid_login")


class TokenField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", "动态口令")
        kwargs.setdefault("help_text", TOKEN_HELP)
        kwargs.setdefault("max_length", 8)
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={
                    "inputmode": "numeric",
                    "autocomplete": "one-time-code",
                    "pattern": "[0-9]{6}",
                    "maxlength": "6",
                    "autofocus": True,
                }
            ),
        )
        super().__init__(**kwargs)

    def clean(self, value: Any) -> str:
        value = super().clean(value)
        value = (value or "").replace(" ", "")
        if not re.fullmatch(r"\d{6}", value):
            raise ValidationError("动态口令是 6 位数字，请重新输入")
        return value


class TokenForm(forms.Form):
    token = TokenField()


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(
        label="原密码", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    new_password1 = forms.CharField(
        label="新密码",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="至少 8 位，包含大写字母、小写字母、数字、特殊字符中的至少三类；不能包含用户名；"
        f"不能与最近 {settings.PASSWORD_HISTORY} 次使用过的密码相同。",
    )
    new_password2 = forms.CharField(
        label="再次输入新密码",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_old_password(self):
        value = self.cleaned_data["old_password"]
        if not self.user.check_password(value):
            raise ValidationError("原密码不正确")
        return value

    def clean(self):
        data = super().clean() or {}
        if data.get("new_password1") and data.get("new_password1") != data.get("new_password2"):
            self.add_error("new_password2", "两次输入的新密码不一致")
        return data


class OrgChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Organization) -> str:
        return f"{'　' * (obj.depth - 1)}{obj.name}（{obj.code}）"


def org_field(required: bool = False) -> OrgChoiceField:
    return OrgChoiceField(
        label="管理范围（党组织）",
        queryset=Organization.objects.filter(dissolved_on__isnull=True).order_by("path"),
        required=required,
        empty_label="（不指定）",
        help_text="党组织管理员必填：管理该党组织及其全部下级组织；局党建管理员可填本局党组；其他角色不填。",
    )


def role_field(roles: tuple[Role, ...], *, blank: bool = False) -> forms.ChoiceField:
    labels = "、".join(r.label for r in roles)
    # Opening an account starts from no role rather than from the most powerful one.
    choices = [("", "请选择角色")] if blank else []
    return forms.ChoiceField(
        label="角色",
        choices=choices + [(r.value, r.label) for r in roles],
        error_messages={
            "required": "请选择账号的角色",
            "invalid_choice": f"不能在网页上授予角色“%(value)s”：可选{labels}；三员账号只能由安装人员在服务器上用 "
            "dangjian add_user 开通",
        },
    )


MEMBER_HELP = (
    "角色为“党员”时必填：填写党员名册中该党员的公民身份号码（18 位），账号即与其党员信息关联；"
    "党员姓名须与账号的“姓名”一致。"
)


# One answer for every failed look-up (no such number, another name, status not 正常, linked already), so that
# the security administrator cannot learn from this form who holds an ID number or what their status is
# (issue 14 item 9). The server operator's `add_user` keeps the detailed messages.
MEMBER_REFUSED = (
    "无法关联该党员：请核对公民身份号码，并确认账号的“姓名”与党员名册一致；"
    "党籍状态不是“正常”或已关联其他账号的党员不能关联"
)


class ScopeFieldsMixin:
    """Role + organisation + member (by ID number): resolved here, checked for coherence by the service."""

    target: Any = None
    cleaned_data: dict[str, Any]

    def clean_member_id_number(self):
        value = (self.cleaned_data.get("member_id_number") or "").strip()
        self.cleaned_data["member"] = None
        if value:
            try:
                member = services.find_member(value)
            except services.AccountRefused as exc:
                # A malformed number (length, check digit) says nothing about the roster: keep that message.
                message = exc.message
                raise ValidationError(message if "党员名册" not in message else MEMBER_REFUSED)
            target = self.target
            linked_elsewhere = member.user_id is not None and (target is None or member.user_id != target.pk)
            name = (target.display_name if target is not None else "").strip()
            if member.status != "正常" or linked_elsewhere or member.name != name:
                raise ValidationError(MEMBER_REFUSED)
            self.cleaned_data["member"] = member
        return value


def clean_phone(value: str) -> str:
    value = (value or "").strip()
    if value and not PHONE.match(value):
        raise ValidationError("请填写 11 位手机号码，或带区号的固定电话，如 0394-1234567")
    return value


class UserCreateForm(forms.Form):
    """Opening an account grants no role (三员分立): the security administrator grants one after the holder
    has set their own password."""

    username = forms.CharField(
        label="用户名",
        max_length=150,
        help_text="登录时使用，字母、数字和 @ . + - _ 字符，开通后不能修改。",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    display_name = forms.CharField(
        label="姓名",
        max_length=40,
        help_text="账号持有人的姓名。党员账号须与党员名册中的姓名一致，安全管理员关联党员时核对。",
        error_messages={"required": "请填写姓名（账号持有人的姓名）"},
    )
    phone = forms.CharField(label="手机号码", max_length=20, required=False)
    email = forms.EmailField(label="电子邮箱", required=False)

    def clean_phone(self):
        return clean_phone(self.cleaned_data.get("phone") or "")


class UserProfileForm(forms.Form):
    display_name = forms.CharField(label="姓名", max_length=40, required=False)
    phone = forms.CharField(label="手机号码", max_length=20, required=False)
    email = forms.EmailField(label="电子邮箱", required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def clean_phone(self):
        return clean_phone(self.cleaned_data.get("phone") or "")


class UserScopeForm(ScopeFieldsMixin, forms.Form):
    role = role_field(GRANTABLE_ROLES)
    organization = org_field()
    member_id_number = forms.CharField(
        label="关联党员的公民身份号码", max_length=18, required=False, help_text=MEMBER_HELP
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, target: Any = None, **kwargs: Any) -> None:
        self.target = target
        super().__init__(*args, **kwargs)


STATUS_CHOICES = [
    ("", "全部"),
    ("active", "启用"),
    ("inactive", "已停用"),
    ("must_change", "待本人设置密码"),
    ("awaits_role", "角色待安全管理员确认"),
    ("otp", "已绑定动态口令"),
]


class UserFilterForm(forms.Form):
    q = forms.CharField(label="用户名或姓名", required=False, max_length=50)
    role = forms.ChoiceField(label="角色", required=False, choices=[("", "全部"), *Role.choices])
    status = forms.ChoiceField(label="状态", required=False, choices=STATUS_CHOICES)


class SecurityConfigForm(forms.Form):
    require_otp_for_admins = forms.BooleanField(
        label="局党建管理员、党组织管理员和三员账号必须启用双因素认证（动态口令）",
        required=False,
        help_text="开启后，这些账号下次登录时须先绑定手机身份验证器，之后每次登录都要输入动态口令。",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)
