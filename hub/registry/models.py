"""The nodes the hub accepts submissions from."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models

# The same pattern as shared.payload.NodeId: a node id in the registry is one a payload can carry.
NODE_ID_PATTERN = r"^[a-z0-9][a-z0-9-]{1,62}$"


class NodeStatus(models.TextChoices):
    ACTIVE = "active", "active"
    SUSPENDED = "suspended", "suspended"


class Node(models.Model):
    """One registered jurisdiction node: its id, its TGI, the public half of its
    signing key and where its submissions stand.

    Not sensitive: no personal data, only an identifier, a court code, a public
    key and counters. The private key never reaches the hub.
    """

    node_id = models.SlugField(
        max_length=63, unique=True, validators=[RegexValidator(NODE_ID_PATTERN)]
    )
    jurisdiction = models.CharField(max_length=32)
    public_key_pem = models.TextField()
    key_id = models.CharField(max_length=64)
    status = models.CharField(max_length=16, choices=NodeStatus.choices, default=NodeStatus.ACTIVE)
    registered_at = models.DateTimeField(auto_now_add=True)
    # The newest sequence accepted; a submission at or below it is a duplicate.
    last_sequence = models.BigIntegerField(default=0)
    last_submission_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["node_id"]
        constraints = [
            # Two active nodes for one TGI would double its figures.
            models.UniqueConstraint(
                fields=["jurisdiction"],
                condition=models.Q(status="active"),
                name="registry_node_one_active_per_jurisdiction",
            ),
            models.CheckConstraint(
                condition=models.Q(last_sequence__gte=0), name="registry_node_sequence_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.node_id} ({self.jurisdiction}, {self.status})"

    @property
    def is_active(self) -> bool:
        return self.status == NodeStatus.ACTIVE
