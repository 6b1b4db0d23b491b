from django.urls import path

from . import views

app_name = "study"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("members/", views.member_progress, name="members"),
    path("members/<int:pk>/", views.member_detail, name="member"),
    path("records/new/", views.add_record, name="add"),
    path("records/<int:pk>/void/", views.void_record, name="void"),
    path("import/", views.import_records, name="import"),
    path("config/", views.config, name="config"),
]
