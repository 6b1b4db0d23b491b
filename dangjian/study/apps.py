from django.apps import AppConfig


class StudyConfig(AppConfig):
    name = "dangjian.study"
    verbose_name = "学习教育"

    def ready(self) -> None:
        # The tables whose writes invalidate memoised results (core.stamps, core.memo).
        from dangjian.core import stamps

        from .models import StudyConfig, StudyRecord

        stamps.track(StudyRecord)
        stamps.track(StudyConfig)

        from dangjian.accounts.roles import Role
        from dangjian.core.nav import NavItem, register_nav

        readers = frozenset({Role.BUREAU_ADMIN, Role.ORG_ADMIN, Role.INSPECTOR, Role.MEMBER})
        register_nav(
            NavItem("学习教育", "学时统计", "study:overview", readers, 10),
            NavItem(
                "学习教育",
                "学时进度",
                "study:members",
                frozenset({Role.BUREAU_ADMIN, Role.ORG_ADMIN, Role.INSPECTOR}),
                20,
            ),
            NavItem(
                "学习教育",
                "登记学习记录",
                "study:add",
                frozenset({Role.BUREAU_ADMIN, Role.ORG_ADMIN, Role.MEMBER}),
                30,
            ),
            NavItem(
                "学习教育", "导入学习记录", "study:import", frozenset({Role.BUREAU_ADMIN, Role.ORG_ADMIN}), 40
            ),
            NavItem("学习教育", "学时设置", "study:config", frozenset({Role.BUREAU_ADMIN}), 50),
        )
