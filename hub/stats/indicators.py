"""The figures the hub must be able to say (DOMAIN.md), built on ``stats_run``.

Every partner figure comes from a protected cell of the catalogue (or is
protected itself as a lone value), so an indicator reveals nothing the tables
do not. Analysts get exact figures.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import date
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils import timezone

from hub.ingest.models import Cell, Outcome, Submission, Token, TokenKind, TokenSet
from hub.registry.models import Node
from hub.stats.models import PopulationFigure
from hub.stats.population import population_ensure_default
from hub.stats.query import Audience, StatsQuery, StatsResult, disclosure_rules, stats_run
from shared.codes import code_list
from shared.disclosure import TOTAL, protect_value

SDG_TABLE = "survivors_sex_age_form"
PER = 100_000


def _year(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 1)


# --- distinct survivors (linkage tokens) ----------------------------------------------


def national_survivors(*, year: int, audience: Audience) -> dict[str, Any]:
    """Survivors counted once nationally in ``year``, from the nodes' token sets.

    ``overlap`` (persons known to more than one jurisdiction) is for analysts
    only: it is a count of movements between jurisdictions and never reaches
    a partner, in any form.
    """
    tokens = Token.objects.filter(token_set__kind=TokenKind.SURVIVOR, token_set__year=year)
    distinct = tokens.values("token").distinct().count()
    if audience is Audience.PARTNER:
        shown = protect_value(distinct, disclosure_rules())
        return {"year": year, "distinct": shown.value, "suppressed": shown.suppressed}
    total = tokens.count()
    nodes = TokenSet.objects.filter(kind=TokenKind.SURVIVOR, year=year).count()
    return {"year": year, "distinct": distinct, "sum_of_jurisdictions": total,
            "overlap": total - distinct, "nodes": nodes}


# --- SDG 16.2.2 --------------------------------------------------------------------------


def sdg_16_2_2(*, year: int, audience: Audience) -> dict[str, Any]:
    """Detected victims per 100,000 population by sex, age group and form.

    Victims: survivors_sex_age_form over the year, age bands grouped into
    children and adults. Denominator: the population of that sex (all ages;
    the loaded denominators have no age breakdown). For partners a group's
    count is the sum of its published band counts, and is withheld if any
    band is: nothing beyond the published table is revealed.
    """
    start, end = _year(year)
    result = stats_run(query=StatsQuery(table=SDG_TABLE, by=("sex", "age_band", "form"),
                                        start=start, end=end), audience=audience)
    population = _population_by_sex(year)
    rows = []
    for (sex, group, form), (victims, suppressed) in sorted(_by_age_group(result).items()):
        denominator = population.get(sex)
        rate = None
        if victims is not None and denominator:
            rate = round(victims * PER / denominator, 3)
        rows.append({"key": [sex, group, form], "victims": victims, "suppressed": suppressed,
                     "population": denominator, "rate_per_100000": rate})
    return {"year": year, "columns": ["sex", "age_group", "form"], "rows": rows,
            "audience": audience.value,
            "population_source": _population_source(year)}


def _age_group_of(band: str) -> str:
    if band == TOTAL:
        return TOTAL
    attrs = code_list("age_band").get(band).attrs
    if "max" not in attrs:
        return "unknown"
    return "child" if attrs["max"] < 18 else "adult"


def _by_age_group(result: StatsResult) -> dict[tuple[str, str, str], tuple[int | None, bool]]:
    rows: dict[tuple[str, str, str], tuple[int | None, bool]] = {}
    for cell in result.cells:
        sex, band, form = cell.key
        key = (sex, _age_group_of(band), form)
        value, suppressed = rows.get(key, (0, False))
        suppressed = suppressed or cell.suppressed
        rows[key] = (None if suppressed else (value or 0) + (cell.value or 0), suppressed)
    return rows


def _population_by_sex(year: int) -> dict[str, int]:
    population_ensure_default()
    rows = (PopulationFigure.objects.filter(year=year).values("sex")
            .annotate(n=Sum("population")).order_by())
    by_sex = {row["sex"]: int(row["n"]) for row in rows}
    by_sex[TOTAL] = sum(by_sex.values())
    return by_sex


def _population_source(year: int) -> str:
    figure = PopulationFigure.objects.filter(year=year).first()
    return figure.source if figure else ""


# --- the justice pipeline -------------------------------------------------------------


def pipeline_summary(*, start: date | None, end: date | None,
                     audience: Audience) -> dict[str, Any]:
    """Cases per stage, dropped, outcomes, sentences, median delays, old pending cases."""
    def run(table: str, by: tuple[str, ...], *, start: date | None = None,
            end: date | None = None) -> StatsResult:
        return stats_run(query=StatsQuery(table=table, by=by, start=start, end=end),
                         audience=audience)

    stages = run("case_stage_transitions", ("stage", "transition"), end=end)
    steps = run("procedure_events_step", ("step",), start=start, end=end)
    decisions = run("decisions_outcome_offence_instance", ("outcome", "instance"),
                    start=start, end=end)
    sentences = run("sentences_offence_prison_fine", ("sentence",), start=start, end=end)
    durations = run("durations", ("interval", "duration"), start=start, end=end)
    convicted = decisions.value("convicted", "first")
    acquitted = decisions.value("acquitted", "first")
    return {
        "audience": audience.value,
        "start": start.isoformat() if start else None,
        "end": end.isoformat() if end else None,
        "cases_per_stage": _per_stage(stages),
        "dropped": steps.value("classement_sans_suite"),
        "convictions": convicted,
        "acquittals": acquitted,
        "conviction_rate": _rate(convicted, acquitted),
        "sentences": {code: sentences.value(code) for code in code_list("sentence_band").codes()},
        "median_days_report_to_judgment": median_days(durations, "report_to_judgment"),
        "median_days_judgment_to_appeal_judgment":
            median_days(durations, "judgment_to_appeal_judgment"),
        **_pending(end=end, audience=audience),
    }


def _per_stage(stages: StatsResult) -> dict[str, int | None]:
    """Cases in each stage at the end: entered minus left, cumulated from the start."""
    out: dict[str, int | None] = {}
    for stage in code_list("pipeline_stage").codes():
        entered, left = stages.value(stage, "entered"), stages.value(stage, "left")
        out[stage] = None if entered is None or left is None else max(entered - left, 0)
    return out


def _rate(convicted: int | None, acquitted: int | None) -> float | None:
    if convicted is None or acquitted is None or convicted + acquitted == 0:
        return None
    return round(convicted / (convicted + acquitted), 4)


def median_days(durations: StatsResult, interval: str) -> float | None:
    """The median, interpolated linearly within its duration band (unknown left out).

    None when there is no case or a band is withheld (partners).
    """
    bands = [b for b in code_list("duration_band") if b.attrs.get("min_days") is not None]
    counts = [durations.value(interval, b.code) for b in bands]
    if any(n is None for n in counts) or not sum(n or 0 for n in counts):
        return None
    half, below = sum(n or 0 for n in counts) / 2, 0
    for band, n in zip(bands, counts, strict=True):
        n = n or 0
        if n and below + n >= half:
            low, high = band.attrs["min_days"], band.attrs["max_days"]
            if high is None:
                return float(low)
            return round(low + (half - below) / n * (high + 1 - low), 1)
        below += n
    return None


def _pending(*, end: date | None, audience: Audience) -> dict[str, Any]:
    """Cases reported at least 12 months before ``end`` and not closed by ``end``."""
    end = end or timezone.now().date().replace(day=1)
    limit = date(end.year - 1, end.month, 1)
    if audience is Audience.PARTNER:
        lag = stats_run(query=StatsQuery(table="case_closure_lag", by=("closure_lag",),
                                         end=limit), audience=audience)
        return {"pending_over_12_months": lag.value("open"),
                "pending_definition": "still open, reported 12 months or more before end"}
    months = {c.code: c.attrs.get("months") for c in code_list("closure_lag")}
    pending = 0
    rows = (Cell.objects.filter(table="case_closure_lag", month__lte=limit)
            .values("month", "d1").annotate(n=Sum("count")).order_by())
    for row in rows:
        lag_months = months.get(row["d1"])
        closed = _add_months(row["month"], lag_months) if lag_months is not None else None
        if closed is None or closed > end:
            pending += int(row["n"])
    return {"pending_over_12_months": pending,
            "pending_definition": "reported 12 months or more before end, not closed by end"}


def _add_months(day: date, months: int) -> date:
    total = day.year * 12 + day.month - 1 + months
    return date(total // 12, total % 12 + 1, 1)


# --- data quality and freshness ---------------------------------------------------------

UNKNOWN_FIELDS: Mapping[str, tuple[str, str, str]] = {
    # field: (table, dimension column, the code meaning "unknown")
    "sex": ("survivors_sex_age_form", "d1", "Unknown"),
    "age": ("survivors_sex_age_form", "d2", "unknown"),
    "form": ("survivors_sex_age_form", "d3", "unknown"),
    "citizenship": ("survivors_sex_agegroup_citizenship", "d3", "XX"),
}


def freshness() -> list[dict[str, Any]]:
    """Per node: last submission and success, lag in days, rejected submissions, and
    the share of unknown values per key field of its survivors (all months)."""
    now = timezone.now()
    rejected = dict(Submission.objects.filter(outcome=Outcome.REJECTED, node__isnull=False)
                    .values_list("node").annotate(n=Count("id")).order_by())
    shares = _unknown_shares()
    out = []
    for node in Node.objects.order_by("node_id"):
        lag = (now - node.last_success_at).days if node.last_success_at else None
        out.append({
            "node_id": node.node_id, "jurisdiction": node.jurisdiction, "status": node.status,
            "last_submission_at": node.last_submission_at, "last_success_at": node.last_success_at,
            "lag_days": lag, "rejected_submissions": rejected.get(node.pk, 0),
            "unknown_share": {name: shares[name].get(node.pk) for name in UNKNOWN_FIELDS},
        })
    return out


def _unknown_shares() -> dict[str, dict[int, float | None]]:
    shares: dict[str, dict[int, float | None]] = {}
    for name, (table, column, unknown) in UNKNOWN_FIELDS.items():
        rows = (Cell.objects.filter(table=table).values("node")
                .annotate(total=Sum("count"), unknown=Sum("count", filter=Q(**{column: unknown})))
                .order_by())
        shares[name] = defaultdict(lambda: None)
        for row in rows:
            if row["total"]:
                shares[name][int(row["node"])] = round((row["unknown"] or 0) / row["total"], 4)
    return shares
