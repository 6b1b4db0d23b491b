from django.apps import AppConfig


class HonorsConfig(AppConfig):
    name = "dangjian.honors"
    verbose_name = "述职评议与表彰"
