from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "dangjian.orgs"
    verbose_name = "党组织"

    def ready(self) -> None:
        from dangjian.accounts.roles import Role
        from dangjian.core.nav import NavItem, register_nav

        readers = frozenset({Role.BUREAU_ADMIN, Role.ORG_ADMIN, Role.INSPECTOR, Role.MEMBER})
        admins = frozenset({Role.BUREAU_ADMIN, Role.ORG_ADMIN, Role.INSPECTOR})
        register_nav(
            NavItem("组织", "组织架构", "orgs:tree", readers, 10),
            NavItem("组织", "换届管理", "orgs:terms", admins, 20),
            NavItem("组织", "单位名录", "orgs:units", frozenset({Role.BUREAU_ADMIN, Role.INSPECTOR}), 30),
        )
