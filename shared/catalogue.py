"""The aggregate table catalogue: the only way a number reaches the hub.

Each table counts one kind of thing (survivors, traffickers, cases, charges,
decisions, procedure events, referrals) by month, for the sending node's
jurisdiction, crossed with at most three *person attributes* (sex, age, origin,
form of exploitation, ...) and, where it helps, attributes of the procedure
(offence, stage, duration band). The limit of three person attributes is what
keeps a cell from describing a single person; it is checked at import time.

What a "month" means differs per table (the month a survivor was identified,
the month a step happened, ...); ``Table.period`` says it in words, and the node's
aggregation service implements it. Counts are exact; disclosure control is
applied by the hub when figures leave it (see ``shared.disclosure``).

``population`` names what a table counts (the same persons, placed in the
same month, as every table naming it) and ``within`` the slice it covers:
the hub's disclosure control links the tables of one population, since their
common margins are the same numbers.

Dimensions marked ``additive=False`` are multi-valued (a survivor controlled by
threats *and* debt bondage is counted under both): their cells do not sum to a
total, so the hub never publishes a margin over such a dimension as a sum.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import cache

from shared.codes import CodeList, code_list

MAX_PERSON_ATTRIBUTES = 3


class Unit(StrEnum):
    """What one count in a table is."""

    SURVIVORS = "survivors"
    TRAFFICKERS = "traffickers"
    CASES = "cases"
    CHARGES = "charges"
    DECISIONS = "decisions"
    PROCEDURE_EVENTS = "procedure_events"
    REFERRALS = "referrals"


@dataclass(frozen=True, slots=True)
class Dimension:
    """One column of a table: its name in payloads and the code list of its values."""

    name: str
    code_list: str
    person: bool = False
    additive: bool = True

    def codes(self) -> CodeList:
        return code_list(self.code_list)


@dataclass(frozen=True, slots=True)
class Table:
    """One aggregate table: what it counts, by which dimensions, placed in which month."""

    name: str
    unit: Unit
    dimensions: tuple[Dimension, ...]
    period: str
    fr: str
    en: str
    distinct: bool = False
    population: str = ""
    within: tuple[tuple[str, str], ...] = ()

    @property
    def counts(self) -> str:
        """The population the table counts: tables naming the same one count the same
        things placed in the same month, so their shared margins are the same numbers
        (``within``: the slice of it the table covers, as (dimension, code) pairs)."""
        return self.population or self.name

    @property
    def dimension_names(self) -> tuple[str, ...]:
        return tuple(d.name for d in self.dimensions)

    def label(self, lang: str = "fr") -> str:
        return self.fr if lang == "fr" else self.en


# Person attributes.
SEX = Dimension("sex", "gender", person=True)
AGE_BAND = Dimension("age_band", "age_band", person=True)
AGE_GROUP = Dimension("age_group", "age_group", person=True)
FORM = Dimension("form", "exploitation_form", person=True)
CITIZENSHIP = Dimension("citizenship", "country", person=True)
ORIGIN = Dimension("origin_country", "country", person=True)
FLOW = Dimension("flow", "flow_type", person=True)
TALIBE = Dimension("talibe", "yes_no", person=True)
OCCUPATION = Dimension("occupation", "occupation", person=True)
CONTROL = Dimension("means_of_control", "means_of_control", person=True, additive=False)
RECRUITMENT = Dimension("recruitment", "recruitment_method", person=True, additive=False)
RELATIONSHIP = Dimension("relationship", "recruiter_relationship", person=True, additive=False)
ROLE = Dimension("role", "perpetrator_role", person=True, additive=False)

# Attributes of cases and of the procedure.
SOURCE = Dimension("source", "identification_source")
CASE_FORM = Dimension("form", "exploitation_form")
CROSS_BORDER = Dimension("cross_border", "yes_no")
VICTIMS = Dimension("victims", "victim_count_band")
STAGE = Dimension("stage", "pipeline_stage")
TRANSITION = Dimension("transition", "transition")
CLOSURE_LAG = Dimension("closure_lag", "closure_lag")
STEP = Dimension("step", "procedure_step")
INTERVAL = Dimension("interval", "interval")
DURATION = Dimension("duration", "duration_band")
OFFENCE = Dimension("offence", "offence")
OUTCOME = Dimension("outcome", "outcome")
INSTANCE = Dimension("instance", "instance")
SENTENCE = Dimension("sentence", "sentence_band")
FINE = Dimension("fine", "fine_band")
STATUS = Dimension("status", "justice_status", additive=False)
REFERRAL_TYPE = Dimension("referral_type", "referral_type")
REFERRAL_STATUS = Dimension("referral_status", "referral_status")

_IDENTIFIED = "month the survivor was first identified in this jurisdiction"
_REPORTED = "month the case was reported (signalement)"

TABLES: tuple[Table, ...] = (
    Table(
        "survivors_sex_age_form",
        Unit.SURVIVORS,
        (SEX, AGE_BAND, FORM),
        _IDENTIFIED,
        "Victimes par sexe, âge et forme d'exploitation",
        "Survivors by sex, age and form of exploitation",
        distinct=True,
        population="survivors_identified",
    ),
    Table(
        "survivors_sex_agegroup_citizenship",
        Unit.SURVIVORS,
        (SEX, AGE_GROUP, CITIZENSHIP),
        _IDENTIFIED,
        "Victimes par sexe, âge et nationalité",
        "Survivors by sex, age group and citizenship",
        distinct=True,
        population="survivors_identified",
    ),
    Table(
        "survivors_flow_form_agegroup",
        Unit.SURVIVORS,
        (FLOW, FORM, AGE_GROUP),
        _IDENTIFIED,
        "Victimes par flux (national, sous-régional, transrégional) et forme",
        "Survivors by flow (domestic, subregional, transregional) and form",
        distinct=True,
        population="survivors_identified",
    ),
    Table(
        "survivors_begging_origin_age",
        Unit.SURVIVORS,
        (TALIBE, ORIGIN, AGE_BAND),
        f"{_IDENTIFIED}; only survivors exploited through begging",
        "Mendicité forcée : victimes (talibés ou non) par origine et âge",
        "Forced begging: survivors (talibé or not) by origin and age",
        distinct=True,
        population="survivors_identified",
        within=(("form", "begging"),),
    ),
    Table(
        "survivors_control_form_agegroup",
        Unit.SURVIVORS,
        (CONTROL, FORM, AGE_GROUP),
        _IDENTIFIED,
        "Moyens de contrôle par forme et groupe d'âge",
        "Means of control by form and age group",
        distinct=True,
        population="survivors_identified",
    ),
    Table(
        "survivors_recruitment_form_agegroup",
        Unit.SURVIVORS,
        (RECRUITMENT, FORM, AGE_GROUP),
        _IDENTIFIED,
        "Méthodes de recrutement par forme et groupe d'âge",
        "Recruitment methods by form and age group",
        distinct=True,
        population="survivors_identified",
    ),
    Table(
        "survivors_relationship_form_agegroup",
        Unit.SURVIVORS,
        (RELATIONSHIP, FORM, AGE_GROUP),
        _IDENTIFIED,
        "Lien avec le recruteur par forme et groupe d'âge",
        "Relationship to the recruiter by form and age group",
        distinct=True,
        population="survivors_identified",
    ),
    Table(
        "traffickers_status_sex_citizenship",
        Unit.TRAFFICKERS,
        (STATUS, SEX, CITIZENSHIP),
        "month the person was first suspected, first prosecuted, first convicted",
        "Auteurs mis en cause, poursuivis et condamnés par sexe et nationalité",
        "Persons suspected, prosecuted and convicted by sex and citizenship",
        distinct=True,
        population="traffickers",
    ),
    Table(
        "traffickers_sex_agegroup_occupation",
        Unit.TRAFFICKERS,
        (SEX, AGE_GROUP, OCCUPATION),
        "month the person was first suspected",
        "Profil des auteurs : sexe, âge et profession",
        "Traffickers' profile: sex, age group and occupation",
        distinct=True,
        population="traffickers",
        within=(("status", "suspected"),),
    ),
    Table(
        "traffickers_role_form",
        Unit.TRAFFICKERS,
        (ROLE, FORM),
        "month the person was first suspected",
        "Rôle des auteurs par forme d'exploitation",
        "Traffickers' roles by form of exploitation",
        distinct=True,
        population="traffickers",
        within=(("status", "suspected"),),
    ),
    Table(
        "cases_source_form_crossborder",
        Unit.CASES,
        (SOURCE, CASE_FORM, CROSS_BORDER),
        _REPORTED,
        "Affaires par source de signalement, forme et caractère transfrontalier",
        "Cases by source of identification, form and cross-border character",
        population="cases_reported",
    ),
    Table(
        "cases_victims_form",
        Unit.CASES,
        (VICTIMS, CASE_FORM),
        _REPORTED,
        "Affaires par nombre de victimes et forme",
        "Cases by number of survivors and form",
        population="cases_reported",
    ),
    Table(
        "case_stage_transitions",
        Unit.CASES,
        (STAGE, TRANSITION),
        "month the case entered or left the stage",
        "Entrées et sorties des affaires par étape de la procédure",
        "Cases entering and leaving each stage of the procedure",
    ),
    Table(
        "case_closure_lag",
        Unit.CASES,
        (CLOSURE_LAG,),
        _REPORTED,
        "Affaires par délai de clôture (ou en cours)",
        "Cases by months from report to closure (or still open)",
        population="cases_reported",
    ),
    Table(
        "procedure_events_step",
        Unit.PROCEDURE_EVENTS,
        (STEP,),
        "month of the step",
        "Actes de procédure par type",
        "Procedure steps by type",
    ),
    Table(
        "durations",
        Unit.CASES,
        (INTERVAL, DURATION),
        "month the interval ended",
        "Délais de la procédure, en tranches fines",
        "Procedure durations in fine bands",
    ),
    Table(
        "charges_offence_sex",
        Unit.CHARGES,
        (OFFENCE, SEX),
        "month the charge was brought",
        "Infractions retenues par article et sexe du prévenu",
        "Offences charged by article and the defendant's sex",
    ),
    Table(
        "decisions_outcome_offence_instance",
        Unit.DECISIONS,
        (OUTCOME, OFFENCE, INSTANCE),
        "month of the decision",
        "Décisions par issue, infraction principale et instance",
        "Decisions by outcome, principal offence and instance",
    ),
    Table(
        "sentences_offence_prison_fine",
        Unit.DECISIONS,
        (OFFENCE, SENTENCE, FINE),
        "month of the conviction",
        "Peines prononcées par infraction",
        "Sentences by offence: firm prison and fine",
    ),
    Table(
        "referrals_type_status_agegroup",
        Unit.REFERRALS,
        (REFERRAL_TYPE, REFERRAL_STATUS, AGE_GROUP),
        "month of the referral",
        "Orientations vers les services par type, statut et groupe d'âge",
        "Referrals to services by type, status and age group",
    ),
)


class CatalogueError(ValueError):
    """The catalogue breaks one of its own rules (checked when it is loaded)."""


def _check(tables: tuple[Table, ...]) -> None:
    names = [t.name for t in tables]
    if len(set(names)) != len(names):
        raise CatalogueError("table names must be unique")
    for table in tables:
        persons = sum(d.person for d in table.dimensions)
        if persons > MAX_PERSON_ATTRIBUTES:
            raise CatalogueError(f"{table.name}: {persons} person attributes (at most 3)")
        if len(set(table.dimension_names)) != len(table.dimensions):
            raise CatalogueError(f"{table.name}: a dimension appears twice")
        for dimension in table.dimensions:
            dimension.codes()  # raises if the code list does not exist


@cache
def catalogue() -> dict[str, Table]:
    """Every table by name, after checking the catalogue's rules."""
    _check(TABLES)
    return {table.name: table for table in TABLES}


def table(name: str) -> Table:
    try:
        return catalogue()[name]
    except KeyError:
        raise KeyError(f"unknown table {name!r}") from None
