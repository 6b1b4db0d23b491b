from dangjian.core.testing import Case

STAFF = {"bureau", "admin_a", "admin_b", "inspector"}


def cases(cast):
    return [
        Case("reports:annual", "/reports/annual/?year=2026", allow=STAFF),
        Case("reports:rules", "/reports/rules/", allow={"bureau"}),
        Case("reports:dashboard", "/reports/dashboard/", allow=STAFF),
        Case(
            "reports:drill",
            f"/reports/drill/?metric=members&org={cast['a'].pk}",
            allow={"bureau", "admin_a", "inspector"},
            not_found={"admin_b"},
        ),
        Case("reports:ledgers", "/reports/ledgers/", allow=STAFF),
    ]
