"""What the node owes the hub: which cases changed since the last build.

Writes only record *which* cases changed (cheap, in the writer's transaction);
the payload builder works out which months those cases touch, before and after
the change, so a correction or a deletion re-sends the months it left too.
"""

from __future__ import annotations

from django.db import models


class DirtyCase(models.Model):
    """A case whose aggregates must be recomputed at the next build. Holds only an id.

    ``case_id`` is not a foreign key on purpose: a deleted case must stay dirty
    so that the months it used to count in are rebuilt without it.
    """

    case_id = models.BigIntegerField(unique=True)
    marked_at = models.DateTimeField(auto_now=True)
