from django.apps import AppConfig


class BenchConfig(AppConfig):
    name = "dangjian.bench"
    verbose_name = "性能基准"
    default_auto_field = "django.db.models.BigAutoField"
