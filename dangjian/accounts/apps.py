from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "dangjian.accounts"
    verbose_name = "用户与权限"

    def ready(self) -> None:
        from dangjian.core.nav import register_header

        from .scope import scope_label

        register_header(lambda request: {"user_scope_label": scope_label(request.user)})
