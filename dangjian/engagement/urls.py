from django.urls import path

from . import views

app_name = "engagement"

urlpatterns = [
    path("checkin/<int:pk>/", views.checkin_screen, name="checkin_screen"),
    path("checkin/<int:pk>/open/", views.checkin_open, name="checkin_open"),
    path("checkin/<int:pk>/qr/", views.checkin_qr, name="checkin_qr"),
    path("checkin/<int:pk>/list/", views.checkin_list, name="checkin_list"),
    # the address the QR code carries: short, so that the code stays coarse enough for any phone camera
    path("s/<int:pk>/<int:step>/<slug:sig>/", views.scan, name="scan"),
]
