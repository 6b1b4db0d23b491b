from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "dangjian.members"
    verbose_name = "党员"

    def ready(self) -> None:
        # The tables whose writes invalidate memoised results (core.stamps, core.memo).
        from dangjian.core import stamps

        from .models import Member, MembershipEvent

        stamps.track(Member)
        stamps.track(MembershipEvent)  # as-of rolls read the dated moves (members.asof)

        from dangjian.accounts.roles import Role
        from dangjian.core.nav import NavItem, register_nav

        readers = frozenset({Role.BUREAU_ADMIN, Role.ORG_ADMIN, Role.INSPECTOR})
        writers = frozenset({Role.BUREAU_ADMIN, Role.ORG_ADMIN})
        register_nav(
            NavItem("党员", "党员名册", "members:list", readers, 10),
            NavItem("党员", "导入党员名册", "members:import", writers, 30),
            NavItem("党员", "我的党员信息", "members:me", frozenset({Role.MEMBER}), 10),
        )
