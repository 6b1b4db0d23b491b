from django.apps import AppConfig


class DutiesConfig(AppConfig):
    name = "dangjian.duties"
    verbose_name = "责任落实"

    def ready(self) -> None:
        # The tables whose writes invalidate memoised results (core.stamps, core.memo).
        from dangjian.core import stamps

        from . import models as m

        for model in (
            m.Notice,
            m.NoticeTarget,
            # the yearly report's 主要做法和成效 (reports.annual) reads the duty system
            m.BrandCase,
            m.LeadingGroup,
            m.LeadingGroupMember,
            m.DutyList,
            m.Duty,
            m.DutyReport,
            m.WorkPlan,
            m.WorkPlanItem,
            m.WorkPlanProgress,
        ):
            stamps.track(model)

        from dangjian.core import measures

        from .measures import notice_ack_measure

        measures.register("duties_notice_ack", "通知签收率", notice_ack_measure, source="重点工作通知")

        from dangjian.core import audit_events

        from .services.common import EVENTS

        audit_events.register({**EVENTS, "notice.urge": "通知催办"})

        from dangjian.accounts.policy import Perm
        from dangjian.core.nav import HomePanel, NavItem, register_nav, register_panel

        from . import panels
        from .services import register_citable

        section = "责任落实"
        register_nav(
            NavItem(section, "我的责任", "duties:mine", 10),
            NavItem(section, "责任体系", "duties:system", 20),
            NavItem(section, "责任清单", "duties:list_index", 30),
            NavItem(section, "清单完成情况", "duties:rates", 40),
            NavItem(section, "工作要点", "duties:plan_index", 50),
            NavItem(section, "重点工作通知", "duties:notice_index", 60),
            NavItem(section, "通知模板", "duties:template_index", 65),
            NavItem(section, "党建品牌案例", "duties:case_index", 70),
            NavItem(section, "品牌展示", "duties:showcase", 75),
            NavItem(section, "制度库", "duties:rule_index", 80),
        )
        register_panel(
            HomePanel(
                "duties_notices", "duties/panel_notices.html", panels.notices_panel, Perm.ANSWER_NOTICES, 20
            )
        )
        register_panel(
            HomePanel("duties_mine", "duties/panel_mine.html", panels.mine_panel, Perm.VIEW_BUSINESS, 30)
        )
        # Rule documents may be cited by the compliance requirements they enforce (supervision registers its
        # checklist items itself, so that duties never imports it).
        register_citable("compliance.requirement", "制度要求")
