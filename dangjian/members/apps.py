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

        from dangjian.accounts.policy import Perm
        from dangjian.core.nav import NavItem, register_nav

        register_nav(
            # A member's roster holds only their own record: the menu leads them to 我的党员信息 instead.
            NavItem("党员", "党员名册", "members:list", 10, perm=Perm.VIEW_STAFF),
            NavItem("党员", "导入党员名册", "members:import", 30),
            NavItem("党员", "我的党员信息", "members:me", 10, perm=Perm.VIEW_OWN_MEMBER),
        )
        from dangjian.core.nav import HomePanel, register_panel

        from .home import member_panel

        # a member's home is their own page (before the branch-level panels, which a member no longer gets)
        register_panel(
            HomePanel("members_mine", "members/panel_mine.html", member_panel, Perm.VIEW_OWN_MEMBER, 5)
        )
