from django.apps import AppConfig


class StudyConfig(AppConfig):
    name = "dangjian.study"
    verbose_name = "学习教育"
