from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "dangjian.accounts"
    verbose_name = "用户与权限"

    def ready(self) -> None:
        # Read (for names of who reported) by the memoised yearly report (reports.annual, core.memo).
        from dangjian.core import stamps

        from .models import User

        stamps.track(User)

        from dangjian.core.nav import (
            HomePanel,
            NavItem,
            register_header,
            register_nav,
            register_panel,
            set_permission_check,
        )

        from . import panels, signals
        from .policy import Perm, can_named
        from .scope import scope_label

        signals.connect()
        # The menu and the home panels ask the one permission table (core knows no roles).
        set_permission_check(can_named)
        register_header(lambda request: {"user_scope_label": scope_label(request.user)})
        register_nav(
            NavItem("系统管理", "用户管理", "accounts:user_list", 10),
            NavItem("系统管理", "安全设置", "accounts:security", 20),
            # The audit pages live in core, which knows no roles; its view requires `core.view_auditentry`,
            # which accounts.policy maps to READ_AUDIT: the menu names that permission.
            NavItem("系统管理", "审计日志", "core:audit_list", 30, perm=Perm.READ_AUDIT),
            NavItem("系统管理", "双因素认证", "accounts:otp_setup", 90),
        )
        register_panel(
            HomePanel(
                "accounts_overview",
                "accounts/panels/accounts.html",
                panels.accounts_overview,
                Perm.OVERSEE_ACCOUNTS,
                10,
            )
        )
        register_panel(
            HomePanel(
                "audit_recent_failures",
                "accounts/panels/audit.html",
                panels.audit_overview,
                Perm.READ_AUDIT,
                10,
            )
        )
