from django.urls import path

from . import views

app_name = "recruitment"

urlpatterns = [
    path("", views.candidate_list, name="list"),
    path("new/", views.candidate_create, name="create"),
    path("queue/", views.queue, name="queue"),
    path("settings/", views.settings_page, name="settings"),
    path("plans/", views.plan_list, name="plans"),
    path("plans/<int:org>/<int:year>/", views.plan_edit, name="plan_edit"),
    path("documents/<int:pk>/", views.document, name="document"),
    path("<int:pk>/", views.candidate_detail, name="detail"),
    path("<int:pk>/step/<int:number>/", views.step_record, name="step"),
    path("<int:pk>/override/", views.override_grant, name="override"),
    path("<int:pk>/terminate/", views.candidate_terminate, name="terminate"),
    path("<int:pk>/documents/<str:kind>/", views.candidate_document, name="candidate_document"),
]
