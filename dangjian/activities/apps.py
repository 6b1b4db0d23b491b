from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "dangjian.activities"
    verbose_name = "组织生活"

    def ready(self) -> None:
        # The tables whose writes invalidate memoised results (core.stamps, core.memo).
        from dangjian.core import stamps

        from .models import Activity, ActivityKind, Attendance, BureauMeeting

        stamps.track(
            Activity, monthly_by="date"
        )  # with its kinds (the through table), per month of the record
        stamps.track(Attendance, monthly_by="activity__date")
        stamps.track(ActivityKind)
        stamps.track(BureauMeeting)  # the bureau's own meetings, in the yearly report

        from dangjian.accounts.policy import Perm
        from dangjian.core.nav import HomePanel, NavItem, register_nav, register_panel

        from .views import home_panel

        section = "组织生活"
        register_nav(
            NavItem(section, "活动记录", "activities:list", 10),
            NavItem(section, "登记活动", "activities:new", 20),
            NavItem(section, "审核活动记录", "activities:queue", 30),
            NavItem(section, "导入台账", "activities:import", 40),
            NavItem(section, "活动类型", "activities:kinds", 50),
        )
        register_panel(
            HomePanel(
                "activities_review", "activities/_home_panel.html", home_panel, Perm.REVIEW_ACTIVITIES, 40
            )
        )
