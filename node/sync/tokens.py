"""Token sets for a payload: deltas against the sets the hub acknowledged, costing the change.

Per (year, kind) the hub holds the set it last acknowledged (``AckedTokenSet``).
The node sends a delta against it, computed one of two ways:

- from the change (PostgreSQL): ``PersonToken`` is a copy of the persons'
  linkage tokens as the previous build saw them. Refreshing it for the persons
  that changed gives the tokens whose number of holders moved; only those can
  have entered or left the set, so only they are looked up, in the copy and in
  the acknowledged set (two index probes each);
- by comparison: the year's whole current set EXCEPT the acknowledged one, both
  ways. Used when the base may lag behind the copy (an unsent payload carried
  the year: the hub may or may not have applied it), on SQLite, and as the
  fallback below.

The delta from the change is right only if the copy is the truth, i.e. if every
write that moved a token marked its person. Before using it the build checks
the copy against ``LinkageToken`` for the years it sends: the number of tokens
and the sum of their hashes per (year, kind), one scan of the token column
without sorting or comparing sets, against the same two numbers kept for the
copy by the statements that move it (``PersonTokenTally``). A set whose copy differs is compared
in full instead, and its copy rebuilt from the linkage tokens, so a write path
that forgot a mark costs one comparison and never a drift of the hub's sets.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db import connection
from django.db.models import QuerySet

from node.keys import linkage_secret
from node.people.models import LinkageToken
from node.sync.models import AckedTokenSet
from shared.payload import TokenEntry, TokenSet, TokenSetDelta, digest_moved
from shared.pseudonym import year_key_id

KINDS = ("survivor", "trafficker")
SetKey = tuple[int, str]  # (year, kind)
BATCH = 5000  # persons per statement


def person_tokens_refresh(
    *,
    owners: dict[str, set[int]],
) -> tuple[set[int], dict[SetKey, set[str]]]:
    """Refresh the copy for these persons: the years they hold tokens in, before or now,
    and per set the tokens whose number of holders moved (the only candidates of a delta)."""
    years: set[int] = set()
    moved: dict[SetKey, set[str]] = defaultdict(set)
    if connection.vendor != "postgresql":
        return years, moved
    with connection.cursor() as cursor:
        # By index only: the copy is often freshly filled, without statistics.
        cursor.execute("SET LOCAL enable_seqscan = off")
        for kind in KINDS:
            ids = sorted(owners.get(kind, ()))
            for start in range(0, len(ids), BATCH):
                cursor.execute(
                    _REFRESH.format(column=f"{kind}_id"),
                    {"kind": kind, "ids": ids[start : start + BATCH]},
                )
                for year, token, changed in cursor.fetchall():
                    years.add(year)
                    if changed:  # its number of holders moved
                        moved[(year, kind)].add(token)
        cursor.execute("SET LOCAL enable_seqscan TO DEFAULT")
    return years, moved


_REFRESH = """
    WITH old AS (
        DELETE FROM sync_persontoken WHERE owner_id = ANY(%(ids)s) AND owner_kind = %(kind)s
        RETURNING year, token
    ), new AS (
        INSERT INTO sync_persontoken (owner_kind, owner_id, year, token)
        SELECT %(kind)s, {column}, year, token FROM people_linkagetoken
        WHERE {column} = ANY(%(ids)s)
        RETURNING year, token
    ), moved AS (
        SELECT year, token, -1 AS n FROM old UNION ALL SELECT year, token, 1 FROM new
    ), tally AS (
        INSERT INTO sync_persontokentally AS t (year, kind, rows, hash_sum)
        SELECT year, %(kind)s, sum(n), sum(n * hashtext(token)::bigint) FROM moved GROUP BY year
        ON CONFLICT (year, kind) DO UPDATE
        SET rows = t.rows + EXCLUDED.rows, hash_sum = t.hash_sum + EXCLUDED.hash_sum
    )
    SELECT year, token, sum(n) <> 0 FROM moved GROUP BY year, token
"""


def token_sets(
    years: Iterable[int],
    *,
    full: bool = False,
    resend: Iterable[int] = (),
    moved: dict[SetKey, set[str]] | None = None,
) -> list[TokenEntry]:
    """What the hub needs of these years' token sets to hold the node's current ones.

    Per (year, kind), a delta against the set the hub last acknowledged; the
    full set when that is unknown (never acknowledged, forgotten after a
    ``token_base_mismatch``, another linkage key). A set equal to the
    acknowledged one is left out, unless its year is in ``resend``: an unsent
    payload carried it, and the hub may have applied that payload after all (a
    lost acknowledgement), so an empty delta lets the hub check its base.

    ``full`` sends every set, each as a delta compared in full against the
    known base, empty or not: the hub checks every base digest, and one it does
    not hold (a hub restored from an old backup) refuses the payload with
    ``token_base_mismatch``, after which the node forgets its bases and sends
    the sets whole. So a full push costs the whole sets only when the hub
    really lacks them, not on every ``push --full`` over a slow line.
    ``moved`` holds the tokens whose holders changed since the last build
    (``person_tokens_refresh``).
    """
    years, resend, moved = set(years), set(resend), moved or {}
    secret = linkage_secret()
    acked = {(s.year, s.kind): s for s in AckedTokenSet.objects.filter(year__in=years)}
    drifted = copies_drifted(years)
    entries: list[TokenEntry] = []
    for year in sorted(years):
        key_id = year_key_id(secret, year)
        for kind in KINDS:
            base = acked.get((year, kind))
            if base is None or base.key_id != key_id:
                entries.append(
                    TokenSet(
                        year=year,
                        kind=kind,
                        key_id=key_id,
                        tokens=sorted(current_tokens(year, kind)),
                    )
                )
                continue
            if full or year in resend or (year, kind) in drifted:
                delta = token_delta_compared(base, key_id)
            else:
                delta = token_delta_moved(base, key_id, moved.get((year, kind), set()))
            if delta.added or delta.removed or full or year in resend:
                entries.append(delta)
    copies_mend(drifted)
    return entries


def current_tokens(year: int, kind: str) -> QuerySet[LinkageToken, str]:
    return (
        LinkageToken.objects.filter(year=year, **{f"{kind}__isnull": False})
        .values_list("token", flat=True)
        .distinct()
        .order_by()
    )


def _delta(
    base: AckedTokenSet,
    key_id: str,
    added: list[str],
    removed: list[str],
) -> TokenSetDelta:
    added, removed = sorted(added), sorted(removed)
    return TokenSetDelta(
        year=base.year,
        kind=base.kind,
        key_id=key_id,
        base_digest=base.digest,
        added=added,
        removed=removed,
        digest=digest_moved(base.digest, added=added, removed=removed),
    )


def token_delta_compared(base: AckedTokenSet, key_id: str) -> TokenSetDelta:
    """The difference between the current set and ``base``, computed in the database (EXCEPT):
    only the few tokens that changed come back, not the year's whole set."""
    current = current_tokens(base.year, base.kind)
    held = base.tokens.values_list("token", flat=True).order_by()
    return _delta(base, key_id, list(current.difference(held)), list(held.difference(current)))


def token_delta_moved(base: AckedTokenSet, key_id: str, tokens: set[str]) -> TokenSetDelta:
    """The difference between the current set and ``base`` among these tokens only."""
    if not tokens:
        return _delta(base, key_id, [], [])
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT t.token,
                   EXISTS (SELECT 1 FROM sync_persontoken p WHERE p.year = %(year)s
                           AND p.owner_kind = %(kind)s AND p.token = t.token),
                   EXISTS (SELECT 1 FROM sync_ackedtoken a WHERE a.token_set_id = %(base)s
                           AND a.token = t.token)
            FROM unnest(%(tokens)s::varchar[]) AS t (token)
        """,
            {"year": base.year, "kind": base.kind, "base": base.pk, "tokens": sorted(tokens)},
        )
        rows = cursor.fetchall()
    return _delta(
        base,
        key_id,
        [t for t, now, acked in rows if now and not acked],
        [t for t, now, acked in rows if acked and not now],
    )


def copies_drifted(years: set[int]) -> set[SetKey]:
    """The sets of these years whose copy (``PersonToken``) is not the linkage tokens.

    Compares the number of tokens and the sum of their hashes per (year, kind):
    one scan of the linkage tokens against the copy's tallies (``PersonTokenTally``).
    Everything counts as drifted where there is no copy (SQLite).
    """
    if connection.vendor != "postgresql":
        return {(year, kind) for year in years for kind in KINDS}
    if not years:
        return set()
    with connection.cursor() as cursor:
        cursor.execute(_DRIFT, {"years": sorted(years)})
        return {(year, kind) for year, kind in cursor.fetchall()}


_DRIFT = """
    WITH scanned AS (
        SELECT year,
               count(*) FILTER (WHERE survivor_id IS NOT NULL) AS survivor_rows,
               sum(hashtext(token)) FILTER (WHERE survivor_id IS NOT NULL) AS survivor_sum,
               count(*) FILTER (WHERE trafficker_id IS NOT NULL) AS trafficker_rows,
               sum(hashtext(token)) FILTER (WHERE trafficker_id IS NOT NULL) AS trafficker_sum
        FROM people_linkagetoken WHERE year = ANY(%(years)s) GROUP BY year
    ), truth AS (
        SELECT year, kind, rows, hash_sum FROM scanned CROSS JOIN LATERAL (VALUES
            ('survivor', survivor_rows, survivor_sum),
            ('trafficker', trafficker_rows, trafficker_sum)) AS k (kind, rows, hash_sum)
    ), tally AS (
        SELECT year, kind, rows, hash_sum FROM sync_persontokentally WHERE year = ANY(%(years)s)
    )
    SELECT coalesce(t.year, c.year), coalesce(t.kind, c.kind)
    FROM truth t FULL JOIN tally c ON c.year = t.year AND c.kind = t.kind
    WHERE coalesce(t.rows, 0) <> coalesce(c.rows, 0)
       OR coalesce(t.hash_sum, 0) <> coalesce(c.hash_sum, 0)
"""


def copies_mend(sets: set[SetKey]) -> None:
    """Rebuild the copy of these sets from the linkage tokens."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for year, kind in sorted(sets):
            cursor.execute(
                "DELETE FROM sync_persontoken WHERE year = %s AND owner_kind = %s", [year, kind]
            )
            copy = f"""
                INSERT INTO sync_persontoken (owner_kind, owner_id, year, token)
                SELECT %s, {kind}_id, year, token FROM people_linkagetoken
                WHERE year = %s AND {kind}_id IS NOT NULL
            """  # noqa: S608 (kind is one of KINDS)
            cursor.execute(copy, [kind, year])
            cursor.execute(
                """
                INSERT INTO sync_persontokentally AS t (year, kind, rows, hash_sum)
                SELECT %(year)s, %(kind)s, count(*), coalesce(sum(hashtext(token)), 0)
                FROM sync_persontoken WHERE year = %(year)s AND owner_kind = %(kind)s
                ON CONFLICT (year, kind) DO UPDATE
                SET rows = EXCLUDED.rows, hash_sum = EXCLUDED.hash_sum
            """,
                {"year": year, "kind": kind},
            )
