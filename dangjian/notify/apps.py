from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "dangjian.notify"
    verbose_name = "提醒与通知中心"

    def ready(self) -> None:
        from django.urls import reverse

        from dangjian.core import events
        from dangjian.core.nav import NavItem, register_header, register_nav

        from . import events as listener
        from .services import unread_count

        events.subscribe(listener.handle)
        from dangjian.core import audit_events

        audit_events.register(
            {
                "preference.create": "保存通知设置",
                "preference.update": "修改通知设置",
                "preference.test": "发送测试消息",
            }
        )

        def bell(request):
            user = getattr(request, "user", None)
            if user is None or not user.is_authenticated:
                return {}
            return {"notify_unread": unread_count(user), "notify_url": reverse("notify:centre")}

        register_header(bell)
        register_nav(NavItem("首页", "通知中心", "notify:centre", 20))
