from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "dangjian.core"
    verbose_name = "基础"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from . import checks  # noqa: F401  (registers the deploy checks)

        post_migrate.connect(_install_stamp_triggers, sender=self, dispatch_uid="core-stamp-triggers")


def _install_stamp_triggers(sender, using: str = "default", **kwargs) -> None:
    """After every migrate: a migration that rebuilt a table on SQLite has dropped that table's triggers."""
    from .stamps import install_triggers

    install_triggers(using)
