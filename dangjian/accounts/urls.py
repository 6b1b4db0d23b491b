from django.urls import path

from .views import auth, security, users

app_name = "accounts"

urlpatterns = [
    path("login/", auth.LoginView.as_view(), name="login"),
    path("login/otp/", auth.login_otp, name="login_otp"),
    path("logout/", auth.logout_view, name="logout"),
    path("large-text/", auth.large_text, name="large_text"),
    path("password/", auth.password_change, name="password_change"),
    path("otp/", auth.otp_setup, name="otp_setup"),
    path("otp/remove/", auth.otp_remove, name="otp_remove"),
    path("users/", users.user_list, name="user_list"),
    path("users/new/", users.user_create, name="user_create"),
    path("users/<int:pk>/", users.user_detail, name="user_detail"),
    path("users/<int:pk>/edit/", users.user_edit, name="user_edit"),
    path("users/<int:pk>/scope/", users.user_scope, name="user_scope"),
    path("users/<int:pk>/active/", users.user_set_active, name="user_set_active"),
    path("users/<int:pk>/reset-password/", users.user_reset_password, name="user_reset_password"),
    path("users/<int:pk>/reset-otp/", users.user_reset_otp, name="user_reset_otp"),
    path("users/<int:pk>/unlock/", users.user_unlock, name="user_unlock"),
    path("users/<int:pk>/confirm-roles/", users.user_confirm_roles, name="user_confirm_roles"),
    path("security/", security.security_config, name="security"),
]
