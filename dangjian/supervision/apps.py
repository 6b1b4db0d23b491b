from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "dangjian.supervision"
    verbose_name = "督查考核"

    def ready(self) -> None:
        # The tables whose writes invalidate memoised results (core.stamps, core.memo).
        from dangjian.core import stamps

        from .models import Rectification

        stamps.track(Rectification)

        from dangjian.accounts.roles import Role
        from dangjian.core.nav import HomePanel, NavItem, register_nav, register_panel

        from . import panels

        inspector_side = frozenset({Role.BUREAU_ADMIN, Role.INSPECTOR})
        register_nav(
            NavItem("督查考核", "季度抽查", "supervision:rounds", inspector_side, 10),
            NavItem("督查考核", "检查清单", "supervision:checklist", inspector_side, 15),
            NavItem(
                "督查考核",
                "整改落实",
                "supervision:rectifications",
                frozenset({Role.BUREAU_ADMIN, Role.INSPECTOR, Role.ORG_ADMIN}),
                20,
            ),
            NavItem("督查考核", "半年观摩", "supervision:observations", inspector_side, 30),
            NavItem("督查考核", "疑似雷同记录", "supervision:similar", inspector_side, 40),
            NavItem(
                "督查考核",
                "年终总评",
                "supervision:appraisals",
                frozenset({Role.BUREAU_ADMIN, Role.INSPECTOR, Role.ORG_ADMIN}),
                50,
            ),
        )
        register_panel(
            HomePanel(
                "supervision-rectifications",
                "supervision/panels/rectifications.html",
                panels.rectifications,
                frozenset({Role.BUREAU_ADMIN, Role.INSPECTOR, Role.ORG_ADMIN}),
                40,
            )
        )
        register_panel(
            HomePanel(
                "supervision-scoring",
                "supervision/panels/scoring.html",
                panels.scoring,
                frozenset({Role.BUREAU_ADMIN, Role.INSPECTOR, Role.ORG_ADMIN, Role.MEMBER}),
                45,
            )
        )
