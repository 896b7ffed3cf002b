from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "hub.dashboards"
    label = "dashboards"
    verbose_name = "Tableaux de bord"
