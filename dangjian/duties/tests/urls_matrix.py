"""Every URL of the duties app × every role of the cast (see dangjian.core.testing)."""

from __future__ import annotations

from django.utils import timezone

from dangjian.core.testing import BUSINESS_READERS, Case

from .factories import world

BUREAU = {"bureau"}
WRITERS = {"bureau", "admin_a", "admin_b"}
READ_ALL = {"bureau", "inspector"}
A_READERS = {"bureau", "admin_a", "member", "inspector"}  # records of branch A
A_WRITERS = {"bureau", "admin_a"}
B = {"admin_b"}


def cases(cast) -> list[Case]:
    w = world(cast)
    a = cast["a"]
    today = timezone.localdate().isoformat()
    d = "/duties"
    return [
        # 责任体系
        Case("duties:system", f"{d}/system/", allow=BUSINESS_READERS),
        Case("duties:group_create", f"{d}/system/groups/new/", allow=BUREAU),
        Case("duties:group_edit", f"{d}/system/groups/{w['group'].pk}/edit/", allow=BUREAU),
        Case("duties:group_member_add", f"{d}/system/groups/{w['group'].pk}/members/new/", allow=BUREAU),
        Case("duties:group_member_edit", f"{d}/system/members/{w['group_member'].pk}/edit/", allow=BUREAU),
        Case(
            "duties:group_member_retire",
            f"{d}/system/members/{w['group_member'].pk}/retire/",
            allow=BUREAU,
            method="post",
            ok=(302,),
        ),
        Case("duties:first_responsible", f"{d}/system/first/{a.pk}/", allow=A_WRITERS, not_found=B),
        # 责任清单
        Case("duties:mine", f"{d}/mine/", allow=BUSINESS_READERS),
        Case("duties:list_index", f"{d}/lists/", allow=BUSINESS_READERS),
        Case("duties:list_create", f"{d}/lists/new/", allow=WRITERS),
        Case("duties:list_detail", f"{d}/lists/{w['a_list'].pk}/", allow=A_READERS, not_found=B),
        Case("duties:list_edit", f"{d}/lists/{w['a_list'].pk}/edit/", allow=A_WRITERS, not_found=B),
        Case("duties:list_docx", f"{d}/lists/{w['a_list'].pk}/docx/", allow=A_READERS, not_found=B),
        Case("duties:list_xlsx", f"{d}/lists/{w['a_list'].pk}/xlsx/", allow=A_READERS, not_found=B),
        Case("duties:item_create", f"{d}/lists/{w['a_list'].pk}/items/new/", allow=A_WRITERS, not_found=B),
        Case("duties:item_detail", f"{d}/items/{w['a_duty'].pk}/", allow=A_READERS, not_found=B),
        Case("duties:item_edit", f"{d}/items/{w['a_duty'].pk}/edit/", allow=A_WRITERS, not_found=B),
        Case(
            "duties:item_retire",
            f"{d}/items/{w['a_duty2'].pk}/retire/",
            allow=A_WRITERS,
            not_found=B,
            method="post",
            ok=(302,),
        ),
        # the responsible member reports; the inspector reads but does not report
        Case(
            "duties:item_report",
            f"{d}/items/{w['a_duty'].pk}/report/",
            allow={"bureau", "admin_a", "member"},
            not_found=B,
        ),
        Case("duties:rates", f"{d}/rates/", allow=READ_ALL),
        # 工作要点
        Case("duties:plan_index", f"{d}/plans/", allow=BUSINESS_READERS),
        Case("duties:plan_create", f"{d}/plans/new/", allow=BUREAU),
        Case("duties:plan_detail", f"{d}/plans/{w['plan'].pk}/", allow=BUSINESS_READERS),
        Case("duties:plan_edit", f"{d}/plans/{w['plan'].pk}/edit/", allow=BUREAU),
        Case("duties:plan_item_create", f"{d}/plans/{w['plan'].pk}/items/new/", allow=BUREAU),
        Case("duties:plan_item_detail", f"{d}/plan-items/{w['plan_item'].pk}/", allow=BUSINESS_READERS),
        Case("duties:plan_item_edit", f"{d}/plan-items/{w['plan_item'].pk}/edit/", allow=BUREAU),
        # branch B reads the plan but the item is A's: 403, not 404
        Case(
            "duties:plan_item_progress",
            f"{d}/plan-items/{w['plan_item'].pk}/progress/",
            allow=A_WRITERS,
            method="post",
            data={"reported_on": today, "text": "已完成一半", "percent": "50"},
            ok=(302,),
        ),
        Case("duties:plan_item_assess", f"{d}/plan-items/{w['plan_item'].pk}/assess/", allow=BUREAU),
        # 通知
        Case("duties:notice_index", f"{d}/notices/", allow=BUSINESS_READERS),
        Case("duties:notice_create", f"{d}/notices/new/", allow=BUREAU),
        Case("duties:notice_generate", f"{d}/notices/generate/", allow=BUREAU, method="post", ok=(302,)),
        Case("duties:notice_detail", f"{d}/notices/{w['notice'].pk}/", allow=A_READERS, not_found=B),
        Case("duties:notice_edit", f"{d}/notices/{w['draft'].pk}/edit/", allow=BUREAU),
        Case(
            "duties:notice_issue",
            f"{d}/notices/{w['draft2'].pk}/issue/",
            allow=BUREAU,
            method="post",
            ok=(302,),
        ),
        Case(
            "duties:notice_withdraw",
            f"{d}/notices/{w['to_withdraw'].pk}/withdraw/",
            allow=BUREAU,
            method="post",
            data={"reason": "内容有误"},
            ok=(302,),
        ),
        Case(
            "duties:notice_urge",
            f"{d}/notices/{w['notice'].pk}/urge/",
            allow=BUREAU,
            method="post",
            ok=(302,),
        ),
        Case(
            "duties:notice_ack",
            f"{d}/targets/{w['target_a'].pk}/ack/",
            allow=A_WRITERS,
            not_found=B,
            method="post",
            ok=(302,),
        ),
        Case(
            "duties:notice_feedback",
            f"{d}/targets/{w['target_a'].pk}/feedback/",
            allow=A_READERS,
            not_found=B,
        ),
        Case("duties:template_index", f"{d}/notice-templates/", allow=BUREAU),
        Case("duties:template_create", f"{d}/notice-templates/new/", allow=BUREAU),
        Case("duties:template_edit", f"{d}/notice-templates/{w['template'].pk}/edit/", allow=BUREAU),
        # 党建品牌
        Case("duties:case_index", f"{d}/cases/", allow=BUSINESS_READERS),
        Case("duties:case_create", f"{d}/cases/new/", allow=WRITERS),
        Case("duties:case_detail", f"{d}/cases/{w['case_draft'].pk}/", allow=A_READERS, not_found=B),
        Case("duties:case_edit", f"{d}/cases/{w['case_draft'].pk}/edit/", allow=A_WRITERS, not_found=B),
        # approving is the bureau's: branch A may read the case but not approve it
        Case(
            "duties:case_act",
            f"{d}/cases/{w['case_submitted'].pk}/act/",
            allow=BUREAU,
            not_found=B,
            method="post",
            data={"action": "approve"},
            ok=(302,),
        ),
        Case(
            "duties:case_exemplary",
            f"{d}/cases/{w['case_published'].pk}/exemplary/",
            allow=BUREAU,
            method="post",
            data={"flag": "1"},
            ok=(302,),
        ),
        Case("duties:showcase", f"{d}/showcase/", allow=BUSINESS_READERS),
        # 制度库
        Case("duties:rule_index", f"{d}/rules/", allow=BUSINESS_READERS),
        Case("duties:rule_create", f"{d}/rules/new/", allow=BUREAU),
        Case("duties:rule_detail", f"{d}/rules/{w['rule'].pk}/", allow=BUSINESS_READERS),
        Case("duties:rule_version", f"{d}/rules/{w['rule'].pk}/v1/", allow=BUSINESS_READERS),
        Case("duties:rule_revise", f"{d}/rules/{w['rule'].pk}/revise/", allow=BUREAU),
        Case("duties:rule_edit", f"{d}/rules/{w['rule'].pk}/edit/", allow=BUREAU),
        Case(
            "duties:rule_cite",
            f"{d}/rules/{w['rule'].pk}/cite/",
            allow=BUREAU,
            method="post",
            data={"target": "", "clause": ""},
            ok=(302,),
        ),
        Case(
            "duties:rule_uncite",
            f"{d}/citations/{w['citation'].pk}/remove/",
            allow=BUREAU,
            method="post",
            ok=(302,),
        ),
        # files
        Case("duties:file", f"{d}/files/evidence/{w['evidence'].pk}/", allow=A_READERS, not_found=B),
        # the responsible member and those who may change the list remove evidence; the inspector only reads
        Case(
            "duties:file_remove",
            f"{d}/files/evidence/{w['evidence2'].pk}/remove/",
            allow={"bureau", "admin_a", "member"},
            not_found=B,
            method="post",
            ok=(302,),
        ),
    ]
