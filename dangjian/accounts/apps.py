from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "dangjian.accounts"
    verbose_name = "用户与权限"

    def ready(self) -> None:
        from dangjian.core.nav import HomePanel, NavItem, register_header, register_nav, register_panel

        from . import panels, signals
        from .roles import Role
        from .scope import scope_label

        signals.connect()
        register_header(lambda request: {"user_scope_label": scope_label(request.user)})
        account_managers = frozenset({Role.BUREAU_ADMIN, Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN})
        register_nav(
            NavItem("系统管理", "用户管理", "accounts:user_list", account_managers, 10),
            NavItem("系统管理", "安全设置", "accounts:security", frozenset({Role.SYSTEM_ADMIN}), 20),
            # The audit pages live in core, which knows no roles; accounts.policy grants them.
            NavItem("系统管理", "审计日志", "core:audit_list", frozenset({Role.AUDIT_ADMIN}), 30),
            NavItem("系统管理", "双因素认证", "accounts:otp_setup", None, 90),
        )
        register_panel(
            HomePanel(
                "accounts_overview",
                "accounts/panels/accounts.html",
                panels.accounts_overview,
                frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN}),
                10,
            )
        )
        register_panel(
            HomePanel(
                "audit_recent_failures",
                "accounts/panels/audit.html",
                panels.audit_overview,
                frozenset({Role.AUDIT_ADMIN}),
                10,
            )
        )
