"""Deploy checks of our own, run by `dangjian check --deploy`."""

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def secret_key_is_not_the_development_key(app_configs, **kwargs):
    if not settings.DEBUG and settings.SECRET_KEY == settings.INSECURE_DEV_KEY:
        return [
            Error(
                "SECRET_KEY 仍为开发用默认值。",
                hint="生产环境请通过环境变量 SECRET_KEY 设置一个随机的长字符串。",
                id="dangjian.E001",
            )
        ]
    return []
