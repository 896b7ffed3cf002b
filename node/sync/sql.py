"""Facts derived in PostgreSQL: the rules of ``node.sync.facts`` as set-based SQL.

``node.sync.facts`` states each rule once, in Python, record by record; that is
the reference, and what a node on SQLite (development, demo) runs. On
PostgreSQL the same rules run here as set-based SQL per kind of owner: one
``INSERT ... SELECT`` over every record (a rederive), or one statement per
batch of changed owners that writes only the facts and cell counts that moved
(``facts_refresh``), so the database does the joins and the grouping instead of
Python loops over prefetched rows.
``tests/node/sync/test_sql_facts.py`` holds the two to the same facts.

The code lists the rules depend on (step order, stage and terminality, bands,
offences' maximum terms, West African countries) are rendered into the SQL from
``shared.codes`` when the statements are first built, so they stay the single
source. Codes are written as SQL literals only after checking that they are
plain codes; no value read from a record is ever rendered into the SQL.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from functools import cache

from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper

from node.sync.facts import PROSECUTED_STAGES
from node.sync.models import Fact
from shared.codes import code_list

_PLAIN_CODE = re.compile(r"[A-Za-z0-9_+\-. ]{1,64}")


def _literal(code: str) -> str:
    if not _PLAIN_CODE.fullmatch(code):
        raise ValueError(f"code {code!r} cannot be written into SQL as a literal")
    return f"'{code}'"


def _in(codes: Iterable[str]) -> str:
    return "(" + ", ".join(_literal(c) for c in sorted(codes)) + ")"


def _band(expr: str, list_name: str, low: str, high: str) -> str:
    """``facts._band`` as a CASE: the first band of the list holding the value, else unknown."""
    whens = []
    for code in code_list(list_name):
        lo, hi = code.attrs.get(low), code.attrs.get(high)
        if lo is None:
            continue
        upper = "" if hi is None else f" AND {expr} <= {int(hi)}"
        whens.append(f"WHEN {expr} >= {int(lo)}{upper} THEN {_literal(code.code)}")
    return f"(CASE {' '.join(whens)} ELSE 'unknown' END)"


def _age_band(age: str) -> str:
    """``shared.codes.age_band_for``; NULL for an age outside every band (Python raises)."""
    whens = [
        f"WHEN {age} BETWEEN {int(band.attrs['min'])} AND {int(band.attrs['max'])} "
        f"THEN {_literal(band.code)}"
        for band in code_list("age_band")
        if "min" in band.attrs
    ]
    return f"(CASE WHEN {age} IS NULL THEN 'unknown' {' '.join(whens)} END)"


def _age_group(age: str) -> str:
    return f"(CASE WHEN {age} IS NULL THEN 'unknown' WHEN {age} < 18 THEN 'child' ELSE 'adult' END)"


def _age(recorded: str, birth_year: str, on: str) -> str:
    """``facts._age``: the age recorded, else the age reached in that year, within 0..120."""
    reached = f"extract(year FROM {on})::int - {birth_year}"
    return (
        f"COALESCE({recorded}, CASE WHEN {birth_year} IS NOT NULL "
        f"THEN greatest(least({reached}, 120), 0) END)"
    )


def _flow(origin: str) -> str:
    """``shared.codes.flow_type_for`` towards Senegal."""
    west = [c.code for c in code_list("country") if c.attrs.get("un_region") == "west_africa"]
    return (
        f"(CASE WHEN {origin} = 'XX' THEN 'unknown' WHEN {origin} = 'SN' THEN 'domestic' "
        f"WHEN {origin} IN {_in(west)} THEN 'subregional' ELSE 'transregional' END)"
    )


def _one_form(form: str) -> str:
    """``facts._one_form`` as an aggregate: unknown without forms, mixed with several."""
    return (
        f"(CASE count(DISTINCT {form}) WHEN 0 THEN 'unknown' "
        f"WHEN 1 THEN min({form}) ELSE 'mixed' END)"
    )


def _month(day: str) -> str:
    return f"date_trunc('month', {day})::date"


def _step_attrs() -> str:
    """The procedure_step code list as rows (code, ord, stage, terminal)."""
    rows = [
        f"({_literal(c.code)}, {int(c.attrs.get('order', 0))}, {_literal(c.attrs['stage'])}, "
        f"{'true' if c.attrs.get('terminal') else 'false'})"
        for c in code_list("procedure_step")
    ]
    return f"step_attrs (code, ord, stage, terminal) AS (VALUES {', '.join(rows)})"


def _offences() -> str:
    rows = [
        f"({_literal(c.code)}, {int(c.attrs.get('max_prison_months') or 0)})"
        for c in code_list("offence")
    ]
    return f"offences (code, max_prison) AS (VALUES {', '.join(rows)})"


# Each statement selects (owner_id, table, month, d1, d2, d3, unit); {owners} is
# the condition choosing the owners (a batch of ids, or TRUE for every record).


def _survivors() -> str:
    age = _age("f.age_at_identification", "s.birth_year", "f.identified_on")
    person = "p.id, {table}, p.month, {dims}, p.id::text"
    return f"""
WITH links AS (
    SELECT l.id, l.survivor_id, l.case_id, l.identified_on, l.age_at_identification
    FROM cases_casesurvivor l WHERE {{owners}}
), firsts AS (
    SELECT DISTINCT ON (survivor_id) survivor_id, identified_on, age_at_identification
    FROM links ORDER BY survivor_id, identified_on, id
), forms AS (
    SELECT l.survivor_id, {_one_form("e.form")} AS form, count(e.id) > 0 AS exploited,
           coalesce(bool_or(e.form = 'begging'), false) AS begging
    FROM links l LEFT JOIN cases_exploitation e ON e.case_survivor_id = l.id
    GROUP BY l.survivor_id
), aged AS (
    SELECT s.id, s.sex, s.nationality, s.origin_country, s.talibe, {_month("f.identified_on")}
           AS month, {age} AS age, forms.form, forms.exploited, forms.begging
    FROM firsts f JOIN people_survivor s ON s.id = f.survivor_id
    JOIN forms ON forms.survivor_id = f.survivor_id
), p AS (
    SELECT aged.*, {_age_band("age")} AS band, {_age_group("age")} AS grp FROM aged
), exploitations AS (
    SELECT l.survivor_id, e.id, e.recruitment_method
    FROM links l JOIN cases_exploitation e ON e.case_survivor_id = l.id
), relationships AS (
    SELECT DISTINCT l.survivor_id, d.relationship
    FROM links l JOIN cases_defendant d ON d.case_id = l.case_id
)
SELECT {person.format(table="'survivors_sex_age_form'", dims="p.sex, p.band, p.form")} FROM p
UNION ALL
SELECT {
        person.format(
            table="'survivors_sex_agegroup_citizenship'", dims="p.sex, p.grp, p.nationality"
        )
    } FROM p
UNION ALL
SELECT {
        person.format(
            table="'survivors_flow_form_agegroup'",
            dims=f"{_flow('p.origin_country')}, p.form, p.grp",
        )
    } FROM p
UNION ALL
SELECT {
        person.format(
            table="'survivors_begging_origin_age'",
            dims="CASE WHEN p.talibe THEN 'yes' ELSE 'no' END, p.origin_country, p.band",
        )
    }
FROM p WHERE p.begging
UNION ALL
SELECT DISTINCT {
        person.format(table="'survivors_control_form_agegroup'", dims="m.code, p.form, p.grp")
    }
FROM p JOIN exploitations e ON e.survivor_id = p.id
JOIN cases_exploitationmeans m ON m.exploitation_id = e.id
UNION ALL
SELECT DISTINCT {
        person.format(
            table="'survivors_recruitment_form_agegroup'",
            dims="e.recruitment_method, p.form, p.grp",
        )
    }
FROM p JOIN exploitations e ON e.survivor_id = p.id
UNION ALL
SELECT {
        person.format(
            table="'survivors_recruitment_form_agegroup'", dims="'Unknown', p.form, p.grp"
        )
    } FROM p WHERE NOT p.exploited
UNION ALL
SELECT {
        person.format(
            table="'survivors_relationship_form_agegroup'",
            dims="coalesce(r.relationship, 'Unknown'), p.form, p.grp",
        )
    }
FROM p LEFT JOIN relationships r ON r.survivor_id = p.id
"""  # noqa: S608 (only code-list literals checked by _literal are rendered)


def _traffickers() -> str:
    age = _age("f.age_at_case", "t.birth_year", "f.reported_on")
    valid_steps = """
        JOIN cases_procedurestep s ON s.case_id = defs.case_id
             AND (s.defendant_id IS NULL OR s.defendant_id = defs.id)
        WHERE NOT EXISTS (SELECT 1 FROM cases_stepvoid v WHERE v.step_id = s.id)"""
    return f"""
WITH {_step_attrs()}, defs AS (
    SELECT d.id, d.trafficker_id, d.case_id, d.age_at_case, c.reported_on
    FROM cases_defendant d JOIN cases_case c ON c.id = d.case_id WHERE {{owners}}
), firsts AS (
    SELECT DISTINCT ON (trafficker_id) trafficker_id, reported_on, age_at_case
    FROM defs ORDER BY trafficker_id, reported_on, id
), justice AS (
    SELECT defs.trafficker_id,
           min(s.occurred_on) FILTER (WHERE s.step IN (
               SELECT code FROM step_attrs WHERE stage IN {_in(PROSECUTED_STAGES)})) AS prosecuted,
           min(s.occurred_on) FILTER (WHERE s.outcome = 'convicted') AS convicted
    FROM defs {valid_steps}
    GROUP BY defs.trafficker_id
), forms AS (
    SELECT defs.trafficker_id, {_one_form("e.form")} AS form
    FROM defs LEFT JOIN cases_exploitation e ON e.case_id = defs.case_id
    GROUP BY defs.trafficker_id
), roles AS (
    SELECT DISTINCT defs.trafficker_id, r.code
    FROM defs JOIN cases_defendantrole r ON r.defendant_id = defs.id
), p AS (
    SELECT t.id, t.sex, t.nationality, t.occupation, {_month("f.reported_on")} AS month,
           {_age_group(age)} AS grp, forms.form, f.reported_on AS suspected,
           justice.prosecuted, justice.convicted
    FROM firsts f JOIN people_trafficker t ON t.id = f.trafficker_id
    JOIN forms ON forms.trafficker_id = f.trafficker_id
    LEFT JOIN justice ON justice.trafficker_id = f.trafficker_id
)
SELECT p.id, 'traffickers_status_sex_citizenship', {_month("st.day")}, st.status, p.sex,
       p.nationality, p.id::text
FROM p CROSS JOIN LATERAL (VALUES ('suspected', p.suspected), ('prosecuted', p.prosecuted),
                                  ('convicted', p.convicted)) AS st (status, day)
WHERE st.day IS NOT NULL
UNION ALL
SELECT p.id, 'traffickers_sex_agegroup_occupation', p.month, p.sex, p.grp, p.occupation,
       p.id::text
FROM p
UNION ALL
SELECT p.id, 'traffickers_role_form', p.month, coalesce(r.code, 'Other'), p.form, '', p.id::text
FROM p LEFT JOIN roles r ON r.trafficker_id = p.id
"""  # noqa: S608 (only code-list literals checked by _literal are rendered)


def _cases() -> str:
    months = (
        "((extract(year FROM k.closed) - extract(year FROM c.reported_on)) * 12 "
        "+ extract(month FROM k.closed) - extract(month FROM c.reported_on))::int"
    )
    duration = _band("({end} - {start})", "duration_band", "min_days", "max_days")
    return f"""
WITH {_step_attrs()}, {_offences()}, c AS (
    SELECT id, reported_on, identification_source, cross_border FROM cases_case WHERE {{owners}}
), steps AS (
    SELECT s.id, s.case_id, s.defendant_id, s.step, s.occurred_on, s.outcome, s.prison_months,
           s.fine_fcfa, a.stage, a.terminal,
           lag(a.stage, 1, 'reported') OVER w AS previous,
           row_number() OVER w AS pos, count(*) OVER (PARTITION BY s.case_id) AS steps
    FROM c JOIN cases_procedurestep s ON s.case_id = c.id JOIN step_attrs a ON a.code = s.step
    WHERE NOT EXISTS (SELECT 1 FROM cases_stepvoid v WHERE v.step_id = s.id)
    WINDOW w AS (PARTITION BY s.case_id ORDER BY s.occurred_on, a.ord, s.id)
), ends AS (
    SELECT case_id,
           max(occurred_on) FILTER (WHERE pos = steps AND terminal) AS closed,
           min(occurred_on) FILTER (WHERE step = 'judgment') AS judgment,
           min(occurred_on) FILTER (WHERE step = 'appeal_judgment') AS appeal
    FROM steps GROUP BY case_id
), k AS (
    SELECT c.id, c.reported_on, ends.closed, ends.judgment, ends.appeal
    FROM c LEFT JOIN ends ON ends.case_id = c.id
), profile AS (
    SELECT c.id, c.reported_on, c.identification_source, c.cross_border,
           {_one_form("e.form")} AS form,
           (SELECT count(*) FROM cases_casesurvivor l WHERE l.case_id = c.id) AS victims
    FROM c LEFT JOIN cases_exploitation e ON e.case_id = c.id
    GROUP BY c.id, c.reported_on, c.identification_source, c.cross_border
), defendants AS (
    SELECT d.id, d.case_id, t.sex FROM c JOIN cases_defendant d ON d.case_id = c.id
    JOIN people_trafficker t ON t.id = d.trafficker_id
), principal AS (
    SELECT DISTINCT ON (d.id) d.id, d.case_id, coalesce(h.offence, 'unknown') AS offence
    FROM defendants d LEFT JOIN cases_charge h ON h.defendant_id = d.id
    LEFT JOIN offences o ON o.code = h.offence
    ORDER BY d.id, coalesce(o.max_prison, 0) DESC, h.offence COLLATE "C" DESC
), decisions AS (
    SELECT s.case_id, s.id AS step_id, s.step, s.occurred_on, s.outcome, s.prison_months,
           s.fine_fcfa, d.id AS defendant_id, d.offence
    FROM steps s JOIN principal d ON d.case_id = s.case_id
         AND (s.defendant_id IS NULL OR s.defendant_id = d.id)
    WHERE coalesce(s.outcome, '') <> ''
)
SELECT id, 'cases_source_form_crossborder', {_month("reported_on")}, identification_source,
       form, CASE WHEN cross_border THEN 'yes' ELSE 'no' END, 'c' || id
FROM profile
UNION ALL
SELECT id, 'cases_victims_form', {_month("reported_on")},
       {_band("victims", "victim_count_band", "min", "max")}, form, '', 'c' || id
FROM profile WHERE victims > 0
UNION ALL
SELECT DISTINCT case_id, 'case_stage_transitions', {_month("day")}, stage, transition, '',
       'c' || case_id
FROM (
    SELECT id AS case_id, reported_on AS day, 'reported' AS stage, 'entered' AS transition FROM c
    UNION ALL
    SELECT steps.case_id, steps.occurred_on, moved.stage, moved.transition
    FROM steps CROSS JOIN LATERAL (VALUES (steps.previous, 'left'), (steps.stage, 'entered'))
         AS moved (stage, transition)
    WHERE steps.stage <> steps.previous
) moves
UNION ALL
SELECT c.id, 'case_closure_lag', {_month("c.reported_on")},
       CASE WHEN k.closed IS NULL THEN 'open' WHEN {months} < 60 THEN 'm' || {months}
            ELSE 'm60+' END, '', '', 'c' || c.id
FROM c JOIN k ON k.id = c.id
UNION ALL
SELECT k.id, 'durations', {_month("span.ended")}, span.interval,
       {duration.format(end="span.ended", start="span.started")}, '', 'c' || k.id
FROM k CROSS JOIN LATERAL (VALUES ('report_to_judgment', k.reported_on, k.judgment),
                                  ('report_to_closure', k.reported_on, k.closed),
                                  ('judgment_to_appeal_judgment', k.judgment, k.appeal))
     AS span (interval, started, ended)
WHERE span.ended IS NOT NULL AND span.started IS NOT NULL
UNION ALL
SELECT case_id, 'procedure_events_step', {_month("occurred_on")}, step, '', '', 's' || id
FROM steps
UNION ALL
SELECT d.case_id, 'charges_offence_sex', {_month("h.charged_on")}, h.offence, d.sex, '',
       'h' || h.id
FROM defendants d JOIN cases_charge h ON h.defendant_id = d.id
UNION ALL
SELECT case_id, 'decisions_outcome_offence_instance', {_month("occurred_on")}, outcome,
       offence, CASE WHEN step = 'judgment' THEN 'first' ELSE 'appeal' END,
       's' || step_id || 'd' || defendant_id
FROM decisions
UNION ALL
SELECT case_id, 'sentences_offence_prison_fine', {_month("occurred_on")}, offence,
       {_band("coalesce(prison_months, 0)", "sentence_band", "min_months", "max_months")},
       {_band("coalesce(fine_fcfa, 0)", "fine_band", "min_fcfa", "max_fcfa")},
       's' || step_id || 'd' || defendant_id
FROM decisions WHERE outcome = 'convicted'
UNION ALL
SELECT c.id, 'referrals_type_status_agegroup', {_month("r.referred_on")}, r.referral_type,
       r.status,
       {_age_group(_age("l.age_at_identification", "s.birth_year", "l.identified_on"))},
       'r' || r.id
FROM c JOIN cases_referral r ON r.case_id = c.id
JOIN cases_casesurvivor l ON l.id = r.case_survivor_id
JOIN people_survivor s ON s.id = l.survivor_id
"""  # noqa: S608 (only code-list literals checked by _literal are rendered)


# Which column names the owner in each statement's first CTE.
_OWNER_COLUMN = {"survivor": "l.survivor_id", "trafficker": "d.trafficker_id", "case": "id"}
_STATEMENTS = {"survivor": _survivors, "trafficker": _traffickers, "case": _cases}


@cache
def facts_select(owner_kind: str, *, every: bool) -> str:
    """The SELECT of the facts of one kind of owner: of every record, or of ``%(ids)s``."""
    owners = "TRUE" if every else f"{_OWNER_COLUMN[owner_kind]} = ANY(%(ids)s)"
    return _STATEMENTS[owner_kind]().replace("{owners}", owners)


_KEY = '"table", month, d1, d2, d3'
_FACT = 'o, "table", month, d1, d2, d3, u'  # a fact as facts_select gives it, named
_SAME_CELL = (
    'c."table" = d."table" AND c.month = d.month AND c.d1 = d.d1 AND c.d2 = d.d2 AND c.d3 = d.d3'
)


def facts_refresh(*, owner_kind: str, ids: list[int]) -> list[tuple[int, str, date, int]]:
    """Bring these owners' facts up to date and move the cell counts by the difference.

    One statement: the facts are derived again and set against the stored ones
    (one GROUP BY over both, counting each side's copies of an identical fact,
    so that a repeated fact counts as often as it occurs); only the copies that
    went are deleted and only those that came are inserted, and only the cells
    whose count moved are updated or created. A record marked but not changed in what it counts
    writes nothing. The work is that of the change, whatever the size of the
    database. Returns (id, table, month, count) of every cell that moved; a
    count that fell to zero is for the caller to remove. A count that would
    fall below zero breaks the table's CHECK: facts and counts disagree, and
    the build fails rather than send a wrong number.
    """
    statement = f"""
        WITH sides AS (
            SELECT q.*, NULL::tid AS at, 1 AS side
            FROM ({facts_select(owner_kind, every=False)}) AS q ({_FACT})
            UNION ALL
            SELECT owner_id, {_KEY}, unit, ctid, -1
            FROM sync_fact WHERE owner_id = ANY(%(ids)s) AND owner_kind = %(kind)s
        ), diff AS (
            -- Per distinct fact: how many more times it is derived than stored,
            -- and where the stored copies are.
            SELECT {_FACT}, sum(side) AS side, array_agg(at) FILTER (WHERE side < 0) AS stored
            FROM sides GROUP BY {_FACT} HAVING sum(side) <> 0
        ), gone AS (
            -- Facts have no key (migration 0007): the copies that went are named
            -- by their addresses, read above in this same statement (a TID scan).
            DELETE FROM sync_fact
            WHERE ctid = ANY(ARRAY(SELECT unnest(stored[1:(-side)::int]) FROM diff WHERE side < 0))
            RETURNING {_KEY}
        ), came AS (
            INSERT INTO sync_fact (owner_kind, owner_id, "table", month, d1, d2, d3, unit)
            SELECT %(kind)s, {_FACT} FROM diff, generate_series(1, diff.side) WHERE side > 0
            RETURNING {_KEY}
        ), d AS (
            SELECT {_KEY}, sum(n)::int AS n
            FROM (SELECT *, -1 AS n FROM gone UNION ALL SELECT *, 1 AS n FROM came) moved
            GROUP BY {_KEY} HAVING sum(n) <> 0
        ), updated AS (
            UPDATE sync_cellcount c SET count = c.count + d.n FROM d WHERE {_SAME_CELL}
            RETURNING c.id, c."table", c.month, c.count
        ), created AS (
            INSERT INTO sync_cellcount ({_KEY}, count)
            SELECT {_KEY}, n FROM d
            WHERE NOT EXISTS (SELECT 1 FROM sync_cellcount c WHERE {_SAME_CELL})
            RETURNING id, "table", month, count
        )
        SELECT * FROM updated UNION ALL SELECT * FROM created
    """  # noqa: S608 (no record value in it)
    with transaction.atomic(), connection.cursor() as cursor:
        with _planner(cursor, every=False):
            cursor.execute(statement, {"kind": owner_kind, "ids": ids})
            return list(cursor.fetchall())


def cells_remove(ids: list[int]) -> None:
    """Remove cells whose count fell to zero: the hub is sent no zero cell."""
    if ids:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM sync_cellcount WHERE id = ANY(%s) AND count = 0", [ids])


def facts_and_counts_rebuild() -> None:
    """Every fact and every cell count again, from the records, in one statement per kind.

    Loads the facts the way PostgreSQL advises for bulk loads ("Populating a
    Database"): into emptied (and unlogged, migration 0003) tables, without
    a key (migration 0007), with the owner index built once afterwards
    instead of maintained row by row. The counts are then one GROUP BY over
    the freshly written facts: cheaper than grouping the rows of each INSERT
    as it returns them (measured: the RETURNING rows are materialised before
    they are grouped).
    """
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE sync_fact, sync_cellcount")
        with connection.schema_editor() as editor:
            for index in Fact._meta.indexes:
                editor.remove_index(Fact, index)
        with _planner(cursor, every=True):
            for kind in _STATEMENTS:
                statement = f"""
                    INSERT INTO sync_fact (owner_kind, owner_id, "table", month, d1, d2, d3, unit)
                    SELECT %(kind)s, q.* FROM ({facts_select(kind, every=True)}) q
                """  # noqa: S608 (no record value in it)
                cursor.execute(statement, {"kind": kind})
            # Hashing the cells rather than sorting every fact (the planner, with
            # no statistics on the fresh table, would sort: 2.5x slower, measured),
            # in memory: with the default 4 MB the hash table of a node's ~40,000
            # cells spills to disk in 33 batches (0.75 s against 1.1 s at 100,000
            # survivors, measured). One statement of a rare rebuild, so the memory
            # is taken for a second, not per connection.
            cursor.execute("SET LOCAL enable_sort = off")
            cursor.execute("SET LOCAL work_mem = '64MB'")
            cursor.execute("""
                INSERT INTO sync_cellcount ("table", month, d1, d2, d3, count)
                SELECT "table", month, d1, d2, d3, count(*) FROM sync_fact
                GROUP BY "table", month, d1, d2, d3
            """)
            cursor.execute("SET LOCAL work_mem TO DEFAULT")
            cursor.execute("SET LOCAL enable_sort TO DEFAULT")
        # Sorting for the index build: in memory rather than in temporary files.
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        with connection.schema_editor() as editor:
            for index in Fact._meta.indexes:
                editor.add_index(Fact, index)
        cursor.execute("SET LOCAL maintenance_work_mem TO DEFAULT")


@contextmanager
def _planner(cursor: CursorWrapper, *, every: bool) -> Iterator[None]:
    """Planner settings for these statements only, back to the defaults after them."""
    # Compiling the wide UNIONs with JIT costs seconds and saves nothing here.
    settings = ["jit"]
    if every:
        # Every record: hash joins throughout. The planner cannot size the CTEs
        # (one row per person) and may otherwise pick nested loops over them,
        # quadratic in the number of persons.
        settings.append("enable_nestloop")
    else:
        # A batch of changed owners: every row is reached by index, so the cost is
        # that of the change. Without statistics on freshly loaded tables (after a
        # rederive) the planner may otherwise scan a whole table of facts.
        settings.append("enable_seqscan")
    for name in settings:
        cursor.execute(f"SET LOCAL {name} = off")
    try:
        yield
    finally:
        for name in settings:
            cursor.execute(f"SET LOCAL {name} TO DEFAULT")
