from django.apps import AppConfig


class HonorsConfig(AppConfig):
    name = "dangjian.honors"
    verbose_name = "述职评议与表彰"

    def ready(self) -> None:
        # The tables whose writes invalidate memoised results (core.stamps, core.memo): the yearly report
        # (reports.annual) reads the year's reviews and honours.
        from dangjian.core import stamps

        from .models import Honor, ReviewReport, ReviewRound

        for model in (ReviewRound, ReviewReport, Honor):
            stamps.track(model)

        from dangjian.core import audit_events, events

        from .services import EVENTS, NOTICE_EVENTS

        audit_events.register(EVENTS)
        events.register(NOTICE_EVENTS)

        from dangjian.core.nav import NavItem, register_nav

        register_nav(
            NavItem("督查考核", "述职评议", "honors:reviews", 60),
            NavItem("督查考核", "民主评议党员", "honors:grades", 70),
            NavItem("督查考核", "两优一先", "honors:rounds", 80),
            NavItem("督查考核", "表彰荣誉", "honors:list", 90),
        )
