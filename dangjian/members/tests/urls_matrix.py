"""Every members URL × every role of the cast (dangjian.core.testing)."""

from __future__ import annotations

from dangjian.core.testing import Case

READERS = {"bureau", "admin_a", "admin_b", "inspector", "member"}
WRITERS = {"bureau", "admin_a", "admin_b"}


def cases(cast) -> list[Case]:
    other = cast["members_a"][1]  # in branch A, not the member's own record
    own = cast["members_a"][0]  # member_a's own record
    a_writers = {"bureau", "admin_a"}
    return [
        Case("members:list", "/members/", allow=READERS),
        Case("members:list", "/members/?export=xlsx", allow=WRITERS | {"inspector"}),
        Case("members:list", f"/members/?org={cast['a'].pk}", allow={"bureau", "admin_a", "inspector", "member"},
             not_found={"admin_b"}),
        Case("members:me", "/members/me/", allow={"member"}, ok=(302,),
             not_found={"bureau", "admin_a", "admin_b", "inspector"}),
        Case("members:me_download", "/members/me/download/", allow={"member"},
             not_found={"bureau", "admin_a", "admin_b", "inspector"}),
        Case("members:detail", f"/members/{other.pk}/", allow={"bureau", "admin_a", "inspector"},
             not_found={"admin_b", "member"}),
        Case("members:detail", f"/members/{own.pk}/", allow={"bureau", "admin_a", "inspector", "member"},
             not_found={"admin_b"}),
        Case("members:create", "/members/new/", allow=WRITERS),
        Case("members:import", "/members/import/", allow=WRITERS),
        Case("members:import", "/members/import/?template=1", allow=WRITERS),
        Case("members:edit", f"/members/{other.pk}/edit/", allow=a_writers, not_found={"admin_b"}),
        Case("members:move", f"/members/{other.pk}/move/", allow=a_writers, not_found={"admin_b"}),
        Case("members:leave", f"/members/{other.pk}/leave/", allow=a_writers, not_found={"admin_b"}),
        Case("members:restore", f"/members/{other.pk}/restore/", allow=a_writers, not_found={"admin_b"}),
        Case("members:full", f"/members/{other.pk}/full/", allow=a_writers, not_found={"admin_b"}),
        Case("members:edit", f"/members/{other.pk}/edit/", method="post", data={"name": ""},
             allow=a_writers, not_found={"admin_b"}),
    ]  # fmt: skip
