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

        from dangjian.core import audit_events, events, measures

        from .measures import term_measure
        from .services.reminders import EVENTS

        audit_events.register(EVENTS)
        events.register({"term.remind": "换届提醒"})
        measures.register("orgs_term", "按期换届比例", term_measure, source="换届管理")

        from dangjian.core.nav import NavItem, register_nav

        register_nav(
            NavItem("组织", "组织架构", "orgs:tree", 10),
            NavItem("组织", "换届管理", "orgs:terms", 20),
            NavItem("组织", "单位名录", "orgs:units", 30),
        )
