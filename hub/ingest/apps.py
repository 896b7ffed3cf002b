from django.apps import AppConfig


class IngestConfig(AppConfig):
    name = "hub.ingest"
    label = "ingest"
    verbose_name = "Ingested aggregates"
