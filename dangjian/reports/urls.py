from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("annual/", views.annual_report, name="annual"),
    path("rules/", views.rules, name="rules"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("drill/", views.drill, name="drill"),
    path("ledgers/", views.ledgers, name="ledgers"),
]
