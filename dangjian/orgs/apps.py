from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "dangjian.orgs"
    verbose_name = "党组织"

    def ready(self) -> None:
        # The tables whose writes invalidate memoised results (core.stamps, core.memo).
        from dangjian.core import stamps

        from .models import Committee, Organization, PartyGroup, Post, Term, Unit, UnitKindChange

        stamps.track(Organization)  # with its units (the through table)
        stamps.track(Unit)
        stamps.track(UnitKindChange)  # a unit's kind as of a day (orgs.asof)
        stamps.track(PartyGroup)
        stamps.track(Committee)
        stamps.track(Term)
        stamps.track(Post)

        from dangjian.accounts.roles import Role
        from dangjian.core.nav import NavItem, register_nav

        readers = frozenset({Role.BUREAU_ADMIN, Role.ORG_ADMIN, Role.INSPECTOR, Role.MEMBER})
        admins = frozenset({Role.BUREAU_ADMIN, Role.ORG_ADMIN, Role.INSPECTOR})
        register_nav(
            NavItem("组织", "组织架构", "orgs:tree", readers, 10),
            NavItem("组织", "换届管理", "orgs:terms", admins, 20),
            NavItem("组织", "单位名录", "orgs:units", frozenset({Role.BUREAU_ADMIN, Role.INSPECTOR}), 30),
        )
