"""Reading the audit log."""

from __future__ import annotations

from django.db.models import QuerySet

from node.audit.models import AuditEntry


def audit_entry_list() -> QuerySet[AuditEntry]:
    """Every entry, newest first (filters are applied by the API's FilterSet)."""
    return AuditEntry.objects.order_by("-id")
