from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "dangjian.notify"
    verbose_name = "提醒与通知中心"
