"""Reads of the web pages: the jurisdiction's figures, lists and one case in full.

Figures are computed here with the ORM so that templates only display numbers.
They are this node's own counts, exact, shown only to its staff: no disclosure
control applies inside the jurisdiction that holds the records.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, Prefetch, QuerySet
from django.http import QueryDict
from django.utils import timezone

from node.audit.filters import AuditEntryFilter
from node.audit.models import AuditEntry
from node.cases.apis import CaseFilter
from node.cases.models import Case, CaseSurvivor, Charge, Defendant, Exploitation, ProcedureStep
from node.keys import current_field_key
from node.people import services as people_services
from node.people.models import Survivor
from node.privacy import name_digest
from node.sync.models import SyncState
from shared.codes import code_list
from shared.pseudonym import blind_index

# A case is open until it is dropped or closed; it is pending while no court has
# ruled on it at first instance, or while an appeal is under way.
CLOSED_STAGES = ("dropped", "closed")
PENDING_STAGES = ("reported", "investigation", "prosecution", "trial", "appeal")
PENDING_DAYS = 365


@dataclass(frozen=True)
class HomeFigures:
    open_by_stage: list[tuple[str, int]]
    open_total: int
    survivors_by_form: list[tuple[str, int]]
    survivors_total: int
    pending_over_year: int
    last_push: datetime | None
    year: int


def home_figures(*, today: date | None = None) -> HomeFigures:
    """Everything the home page shows, in a handful of aggregate queries."""
    today = today or timezone.localdate()
    by_stage = open_cases_by_stage()
    by_form = survivors_by_form(year=today.year)
    return HomeFigures(
        open_by_stage=by_stage, open_total=sum(n for _, n in by_stage),
        survivors_by_form=by_form, survivors_total=survivors_count(year=today.year),
        pending_over_year=cases_pending_count(before=today - timedelta(days=PENDING_DAYS)),
        last_push=last_successful_push(), year=today.year,
    )


def open_cases_by_stage() -> list[tuple[str, int]]:
    """(stage code, count) in the order of the pipeline, zero stages included."""
    counts = dict(Case.objects.exclude(stage__in=CLOSED_STAGES).values_list("stage")
                  .annotate(n=Count("id")).values_list("stage", "n"))
    stages = [c.code for c in code_list("pipeline_stage") if c.code not in CLOSED_STAGES]
    return [(stage, counts.get(stage, 0)) for stage in stages]


def survivors_by_form(*, year: int) -> list[tuple[str, int]]:
    """Distinct survivors identified in ``year`` per form of exploitation.

    A survivor exploited in two forms counts once in each; one with no
    exploitation recorded yet counts under ``unknown``.
    """
    counts = dict(Exploitation.objects.filter(case_survivor__identified_on__year=year)
                  .values("form").annotate(n=Count("case_survivor__survivor", distinct=True))
                  .values_list("form", "n"))
    without = (CaseSurvivor.objects.filter(identified_on__year=year, exploitations__isnull=True)
               .values("survivor").distinct().count())
    if without:
        counts["unknown"] = counts.get("unknown", 0) + without
    return [(c.code, counts[c.code]) for c in code_list("exploitation_form") if c.code in counts]


def survivors_count(*, year: int) -> int:
    return (CaseSurvivor.objects.filter(identified_on__year=year)
            .values("survivor").distinct().count())


def cases_pending_count(*, before: date) -> int:
    return Case.objects.filter(stage__in=PENDING_STAGES, reported_on__lt=before).count()


def last_successful_push() -> datetime | None:
    state = SyncState.objects.order_by("pk").first()
    return state.last_success_at if state is not None else None


def case_search(*, params: QueryDict) -> tuple[QuerySet[Case], bool]:
    """Cases matching the list's filters (the API's FilterSet), and whether a name was searched.

    The name goes through the blind index (``node.people.apis.name_filter``):
    an exact match on every word, never a LIKE over decrypted names.
    """
    queryset = Case.objects.annotate(survivor_count=Count("survivor_links", distinct=True))
    filterset = CaseFilter(data=params, queryset=queryset.order_by("-reported_on", "-id"))
    return filterset.qs, bool(filterset.form.cleaned_data.get("name"))


def case_detail(*, case_id: int) -> Case | None:
    """One case with every part its page shows, in a fixed number of queries."""
    steps = ProcedureStep.objects.select_related("void", "defendant__trafficker")
    defendants = Defendant.objects.select_related("trafficker").prefetch_related(
        "roles", Prefetch("charges", queryset=Charge.objects.prefetch_related(
            "survivors__survivor")))
    links = CaseSurvivor.objects.select_related("survivor").prefetch_related(
        "exploitations__means", "referrals")
    return (Case.objects.prefetch_related(
        Prefetch("steps", queryset=steps), Prefetch("defendants", queryset=defendants),
        Prefetch("survivor_links", queryset=links), "events")
        .filter(pk=case_id).first())


def case_get(*, case_id: int) -> Case | None:
    return Case.objects.filter(pk=case_id).first()


def survivor_candidates(*, data: dict[str, Any]) -> list[Survivor]:
    """Survivors already on record who may be the person about to be entered.

    Runs the people services' duplicate rule on an unsaved survivor, so the
    greffier can choose before a duplicate exists.
    """
    candidate = Survivor(**{k: v for k, v in data.items() if k in people_services.SURVIVOR_FIELDS})
    _index_preview(candidate)
    ids = people_services.possible_duplicates(candidate)
    return list(Survivor.objects.filter(pk__in=ids).order_by("id"))


def _index_preview(person: Survivor) -> None:
    """Set the blind-index digests of an unsaved survivor as ``_refresh_indexes`` does.

    node.people.services has no public "digests without saving" function yet;
    this mirrors its two lines (without writing name tokens) and should move there.
    """
    identity = people_services._identity(person)
    person.identity_digest = (
        blind_index(identity, key=current_field_key().blind_index) if identity else "")
    person.name_digest = name_digest(f"{person.family_name} {person.given_names}".strip())


def audit_search(*, params: QueryDict) -> tuple[QuerySet[AuditEntry], Any]:
    """Entries matching the auditor's filters (the API's FilterSet), newest first."""
    filterset = AuditEntryFilter(data=params, queryset=AuditEntry.objects.order_by("-id"))
    return filterset.qs, filterset.form
