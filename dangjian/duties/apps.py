from django.apps import AppConfig


class DutiesConfig(AppConfig):
    name = "dangjian.duties"
    verbose_name = "责任与通知"
