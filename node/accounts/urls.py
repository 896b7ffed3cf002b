"""Routes of the accounts app, under /api/v1/."""

from django.urls import path

from node.accounts import apis

urlpatterns = [
    path("auth/login", apis.LoginApi.as_view(), name="auth-login"),
    path("auth/logout", apis.LogoutApi.as_view(), name="auth-logout"),
    path("auth/me", apis.MeApi.as_view(), name="auth-me"),
    path("users/", apis.UserListCreateApi.as_view(), name="users"),
    path("users/<int:user_id>/", apis.UserDetailApi.as_view(), name="user-detail"),
    path("users/<int:user_id>/reset-otp", apis.UserOtpResetApi.as_view(), name="user-reset-otp"),
    path("users/<int:user_id>/set-password", apis.UserPasswordSetApi.as_view(),
         name="user-set-password"),
]
