from dangjian.core.testing import Case

WRITERS = {"bureau", "admin_a", "admin_b"}


def cases(cast):
    a0 = cast["members_a"][0]
    return [
        Case(
            "study:overview",
            "/study/",
            allow={"bureau", "admin_a", "admin_b", "inspector"} | {"member"},
            ok=(200, 302),
        ),
        Case("study:members", "/study/members/", allow={"bureau", "admin_a", "admin_b", "inspector"}),
        Case(
            "study:member",
            f"/study/members/{a0.pk}/",
            allow={"bureau", "admin_a", "inspector", "member"},
            not_found={"admin_b"},
        ),
        Case("study:add", "/study/records/new/", allow=WRITERS | {"member"}),
        Case(
            "study:void",
            "/study/records/999999/void/",
            method="post",
            allow=set(),
            not_found=WRITERS | {"member"},
        ),
        Case("study:import", "/study/import/", allow=WRITERS),
        Case("study:config", "/study/config/", allow={"bureau"}),
    ]
