"""Routes of the hub's accounts app, under /api/v1/."""

from django.urls import path

from hub.accounts import apis

urlpatterns = [
    path("auth/login", apis.LoginApi.as_view(), name="hub-auth-login"),
    path("auth/logout", apis.LogoutApi.as_view(), name="hub-auth-logout"),
    path("auth/me", apis.MeApi.as_view(), name="hub-auth-me"),
    path("nodes/", apis.NodeListApi.as_view(), name="hub-nodes"),
    path("audit/", apis.AuditEntryListApi.as_view(), name="hub-audit"),
]
