"""Every URL of 督查考核 × every role of the cast (see dangjian.core.testing)."""

from __future__ import annotations

from dangjian.core.testing import Case
from dangjian.supervision.tests import factories as f

INSPECTOR_SIDE = {"bureau", "inspector"}
BUREAU = {"bureau"}


def cases(cast) -> list[Case]:
    a, b = cast["a"], cast["b"]
    rnd = f.inspection_round([a, b])
    target_a = rnd.targets.get(organization=a)
    finding_a = f.finding(target_a)
    rect_a = f.rectification(a, finding_obj=finding_a)
    photo_a = f.photo(finding_a)
    photo_to_delete = f.photo(finding_a)
    evidence_a = f.evidence(rect_a)
    obs = f.observation([a, b], [cast["bureau"], cast["inspector"]])
    act_a, act_b = f.activity(a), f.activity(b)
    item = f.item()
    appraisal = f.appraisal(2026)
    ap = f"/supervision/appraisals/{appraisal.pk}"
    manual = appraisal.indicators.get(source="manual", parent__isnull=False)
    removable = appraisal.indicators.get(name="特色创新")
    from dangjian.supervision.appraisal import services as appraisal_services

    adjustment = appraisal_services.add_adjustment(appraisal, a, "bonus", 1, "测试加分", actor=None)
    appraisal_services.publish(appraisal, actor=None)
    p = "/supervision"
    return [
        Case("supervision:rounds", f"{p}/inspections/", allow=INSPECTOR_SIDE),
        Case("supervision:draw", f"{p}/inspections/draw/", allow=BUREAU),
        Case("supervision:round_detail", f"{p}/inspections/{rnd.pk}/", allow=INSPECTOR_SIDE),
        Case(
            "supervision:target_detail",
            f"{p}/inspections/targets/{target_a.pk}/",
            allow=INSPECTOR_SIDE | {"admin_a"},
            not_found={"admin_b"},
        ),
        Case(
            "supervision:photo_upload",
            f"{p}/findings/{finding_a.pk}/photos/",
            allow=INSPECTOR_SIDE,
            method="post",
            ok=(302,),
        ),
        Case(
            "supervision:photo",
            f"{p}/photos/{photo_a.pk}/",
            allow=INSPECTOR_SIDE | {"admin_a"},
            not_found={"admin_b"},
        ),
        Case(
            "supervision:photo_delete",
            f"{p}/photos/{photo_to_delete.pk}/delete/",
            allow=INSPECTOR_SIDE,
            method="post",
            ok=(302,),
        ),
        Case("supervision:checklist", f"{p}/checklist/", allow=INSPECTOR_SIDE),
        Case("supervision:checklist_add", f"{p}/checklist/new/", allow=BUREAU),
        Case("supervision:checklist_edit", f"{p}/checklist/{item.pk}/", allow=BUREAU),
        Case(
            "supervision:rectifications",
            f"{p}/rectifications/",
            allow=INSPECTOR_SIDE | {"admin_a", "admin_b"},
        ),
        Case(
            "supervision:rectification_detail",
            f"{p}/rectifications/{rect_a.pk}/",
            allow=INSPECTOR_SIDE | {"admin_a"},
            not_found={"admin_b"},
        ),
        Case(
            "supervision:rectification_action",
            f"{p}/rectifications/{rect_a.pk}/action/",
            allow=INSPECTOR_SIDE | {"admin_a"},
            not_found={"admin_b"},
            method="post",
            ok=(302,),
        ),
        Case(
            "supervision:evidence_file",
            f"{p}/evidence/{evidence_a.pk}/",
            allow=INSPECTOR_SIDE | {"admin_a"},
            not_found={"admin_b"},
        ),
        Case("supervision:similar", f"{p}/similar/?year=2026", allow=INSPECTOR_SIDE),
        Case("supervision:similar_compare", f"{p}/similar/{act_a.pk}/{act_b.pk}/", allow=INSPECTOR_SIDE),
        Case(
            "supervision:observations",
            f"{p}/observations/",
            allow={"bureau", "inspector", "admin_a", "admin_b", "member"},
        ),
        Case("supervision:observation_create", f"{p}/observations/new/", allow=BUREAU),
        Case("supervision:observation_detail", f"{p}/observations/{obs.pk}/", allow=INSPECTOR_SIDE),
        Case("supervision:observation_edit", f"{p}/observations/{obs.pk}/edit/", allow=BUREAU),
        Case("supervision:observation_rubric", f"{p}/observations/{obs.pk}/rubric/", allow=BUREAU),
        # The inspector is a rater of this event; the bureau admin may open any rater's sheet.
        Case("supervision:observation_score", f"{p}/observations/{obs.pk}/score/", allow=INSPECTOR_SIDE),
        Case(
            "supervision:observation_final",
            f"{p}/observations/{obs.pk}/final/",
            allow=BUREAU,
            method="post",
            ok=(302,),
        ),
        Case("supervision:observation_export", f"{p}/observations/{obs.pk}/export/", allow=INSPECTOR_SIDE),
        # 年终总评
        Case("supervision:appraisals", f"{p}/appraisals/", allow=INSPECTOR_SIDE | {"admin_a", "admin_b"}),
        Case("supervision:appraisal_create", f"{p}/appraisals/new/", allow=BUREAU),
        Case("supervision:appraisal_detail", f"{ap}/", allow=INSPECTOR_SIDE),
        Case("supervision:appraisal_edit", f"{ap}/edit/", allow=BUREAU),
        Case("supervision:appraisal_indicators", f"{ap}/indicators/", allow=BUREAU),
        Case(
            "supervision:indicator_remove",
            f"{p}/appraisals/indicators/{removable.pk}/remove/",
            allow=BUREAU,
            method="post",
            ok=(302,),
        ),
        Case("supervision:appraisal_manual", f"{ap}/manual/{manual.pk}/", allow=INSPECTOR_SIDE),
        # The inspector reads hand scores and adjustments; only the bureau admin writes them (issue 14 item 11).
        Case(
            "supervision:appraisal_manual",
            f"{ap}/manual/{manual.pk}/",
            allow=BUREAU,
            method="post",
            data={f"points-{a.pk}": "abc"},
        ),
        Case("supervision:appraisal_adjustments", f"{ap}/adjustments/", allow=INSPECTOR_SIDE),
        Case("supervision:appraisal_adjustments", f"{ap}/adjustments/", allow=BUREAU, method="post"),
        Case(
            "supervision:adjustment_revoke",
            f"{p}/appraisals/adjustments/{adjustment.pk}/revoke/",
            allow=BUREAU,
            method="post",
            ok=(302,),
        ),
        Case("supervision:appraisal_publish", f"{ap}/publish/", allow=BUREAU, method="post", ok=(302,)),
        Case("supervision:appraisal_preview_org", f"{ap}/preview/{a.pk}/", allow=INSPECTOR_SIDE),
        # Org admins read published results of the organisations in their scope only.
        Case("supervision:appraisal_version", f"{ap}/v1/", allow=INSPECTOR_SIDE | {"admin_a", "admin_b"}),
        Case(
            "supervision:appraisal_version_org",
            f"{ap}/v1/orgs/{a.pk}/",
            allow=INSPECTOR_SIDE | {"admin_a"},
            not_found={"admin_b"},
        ),
        Case("supervision:appraisal_export", f"{ap}/v1/export/", allow=INSPECTOR_SIDE),
    ]
