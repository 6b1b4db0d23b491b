from django.urls import path

from . import views

app_name = "members"

urlpatterns = [
    path("", views.member_list, name="list"),
    path("me/", views.me, name="me"),
    path("me/download/", views.me_download, name="me_download"),
    path("new/", views.member_create, name="create"),
    path("import/", views.roster_import, name="import"),
    path("<int:pk>/", views.member_detail, name="detail"),
    path("<int:pk>/edit/", views.member_edit, name="edit"),
    path("<int:pk>/move/", views.member_move, name="move"),
    path("<int:pk>/leave/", views.member_leave, name="leave"),
    path("<int:pk>/restore/", views.member_restore, name="restore"),
    path("<int:pk>/full/", views.member_full, name="full"),
]
