from django.urls import path

from . import views

app_name = "notify"

urlpatterns = [
    path("", views.centre, name="centre"),
    path("<int:pk>/open/", views.open_notification, name="open"),
    path("read-all/", views.mark_all_read, name="read_all"),
    path("preferences/", views.preferences, name="preferences"),
    path("settings/", views.settings_page, name="settings"),
    path("settings/test/", views.test_message, name="test_message"),
    path("webhook/<int:org_id>/", views.webhook, name="webhook"),
]
