from django.apps import AppConfig


class DuesAppConfig(AppConfig):
    name = "dangjian.dues"
    verbose_name = "党费"

    def ready(self) -> None:
        from dangjian.core import audit_events, events

        from .services import EVENTS, NOTICE_EVENTS

        audit_events.register(EVENTS)
        events.register(NOTICE_EVENTS)

        # The tables whose writes invalidate memoised results (core.stamps, core.memo).
        from dangjian.core import stamps

        from .models import (
            ArrearsCase,
            ArrearsStep,
            DuesBase,
            DuesConfig,
            DuesPayment,
            DuesRemittance,
            PaymentMethod,
        )

        for model in (
            DuesBase,
            DuesPayment,
            DuesRemittance,
            PaymentMethod,
            DuesConfig,
            ArrearsCase,
            ArrearsStep,
        ):
            stamps.track(model)

        from dangjian.core import measures

        from .measures import collection_measure

        measures.register("dues_collection", "党费按月交纳率", collection_measure, source="党费")

        from dangjian.accounts.policy import Perm
        from dangjian.core.nav import (
            HomePanel,
            NavItem,
            TodoSource,
            register_nav,
            register_panel,
            register_todo,
        )

        from .home import mine_panel, todo_lines

        register_nav(
            NavItem("党费", "党费收缴统计", "dues:overview", 40),
            NavItem("党费", "党费收缴台账", "dues:ledger", 41),
            NavItem("党费", "党费基数核定", "dues:bases", 42),
            NavItem("党费", "欠交党费", "dues:arrears", 43),
            NavItem("党费", "登记党费缴纳", "dues:payment_add", 44),
            NavItem("党费", "导入党费基数", "dues:import_bases", 45),
            NavItem("党费", "导入党费缴纳", "dues:import_payments", 46),
            NavItem("党费", "我的党费", "dues:mine", 47),
            NavItem("党费", "党费设置", "dues:config", 60),
        )
        register_todo(TodoSource("dues", todo_lines))
        register_panel(HomePanel("dues_mine", "dues/panel_mine.html", mine_panel, Perm.VIEW_OWN_MEMBER, 6))
