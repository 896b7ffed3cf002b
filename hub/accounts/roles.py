"""Who may do what on the hub: the roles and their capabilities, declared once.

Views ask ``has_capability``; tests/hub/accounts/test_roles_matrix.py reads
every URL of the hub so that a new endpoint cannot escape the matrix.
"""

from __future__ import annotations

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ANALYST = "analyst", _("Analyste national (CNLTP / DACG)")
    PARTNER = "partner", _("Partenaire")
    HUB_ADMIN = "hub_admin", _("Administrateur du hub")
    AUDITOR = "auditor", _("Auditeur")


class Capability(StrEnum):
    VIEW_EXACT = "view_exact"  # exact national statistics (every read audited)
    VIEW_PROTECTED = "view_protected"  # disclosure-controlled statistics only
    MANAGE_NODES = "manage_nodes"  # node registry
    MANAGE_POPULATION = "manage_population"  # population denominators
    READ_AUDIT = "read_audit"  # the audit log


CAPABILITIES: dict[str, frozenset[Capability]] = {
    Role.ANALYST: frozenset({Capability.VIEW_EXACT}),
    Role.PARTNER: frozenset({Capability.VIEW_PROTECTED}),
    Role.HUB_ADMIN: frozenset({Capability.MANAGE_NODES, Capability.MANAGE_POPULATION}),
    Role.AUDITOR: frozenset({Capability.READ_AUDIT}),
}


def has_capability(role: str, capability: Capability) -> bool:
    return capability in CAPABILITIES.get(role, frozenset())
