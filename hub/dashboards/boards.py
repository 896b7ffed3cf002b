"""The dashboards: their names, their order, and the panels each is made of.

A dashboard is a list of ``TableSpec`` (one catalogue table crossed by one or two
dimensions) plus, where the hub must say more than a cross-tabulation can, the
figures of ``hub.stats.indicators``. ``build`` is the one entry point of views.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from hub.stats.query import Audience

from . import indicator_panels
from .forms import Filters
from .panels import Dashboard
from .selectors import TableSpec, dimension_header, table_panel

Extra = Callable[[Dashboard, Filters, Audience, str], None]


@dataclass(frozen=True)
class Board:
    slug: str
    path: str
    title: Promise
    intro: Promise
    specs: tuple[tuple[TableSpec, Promise], ...] = ()
    more: Extra | None = None


BOARDS: tuple[Board, ...] = (
    Board(
        "overview",
        "vue-ensemble",
        _("Vue d'ensemble"),
        _(
            "Victimes identifiées par forme d'exploitation, sexe et âge ; personnes distinctes "
            "au niveau national et somme des juridictions."
        ),
        (
            (
                TableSpec("by-form-sex", "survivors_sex_age_form", "form", "sex", "stacked"),
                _("Victimes par forme d'exploitation et sexe"),
            ),
            (
                TableSpec("by-age-sex", "survivors_sex_age_form", "age_band", "sex", "stacked"),
                _("Victimes par tranche d'âge et sexe"),
            ),
        ),
        indicator_panels.overview,
    ),
    Board(
        "sdg",
        "odd-16-2-2",
        _("ODD 16.2.2"),
        _(
            "Victimes détectées de la traite pour 100 000 habitants, par sexe, âge et forme "
            "d'exploitation (indicateur 16.2.2 des objectifs de développement durable)."
        ),
        (),
        indicator_panels.sdg,
    ),
    Board(
        "glotip",
        "glotip",
        _("ONUDC : GLOTIP"),
        _(
            "Les tableaux du rapport mondial de l'ONUDC : infractions par article, personnes "
            "mises en cause, poursuivies et condamnées, victimes par nationalité, flux."
        ),
        (
            (
                TableSpec("offences", "charges_offence_sex", "offence", "sex", "hbar"),
                _("Infractions retenues par article et sexe du prévenu"),
            ),
            (
                TableSpec("persons-sex", "traffickers_status_sex_citizenship", "status", "sex"),
                _("Personnes mises en cause, poursuivies et condamnées, par sexe"),
            ),
            (
                TableSpec(
                    "persons-citizenship",
                    "traffickers_status_sex_citizenship",
                    "citizenship",
                    "status",
                    "hbar",
                ),
                _("Personnes mises en cause, poursuivies et condamnées, par nationalité"),
            ),
            (
                TableSpec(
                    "victims-citizenship",
                    "survivors_sex_agegroup_citizenship",
                    "citizenship",
                    "sex",
                    "hbar",
                ),
                _("Victimes par nationalité et sexe"),
            ),
            (
                TableSpec("victims-age", "survivors_sex_agegroup_citizenship", "age_group", "sex"),
                _("Victimes par groupe d'âge et sexe (filles, garçons, femmes, hommes)"),
            ),
            (
                TableSpec("flows", "survivors_flow_form_agegroup", "flow", "form", "stacked"),
                _("Flux : national, sous-régional, transrégional, par forme"),
            ),
        ),
    ),
    Board(
        "pipeline",
        "chaine-penale",
        _("Chaîne pénale"),
        _(
            "Affaires à chaque étape, classements sans suite, condamnations et relaxes, taux de "
            "condamnation, peines, délais médians, affaires en cours depuis plus de 12 mois."
        ),
        (
            (
                TableSpec("stages", "case_stage_transitions", "stage", "transition"),
                _("Entrées et sorties des affaires par étape"),
            ),
            (
                TableSpec("decisions", "decisions_outcome_offence_instance", "outcome", "instance"),
                _("Décisions par issue et instance"),
            ),
            (
                TableSpec(
                    "sentences", "sentences_offence_prison_fine", "sentence", "fine", "stacked"
                ),
                _("Peines prononcées : prison ferme et amende"),
            ),
            (
                TableSpec("steps", "procedure_events_step", "step", None, "hbar"),
                _("Actes de procédure par type"),
            ),
        ),
        indicator_panels.pipeline,
    ),
    Board(
        "begging",
        "mendicite",
        _("Mendicité forcée"),
        _(
            "Enfants talibés et autres victimes de la mendicité forcée par origine et âge ; "
            "affaires comptant de nombreuses victimes."
        ),
        (
            (
                TableSpec(
                    "origin", "survivors_begging_origin_age", "origin_country", "talibe", "hbar"
                ),
                _("Victimes de la mendicité forcée par pays d'origine (talibés ou non)"),
            ),
            (
                TableSpec("age", "survivors_begging_origin_age", "age_band", "talibe", "stacked"),
                _("Victimes de la mendicité forcée par âge (talibés ou non)"),
            ),
            (
                TableSpec("many-victims", "cases_victims_form", "victims", "form", "stacked"),
                _("Affaires par nombre de victimes et forme"),
            ),
        ),
    ),
    Board(
        "control",
        "controle-recrutement",
        _("Contrôle et recrutement"),
        _(
            "Moyens de contrôle, méthodes de recrutement et lien avec le recruteur, par forme "
            "d'exploitation et groupe d'âge. Une victime peut relever de plusieurs valeurs : "
            "les lignes ne s'additionnent pas."
        ),
        (
            (
                TableSpec(
                    "control",
                    "survivors_control_form_agegroup",
                    "means_of_control",
                    "age_group",
                    "hbar",
                ),
                _("Moyens de contrôle par groupe d'âge"),
            ),
            (
                TableSpec(
                    "recruitment",
                    "survivors_recruitment_form_agegroup",
                    "recruitment",
                    "age_group",
                    "hbar",
                ),
                _("Méthodes de recrutement par groupe d'âge"),
            ),
            (
                TableSpec(
                    "relationship",
                    "survivors_relationship_form_agegroup",
                    "relationship",
                    "form",
                    "hbar",
                ),
                _("Lien avec le recruteur par forme d'exploitation"),
            ),
        ),
    ),
    Board(
        "referrals",
        "orientations",
        _("Orientations et services"),
        _("Orientations des victimes vers les services par type et statut ; rapatriements."),
        (
            (
                TableSpec(
                    "by-status",
                    "referrals_type_status_agegroup",
                    "referral_type",
                    "referral_status",
                    "hbar",
                ),
                _("Orientations par type de service et statut"),
            ),
            (
                TableSpec(
                    "by-age", "referrals_type_status_agegroup", "referral_type", "age_group", "hbar"
                ),
                _("Orientations par type de service et groupe d'âge"),
            ),
        ),
    ),
    Board(
        "quality",
        "qualite",
        _("Qualité et fraîcheur des données"),
        _(
            "Part des valeurs inconnues des champs clés, dernier envoi réussi de chaque "
            "juridiction, envois rejetés."
        ),
        (),
        indicator_panels.quality,
    ),
)

_BY_SLUG = {board.slug: board for board in BOARDS}


def menu() -> list[dict[str, str]]:
    return [
        {
            "slug": b.slug,
            "url": reverse(f"dashboards:{b.slug}"),
            "title": str(b.title),
            "intro": str(b.intro),
        }
        for b in BOARDS
    ]


def empty(slug: str) -> Dashboard:
    board = _BY_SLUG[slug]
    return Dashboard(slug, str(board.title), str(board.intro))


def build(slug: str, filters: Filters, audience: Audience, lang: str) -> Dashboard:
    """Every panel of one dashboard, with the figures ``audience`` may see."""
    board = _BY_SLUG[slug]
    dashboard = empty(slug)
    for spec, title in board.specs:
        panel = table_panel(spec, str(title), filters, audience, lang)
        panel.row_header = dimension_header(spec.rows)
        dashboard.panels.append(panel)
    if board.more is not None:
        board.more(dashboard, filters, audience, lang)
    if not dashboard.panels and not dashboard.kpis and dashboard.region_map is None:
        dashboard.notes.append(str(_("Aucune donnée pour cette période.")))
    return dashboard
