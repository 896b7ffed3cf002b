"""Routes of the ingest app, under /api/v1/."""

from django.urls import path

from hub.ingest import apis

urlpatterns = [
    path("submissions/", apis.SubmissionApi.as_view(), name="submissions"),
    path("submissions/status", apis.SubmissionStatusApi.as_view(), name="submissions-status"),
]
