from django.apps import AppConfig


class SiteConfig(AppConfig):
    name = "dangjian.site"
    verbose_name = "门户"

    def ready(self) -> None:
        from dangjian.core.nav import NavItem, register_nav

        register_nav(NavItem("首页", "工作台", "site:home", 0))
