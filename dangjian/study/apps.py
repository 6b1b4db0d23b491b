from django.apps import AppConfig


class StudyConfig(AppConfig):
    name = "dangjian.study"
    verbose_name = "学习教育"

    def ready(self) -> None:
        from dangjian.core import audit_events

        from .services import EVENTS

        audit_events.register(EVENTS)

        from dangjian.core import measures

        from .measures import study_measure

        measures.register("study_hours", "年度学时达标率", study_measure, source="学习教育")

        # The tables whose writes invalidate memoised results (core.stamps, core.memo).
        from dangjian.core import stamps

        from .models import StudyConfig, StudyRecord

        stamps.track(StudyRecord)
        stamps.track(StudyConfig)

        from dangjian.core.nav import NavItem, register_nav

        register_nav(
            NavItem("学习教育", "学时统计", "study:overview", 10),
            NavItem("学习教育", "学时进度", "study:members", 20),
            NavItem("学习教育", "登记学习记录", "study:add", 30),
            NavItem("学习教育", "导入学习记录", "study:import", 40),
            NavItem("学习教育", "学时设置", "study:config", 50),
        )
