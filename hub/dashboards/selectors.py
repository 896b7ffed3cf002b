"""Reads behind each dashboard: which catalogue tables, crossed how, for which audience.

Every figure comes from ``hub.stats`` (``stats_run`` or an indicator) called with the
audience of the user who asked: analysts get exact counts, partners protected ones.
Nothing here counts, rounds or suppresses by itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from hub.stats.models import PopulationFigure
from hub.stats.population import population_ensure_default
from hub.stats.query import Audience, Geography, StatsQuery, StatsResult, stats_run
from shared.codes import code_list
from shared.disclosure import TOTAL

from .forms import Filters
from .panels import Figure, Panel, one_way, total_label, two_way


@dataclass(frozen=True)
class TableSpec:
    """One panel made of one catalogue table crossed by one or two of its dimensions."""

    slug: str
    table: str
    rows: str
    cols: str | None = None
    chart: str = "bar"


def place_of(filters: Filters) -> dict[str, str]:
    """The scope filters of a query: the one place chosen, if any."""
    names = ("region", "court_of_appeal", "jurisdiction")
    return {name: getattr(filters, name) for name in names if getattr(filters, name)}


def query_for(
    table: str,
    by: tuple[str, ...],
    filters: Filters,
    geography: Geography = Geography.NATIONAL,
) -> StatsQuery:
    return StatsQuery(
        table=table,
        by=by,
        start=filters.start,
        end=filters.end,
        geography=geography,
        **place_of(filters),
    )


def export_params(filters: Filters, by: tuple[str, ...]) -> str:
    """The query string of the CSV/XLSX export of the same figures (hub.stats parameters)."""
    params = {"start": f"{filters.start:%Y-%m}", "end": f"{filters.end:%Y-%m}"}
    params.update(place_of(filters))
    if by:
        params["by"] = ",".join(by)
    return urlencode(params)


def run(table: str, by: tuple[str, ...], filters: Filters, audience: Audience) -> StatsResult:
    return stats_run(query=query_for(table, by, filters), audience=audience)


def table_panel(
    spec: TableSpec, title: str, filters: Filters, audience: Audience, lang: str
) -> Panel:
    by = (spec.rows,) if spec.cols is None else (spec.rows, spec.cols)
    result = run(spec.table, by, filters, audience)
    if spec.cols is None:
        columns: tuple[str, ...] = (str(_("Nombre")),)
        rows = one_way(result, table=spec.table, dim=spec.rows, lang=lang)
    else:
        columns, rows = two_way(
            result, table=spec.table, rows_dim=spec.rows, cols_dim=spec.cols, lang=lang
        )
    return Panel(
        slug=spec.slug,
        title=title,
        columns=columns,
        rows=rows,
        chart=spec.chart,
        export_table=spec.table,
        export_query=export_params(filters, by),
        total_column=bool(columns) and columns[-1] == total_label() and len(columns) > 1,
    )


def region_figures(
    table: str, by: tuple[str, ...], filters: Filters, audience: Audience
) -> dict[str, Figure]:
    """One figure per region for the map: the table's total in each region."""
    result = stats_run(query=query_for(table, by, filters, Geography.REGION), audience=audience)
    figures: dict[str, Figure] = {}
    for cell in result.cells:
        region, *rest = cell.key
        if region != TOTAL and all(code == TOTAL for code in rest):
            figures[region] = Figure.of(cell.value, suppressed=cell.suppressed)
    return figures


def region_population(year: int) -> dict[str, int]:
    """Population of each region in ``year`` (public denominators the administrator loads)."""
    population_ensure_default()
    rows = (
        PopulationFigure.objects.filter(year=year)
        .values("region")
        .annotate(n=Sum("population"))
        .order_by()
    )
    return {row["region"]: int(row["n"]) for row in rows}


def region_rates(filters: Filters, audience: Audience) -> dict[str, Figure]:
    """Victims per 100,000 inhabitants in each region, from the published counts.

    A rate is the published (for partners: protected) count over a public
    denominator, so it tells nothing the count does not; a withheld count
    gives a withheld rate.
    """
    counts = region_figures("survivors_sex_age_form", (), filters, audience)
    population = region_population(filters.year)
    rates: dict[str, Figure] = {}
    for region, figure in counts.items():
        if figure.suppressed or figure.number is None or not population.get(region):
            rates[region] = figure
            continue
        rates[region] = Figure.of(figure.number * 100_000 / population[region], decimals=2)
    return rates


DIMENSION_HEADERS = {
    "sex": _("Sexe"),
    "age_band": _("Tranche d'âge"),
    "age_group": _("Groupe d'âge"),
    "form": _("Forme d'exploitation"),
    "citizenship": _("Nationalité"),
    "origin_country": _("Pays d'origine"),
    "flow": _("Flux"),
    "talibe": _("Talibé"),
    "occupation": _("Profession"),
    "means_of_control": _("Moyen de contrôle"),
    "recruitment": _("Méthode de recrutement"),
    "relationship": _("Lien avec le recruteur"),
    "role": _("Rôle"),
    "source": _("Source du signalement"),
    "cross_border": _("Transfrontalier"),
    "victims": _("Nombre de victimes"),
    "stage": _("Étape"),
    "transition": _("Mouvement"),
    "closure_lag": _("Délai de clôture"),
    "step": _("Acte de procédure"),
    "interval": _("Délai"),
    "duration": _("Durée"),
    "offence": _("Infraction"),
    "outcome": _("Issue"),
    "instance": _("Instance"),
    "sentence": _("Prison ferme"),
    "fine": _("Amende"),
    "status": _("Statut judiciaire"),
    "referral_type": _("Type de service"),
    "referral_status": _("Statut de l'orientation"),
    "region": _("Région"),
}


def dimension_header(name: str) -> str:
    return str(DIMENSION_HEADERS.get(name, name))


def place_label(filters: Filters, lang: str) -> str:
    """The chosen place in words ("" for the whole country)."""
    if filters.region:
        return code_list("region").label(filters.region, lang)
    code = filters.court_of_appeal or filters.jurisdiction
    return code_list("court").label(code, lang) if code else ""
