"""Facts: what each case, survivor and trafficker contributes to the catalogue tables.

A fact is one record's contribution to one cell: (table, month, up to three
codes, the unit counted). The rules that turn records into codes live here,
once: which month a survivor is counted in, their age band, "mixed" when a
survivor suffered several forms, a case's stage transitions, durations...

Facts are recomputed only for records that changed (``node.sync.models.Dirty``),
and the cell counts move by the difference (``node.sync.build``). These
functions are the reference statement of the rules and what a node on SQLite
(development, demo) runs; on PostgreSQL the same rules run as set-based SQL
(``node.sync.sql``), held to the same facts by ``tests/node/sync/test_sql_facts.py``:
a change to a rule here must be made there too.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Prefetch

from node.cases.models import Case, CaseSurvivor, Defendant, Exploitation, ProcedureStep, Referral
from node.people.models import Survivor, Trafficker
from shared.codes import age_band_for, age_group_for, code_list, flow_type_for


@dataclass(frozen=True, slots=True)
class FactRow:
    owner_kind: str
    owner_id: int
    table: str
    month: date
    dims: tuple[str, ...]
    unit: str


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def _age(birth_year: int | None, recorded: int | None, on: date) -> int | None:
    if recorded is not None:
        return recorded
    if birth_year is None:
        return None
    return min(max(on.year - birth_year, 0), 120)


def _one_form(forms: Iterable[str]) -> str:
    distinct = set(forms)
    if not distinct:
        return "unknown"
    return distinct.pop() if len(distinct) == 1 else "mixed"


def _steps(case: Case) -> list[ProcedureStep]:
    """Valid steps in procedure order: date, then the usual order, then entry."""
    steps = [s for s in case.steps.all() if not hasattr(s, "void")]
    return sorted(steps, key=lambda s: (s.occurred_on, _attr(s.step, "order", 0), s.pk))


def _attr(step_code: str, name: str, default: Any = None) -> Any:
    return code_list("procedure_step").get(step_code).attrs.get(name, default)


# Survivors ---------------------------------------------------------------------

# Facts need codes and dates only: encrypted columns are never loaded (nor decrypted).
CASE_FIELDS = ("id", "reported_on", "identification_source", "cross_border")
_EXPLOITATIONS = Exploitation.objects.only(
    "id", "case_id", "case_survivor_id", "form", "recruitment_method"
).prefetch_related("means")
_STEPS = ProcedureStep.objects.select_related("void").only(
    "id",
    "case_id",
    "defendant_id",
    "step",
    "occurred_on",
    "outcome",
    "prison_months",
    "fine_fcfa",
    "void__id",
    "void__step_id",
)
_CASES = Case.objects.only(*CASE_FIELDS)

SURVIVOR_FIELDS = ("id", "sex", "birth_year", "nationality", "origin_country", "talibe")
SURVIVOR_PREFETCH = (
    Prefetch(
        "case_links",
        queryset=CaseSurvivor.objects.select_related("case")
        .only(
            "id",
            "case_id",
            "survivor_id",
            "identified_on",
            "age_at_identification",
            *(f"case__{f}" for f in CASE_FIELDS),
        )
        .prefetch_related(Prefetch("exploitations", queryset=_EXPLOITATIONS), "case__defendants"),
    ),
)


def survivor_facts(survivor: Survivor) -> Iterator[FactRow]:
    links = list(survivor.case_links.all())
    if not links:
        return
    first = min(links, key=lambda link: (link.identified_on, link.pk))
    month = first_of_month(first.identified_on)
    age = _age(survivor.birth_year, first.age_at_identification, first.identified_on)
    band, group = age_band_for(age), age_group_for(age)
    exploitations = [e for link in links for e in link.exploitations.all()]
    form = _one_form(e.form for e in exploitations)
    begging = form == "begging" or any(e.form == "begging" for e in exploitations)

    def fact(table: str, *dims: str) -> FactRow:
        return FactRow("survivor", survivor.pk, table, month, dims, str(survivor.pk))

    yield fact("survivors_sex_age_form", survivor.sex, band, form)
    yield fact("survivors_sex_agegroup_citizenship", survivor.sex, group, survivor.nationality)
    yield fact("survivors_flow_form_agegroup", flow_type_for(survivor.origin_country), form, group)
    if begging:
        yield fact(
            "survivors_begging_origin_age",
            "yes" if survivor.talibe else "no",
            survivor.origin_country,
            band,
        )
    for code in sorted({m.code for e in exploitations for m in e.means.all()}):
        yield fact("survivors_control_form_agegroup", code, form, group)
    for code in sorted({e.recruitment_method for e in exploitations} or {"Unknown"}):
        yield fact("survivors_recruitment_form_agegroup", code, form, group)
    relationships = {d.relationship for link in links for d in link.case.defendants.all()}
    for code in sorted(relationships or {"Unknown"}):
        yield fact("survivors_relationship_form_agegroup", code, form, group)


# Traffickers -------------------------------------------------------------------

TRAFFICKER_FIELDS = ("id", "sex", "birth_year", "nationality", "occupation")
TRAFFICKER_PREFETCH = (
    Prefetch(
        "case_links",
        queryset=Defendant.objects.select_related("case")
        .only(
            "id",
            "case_id",
            "trafficker_id",
            "age_at_case",
            *(f"case__{f}" for f in CASE_FIELDS),
        )
        .prefetch_related(
            "roles",
            Prefetch("case__steps", queryset=_STEPS),
            Prefetch("case__exploitations", queryset=_EXPLOITATIONS),
        ),
    ),
)

PROSECUTED_STAGES = frozenset({"prosecution", "trial", "judged", "appeal"})


def _status_dates(defendants: list[Defendant]) -> dict[str, date]:
    dates = {"suspected": min(d.case.reported_on for d in defendants)}
    for defendant in defendants:
        steps = [
            s
            for s in defendant.case.steps.all()
            if not hasattr(s, "void") and s.defendant_id in (None, defendant.pk)
        ]
        for step in steps:
            if _attr(step.step, "stage") in PROSECUTED_STAGES:
                dates["prosecuted"] = min(
                    dates.get("prosecuted", step.occurred_on), step.occurred_on
                )
            if step.outcome == "convicted":
                dates["convicted"] = min(dates.get("convicted", step.occurred_on), step.occurred_on)
    return dates


def trafficker_facts(trafficker: Trafficker) -> Iterator[FactRow]:
    defendants = list(trafficker.case_links.all())
    if not defendants:
        return
    dates = _status_dates(defendants)
    first = min(defendants, key=lambda d: (d.case.reported_on, d.pk))
    age = _age(trafficker.birth_year, first.age_at_case, first.case.reported_on)
    form = _one_form(e.form for d in defendants for e in d.case.exploitations.all())

    def fact(table: str, month: date, *dims: str) -> FactRow:
        return FactRow(
            "trafficker", trafficker.pk, table, first_of_month(month), dims, str(trafficker.pk)
        )

    for status, day in dates.items():
        yield fact(
            "traffickers_status_sex_citizenship",
            day,
            status,
            trafficker.sex,
            trafficker.nationality,
        )
    suspected = dates["suspected"]
    yield fact(
        "traffickers_sex_agegroup_occupation",
        suspected,
        trafficker.sex,
        age_group_for(age),
        trafficker.occupation,
    )
    for role in sorted({r.code for d in defendants for r in d.roles.all()} or {"Other"}):
        yield fact("traffickers_role_form", suspected, role, form)


# Cases ---------------------------------------------------------------------------

CASE_PREFETCH = (
    Prefetch("steps", queryset=_STEPS),
    Prefetch("exploitations", queryset=_EXPLOITATIONS),
    Prefetch(
        "referrals",
        queryset=Referral.objects.only(
            "id",
            "case_id",
            "case_survivor_id",
            "referral_type",
            "status",
            "referred_on",
        )
        .select_related("case_survivor__survivor")
        .only(
            "id",
            "case_id",
            "case_survivor_id",
            "referral_type",
            "status",
            "referred_on",
            "case_survivor__id",
            "case_survivor__identified_on",
            "case_survivor__age_at_identification",
            "case_survivor__survivor__id",
            "case_survivor__survivor__birth_year",
        ),
    ),
    "survivor_links",
    Prefetch(
        "defendants",
        queryset=Defendant.objects.select_related("trafficker")
        .only(
            "id",
            "case_id",
            "trafficker_id",
            "trafficker__id",
            "trafficker__sex",
        )
        .prefetch_related("charges"),
    ),
)


def case_facts(case: Case) -> Iterator[FactRow]:
    steps = _steps(case)
    yield from _case_profile(case)
    yield from _transitions(case, steps)
    yield from _lifecycle(case, steps)
    yield from _events(case, steps)
    yield from _decisions(case, steps)
    for referral in case.referrals.all():
        survivor = referral.case_survivor.survivor
        age = _age(
            survivor.birth_year,
            referral.case_survivor.age_at_identification,
            referral.case_survivor.identified_on,
        )
        yield _case_fact(
            case,
            "referrals_type_status_agegroup",
            referral.referred_on,
            f"r{referral.pk}",
            referral.referral_type,
            referral.status,
            age_group_for(age),
        )


def _case_fact(case: Case, table: str, day: date, unit: str, *dims: str) -> FactRow:
    return FactRow("case", case.pk, table, first_of_month(day), dims, unit)


def _band(list_name: str, value: int, low: str, high: str) -> str:
    for code in code_list(list_name):
        lo, hi = code.attrs.get(low), code.attrs.get(high)
        if lo is not None and value >= lo and (hi is None or value <= hi):
            return code.code
    return "unknown"


def _case_profile(case: Case) -> Iterator[FactRow]:
    form = _one_form(e.form for e in case.exploitations.all())
    unit = f"c{case.pk}"
    yield _case_fact(
        case,
        "cases_source_form_crossborder",
        case.reported_on,
        unit,
        case.identification_source,
        form,
        "yes" if case.cross_border else "no",
    )
    victims = len(case.survivor_links.all())
    if victims:
        yield _case_fact(
            case,
            "cases_victims_form",
            case.reported_on,
            unit,
            _band("victim_count_band", victims, "min", "max"),
            form,
        )


def _transitions(case: Case, steps: list[ProcedureStep]) -> Iterator[FactRow]:
    unit = f"c{case.pk}"
    stage = "reported"
    yield _case_fact(case, "case_stage_transitions", case.reported_on, unit, stage, "entered")
    for step in steps:
        new = _attr(step.step, "stage", stage)
        if new != stage:
            yield _case_fact(case, "case_stage_transitions", step.occurred_on, unit, stage, "left")
            yield _case_fact(case, "case_stage_transitions", step.occurred_on, unit, new, "entered")
            stage = new


def closure_date(steps: list[ProcedureStep]) -> date | None:
    """A case is closed when its latest valid step ends it at that court."""
    if steps and _attr(steps[-1].step, "terminal", False):
        return steps[-1].occurred_on
    return None


def _lifecycle(case: Case, steps: list[ProcedureStep]) -> Iterator[FactRow]:
    closed = closure_date(steps)
    if closed is None:
        lag = "open"
    else:
        months = (closed.year - case.reported_on.year) * 12 + closed.month - case.reported_on.month
        lag = f"m{months}" if months < 60 else "m60+"
    unit = f"c{case.pk}"
    yield _case_fact(case, "case_closure_lag", case.reported_on, unit, lag)
    first_judgment = next((s for s in steps if s.step == "judgment"), None)
    first_appeal = next((s for s in steps if s.step == "appeal_judgment"), None)
    judged = first_judgment.occurred_on if first_judgment else None
    spans = [
        ("report_to_judgment", case.reported_on, judged),
        ("report_to_closure", case.reported_on, closed),
    ]
    if first_judgment and first_appeal:
        spans.append(
            ("judgment_to_appeal_judgment", first_judgment.occurred_on, first_appeal.occurred_on)
        )
    for interval, start, end in spans:
        if end is not None:
            days = (end - start).days
            yield _case_fact(
                case,
                "durations",
                end,
                unit,
                interval,
                _band("duration_band", days, "min_days", "max_days"),
            )


def _events(case: Case, steps: list[ProcedureStep]) -> Iterator[FactRow]:
    for step in steps:
        yield _case_fact(case, "procedure_events_step", step.occurred_on, f"s{step.pk}", step.step)
    for defendant in case.defendants.all():
        for charge in defendant.charges.all():
            yield _case_fact(
                case,
                "charges_offence_sex",
                charge.charged_on,
                f"h{charge.pk}",
                charge.offence,
                defendant.trafficker.sex,
            )


def principal_offence(defendant: Defendant) -> str:
    """The most serious offence charged (longest maximum prison term)."""
    offences = code_list("offence")
    charged = [c.offence for c in defendant.charges.all()]
    if not charged:
        return "unknown"
    return max(charged, key=lambda o: (offences.get(o).attrs.get("max_prison_months") or 0, o))


def _decisions(case: Case, steps: list[ProcedureStep]) -> Iterator[FactRow]:
    defendants = list(case.defendants.all())
    for step in steps:
        if not step.outcome:
            continue
        instance = "first" if step.step == "judgment" else "appeal"
        concerned = [d for d in defendants if step.defendant_id in (None, d.pk)]
        for defendant in concerned:
            offence = principal_offence(defendant)
            unit = f"s{step.pk}d{defendant.pk}"
            yield _case_fact(
                case,
                "decisions_outcome_offence_instance",
                step.occurred_on,
                unit,
                step.outcome,
                offence,
                instance,
            )
            if step.outcome == "convicted":
                yield _case_fact(
                    case,
                    "sentences_offence_prison_fine",
                    step.occurred_on,
                    unit,
                    offence,
                    _band("sentence_band", step.prison_months or 0, "min_months", "max_months"),
                    _band("fine_band", step.fine_fcfa or 0, "min_fcfa", "max_fcfa"),
                )
