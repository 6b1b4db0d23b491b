from django.urls import path

from . import views, views_setup

app_name = "compliance"

urlpatterns = [
    path("", views.matrix, name="matrix"),
    path("todo/", views.todo_page, name="todo"),
    path("org/<int:org_id>/", views.org_year, name="org_year"),
    path("org/<int:org_id>/<slug:key>/<str:period>/", views.cell, name="cell"),
    path("requirements/", views_setup.requirement_list, name="requirements"),
    path("requirements/new/", views_setup.requirement_add, name="requirement_add"),
    path("requirements/<int:pk>/edit/", views_setup.requirement_edit, name="requirement_edit"),
    path("exemptions/", views_setup.exemption_list, name="exemptions"),
    path("exemptions/new/", views_setup.exemption_add, name="exemption_add"),
    path("exemptions/<int:pk>/", views_setup.exemption_detail, name="exemption_detail"),
    path("exemptions/<int:pk>/revoke/", views_setup.exemption_revoke, name="exemption_revoke"),
]
