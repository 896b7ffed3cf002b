"""URL map of the national hub."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from shared import web

urlpatterns = [
    path("healthz", web.healthz, name="healthz"),
    path("metrics", web.metrics, name="metrics"),
    path("api/v1/", include("hub.ingest.urls")),
    path("api/v1/", include("hub.accounts.urls")),
    path("api/v1/", include("hub.stats.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("", include("hub.dashboards.urls")),
]
