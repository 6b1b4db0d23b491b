from django.apps import AppConfig


class SiteConfig(AppConfig):
    name = "dangjian.site"
    verbose_name = "门户"
