from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Only for `seed_demo` (and the bench, which grows the demo bureau): production may leave it out."""

    name = "dangjian.demo"
    verbose_name = "演示数据"
    default_auto_field = "django.db.models.BigAutoField"
