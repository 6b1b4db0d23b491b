from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "dangjian.jobs"
    verbose_name = "后台任务"

    def ready(self) -> None:
        from dangjian.core import audit_events

        from .services import EVENTS

        audit_events.register(EVENTS)

        from dangjian.core import import_views
        from dangjian.core.nav import NavItem, register_nav

        from .views import start_import

        # A confirmed import on the upload page runs as a job (core knows no job runner: we install it).
        import_views.set_job_starter(start_import)
        register_nav(NavItem("首页", "我的后台任务", "jobs:list", 90))
