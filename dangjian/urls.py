from django.urls import include, path

urlpatterns = [
    path("", include("dangjian.site.urls")),
    path("accounts/", include("dangjian.accounts.urls")),
    path("orgs/", include("dangjian.orgs.urls")),
    path("members/", include("dangjian.members.urls")),
    path("activities/", include("dangjian.activities.urls")),
    path("recruitment/", include("dangjian.recruitment.urls")),
    path("compliance/", include("dangjian.compliance.urls")),
    path("study/", include("dangjian.study.urls")),
    path("duties/", include("dangjian.duties.urls")),
    path("supervision/", include("dangjian.supervision.urls")),
    path("honors/", include("dangjian.honors.urls")),
    path("dues/", include("dangjian.dues.urls")),
    path("reports/", include("dangjian.reports.urls")),
    path("notify/", include("dangjian.notify.urls")),
    path("engagement/", include("dangjian.engagement.urls")),
    path("audit/", include("dangjian.core.urls")),
    path("jobs/", include("dangjian.jobs.urls")),
]

# A malformed query parameter (core.params) is the caller's error: a 400 page that names it, never a 500.
handler400 = "dangjian.core.views.bad_request"
