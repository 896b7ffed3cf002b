"""Filters of the auditors' list of audit entries."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.core.validators import RegexValidator
from django.db.models import QuerySet
from django.utils import timezone
from django_filters import rest_framework as filters

from node.audit.models import CODE_PATTERN, AuditEntry

_CODE = RegexValidator(r"\A[a-z_]{2,40}\Z", f"Un code de la forme {CODE_PATTERN.pattern}.")


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _from(queryset: QuerySet[AuditEntry], name: str, value: date) -> QuerySet[AuditEntry]:
    return queryset.filter(at__gte=_day_start(value))


def _to(queryset: QuerySet[AuditEntry], name: str, value: date) -> QuerySet[AuditEntry]:
    return queryset.filter(at__lt=_day_start(value + timedelta(days=1)))


class AuditEntryFilter(filters.FilterSet):
    """Exact filters, plus ``from`` and ``to``: days (inclusive) in the node's time zone.

    A malformed value (an action that is not a code, a date that is not
    YYYY-MM-DD) is a 400 naming the parameter, never an empty list.
    """

    action = filters.CharFilter(validators=[_CODE], help_text="Code d'action (read, update...).")
    actor_username = filters.CharFilter(max_length=150, help_text="Identifiant de l'agent.")
    target_type = filters.CharFilter(validators=[_CODE], help_text="Type d'objet (survivor...).")
    target_id = filters.CharFilter(max_length=64, help_text="Identifiant de l'objet.")

    class Meta:
        model = AuditEntry
        fields: list[str] = []


# "from" is a Python keyword, so these two cannot be declared in the class body.
AuditEntryFilter.base_filters["from"] = filters.DateFilter(
    field_name="at", method=_from, help_text="Premier jour inclus (AAAA-MM-JJ)."
)
AuditEntryFilter.base_filters["to"] = filters.DateFilter(
    field_name="at", method=_to, help_text="Dernier jour inclus (AAAA-MM-JJ)."
)
