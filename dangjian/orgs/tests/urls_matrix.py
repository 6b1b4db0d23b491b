"""Every orgs URL × the cast (dangjian.core.testing). A and B are branches under JG under ROOT; admin_a
manages A, admin_b manages B; the member belongs to A."""

from __future__ import annotations

from datetime import date

from dangjian.core.testing import BUSINESS_READERS, Case
from dangjian.orgs.models import PartyGroup, Unit


def cases(cast):
    a, b, organ = cast["a"], cast["b"], cast["organ"]
    group_b = PartyGroup.objects.create(organization=b, name="矩阵党小组")
    unit = Unit.objects.order_by("pk").first()
    # The cast has no terms; give A one so that the term pages show their forms.
    from dangjian.factories import term

    term(a, elected_on=date(2024, 3, 1))
    writers_a = {"bureau", "admin_a"}
    return [
        Case("orgs:tree", "/orgs/", allow=BUSINESS_READERS),
        Case("orgs:picker", "/orgs/picker/?q=%E6%94%AF%E9%83%A8", allow=BUSINESS_READERS),
        Case(
            "orgs:detail",
            f"/orgs/{a.pk}/",
            allow={"bureau", "admin_a", "member", "inspector"},
            not_found={"admin_b"},
        ),
        Case(
            "orgs:detail",
            f"/orgs/{b.pk}/",
            allow={"bureau", "admin_b", "inspector"},
            not_found={"admin_a", "member"},
        ),
        Case(
            "orgs:detail",
            f"/orgs/{organ.pk}/",
            allow={"bureau", "inspector"},
            not_found={"admin_a", "admin_b", "member"},
        ),
        Case("orgs:create", "/orgs/new/", allow={"bureau", "admin_a", "admin_b"}),
        Case("orgs:edit", f"/orgs/{a.pk}/edit/", allow=writers_a, not_found={"admin_b"}),
        # An org admin never moves or dissolves their own root: 403, not 404 (they can see it).
        Case("orgs:move", f"/orgs/{a.pk}/move/", allow={"bureau"}, not_found={"admin_b"}),
        Case("orgs:move", f"/orgs/{organ.pk}/move/", allow={"bureau"}, not_found={"admin_a", "admin_b"}),
        Case("orgs:dissolve", f"/orgs/{b.pk}/dissolve/", allow={"bureau"}, not_found={"admin_a"}),
        Case("orgs:units", "/orgs/units/", allow={"bureau", "inspector"}),
        Case("orgs:unit_create", "/orgs/units/new/", allow={"bureau"}),
        Case("orgs:unit_edit", f"/orgs/units/{unit.pk}/edit/", allow={"bureau"}),
        Case("orgs:unit_kind_change", f"/orgs/units/{unit.pk}/kind/", allow={"bureau"}),
        Case("orgs:group_create", f"/orgs/{a.pk}/groups/new/", allow=writers_a, not_found={"admin_b"}),
        Case(
            "orgs:group_edit",
            f"/orgs/groups/{group_b.pk}/edit/",
            allow={"bureau", "admin_b"},
            not_found={"admin_a"},
        ),
        Case("orgs:term_edit", f"/orgs/{a.pk}/term/", allow=writers_a, not_found={"admin_b"}),
        Case("orgs:term_delay", f"/orgs/{a.pk}/term/delay/", allow=writers_a, not_found={"admin_b"}),
        Case("orgs:renewal", f"/orgs/{a.pk}/renewal/", allow=writers_a, not_found={"admin_b"}),
        Case(
            "orgs:renewal_election", f"/orgs/{a.pk}/renewal/election/", allow=writers_a, not_found={"admin_b"}
        ),
        Case("orgs:terms", "/orgs/terms/", allow={"bureau", "admin_a", "admin_b", "inspector"}),
        # 换届提醒 is the superior's: never the organisation's own admin (403), nobody outside the scope (404).
        Case(
            "orgs:renewal_remind",
            f"/orgs/{a.pk}/renewal/remind/",
            allow={"bureau"},
            not_found={"admin_b"},
            method="post",
            ok=(302,),
        ),
        Case("orgs:renewal_letter", f"/orgs/{a.pk}/renewal/letter/", allow={"bureau"}, not_found={"admin_b"}),
    ]
