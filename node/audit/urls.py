"""Routes of the audit app, under /api/v1/."""

from django.urls import path

from node.audit import apis

urlpatterns = [
    path("audit/", apis.AuditEntryListApi.as_view(), name="audit-list"),
    path("audit/verify", apis.AuditChainVerifyApi.as_view(), name="audit-verify"),
]
