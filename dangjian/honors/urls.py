from django.urls import path

from . import views

app_name = "honors"

urlpatterns = [
    path("reviews/", views.review_rounds, name="reviews"),
    path("reviews/<int:pk>/", views.review, name="review"),
    path("reviews/<int:pk>/settings/", views.review_settings, name="review_settings"),
    path("reviews/<int:pk>/vote/", views.vote, name="vote"),
    path("reports/<int:pk>/", views.report, name="report"),
    path("reports/<int:pk>/file/", views.report_file, name="report_file"),
    path("grades/", views.grades, name="grades"),
    path("rounds/", views.honor_rounds, name="rounds"),
    path("rounds/<int:pk>/", views.honor_round, name="round"),
    path("rounds/<int:pk>/nominate/", views.nominate, name="nominate"),
    path("nominations/<int:pk>/", views.nomination, name="nomination"),
    path("", views.honors_list, name="list"),
]
