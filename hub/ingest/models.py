"""What the hub holds of each node's submissions: aggregate cells, linkage tokens, a log.

Aggregates only. No column here can hold a name, a birth date, free text or a
single person's record: dimensions are codes of shared code lists, counts are
integers, tokens are bare 64-hex HMACs with no attribute beside them
(tests/hub/ingest/test_hub_schema.py fails on a column that breaks this).
"""

from __future__ import annotations

from django.db import models

from hub.registry.models import Node
from shared.catalogue import catalogue

MAX_DIMENSIONS = 3
CODE_LENGTH = 48

# Cells keep one column per dimension; a catalogue table with a fourth would lose one silently.
if max(len(t.dimensions) for t in catalogue().values()) > MAX_DIMENSIONS:
    raise ImportError(
        f"a catalogue table has more than {MAX_DIMENSIONS} dimensions; "
        "hub.ingest.models.Cell needs another column"
    )


class Cell(models.Model):
    """One count of one catalogue table, for one node's jurisdiction and one month.

    ``d1..d3`` are the codes of the table's dimensions in catalogue order; ""
    for a dimension the table does not have (so the unique constraint holds
    without NULLS NOT DISTINCT). Aggregate, exact (disclosure control is applied
    when figures leave the hub), not personal data by itself.
    """

    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+")
    table = models.CharField(max_length=64)
    month = models.DateField(help_text="first day of the month")
    d1 = models.CharField(max_length=CODE_LENGTH, default="", blank=True)
    d2 = models.CharField(max_length=CODE_LENGTH, default="", blank=True)
    d3 = models.CharField(max_length=CODE_LENGTH, default="", blank=True)
    count = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["node", "table", "month", "d1", "d2", "d3"], name="ingest_cell_unique"
            ),
        ]
        indexes = [models.Index(fields=["table", "month"], name="ingest_cell_table_month")]

    def __str__(self) -> str:
        dims = ",".join(d for d in (self.d1, self.d2, self.d3) if d)
        return f"{self.table} {self.month:%Y-%m} ({dims}) = {self.count}"


class TableMonthState(models.Model):
    """That the hub holds (node, table, month), and which submission last replaced it.

    A row with no cells means "the node says this month is empty". Not sensitive.
    Every push rewrites the sequence of the rows it carries, so the table keeps
    half-full pages for HOT updates (migration 0003) and no index of its own on
    the node: the unique (node, table, month) index serves those lookups.
    """

    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+", db_index=False)
    table = models.CharField(max_length=64)
    month = models.DateField(help_text="first day of the month")
    sequence = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["node", "table", "month"], name="ingest_tms_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.table} {self.month:%Y-%m} @ {self.sequence}"


class TokenKind(models.TextChoices):
    SURVIVOR = "survivor", "survivor"
    TRAFFICKER = "trafficker", "trafficker"


class TokenSet(models.Model):
    """A node's full set of linkage tokens of one kind of person for one year.

    Tokens are keyed per year with a secret the hub never holds, so the hub can
    count distinct persons nationally within a year and nothing more.
    ``digest`` is the set digest of the tokens held (shared.payload.set_digest),
    kept up to date on every change: a delta applies only on the digest it names.
    """

    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=16, choices=TokenKind.choices)
    key_id = models.CharField(max_length=64)
    sequence = models.BigIntegerField()
    digest = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["node", "year", "kind"], name="ingest_tokenset_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} tokens {self.year} @ {self.sequence}"


class Token(models.Model):
    """One bare pseudonymous token of a set: 64 hex characters, nothing beside it."""

    token_set = models.ForeignKey(TokenSet, on_delete=models.CASCADE, related_name="tokens")
    token = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["token_set", "token"], name="ingest_token_unique"),
        ]
        indexes = [models.Index(fields=["token"], name="ingest_token_token")]

    def __str__(self) -> str:
        return self.token[:8] + "..."


class Outcome(models.TextChoices):
    ACCEPTED = "accepted", "accepted"
    DUPLICATE = "duplicate", "duplicate"
    REJECTED = "rejected", "rejected"


class Submission(models.Model):
    """One POST of a payload and what became of it, for data-quality figures.

    Holds no payload content: the node (when it was named and registered), the
    sequence (only once the signature proved it), a reason code and sizes.
    """

    node = models.ForeignKey(
        Node, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sequence = models.BigIntegerField(null=True, blank=True)
    received_at = models.DateTimeField()
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    reason = models.CharField(max_length=32, blank=True, default="")
    bytes = models.PositiveBigIntegerField(default=0)
    cells = models.PositiveIntegerField(default=0)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            # A sequence is accepted once per node (zilencer's unique (server, remote_id)).
            models.UniqueConstraint(
                fields=["node", "sequence"],
                condition=models.Q(outcome="accepted"),
                name="ingest_submission_accepted_once",
            ),
        ]
        indexes = [models.Index(fields=["received_at"], name="ingest_submission_received")]

    def __str__(self) -> str:
        return f"{self.outcome} {self.reason} #{self.sequence}".strip()
