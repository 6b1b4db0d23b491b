from django.urls import path

from . import term_views, views

app_name = "orgs"

urlpatterns = [
    path("", views.tree, name="tree"),
    path("new/", views.create, name="create"),
    path("picker/", views.picker, name="picker"),
    path("terms/", term_views.overview, name="terms"),
    path("units/", views.units, name="units"),
    path("units/new/", views.unit_create, name="unit_create"),
    path("units/<int:pk>/edit/", views.unit_edit, name="unit_edit"),
    path("units/<int:pk>/kind/", views.unit_kind_change, name="unit_kind_change"),
    path("groups/<int:pk>/edit/", views.group_edit, name="group_edit"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/move/", views.move, name="move"),
    path("<int:pk>/dissolve/", views.dissolve, name="dissolve"),
    path("<int:pk>/groups/new/", views.group_create, name="group_create"),
    path("<int:pk>/term/", term_views.term_edit, name="term_edit"),
    path("<int:pk>/term/delay/", term_views.term_delay, name="term_delay"),
    path("<int:pk>/renewal/", term_views.renewal, name="renewal"),
    path("<int:pk>/renewal/remind/", term_views.renewal_remind, name="renewal_remind"),
    path("<int:pk>/renewal/letter/", term_views.renewal_letter, name="renewal_letter"),
    path("<int:pk>/renewal/election/", term_views.renewal_election, name="renewal_election"),
]
