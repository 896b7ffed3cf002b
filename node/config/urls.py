"""URL map of a jurisdiction node."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from shared import web

api_v1 = [
    path("", include("node.accounts.urls")),
    path("", include("node.audit.urls")),
    path("", include("node.people.urls")),
    path("", include("node.cases.urls")),
]

urlpatterns = [
    path("healthz", web.healthz, name="healthz"),
    path("metrics", web.metrics, name="metrics"),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("", include("node.web.urls")),
]
