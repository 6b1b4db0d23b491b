"""Deploy checks of our own, run by `dangjian check --deploy`."""

from typing import cast

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register


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


# What a process keeps to itself: with several app nodes each would keep its own.
_LOCAL_CACHES = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.filebased.FileBasedCache",
    "django.core.cache.backends.dummy.DummyCache",
)


@register(Tags.caches, deploy=True)
def shared_state_with_several_nodes(app_configs, **kwargs):
    """With DANGJIAN_NODES above 1 (several app nodes behind a load balancer), state kept on one machine
    breaks: rate limits counted per node, memoised figures not invalidated on the others, an upload on one
    node missing on the next."""
    nodes = getattr(settings, "DANGJIAN_NODES", 1)
    if nodes <= 1:
        return []
    out = []
    for alias in ("default", "memo"):
        caches = cast(dict[str, dict[str, str]], settings.CACHES)
        backend = caches.get(alias, {}).get("BACKEND", "")
        if backend in _LOCAL_CACHES:
            out.append(
                Warning(
                    f"DANGJIAN_NODES={nodes}，但缓存“{alias}”保存在本机（{backend.rsplit('.', 1)[-1]}）。",
                    hint="多个应用节点时请设置 REDIS_URL，使登录与上传频率限制、统计结果缓存在各节点间共享。",
                    id="dangjian.W010",
                )
            )
    storage = settings.STORAGES.get("default", {}).get("BACKEND", "")
    if storage == "django.core.files.storage.FileSystemStorage":
        out.append(
            Warning(
                f"DANGJIAN_NODES={nodes}，但上传文件保存在本机目录 {settings.MEDIA_ROOT}。",
                hint="多个应用节点时请把 DANGJIAN_MEDIA_ROOT 设为各节点共同挂载的目录（NFS 等），"
                "否则在一个节点上传的附件和导入文件在其他节点上找不到。",
                id="dangjian.W011",
            )
        )
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        out.append(
            Warning(
                f"DANGJIAN_NODES={nodes}，但数据库是本机的 SQLite 文件。",
                hint="多个应用节点时请通过 DATABASE_URL 使用 PostgreSQL。",
                id="dangjian.W012",
            )
        )
    return out
