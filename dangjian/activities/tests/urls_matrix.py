from datetime import date

from dangjian.activities import services
from dangjian.activities.models import Activity, ActivityKind, ActivityStatus
from dangjian.core.testing import BUSINESS_READERS, Case

from .factories import activity, png

WRITERS_A = {"bureau", "admin_a"}


def cases(cast):
    a = cast["a"]
    draft = activity(a, ["theme_day"], day=date(2025, 3, 1), attachments=[png()])
    to_review = activity(a, ["branch_assembly"], day=date(2025, 3, 2))
    services.submit(to_review, actor=None)
    to_void = activity(a, ["party_lecture"], day=date(2025, 3, 3), speaker="李老师")
    to_withdraw = activity(a, ["collective_study"], day=date(2025, 3, 4))
    services.submit(to_withdraw, actor=None)
    approved = activity(a, ["theme_day"], day=date(2025, 3, 5))
    Activity.objects.filter(pk=approved.pk).update(status=ActivityStatus.APPROVED)
    approved.refresh_from_db()
    change = services.request_void(approved, actor=cast["admin_a"], reason="重复登记")
    attachment = draft.attachments.get()
    # A pending request to void an approved record; deciding is POST-only, so a GET by a reviewer answers 405
    # (past the permission gate) and writes nothing.
    voided = activity(
        a, ["party_lecture"], day=date(2025, 3, 5), speaker="王老师", as_entered_by_branch=False
    )
    change = services.request_void(voided, actor=cast["admin_a"], reason="矩阵用例")
    kind = ActivityKind.objects.get(key="theme_day")
    return [
        Case("activities:list", "/activities/", allow=BUSINESS_READERS),
        Case("activities:new", "/activities/new/", allow={"bureau", "admin_a", "admin_b"}),
        Case(
            "activities:new",
            f"/activities/new/?org={a.pk}&kinds=theme_day,branch_assembly",
            allow=WRITERS_A,
            not_found={"admin_b"},
        ),
        Case(
            "activities:roster",
            f"/activities/roster/?organization={a.pk}&date=2025-03-01&kinds=theme_day",
            allow=WRITERS_A,
            not_found={"admin_b"},
        ),
        Case("activities:queue", "/activities/review/", allow={"bureau", "admin_a", "admin_b"}),
        Case(
            "activities:queue",
            f"/activities/review/?org={a.pk}&kind=branch_assembly&age=7&order=newest",
            allow={"bureau", "admin_a"},  # admin_a's own branch is in scope (its records are reviewed above)
            not_found={"admin_b"},
        ),
        Case(
            "activities:review_expand",
            f"/activities/review/{to_review.pk}/expand/",
            allow={"bureau"},
            not_found={"admin_b"},
        ),
        Case(
            "activities:review_bulk",
            "/activities/review/bulk/",
            allow={"bureau", "admin_a", "admin_b"},
            method="post",
            data={"pk": [to_review.pk]},
            ok=(302,),
        ),
        Case("activities:import", "/activities/import/", allow={"bureau", "admin_a", "admin_b"}),
        Case("activities:kinds", "/activities/kinds/", allow={"bureau"}),
        Case(
            "activities:change_decide",
            f"/activities/changes/{change.pk}/decide/",
            allow={"bureau", "admin_a", "admin_b"},
            ok=(405,),
        ),
        Case("activities:kind_edit", f"/activities/kinds/{kind.pk}/", allow={"bureau"}),
        Case(
            "activities:attachment",
            f"/activities/attachments/{attachment.pk}/",
            allow={"bureau", "admin_a", "member", "inspector"},
            not_found={"admin_b"},
        ),
        Case(
            "activities:detail",
            f"/activities/{draft.pk}/",
            allow={"bureau", "admin_a", "member", "inspector"},
            not_found={"admin_b"},
        ),
        Case("activities:edit", f"/activities/{draft.pk}/edit/", allow=WRITERS_A, not_found={"admin_b"}),
        Case(
            "activities:submit",
            f"/activities/{draft.pk}/submit/",
            allow=WRITERS_A,
            not_found={"admin_b"},
            method="post",
            ok=(302,),
        ),
        Case(
            "activities:withdraw",
            f"/activities/{to_withdraw.pk}/withdraw/",
            allow=WRITERS_A,
            not_found={"admin_b"},
            method="post",
            ok=(302,),
        ),
        Case(
            "activities:review",
            f"/activities/{to_review.pk}/review/",
            allow={"bureau"},
            not_found={"admin_b"},
            method="post",
            data={"decision": "approve"},
            ok=(302,),
        ),
        Case(
            "activities:void",
            f"/activities/{to_void.pk}/void/",
            allow=WRITERS_A,
            not_found={"admin_b"},
            method="post",
            data={"reason": "重复登记"},
            ok=(302,),
        ),
        Case(
            "activities:change_decide",
            f"/activities/changes/{change.pk}/decide/",
            allow={"bureau"},
            not_found={"admin_b"},
            method="post",
            data={"decision": "reject", "comment": "并非重复登记"},
            ok=(302,),
        ),
    ]
