from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "dangjian.reports"
    verbose_name = "报表与驾驶舱"

    def ready(self) -> None:
        # The report's rules are read by the memoised report (reports.annual, core.memo).
        from dangjian.core import stamps

        from .models import ReportRule

        stamps.track(ReportRule)

        from dangjian.core import audit_events

        from .services import EVENTS

        audit_events.register(EVENTS)

        from dangjian.core.nav import NavItem, register_nav

        register_nav(
            NavItem("报表统计", "驾驶舱", "reports:dashboard", 10),
            NavItem("报表统计", "年度分析报告", "reports:annual", 20),
            NavItem("报表统计", "台账与统计", "reports:ledgers", 30),
            NavItem("报表统计", "报告分析规则", "reports:rules", 90),
        )
