from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    name = "dangjian.compliance"
    verbose_name = "制度要求与达标"

    def ready(self) -> None:
        # The tables whose writes invalidate memoised results (core.stamps, core.memo).
        from dangjian.core import stamps

        from .models import Exemption, Requirement, RequirementRevision

        stamps.track(Requirement)
        stamps.track(RequirementRevision)
        stamps.track(Exemption)

        from dangjian.core import measures

        from . import measures as own

        measures.register_family("compliance", "达标情况", own.choices, own.requirement_value)

        from dangjian.accounts.policy import Perm
        from dangjian.core.nav import HomePanel, NavItem, register_nav, register_panel

        from .views import home_panel

        register_nav(
            NavItem("组织生活", "本月待办", "compliance:todo", 5),
            NavItem("督查考核", "达标情况", "compliance:matrix", 10),
            NavItem("督查考核", "制度要求", "compliance:requirements", 20),
            NavItem("督查考核", "豁免管理", "compliance:exemptions", 30),
        )
        register_panel(
            HomePanel("compliance_todo", "compliance/panel_todo.html", home_panel, Perm.VIEW_OWN_TODO, 10)
        )
