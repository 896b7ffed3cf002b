from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "node.audit"
    label = "audit"
    verbose_name = "Journal d'audit"

    def ready(self) -> None:
        from django.conf import settings

        from node.audit.conf import trusted_proxies

        # A malformed proxy list stops start-up, naming the variable.
        trusted_proxies(settings.SYSTRAITE_TRUSTED_PROXIES)
