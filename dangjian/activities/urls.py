from django.urls import path

from . import views

app_name = "activities"

urlpatterns = [
    path("", views.activity_list, name="list"),
    path("new/", views.activity_new, name="new"),
    path("roster/", views.roster_partial, name="roster"),
    path("review/", views.review_queue, name="queue"),
    path("review/bulk/", views.review_bulk, name="review_bulk"),
    path("review/<int:pk>/expand/", views.review_expand, name="review_expand"),
    path("import/", views.activity_import, name="import"),
    path("kinds/", views.kind_list, name="kinds"),
    path("kinds/<int:pk>/", views.kind_edit, name="kind_edit"),
    path("attachments/<int:pk>/", views.attachment_file, name="attachment"),
    path("<int:pk>/", views.activity_detail, name="detail"),
    path("<int:pk>/edit/", views.activity_edit, name="edit"),
    path("<int:pk>/submit/", views.activity_submit, name="submit"),
    path("<int:pk>/withdraw/", views.activity_withdraw, name="withdraw"),
    path("<int:pk>/review/", views.activity_review, name="review"),
    path("<int:pk>/void/", views.activity_void, name="void"),
    path("changes/<int:pk>/decide/", views.change_decide, name="change_decide"),
]
