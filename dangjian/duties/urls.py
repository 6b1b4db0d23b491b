from django.urls import path

from .views import cases, files, lists, notices, plans, rules, system

app_name = "duties"

urlpatterns = [
    # 责任体系
    path("system/", system.system, name="system"),
    path("system/groups/new/", system.group_create, name="group_create"),
    path("system/groups/<int:pk>/edit/", system.group_edit, name="group_edit"),
    path("system/groups/<int:pk>/members/new/", system.group_member_add, name="group_member_add"),
    path("system/members/<int:pk>/edit/", system.group_member_edit, name="group_member_edit"),
    path("system/members/<int:pk>/retire/", system.group_member_retire, name="group_member_retire"),
    path("system/first/<int:org_pk>/", system.first_responsible, name="first_responsible"),
    # 责任清单
    path("mine/", lists.mine, name="mine"),
    path("lists/", lists.list_index, name="list_index"),
    path("lists/new/", lists.list_create, name="list_create"),
    path("lists/<int:pk>/", lists.list_detail, name="list_detail"),
    path("lists/<int:pk>/edit/", lists.list_edit, name="list_edit"),
    path("lists/<int:pk>/docx/", lists.list_docx, name="list_docx"),
    path("lists/<int:pk>/xlsx/", lists.list_xlsx, name="list_xlsx"),
    path("lists/<int:pk>/items/new/", lists.item_create, name="item_create"),
    path("items/<int:pk>/", lists.item_detail, name="item_detail"),
    path("items/<int:pk>/edit/", lists.item_edit, name="item_edit"),
    path("items/<int:pk>/retire/", lists.item_retire, name="item_retire"),
    path("items/<int:pk>/report/", lists.item_report, name="item_report"),
    path("rates/", lists.rates, name="rates"),
    # 工作要点
    path("plans/", plans.plan_index, name="plan_index"),
    path("plans/new/", plans.plan_create, name="plan_create"),
    path("plans/<int:pk>/", plans.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/edit/", plans.plan_edit, name="plan_edit"),
    path("plans/<int:pk>/items/new/", plans.plan_item_create, name="plan_item_create"),
    path("plan-items/<int:pk>/", plans.plan_item_detail, name="plan_item_detail"),
    path("plan-items/<int:pk>/edit/", plans.plan_item_edit, name="plan_item_edit"),
    path("plan-items/<int:pk>/progress/", plans.plan_item_progress, name="plan_item_progress"),
    path("plan-items/<int:pk>/assess/", plans.plan_item_assess, name="plan_item_assess"),
    # 通知
    path("notices/", notices.notice_index, name="notice_index"),
    path("notices/new/", notices.notice_create, name="notice_create"),
    path("notices/generate/", notices.notice_generate, name="notice_generate"),
    path("notices/<int:pk>/", notices.notice_detail, name="notice_detail"),
    path("notices/<int:pk>/edit/", notices.notice_edit, name="notice_edit"),
    path("notices/<int:pk>/issue/", notices.notice_issue, name="notice_issue"),
    path("notices/<int:pk>/withdraw/", notices.notice_withdraw, name="notice_withdraw"),
    path("notices/<int:pk>/urge/", notices.notice_urge, name="notice_urge"),
    path("targets/<int:pk>/ack/", notices.notice_ack, name="notice_ack"),
    path("targets/<int:pk>/feedback/", notices.notice_feedback, name="notice_feedback"),
    path("notice-templates/", notices.template_index, name="template_index"),
    path("notice-templates/new/", notices.template_create, name="template_create"),
    path("notice-templates/<int:pk>/edit/", notices.template_edit, name="template_edit"),
    # 党建品牌
    path("cases/", cases.case_index, name="case_index"),
    path("cases/new/", cases.case_create, name="case_create"),
    path("cases/<int:pk>/", cases.case_detail, name="case_detail"),
    path("cases/<int:pk>/edit/", cases.case_edit, name="case_edit"),
    path("cases/<int:pk>/act/", cases.case_act, name="case_act"),
    path("cases/<int:pk>/exemplary/", cases.case_exemplary, name="case_exemplary"),
    path("showcase/", cases.showcase, name="showcase"),
    # 制度库
    path("rules/", rules.rule_index, name="rule_index"),
    path("rules/new/", rules.rule_create, name="rule_create"),
    path("rules/<int:pk>/", rules.rule_detail, name="rule_detail"),
    path("rules/<int:pk>/v<int:number>/", rules.rule_version, name="rule_version"),
    path("rules/<int:pk>/revise/", rules.rule_revise, name="rule_revise"),
    path("rules/<int:pk>/edit/", rules.rule_edit, name="rule_edit"),
    path("rules/<int:pk>/cite/", rules.rule_cite, name="rule_cite"),
    path("citations/<int:pk>/remove/", rules.rule_uncite, name="rule_uncite"),
    # files, served after a scope check
    path("files/<str:kind>/<int:pk>/", files.file, name="file"),
    path("files/<str:kind>/<int:pk>/remove/", files.file_remove, name="file_remove"),
]
