from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "dangjian.members"
    verbose_name = "党员"

    def ready(self) -> None:
        from dangjian.accounts.policy import Perm
        from dangjian.core.nav import NavItem, register_nav

        register_nav(
            # A member's roster holds only their own record: the menu leads them to 我的党员信息 instead.
            NavItem("党员", "党员名册", "members:list", 10, perm=Perm.VIEW_STAFF),
            NavItem("党员", "导入党员名册", "members:import", 30),
            NavItem("党员", "我的党员信息", "members:me", 10, perm=Perm.VIEW_OWN_MEMBER),
        )
