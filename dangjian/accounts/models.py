from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone

from dangjian.orgs.models import Organization

from .roles import BUSINESS_ROLES, Role


class UserQuerySet(models.QuerySet):
    def delete(self):  # noqa: D401 - accounts are deactivated, never deleted
        raise PermissionError("账号不能删除，只能停用")


class AccountManager(UserManager.from_queryset(UserQuerySet)):  # type: ignore[misc]
    pass


class User(AbstractUser):
    display_name = models.CharField("姓名", max_length=40, blank=True)
    role = models.CharField("角色", max_length=20, choices=Role.choices, default=Role.MEMBER, db_index=True)
    organization = models.ForeignKey(
        Organization,
        verbose_name="管理范围（党组织）",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    phone = models.CharField("手机号码", max_length=20, blank=True)
    must_change_password = models.BooleanField("首次登录须修改密码", default=True)
    large_text = models.BooleanField(
        "大字模式", default=False, help_text="更大的字号、更高的对比度，本人开启后保持（适老化）"
    )
    password_changed_at = models.DateTimeField("密码修改时间", null=True, blank=True)
    version = models.PositiveIntegerField("版本", default=1)
    # 三员分立 (issue 14): after an administrator resets the password or the second factor, the business role
    # and its scope wait here (role = none) until the holder has set a new password and the security
    # administrator confirms them again.
    suspended_role = models.CharField(
        "暂停的角色", max_length=20, choices=Role.choices, blank=True, default=""
    )
    suspended_organization = models.ForeignKey(
        Organization,
        verbose_name="暂停的管理范围",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    roles_suspended_at = models.DateTimeField("角色暂停时间", null=True, blank=True)

    objects = AccountManager()  # type: ignore[misc]  # AbstractUser declares a UserManager class variable

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"
        ordering = ["username"]

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def role_label(self) -> str:
        return Role(self.role).label if self.role in Role.values else self.role

    @property
    def awaits_own_password(self) -> bool:
        """待本人设置密码: opened or reset by an administrator, the holder has not yet chosen a password."""
        return self.must_change_password

    @property
    def has_business_role(self) -> bool:
        """局党建管理员, 党组织管理员, 督查员 or 党员 (not one of the three administrators, not waiting)."""
        return self.role in BUSINESS_ROLES

    @property
    def awaits_role(self) -> bool:
        """角色待安全管理员确认: no business role yet, or one suspended after a reset."""
        return self.role == Role.NONE

    @property
    def suspended_role_label(self) -> str:
        return Role(self.suspended_role).label if self.suspended_role in Role.values else ""

    # --- every password change, whatever its path (pages, commands, Django's changepassword, a hash assigned
    # directly), keeps the previous hash in PasswordHistory and stamps password_changed_at. A hash upgrade at
    # login is not a change: Django's check_password calls set_password and then clears `_password`.
    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._loaded_password = instance.__dict__.get("password")
        return instance

    def set_password(self, raw_password: str | None) -> None:
        self._via_set_password = True
        super().set_password(raw_password)

    def _password_change(self) -> tuple[bool, str | None]:
        """(changed, previous hash) for the save about to happen."""
        via_set_password = self.__dict__.pop("_via_set_password", False)
        current = self.__dict__.get("password")
        if self._state.adding:
            return bool(current), None
        loaded = self.__dict__.get("_loaded_password")
        rehash = via_set_password and self.__dict__.get("_password") is None
        changed = current is not None and loaded is not None and current != loaded and not rehash
        return changed, loaded

    def save(self, *args: Any, **kwargs: Any) -> None:
        changed, previous = self._password_change()
        if changed:
            self.password_changed_at = timezone.now()
            update_fields = kwargs.get("update_fields")
            if update_fields is not None and "password_changed_at" not in update_fields:
                kwargs["update_fields"] = [*update_fields, "password_changed_at"]
        super().save(*args, **kwargs)
        if changed and previous:
            PasswordHistory.objects.create(user=self, password=previous)
        self._loaded_password = self.__dict__.get("password")

    def delete(self, *args: Any, **kwargs: Any):
        raise PermissionError("账号不能删除，只能停用")

    # --- permissions come from the role alone (accounts.policy): neither is_superuser nor Django's
    # permission tables grant anything in this system.
    def has_perm(self, perm: str, obj: Any = None) -> bool:
        from .policy import has_django_perm

        return has_django_perm(self, perm)

    def has_module_perms(self, app_label: str) -> bool:
        from .policy import has_module_perms

        return has_module_perms(self, app_label)


class PasswordHistory(models.Model):
    user = models.ForeignKey(
        User, verbose_name="用户", on_delete=models.CASCADE, related_name="password_history"
    )
    password = models.CharField("密码哈希", max_length=128)
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "历史密码"
        verbose_name_plural = "历史密码"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user} {self.created_at:%Y-%m-%d}"


class SecurityConfig(models.Model):
    """Security switches the bureau's system administrator sets on the page (one row, pk=1)."""

    require_otp_for_admins = models.BooleanField(
        "管理类角色必须启用双因素认证",
        default=False,
        help_text="开启后，局党建管理员、党组织管理员和三员账号须先绑定动态口令（TOTP）才能使用系统。",
    )
    version = models.PositiveIntegerField("版本", default=1)
    updated_at = models.DateTimeField("修改时间", null=True, blank=True)
    updated_by = models.ForeignKey(
        User, verbose_name="修改人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "安全设置"
        verbose_name_plural = "安全设置"

    def __str__(self) -> str:
        return "安全设置"

    @classmethod
    def current(cls) -> SecurityConfig:
        """The stored settings, or the installation default (settings.DANGJIAN_REQUIRE_OTP_FOR_ADMINS)
        while nobody has saved them yet."""
        row = SecurityConfig.objects.filter(pk=1).first()
        if row is None:
            row = SecurityConfig(
                pk=1, require_otp_for_admins=settings.DANGJIAN_REQUIRE_OTP_FOR_ADMINS, version=0
            )
        return row
