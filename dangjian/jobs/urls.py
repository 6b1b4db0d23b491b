from django.urls import path

from . import views

app_name = "jobs"

urlpatterns = [
    path("", views.job_list, name="list"),
    path("<int:pk>/", views.job_detail, name="detail"),
    path("<int:pk>/progress/", views.job_progress, name="progress"),
    path("<int:pk>/download/", views.job_download, name="download"),
    path("new/report/", views.start_report, name="start_report"),
    path("new/remind/", views.start_remind, name="start_remind"),
    path("new/warm/", views.start_warm, name="start_warm"),
]
