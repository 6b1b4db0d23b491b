from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "dangjian.supervision"
    verbose_name = "督查考核"

    def ready(self) -> None:
        # The tables whose writes invalidate memoised results (core.stamps, core.memo).
        from dangjian.core import stamps

        from . import models as m

        for model in (
            m.Rectification,
            # the yearly report (reports.annual) reads the year's inspections, observations and appraisal
            m.RectificationEvent,
            m.InspectionRound,
            m.InspectionTarget,
            m.Finding,
            m.Observation,
            m.Appraisal,
            m.AppraisalVersion,
        ):
            stamps.track(model)

        from dangjian.core import measures

        from .measures import rectification_measure

        measures.register("supervision_rectified", "到期整改销号率", rectification_measure, source="督查考核")

        from dangjian.accounts.policy import Perm
        from dangjian.core.nav import HomePanel, NavItem, register_nav, register_panel

        from . import panels

        register_nav(
            NavItem("督查考核", "季度抽查", "supervision:rounds", 10),
            NavItem("督查考核", "检查清单", "supervision:checklist", 15),
            NavItem("督查考核", "整改落实", "supervision:rectifications", 20),
            # Every business role sees the published results, but the menu leads only the inspector side there.
            NavItem("督查考核", "半年观摩", "supervision:observations", 30, perm=Perm.INSPECT),
            NavItem("督查考核", "疑似雷同记录", "supervision:similar", 40),
            NavItem("督查考核", "年终总评", "supervision:appraisals", 50),
        )
        register_panel(
            HomePanel(
                "supervision-rectifications",
                "supervision/panels/rectifications.html",
                panels.rectifications,
                Perm.VIEW_STAFF,
                40,
            )
        )
        register_panel(
            HomePanel(
                "supervision-scoring",
                "supervision/panels/scoring.html",
                panels.scoring,
                Perm.VIEW_BUSINESS,
                45,
            )
        )
