"""The node's audit log: an append-only, hash-chained record of who did what.

Append-only is enforced three times over: database triggers refuse UPDATE,
DELETE and TRUNCATE (migration 0002, the real guarantee); the model and its
queryset refuse them at the ORM level (defence in depth, so a mistake fails
loudly in development); and the hash chain makes any change made around both
(a superuser disabling the triggers, an edited backup) detectable by
``services.audit_chain_verify``.
"""

from __future__ import annotations

import re
from typing import Any, NoReturn

from django.core.validators import RegexValidator
from django.db import models

GENESIS_PREV_HASH = "0" * 64

# Actions, target types and detail keys are free short codes, not an enum, so
# that any app can audit a new kind of event without touching this one.
CODE_PATTERN = re.compile(r"^[a-z_]{2,40}$")

_HEX_64 = RegexValidator(r"^[0-9a-f]{64}$", "64 lowercase hexadecimal digits")


class AuditLogIsAppendOnly(Exception):
    """An update or deletion of an audit entry was attempted."""


class AuditEntryQuerySet(models.QuerySet["AuditEntry"]):
    """Refuses the bulk writes that would bypass the chain or rewrite history."""

    def update(self, **kwargs: Any) -> NoReturn:
        raise AuditLogIsAppendOnly("audit entries cannot be updated")

    def delete(self) -> NoReturn:
        raise AuditLogIsAppendOnly("audit entries cannot be deleted")

    def bulk_create(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AuditLogIsAppendOnly("audit entries are appended one by one by audit_record")

    def bulk_update(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AuditLogIsAppendOnly("audit entries cannot be updated")


class AuditEntry(models.Model):
    """One audited event: a read, search, export or change of a record, a log-in...

    Sensitivity: moderate. A row names a member of staff (id, username, role),
    the client address and what they touched, by type and id only. It never
    holds a survivor's identity: callers pass ids and codes in ``target_id``,
    ``target_ids`` and ``detail`` (a name search records the blind-index hash
    of the term, never the term), which is why auditors, who may not read
    cases, may read this table in full.

    ``id`` is the chain order. ``hash`` is SHA-256 over ``prev_hash`` followed
    by the canonical JSON of every other column (``services.entry_hash``);
    ``prev_hash`` is the previous entry's ``hash`` (64 zeros for the first).
    ``prev_hash`` is unique, so the chain cannot fork even if appends were
    not serialised. ``target_ids`` lists, comma-separated and without length
    limit, the records a list, search or export request returned (one entry
    per request); ``target_id`` is the one record of a single-record event.
    """

    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField()
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_username = models.CharField(max_length=150, blank=True)
    actor_role = models.CharField(max_length=32, blank=True)
    action = models.CharField(max_length=40, validators=[RegexValidator(CODE_PATTERN)])
    target_type = models.CharField(max_length=40, validators=[RegexValidator(CODE_PATTERN)])
    # None, not "": "this event has no single target" (a list, a log-in).
    target_id = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001
    target_ids = models.TextField(blank=True, default="")
    ip = models.GenericIPAddressField(null=True, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64, validators=[_HEX_64])
    hash = models.CharField(max_length=64, validators=[_HEX_64])

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = "entrée du journal d'audit"
        verbose_name_plural = "entrées du journal d'audit"
        # Constraints rather than unique=True: no extra LIKE index on PostgreSQL.
        constraints = [
            models.UniqueConstraint(fields=["hash"], name="audit_entry_hash_unique"),
            models.UniqueConstraint(fields=["prev_hash"], name="audit_entry_prev_hash_unique"),
        ]
        indexes = [
            models.Index(fields=["at"], name="audit_entry_at"),
            models.Index(fields=["target_type", "target_id"], name="audit_entry_target"),
            models.Index(fields=["actor_username", "at"], name="audit_entry_actor"),
        ]

    def __str__(self) -> str:
        return f"#{self.id} {self.action} {self.target_type}:{self.target_id or '-'}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AuditLogIsAppendOnly("audit entries cannot be updated")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AuditLogIsAppendOnly("audit entries cannot be deleted")
