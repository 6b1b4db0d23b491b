from django.apps import AppConfig


class RecruitmentConfig(AppConfig):
    name = "dangjian.recruitment"
    verbose_name = "发展党员"

    def ready(self) -> None:
        # The tables whose writes invalidate memoised results (core.stamps, core.memo).
        from dangjian.core import stamps

        from .models import Candidate, Holiday, RecruitmentPlan, RecruitmentSettings, RecruitmentStep

        stamps.track(Candidate)
        stamps.track(RecruitmentStep)
        stamps.track(RecruitmentSettings)
        stamps.track(Holiday)
        stamps.track(RecruitmentPlan)

        from dangjian.core import audit_events, events

        audit_events.register(
            {
                "candidate.step": "发展党员：登记步骤",
                "candidate.advance": "发展党员：阶段和日期更新",
                "candidate.override": "发展党员：上级党委准予时限例外",
                "candidate.terminate": "发展党员：终止发展程序",
                "candidate.import": "发展党员：导入进行中的对象",
                "candidate.document": "发展党员：下载文书",
                "recruitmentsettings.update": "修改发展党员公示设置",
                "holiday.create": "登记节假日",
                "holiday.delete": "删除节假日",
                "recruitmentplan.create": "制定发展党员计划",
                "recruitmentplan.update": "修改发展党员计划",
            }
        )
        events.register({"candidate.await": "发展党员待办"})

        from dangjian.accounts.policy import Perm
        from dangjian.core.nav import NavItem, TodoSource, register_nav, register_todo

        from .reminders import todo_lines

        register_todo(
            TodoSource("recruitment", todo_lines)
        )  # the steps due this month, in the organisation's 本月待办

        register_nav(
            NavItem("党员", "发展党员", "recruitment:list", 40),
            NavItem("党员", "发展党员待上级办理", "recruitment:queue", 45, perm=Perm.CHANGE_BUSINESS),
            NavItem("党员", "发展党员计划与统计", "recruitment:plans", 46),
            NavItem("党员", "公示与节假日设置", "recruitment:settings", 48),
        )
