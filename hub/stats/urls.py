"""Routes of the stats app, under /api/v1/."""

from django.urls import path, re_path

from hub.stats import apis

urlpatterns = [
    path("stats/", apis.StatsTableListApi.as_view(), name="stats-tables"),
    path("stats/ctdc.csv", apis.CtdcExportApi.as_view(), name="stats-ctdc"),
    path("stats/<str:table>/", apis.StatsTableApi.as_view(), name="stats-table"),
    re_path(r"^stats/(?P<table>[a-z0-9_]+)/export\.(?P<fmt>csv|xlsx)$",
            apis.StatsExportApi.as_view(), name="stats-export"),
    path("stats/<str:table>/dhis2", apis.StatsDhis2Api.as_view(), name="stats-dhis2"),
    path("indicators/<str:name>", apis.IndicatorApi.as_view(), name="indicators"),
    path("population", apis.PopulationApi.as_view(), name="population"),
]
