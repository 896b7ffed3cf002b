"""Who may do what on a node: the roles and their capabilities, declared once.

Views and permissions ask ``has_capability``; the authorisation matrix test
reads ``CAPABILITIES`` so that a new endpoint or role cannot escape it.
"""

from __future__ import annotations

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CLERK = "clerk", _("Greffier / secrétaire de parquet")
    PROSECUTOR = "prosecutor", _("Procureur")
    JUDGE = "judge", _("Juge")
    ADMIN = "admin", _("Administrateur du nœud")
    AUDITOR = "auditor", _("Auditeur")


class Capability(StrEnum):
    READ_CASES = "read_cases"  # case content, identities included (audited)
    WRITE_CASES = "write_cases"  # create and edit cases, people, steps, referrals
    CLOSE_CASES = "close_cases"  # classement sans suite and closing steps
    RECORD_DECISIONS = "record_decisions"  # hearings, judgments, appeal judgments
    IMPORT_REGISTERS = "import_registers"
    MANAGE_USERS = "manage_users"  # users and settings, never case content
    READ_AUDIT = "read_audit"  # the audit log, which holds no identity
    VIEW_SYNC = "view_sync"  # outbox and push status


CAPABILITIES: dict[str, frozenset[Capability]] = {
    Role.CLERK: frozenset({Capability.READ_CASES, Capability.WRITE_CASES,
                           Capability.RECORD_DECISIONS, Capability.IMPORT_REGISTERS}),
    Role.PROSECUTOR: frozenset({Capability.READ_CASES, Capability.WRITE_CASES,
                                Capability.CLOSE_CASES, Capability.RECORD_DECISIONS,
                                Capability.IMPORT_REGISTERS, Capability.VIEW_SYNC}),
    Role.JUDGE: frozenset({Capability.READ_CASES, Capability.RECORD_DECISIONS}),
    Role.ADMIN: frozenset({Capability.MANAGE_USERS, Capability.VIEW_SYNC}),
    Role.AUDITOR: frozenset({Capability.READ_AUDIT}),
}

# Roles that see identities must use a second factor (TOTP).
IDENTITY_ROLES = frozenset(r for r, caps in CAPABILITIES.items() if Capability.READ_CASES in caps)


def has_capability(role: str, capability: Capability) -> bool:
    return capability in CAPABILITIES.get(role, frozenset())
