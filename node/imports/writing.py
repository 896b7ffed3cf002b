"""Phase 2 of an import: each planned line written through the API's services.

Every record goes through the same service as an API call (``case_create``,
``survivor_create``, ``record_save``, ``step_record``...) with the importing
user as actor, after the same serializer has checked it with real ids: it is
encrypted, indexed, audited and marked for the next push exactly as if typed in.

Each line runs in its own savepoint, so a line the services refuse leaves no
trace while the others go on; the caller's transaction decides whether the
lot is kept. Lines of one case share its records: an existing case with the
same parquet number is completed, not duplicated; a survivor or an author whose
name (blind index) is already in the case is the same person; a step or a
charge already recorded is not recorded again, so re-importing a register adds
nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.conf import settings
from django.db import models, transaction
from django.db.models import F
from rest_framework import serializers

from node.cases.models import Case, CaseSurvivor, Charge, Defendant, Exploitation
from node.cases.serializers import (
    CaseSurvivorSerializer,
    ChargeSerializer,
    DefendantSerializer,
    ExploitationSerializer,
    StepInput,
)
from node.cases.services import ServiceError, case_create, record_save, step_record
from node.imports.planning import (
    AUTHOR_COLUMNS,
    CASE_COLUMNS,
    CHARGE_COLUMNS,
    DEFENDANT_COLUMNS,
    EXPLOITATION_COLUMNS,
    STEP_COLUMNS,
    SURVIVOR_COLUMNS,
    Columns,
    Plan,
    Rejected,
    RejectedRow,
    rejections,
)
from node.people.services import survivor_create, trafficker_create
from node.privacy import name_digest
from shared.codes import code_list

T = TypeVar("T")
M = TypeVar("M", bound=models.Model)
StepKey = tuple[int, int | None, str, Any, str, Any, Any]


@dataclass
class Written:
    """What this import created or found, per key; copied before each line to undo it."""

    cases: dict[str, Case] = field(default_factory=dict)
    links: dict[tuple[int, Any], CaseSurvivor] = field(default_factory=dict)
    defendants: dict[tuple[int, str], Defendant] = field(default_factory=dict)
    charges: dict[tuple[int, str], Charge] = field(default_factory=dict)
    exploitations: set[tuple[int, str, str]] = field(default_factory=set)
    steps: set[StepKey] = field(default_factory=set)
    counts: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(
            ("cases", "cases_reused", "survivors", "traffickers", "steps"), 0
        )
    )

    def snapshot(self) -> Written:
        """A copy of the containers (not of the records), cheap enough to take per line."""
        return Written(
            dict(self.cases),
            dict(self.links),
            dict(self.defendants),
            dict(self.charges),
            set(self.exploitations),
            set(self.steps),
            dict(self.counts),
        )


def lines_write(
    plans: list[Plan], *, actor: Any, done: Callable[[], None]
) -> tuple[Written, list[RejectedRow]]:
    """Write each line in a savepoint; return what was written and the lines refused."""
    written, refused = Written(), []
    for plan in plans:
        before = written.snapshot()
        try:
            with transaction.atomic():
                _line_write(plan, written, actor)
        except Rejected as exc:
            written = before
            refused += exc.rejections
        done()
    return written, refused


def _line_write(plan: Plan, written: Written, actor: Any) -> None:
    case = _case(plan, written, actor)
    link = _link(plan, case, written, actor)
    if plan.exploitation is not None:
        _exploitation(plan, link, written, actor)
    defendant = _defendant(plan, case, written, actor) if plan.author is not None else None
    if plan.offence and defendant is not None:
        _charge(plan, defendant, link, written, actor)
    if plan.step is not None:
        _step(plan, case, defendant, written, actor)


def _checked(
    serializer: serializers.Serializer[Any], plan: Plan, columns: Columns
) -> dict[str, Any]:
    """The API's own validation of a record, with the real ids of this import."""
    if not serializer.is_valid():
        raise Rejected(rejections(plan.line, dict(serializer.errors), columns))
    return dict(serializer.validated_data)


def _service(plan: Plan, columns: Columns, call: Callable[..., T], **kwargs: Any) -> T:
    """Call a service; a rule it enforces becomes a rejection of the line."""
    try:
        return call(**kwargs)
    except ServiceError as exc:
        raise Rejected(rejections(plan.line, exc.errors, columns)) from exc


def _save(plan: Plan, columns: Columns, actor: Any, obj: M, data: dict[str, Any]) -> M:
    return _service(plan, columns, record_save, actor=actor, obj=obj, data=data)


# Case and survivor ---------------------------------------------------------------


def _case(plan: Plan, written: Written, actor: Any) -> Case:
    if plan.number in written.cases:
        return written.cases[plan.number]
    case = Case.objects.filter(
        jurisdiction=settings.SYSTRAITE_JURISDICTION, parquet_number=plan.number
    ).first()
    if case is None:
        case = _service(plan, CASE_COLUMNS, case_create, actor=actor, data=plan.case)
        written.counts["cases"] += 1
    else:
        _remember_existing(case, written)
        written.counts["cases_reused"] += 1
    written.cases[plan.number] = case
    return case


def _remember_existing(case: Case, written: Written) -> None:
    """What an existing case already holds, so the import completes it without repeats."""
    # Stored blind indexes, not names: completing a case decrypts no one.
    for link in case.survivor_links.annotate(
        digest=F("survivor__name_digest"), year=F("survivor__birth_year")
    ):
        if link.digest:
            written.links[(case.pk, (link.digest, link.year))] = link
    for defendant in case.defendants.annotate(digest=F("trafficker__name_digest")):
        written.defendants[(case.pk, defendant.digest or str(defendant.pk))] = defendant
    for charge in case.charges.all():
        written.charges[(charge.defendant_id, charge.offence)] = charge
    written.exploitations |= {
        (e.case_survivor_id, e.form, e.subtype) for e in case.exploitations.all()
    }
    written.steps |= {
        _step_key(case.pk, s.defendant_id, vars(s)) for s in case.steps.filter(void__isnull=True)
    }


def _person_digest(person: dict[str, Any]) -> str:
    """The blind index the people services store for this name (word order ignored)."""
    return name_digest(f"{person.get('family_name', '')} {person.get('given_names', '')}")


def _survivor_key(person: dict[str, Any]) -> tuple[str, int | None] | None:
    """Same name (any spelling the blind index unifies) and birth year: the same survivor."""
    digest = _person_digest(person)
    return (digest, person.get("birth_year")) if digest else None


def _link(plan: Plan, case: Case, written: Written, actor: Any) -> CaseSurvivor:
    key = _survivor_key(plan.survivor)
    if key is not None and (case.pk, key) in written.links:
        return written.links[(case.pk, key)]
    survivor = survivor_create(actor=actor, data=plan.survivor).person
    written.counts["survivors"] += 1
    data = _checked(
        CaseSurvivorSerializer(
            data={
                "case": case.pk,
                "survivor": survivor.pk,
                "identified_on": plan.reported_on.isoformat(),
                "age_at_identification": plan.age,
            }
        ),
        plan,
        SURVIVOR_COLUMNS,
    )
    link = _save(plan, SURVIVOR_COLUMNS, actor, CaseSurvivor(), data)
    if key is not None:
        written.links[(case.pk, key)] = link
    return link


def _exploitation(plan: Plan, link: CaseSurvivor, written: Written, actor: Any) -> None:
    data = _checked(
        ExploitationSerializer(data={"case_survivor": link.pk, **(plan.exploitation or {})}),
        plan,
        EXPLOITATION_COLUMNS,
    )
    key = (link.pk, data["form"], data.get("subtype", ""))
    if key not in written.exploitations:
        _save(plan, EXPLOITATION_COLUMNS, actor, Exploitation(), data)
        written.exploitations.add(key)


# Author, charge, step ------------------------------------------------------------


def _defendant(plan: Plan, case: Case, written: Written, actor: Any) -> Defendant:
    digest = _person_digest(plan.author or {})
    if digest and (case.pk, digest) in written.defendants:
        defendant = written.defendants[(case.pk, digest)]
        _defendant_complete(plan, defendant, actor)
        return defendant
    trafficker = trafficker_create(actor=actor, data=plan.author or {}).person
    written.counts["traffickers"] += 1
    data = _checked(
        DefendantSerializer(
            data={"case": case.pk, "trafficker": trafficker.pk, **(plan.defendant or {})}
        ),
        plan,
        AUTHOR_COLUMNS + DEFENDANT_COLUMNS,
    )
    defendant = _save(plan, AUTHOR_COLUMNS, actor, Defendant(), data)
    written.defendants[(case.pk, digest or str(defendant.pk))] = defendant
    return defendant


def _defendant_complete(plan: Plan, defendant: Defendant, actor: Any) -> None:
    """Another line of a known author: its roles are added, its relationship must agree.

    A register may name the author's roles victim by victim; the case's defendant
    then has all of them. A relationship is one per author in a case: a line may
    give it where the earlier ones left it unknown, never change it.
    """
    # The object may carry a change of a line whose savepoint was rolled back.
    defendant.refresh_from_db(fields=["relationship"])
    changes: dict[str, Any] = {}
    wanted = (plan.defendant or {}).get("relationship")
    if wanted and wanted != defendant.relationship:
        if defendant.relationship not in {"", "Unknown"}:
            recorded = code_list("recruiter_relationship").label(defendant.relationship)
            message = f"Lien différent de celui déjà enregistré pour cet auteur ({recorded})."
            raise Rejected([RejectedRow(plan.line, "auteur_lien", message)])
        changes["relationship"] = wanted
    roles = set((plan.defendant or {}).get("roles") or ())
    held = set(defendant.roles.values_list("code", flat=True))
    if roles - held:
        changes["roles"] = sorted(held | roles)
    if changes:
        data = _checked(
            DefendantSerializer(defendant, data=changes, partial=True), plan, DEFENDANT_COLUMNS
        )
        _save(plan, DEFENDANT_COLUMNS, actor, defendant, data)


def _charge(
    plan: Plan, defendant: Defendant, link: CaseSurvivor, written: Written, actor: Any
) -> None:
    """One charge per author and offence; each line adds its survivor to those it concerns."""
    charge = written.charges.get((defendant.pk, plan.offence or ""))
    if charge is not None:
        victims = [*charge.survivors.values_list("pk", flat=True)]
        if link.pk not in victims:
            data = _checked(
                ChargeSerializer(charge, data={"survivors": [*victims, link.pk]}, partial=True),
                plan,
                CHARGE_COLUMNS,
            )
            _save(plan, CHARGE_COLUMNS, actor, charge, data)
        return
    charged_on = (plan.step or {}).get("occurred_on") or plan.reported_on
    data = _checked(
        ChargeSerializer(
            data={
                "defendant": defendant.pk,
                "offence": plan.offence,
                "charged_on": charged_on.isoformat(),
                "survivors": [link.pk],
            }
        ),
        plan,
        CHARGE_COLUMNS,
    )
    written.charges[(defendant.pk, plan.offence or "")] = _save(
        plan, CHARGE_COLUMNS, actor, Charge(), data
    )


def _step_key(case_id: int, defendant_id: int | None, step: dict[str, Any]) -> StepKey:
    return (
        case_id,
        defendant_id,
        step["step"],
        step["occurred_on"],
        step.get("outcome") or "",
        step.get("prison_months"),
        step.get("fine_fcfa"),
    )


def _step(
    plan: Plan, case: Case, defendant: Defendant | None, written: Written, actor: Any
) -> None:
    """A step of the case, or of the line's author when the step concerns defendants."""
    step = plan.step or {}
    level = (
        code_list("procedure_step").get(step["step"]).attrs.get("level") if "step" in step else None
    )
    target = None if level == "case" else defendant
    data = _checked(
        StepInput(data={**step, "case": case.pk, "defendant": target.pk if target else None}),
        plan,
        STEP_COLUMNS,
    )
    key = _step_key(case.pk, target.pk if target else None, data)
    if key in written.steps:
        return
    data.pop("case")
    _service(plan, STEP_COLUMNS, step_record, actor=actor, case=case, data=data)
    written.steps.add(key)
    written.counts["steps"] += 1
