from django.urls import path

from . import pwa, views

app_name = "site"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    # installable (issue 19 part 4): at the site's root, so that the worker's scope is the whole site
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
    path("sw.js", pwa.service_worker, name="service_worker"),
    path("offline/", pwa.offline, name="offline"),
]
