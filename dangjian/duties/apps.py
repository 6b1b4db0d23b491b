from django.apps import AppConfig


class DutiesConfig(AppConfig):
    name = "dangjian.duties"
    verbose_name = "责任落实"

    def ready(self) -> None:
        # The tables whose writes invalidate memoised results (core.stamps, core.memo).
        from dangjian.core import stamps

        from .models import Notice, NoticeTarget

        stamps.track(Notice)
        stamps.track(NoticeTarget)

        from dangjian.accounts.roles import BUSINESS_ROLES, READ_ALL_ROLES, Role
        from dangjian.core.nav import HomePanel, NavItem, register_nav, register_panel

        from . import panels
        from .services import register_citable

        bureau = frozenset({Role.BUREAU_ADMIN})
        section = "责任落实"
        register_nav(
            NavItem(section, "我的责任", "duties:mine", frozenset(BUSINESS_ROLES), 10),
            NavItem(section, "责任体系", "duties:system", frozenset(BUSINESS_ROLES), 20),
            NavItem(section, "责任清单", "duties:list_index", frozenset(BUSINESS_ROLES), 30),
            NavItem(section, "清单完成情况", "duties:rates", frozenset(READ_ALL_ROLES), 40),
            NavItem(section, "工作要点", "duties:plan_index", frozenset(BUSINESS_ROLES), 50),
            NavItem(section, "重点工作通知", "duties:notice_index", frozenset(BUSINESS_ROLES), 60),
            NavItem(section, "通知模板", "duties:template_index", bureau, 65),
            NavItem(section, "党建品牌案例", "duties:case_index", frozenset(BUSINESS_ROLES), 70),
            NavItem(section, "品牌展示", "duties:showcase", frozenset(BUSINESS_ROLES), 75),
            NavItem(section, "制度库", "duties:rule_index", frozenset(BUSINESS_ROLES), 80),
        )
        register_panel(
            HomePanel(
                "duties_notices",
                "duties/panel_notices.html",
                panels.notices_panel,
                frozenset({Role.ORG_ADMIN}),
                20,
            )
        )
        register_panel(
            HomePanel(
                "duties_mine", "duties/panel_mine.html", panels.mine_panel, frozenset(BUSINESS_ROLES), 30
            )
        )
        # Rule documents may be cited by the compliance requirements they enforce (supervision registers its
        # checklist items itself, so that duties never imports it).
        register_citable("compliance.requirement", "制度要求")
