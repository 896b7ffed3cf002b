from django.apps import AppConfig


class WebConfig(AppConfig):
    """Server-rendered pages for court staff (French first, English available)."""

    name = "node.web"
    label = "web"
    verbose_name = "Interface web"
