from django.apps import AppConfig


class HonorsConfig(AppConfig):
    name = "dangjian.honors"
    verbose_name = "述职评议与表彰"

    def ready(self) -> None:
        from dangjian.accounts.roles import Role
        from dangjian.core.nav import NavItem, register_nav

        staff = frozenset({Role.BUREAU_ADMIN, Role.ORG_ADMIN, Role.INSPECTOR})
        register_nav(
            NavItem("督查考核", "述职评议", "honors:reviews", staff, 60),
            NavItem("督查考核", "民主评议党员", "honors:grades", staff, 70),
            NavItem("督查考核", "两优一先", "honors:rounds", staff, 80),
            NavItem("督查考核", "表彰荣誉", "honors:list", staff | {Role.MEMBER}, 90),
        )
