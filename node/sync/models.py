"""What the node owes the hub, and what it has sent.

Writes only record *which* cases and persons changed (cheap, in the writer's
transaction). The payload builder derives their facts again, and re-sends every
(table, month) they touched before or after the change, so a correction or a
deletion re-sends the months it left too.
"""

from __future__ import annotations

from django.db import models


class Dirty(models.Model):
    """A case or person whose aggregates must be recomputed at the next build. Ids only.

    ``owner_id`` is not a foreign key on purpose: a deleted record stays dirty so
    that the months it used to count in are rebuilt without it.
    """

    class Kind(models.TextChoices):
        CASE = "case"
        SURVIVOR = "survivor"
        TRAFFICKER = "trafficker"
        TOKEN_YEAR = "token_year"  # noqa: S105 (owner_id is a year whose tokens changed)

    kind = models.CharField(max_length=12, choices=Kind.choices)
    owner_id = models.BigIntegerField()
    marked_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "owner_id"], name="uniq_dirty")]


class Fact(models.Model):
    """One contribution of one record to one cell of one catalogue table.

    Coded values only (the cell's dimensions) and ids; no identity. ``unit`` is
    what the cell counts distinctly (a survivor id, a case id, a step id...).
    A table's cells for a month are a GROUP BY over these rows.

    Derived data that can always be rebuilt from the records, so on PostgreSQL
    the table is UNLOGGED (migration 0003): bulk writes skip the write-ahead
    log, and a crash empties it, which the next build detects (``FactsSentinel``)
    and answers by deriving every fact again. Read only by owner: the counts
    per cell live in ``CellCount``. On PostgreSQL ``id`` is NULL, without
    default or key (migration 0007): nothing reads a fact by id, and a
    sequence value and a unique index per fact cost a second of every full
    rederive at 100,000 survivors.
    """

    owner_kind = models.CharField(max_length=12)
    owner_id = models.BigIntegerField()
    table = models.CharField(max_length=64)
    month = models.DateField()
    d1 = models.CharField(max_length=48, default="")
    d2 = models.CharField(max_length=48, default="")
    d3 = models.CharField(max_length=48, default="")
    unit = models.CharField(max_length=32)

    class Meta:
        # Id first: builds in half the time of (kind, id), as the sort compares
        # integers; the kind in the index skips other kinds' facts of the same id.
        indexes = [models.Index(fields=["owner_id", "owner_kind"], name="sync_fact_owner")]


class FactsSentinel(models.Model):
    """One row while ``Fact`` and ``CellCount`` hold the derived state; UNLOGGED like them.

    A crash of PostgreSQL empties every unlogged table, this one included,
    while ``SyncState.facts_derived`` (logged) stays true: a build that sees
    the flag without the row knows the facts and counts are gone, and derives
    them again instead of applying deltas to nothing.
    """

    derived_at = models.DateTimeField()


class SyncState(models.Model):
    """The node's single row of push bookkeeping (sequence numbers, last outcome)."""

    next_sequence = models.BigIntegerField(default=1)
    last_acked_sequence = models.BigIntegerField(default=0)
    last_success_at = models.DateTimeField(null=True)
    last_error = models.CharField(max_length=300, blank=True, default="")
    last_error_at = models.DateTimeField(null=True)
    # Facts and counts have been derived (see FactsSentinel); logged, so it survives a crash.
    facts_derived = models.BooleanField(default=False)


class OutboxPayload(models.Model):
    """A signed payload waiting to be sent, or sent. Aggregates and tokens only.

    Built, signed and stored in the same transaction that clears the dirty
    marks it covers, so nothing is lost if the hub, broker or worker is down.
    """

    class Status(models.TextChoices):
        PENDING = "pending"
        SENT = "sent"
        SUPERSEDED = "superseded"
        FAILED = "failed"

    sequence = models.BigIntegerField(unique=True)
    built_at = models.DateTimeField()
    body = models.BinaryField()  # gzip of the signed envelope (JSON)
    parts = models.JSONField(default=list)  # ["table|YYYY-MM", ...] it carries
    token_years = models.JSONField(default=list)
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True)
    last_error = models.CharField(max_length=300, blank=True, default="")
    sent_at = models.DateTimeField(null=True)
    size = models.PositiveIntegerField(default=0)
    full = models.BooleanField(default=False)


class CellCount(models.Model):
    """The current count of one cell of one table for one month: what the hub is sent.

    Maintained by deltas (old facts of changed records out, new facts in), so a
    build reads only the cells of the parts that changed instead of grouping
    every fact of those months again. Codes and a number only. UNLOGGED on
    PostgreSQL, like ``Fact`` and for the same reason.
    """

    table = models.CharField(max_length=64)
    month = models.DateField()
    d1 = models.CharField(max_length=48, default="")
    d2 = models.CharField(max_length=48, default="")
    d3 = models.CharField(max_length=48, default="")
    count = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["table", "month", "d1", "d2", "d3"], name="uniq_cell_count"
            )
        ]


class AckedTokenSet(models.Model):
    """A (year, kind) token set as the hub last acknowledged it: the base of the next delta.

    Updated only when the hub accepts a payload (push.py), from the payload
    itself, so it is what the hub holds unless something the node cannot see
    happened (a lost acknowledgement, a restored hub). That costs nothing but
    a refusal: the hub checks every delta's base digest, answers 409
    ``token_base_mismatch`` on a wrong one, and the node forgets the base and
    sends the full set. No row: the hub's set is unknown, the full set goes.
    """

    year = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=12)
    key_id = models.CharField(max_length=96)
    digest = models.CharField(max_length=64)  # shared.payload.set_digest of its tokens

    class Meta:
        constraints = [models.UniqueConstraint(fields=["year", "kind"], name="uniq_acked_set")]


class AckedToken(models.Model):
    """One token of an acknowledged set. Bare 64-hex, like the person's own LinkageToken."""

    token_set = models.ForeignKey(AckedTokenSet, on_delete=models.CASCADE, related_name="tokens")
    token = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["token_set", "token"], name="uniq_acked_token")
        ]


class PersonToken(models.Model):
    """A person's linkage token for one year as the last build saw it: the old side of a change.

    The people services replace a person's ``LinkageToken`` rows on every
    write, so by build time the tokens a change removed are gone from there;
    this copy, refreshed for the changed persons at each build, still has
    them. With it a token-set delta costs the tokens of the changed persons;
    a cheap check of the whole copy against ``LinkageToken`` (count and hash
    sum per year and kind) catches a change no write path marked, and that
    year's delta then falls back to a full comparison (``node.sync.tokens``).
    """

    owner_kind = models.CharField(max_length=12)  # survivor | trafficker
    owner_id = models.BigIntegerField()
    year = models.PositiveSmallIntegerField()
    token = models.CharField(max_length=64)

    class Meta:
        indexes = [
            models.Index(fields=["owner_id", "owner_kind"], name="sync_persontoken_owner"),
            models.Index(fields=["year", "owner_kind", "token"], name="sync_persontoken_set"),
        ]


class PersonTokenTally(models.Model):
    """The number of rows and the sum of token hashes of one (year, kind) of ``PersonToken``.

    Moved in the statement that moves the copy, so the build compares these
    numbers, not a scan of the copy, with one scan of ``LinkageToken``.
    """

    year = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=12)
    rows = models.BigIntegerField(default=0)
    hash_sum = models.BigIntegerField(default=0)  # sum of hashtext(token)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["year", "kind"], name="uniq_token_tally")]
