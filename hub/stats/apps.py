from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "hub.stats"
    label = "stats"
    verbose_name = "Statistiques nationales"
