from django.urls import path

from .appraisal import views as appraisals
from .views import inspections, observations, rectifications, similar

app_name = "supervision"

urlpatterns = [
    # 季抽查
    path("inspections/", inspections.round_list, name="rounds"),
    path("inspections/draw/", inspections.draw, name="draw"),
    path("inspections/<int:pk>/", inspections.round_detail, name="round_detail"),
    path("inspections/targets/<int:pk>/", inspections.target_detail, name="target_detail"),
    path("findings/<int:pk>/photos/", inspections.photo_upload, name="photo_upload"),
    path("photos/<int:pk>/", inspections.photo, name="photo"),
    path("photos/<int:pk>/delete/", inspections.photo_delete, name="photo_delete"),
    path("checklist/", inspections.checklist, name="checklist"),
    path("checklist/new/", inspections.checklist_edit, name="checklist_add"),
    path("checklist/<int:pk>/", inspections.checklist_edit, name="checklist_edit"),
    # 整改
    path("rectifications/", rectifications.rectification_list, name="rectifications"),
    path("rectifications/<int:pk>/", rectifications.rectification_detail, name="rectification_detail"),
    path("rectifications/<int:pk>/action/", rectifications.rectification_action, name="rectification_action"),
    path("evidence/<int:pk>/", rectifications.evidence_file, name="evidence_file"),
    # 疑似雷同记录
    path("similar/", similar.similar_list, name="similar"),
    path("similar/<int:a>/<int:b>/", similar.similar_compare, name="similar_compare"),
    # 半年观摩
    path("observations/", observations.observation_list, name="observations"),
    path("observations/new/", observations.observation_create, name="observation_create"),
    path("observations/<int:pk>/", observations.observation_detail, name="observation_detail"),
    path("observations/<int:pk>/edit/", observations.observation_edit, name="observation_edit"),
    path("observations/<int:pk>/rubric/", observations.observation_rubric, name="observation_rubric"),
    path("observations/<int:pk>/score/", observations.observation_score, name="observation_score"),
    path("observations/<int:pk>/final/", observations.observation_final, name="observation_final"),
    path("observations/<int:pk>/export/", observations.observation_export, name="observation_export"),
    # 年终总评
    path("appraisals/", appraisals.appraisal_list, name="appraisals"),
    path("appraisals/new/", appraisals.appraisal_create, name="appraisal_create"),
    path("appraisals/<int:pk>/", appraisals.appraisal_detail, name="appraisal_detail"),
    path("appraisals/<int:pk>/edit/", appraisals.appraisal_edit, name="appraisal_edit"),
    path("appraisals/<int:pk>/indicators/", appraisals.appraisal_indicators, name="appraisal_indicators"),
    path("appraisals/indicators/<int:pk>/remove/", appraisals.indicator_remove, name="indicator_remove"),
    path("appraisals/<int:pk>/manual/<int:indicator>/", appraisals.appraisal_manual, name="appraisal_manual"),
    path("appraisals/<int:pk>/adjustments/", appraisals.appraisal_adjustments, name="appraisal_adjustments"),
    path("appraisals/adjustments/<int:pk>/revoke/", appraisals.adjustment_revoke, name="adjustment_revoke"),
    path("appraisals/<int:pk>/publish/", appraisals.appraisal_publish, name="appraisal_publish"),
    path(
        "appraisals/<int:pk>/preview/<int:org_id>/",
        appraisals.appraisal_preview_org,
        name="appraisal_preview_org",
    ),
    path("appraisals/<int:pk>/v<int:number>/", appraisals.appraisal_version, name="appraisal_version"),
    path(
        "appraisals/<int:pk>/v<int:number>/orgs/<int:org_id>/",
        appraisals.appraisal_version_org,
        name="appraisal_version_org",
    ),
    path("appraisals/<int:pk>/v<int:number>/export/", appraisals.appraisal_export, name="appraisal_export"),
]
