from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "dangjian.orgs"
    verbose_name = "党组织"

    def ready(self) -> None:
        from dangjian.core.nav import NavItem, register_nav

        register_nav(
            NavItem("组织", "组织架构", "orgs:tree", 10),
            NavItem("组织", "换届管理", "orgs:terms", 20),
            NavItem("组织", "单位名录", "orgs:units", 30),
        )
