"""The parts of dashboards that are more than a cross-tabulation: the figures of
``hub.stats.indicators`` (distinct survivors, SDG 16.2.2, the justice pipeline,
freshness), and the regional maps.

Indicators are national and yearly or period-wide: when the user chose a place,
the page says that these figures still cover the whole country.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from hub.stats import indicators
from hub.stats.query import Audience
from shared.codes import code_list
from shared.disclosure import TOTAL

from .forms import Filters
from .geo import region_map
from .panels import Dashboard, Figure, Kpi, Panel, Row
from .selectors import dimension_header, place_of, region_figures, region_rates


def _national_note(board: Dashboard, filters: Filters) -> None:
    if place_of(filters):
        board.notes.append(
            _(
                "Les indicateurs de synthèse portent sur tout le pays : ils ne suivent pas le "
                "filtre de zone."
            )
        )


def _figure(value: float | None, audience: Audience, *, decimals: int = 0) -> Figure:
    """A figure of an indicator; None is withheld (partners) or not computable (analysts)."""
    if value is None:
        return Figure.of(None, suppressed=True)
    return Figure.of(value, decimals=decimals)


def overview(board: Dashboard, filters: Filters, audience: Audience, lang: str) -> None:
    survivors = indicators.national_survivors(year=filters.year, audience=audience)
    if audience is Audience.PARTNER:
        board.kpis.append(
            Kpi(
                _("Victimes distinctes au niveau national (%(year)s)") % {"year": filters.year},
                Figure.of(survivors["distinct"], suppressed=survivors["suppressed"]),
                _("Chaque personne comptée une fois, même connue de plusieurs juridictions."),
            )
        )
    else:
        board.kpis += [
            Kpi(
                _("Victimes distinctes au niveau national (%(year)s)") % {"year": filters.year},
                Figure.of(survivors["distinct"]),
                _("Chaque personne comptée une fois, même connue de plusieurs juridictions."),
            ),
            Kpi(
                _("Somme des juridictions"),
                Figure.of(survivors["sum_of_jurisdictions"]),
                _("Une personne connue de deux juridictions y est comptée deux fois."),
            ),
            Kpi(
                _("Personnes connues de plusieurs juridictions"),
                Figure.of(survivors["overlap"]),
                _("Réservé aux analystes."),
            ),
        ]
    figures = region_figures("survivors_sex_age_form", (), filters, audience)
    board.region_map = region_map(
        title=_("Victimes identifiées par région"), figures=figures, lang=lang
    )
    board.map_unit = _("Victimes")
    _national_note(board, filters)


# --- SDG 16.2.2 -------------------------------------------------------------------------


def sdg(board: Dashboard, filters: Filters, audience: Audience, lang: str) -> None:
    result = indicators.sdg_16_2_2(year=filters.year, audience=audience)
    rows = {tuple(row["key"]): row for row in result["rows"]}
    total = rows.get((TOTAL, TOTAL, TOTAL))
    if total is not None:
        board.kpis.append(
            Kpi(
                _("Victimes détectées pour 100 000 habitants (%(year)s)") % {"year": filters.year},
                _rate(total),
                _("Indicateur ODD 16.2.2, tout le pays."),
            )
        )
    board.panels += [
        _sdg_panel(
            "sdg-sex-age",
            _("Victimes pour 100 000 habitants, par sexe et groupe d'âge"),
            rows,
            lang,
            by_sex=True,
        ),
        _sdg_panel(
            "sdg-form",
            _("Victimes pour 100 000 habitants, par forme d'exploitation"),
            rows,
            lang,
            by_sex=False,
        ),
    ]
    board.region_map = region_map(
        title=_("Victimes pour 100 000 habitants, par région"),
        figures=region_rates(filters, audience),
        lang=lang,
        decimals=2,
    )
    board.map_unit = _("Pour 100 000")
    if result.get("population_source"):
        board.notes.append(_("Population : %(source)s.") % {"source": result["population_source"]})
    _national_note(board, filters)


def _rate(row: Mapping[str, Any]) -> Figure:
    if row["suppressed"]:
        return Figure.of(None, suppressed=True)
    return Figure.of(row["rate_per_100000"], decimals=2)


def _sdg_panel(
    slug: str,
    title: str,
    rows: Mapping[tuple[str, ...], Mapping[str, Any]],
    lang: str,
    *,
    by_sex: bool,
) -> Panel:
    sexes, groups, forms = (
        code_list("gender"),
        code_list("age_group"),
        code_list("exploitation_form"),
    )
    if by_sex:
        keys = [(s, g, TOTAL) for s in (*sexes.codes(), TOTAL) for g in (*groups.codes(), TOTAL)]
    else:
        keys = [(TOTAL, TOTAL, f) for f in (*forms.codes(), TOTAL)]
    body = []
    for key in keys:
        row = rows.get(key)
        if row is None or (not row["suppressed"] and not row["victims"] and TOTAL not in key[:1]):
            continue
        body.append(
            Row(
                _sdg_label(key, lang, by_sex),
                (Figure.of(row["victims"], suppressed=row["suppressed"]), _rate(row)),
                total=all(code == TOTAL for code in key),
            )
        )
    return Panel(
        slug=slug,
        title=title,
        columns=(_("Victimes"), _("Pour 100 000")),
        rows=body,
        row_header=dimension_header("sex") if by_sex else dimension_header("form"),
        chart="none" if not body else "bar",
        chart_columns=(1,),  # the rates; counts and rates do not share an axis
        export_table=indicators.SDG_TABLE,
    )


def _sdg_label(key: tuple[str, ...], lang: str, by_sex: bool) -> str:
    sex, group, form = key
    if not by_sex:
        return _("Total") if form == TOTAL else code_list("exploitation_form").label(form, lang)
    parts = [
        _("Tous") if sex == TOTAL else code_list("gender").label(sex, lang),
        _("tous âges") if group == TOTAL else code_list("age_group").label(group, lang),
    ]
    return " · ".join(parts)


# --- the justice pipeline ------------------------------------------------------------------


def pipeline(board: Dashboard, filters: Filters, audience: Audience, lang: str) -> None:
    summary = indicators.pipeline_summary(start=filters.start, end=filters.end, audience=audience)
    rate = summary["conviction_rate"]
    board.kpis += [
        Kpi(
            _("Taux de condamnation"),
            Figure.percent(rate, suppressed=rate is None),
            _("Condamnations sur condamnations et relaxes, en première instance."),
        ),
        Kpi(_("Condamnations"), _figure(summary["convictions"], audience)),
        Kpi(_("Relaxes et acquittements"), _figure(summary["acquittals"], audience)),
        Kpi(_("Classements sans suite"), _figure(summary["dropped"], audience)),
        Kpi(
            _("Délai médian du signalement au jugement (jours)"),
            _figure(summary["median_days_report_to_judgment"], audience, decimals=0),
        ),
        Kpi(
            _("Délai médian du jugement à l'arrêt d'appel (jours)"),
            _figure(summary["median_days_judgment_to_appeal_judgment"], audience, decimals=0),
        ),
        Kpi(
            _("Affaires en cours depuis plus de 12 mois"),
            _figure(summary["pending_over_12_months"], audience),
            _("Signalées au moins 12 mois avant la fin de la période, non clôturées."),
        ),
    ]
    board.panels.insert(
        0,
        _mapping_panel(
            "cases-per-stage",
            _("Affaires en cours à chaque étape, en fin de période"),
            summary["cases_per_stage"],
            "pipeline_stage",
            lang,
            dimension_header("stage"),
        ),
    )
    _national_note(board, filters)


def _mapping_panel(
    slug: str, title: str, values: Mapping[str, int | None], codes: str, lang: str, header: str
) -> Panel:
    labels = code_list(codes)
    rows = [
        Row(labels.label(code, lang), (Figure.of(value, suppressed=value is None),))
        for code, value in values.items()
    ]
    return Panel(slug=slug, title=title, columns=(_("Nombre"),), rows=rows, row_header=header)


# --- data quality and freshness ----------------------------------------------------------


def quality(board: Dashboard, filters: Filters, audience: Audience, lang: str) -> None:
    nodes = indicators.freshness()
    now = timezone.now()
    courts = code_list("court")
    analyst = audience is Audience.ANALYST
    fields = tuple(indicators.UNKNOWN_FIELDS) if analyst else ()
    columns = (
        _("Statut"),
        _("Dernier envoi réussi"),
        _("Jours depuis"),
        _("Envois rejetés"),
        *(_("Inconnu : %(field)s") % {"field": dimension_header(_field_dim(f))} for f in fields),
    )
    rows = []
    for node in nodes:
        last = node["last_success_at"]
        figures = [
            Figure(_("actif") if node["status"] == "active" else _("suspendu")),
            Figure(
                date_format(timezone.localtime(last), "SHORT_DATETIME_FORMAT")
                if last
                else _("jamais")
            ),
            Figure.of(node["lag_days"]) if last else Figure("—"),
            Figure.of(node["rejected_submissions"]),
            *(Figure.percent(node["unknown_share"][f]) for f in fields),
        ]
        label = (
            courts.label(node["jurisdiction"], lang)
            if node["jurisdiction"] in courts
            else node["jurisdiction"]
        )
        rows.append(Row(f"{label} ({node['node_id']})", tuple(figures)))
    board.panels.append(
        Panel(
            slug="freshness",
            title=_("Fraîcheur et qualité des données par juridiction"),
            columns=columns,
            rows=rows,
            row_header=_("Juridiction (nœud)"),
            chart="none",
        )
    )
    board.notes.append(
        _("Situation au %(now)s.")
        % {"now": date_format(timezone.localtime(now), "SHORT_DATETIME_FORMAT")}
    )
    if not analyst:
        board.notes.append(
            _(
                "La part des valeurs inconnues par juridiction est réservée aux "
                "analystes : sur de petits effectifs, elle révélerait des comptes."
            )
        )


def _field_dim(field: str) -> str:
    return {"age": "age_band"}.get(field, field)
