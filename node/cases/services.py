"""Writes of cases and everything in them.

Each service runs in one transaction with its audit entry and with the marking
of the case as changed for the next push, so the hub's view can never miss a
correction. Procedure steps are append-only: ``step_record`` and ``step_void``
are the only ways to change the procedure.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.conf import settings
from django.db import models, transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from node.accounts.roles import Capability, has_capability
from node.audit.services import audit_record, fields_detail
from node.cases.models import (
    Case,
    CaseSurvivor,
    Charge,
    Defendant,
    DefendantRole,
    Exploitation,
    ExploitationMeans,
    ProcedureStep,
    Referral,
    StepVoid,
    TraffickingEvent,
)
from node.people.services import linkage_tokens_refresh, person_years
from node.sync.services import cases_mark_dirty, mark_dirty
from shared.codes import code_list

M = TypeVar("M", bound=models.Model)

CASE_FIELDS = (
    "parquet_number",
    "reported_on",
    "identification_source",
    "protection_status",
    "cross_border",
    "received_from",
    "summary",
)


class ServiceError(Exception):
    """A rule of the procedure is broken; ``errors`` maps each field to its message."""

    def __init__(self, errors: Mapping[str, str], *, permission: bool = False) -> None:
        self.errors = dict(errors)
        self.permission = permission
        super().__init__("; ".join(f"{k}: {v}" for k, v in self.errors.items()))


@dataclass
class StepResult:
    step: ProcedureStep
    warnings: list[str] = field(default_factory=list)


def _audit(
    actor: Any,
    action: str,
    target: models.Model,
    request: HttpRequest | None,
    detail: dict[str, str | int | bool | None] | None = None,
) -> None:
    audit_record(
        actor=actor,
        action=action,
        target_type=target._meta.model_name or "record",
        target_id=str(target.pk),
        request=request,
        detail=detail,
    )


def _set(obj: models.Model, data: Mapping[str, Any], fields: tuple[str, ...]) -> None:
    for name in fields:
        if name in data:
            setattr(obj, name, data[name])


@transaction.atomic
def case_create(
    *,
    actor: Any,
    data: Mapping[str, Any],
    request: HttpRequest | None = None,
) -> Case:
    case = Case(
        jurisdiction=settings.SYSTRAITE_JURISDICTION,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    _set(case, data, CASE_FIELDS)
    _check_unique_number(case)
    case.save()
    cases_mark_dirty(case_ids=[case.pk])
    _audit(actor, "create", case, request)
    return case


@transaction.atomic
def case_update(
    *, actor: Any, case: Case, data: Mapping[str, Any], request: HttpRequest | None = None
) -> Case:
    case = Case.objects.select_for_update().get(pk=case.pk)
    if "reported_on" in data and case.steps.filter(occurred_on__lt=data["reported_on"]).exists():
        raise ServiceError(
            {"reported_on": _("Des actes de procédure sont datés avant cette date de signalement.")}
        )
    _set(case, data, CASE_FIELDS)
    _check_unique_number(case)
    case.save()
    if "reported_on" in data:
        _refresh_people_tokens(case)
    cases_mark_dirty(case_ids=[case.pk])
    _audit(actor, "update", case, request, {"fields": fields_detail(data)})
    return case


def _check_unique_number(case: Case) -> None:
    clash = Case.objects.filter(
        jurisdiction=case.jurisdiction, parquet_number=case.parquet_number
    ).exclude(pk=case.pk)
    if clash.exists():
        raise ServiceError({"parquet_number": _("Ce numéro de parquet existe déjà.")})


def _refresh_people_tokens(case: Case) -> None:
    for link in case.survivor_links.select_related("survivor"):
        linkage_tokens_refresh(person=link.survivor, years=person_years(link.survivor))
    for defendant in case.defendants.select_related("trafficker"):
        linkage_tokens_refresh(
            person=defendant.trafficker, years=person_years(defendant.trafficker)
        )


# Sub-records: links, exploitation, events, charges, referrals -----------------

RECORD_FIELDS: dict[type[models.Model], tuple[str, ...]] = {
    CaseSurvivor: ("case", "survivor", "identified_on", "age_at_identification"),
    Defendant: ("case", "trafficker", "relationship", "age_at_case"),
    Exploitation: (
        "case_survivor",
        "form",
        "subtype",
        "recruitment_method",
        "site_type",
        "place_region",
        "place_country",
        "place_detail",
        "start_month",
        "end_month",
    ),
    TraffickingEvent: ("case", "kind", "country", "region", "place", "month"),
    Charge: ("defendant", "offence", "charged_on"),
    Referral: ("case_survivor", "referral_type", "organisation", "status", "referred_on"),
}


def record_case(obj: models.Model) -> Case:
    if isinstance(obj, Exploitation | Referral):
        return obj.case_survivor.case
    if isinstance(obj, Charge):
        return obj.defendant.case
    case = getattr(obj, "case", None)
    if not isinstance(case, Case):
        raise TypeError(f"{type(obj).__name__} belongs to no case")
    return case


@transaction.atomic
def record_save(
    *, actor: Any, obj: M, data: Mapping[str, Any], request: HttpRequest | None = None
) -> M:
    """Create (obj unsaved) or correct a sub-record of a case."""
    creating = obj.pk is None
    before = record_case(obj) if not creating else None
    if isinstance(obj, CaseSurvivor) and obj.survivor_id:
        mark_dirty(survivors=[obj.survivor_id])  # the survivor it may be moved away from
    if isinstance(obj, Defendant) and obj.trafficker_id:
        mark_dirty(traffickers=[obj.trafficker_id])
    _set(obj, data, RECORD_FIELDS[type(obj)])
    case = record_case(obj)
    if hasattr(obj, "case_id") and not isinstance(obj, CaseSurvivor | Defendant | TraffickingEvent):
        obj.case = case  # type: ignore[attr-defined]
    obj.save()
    _after_record(obj, data)
    cases_mark_dirty(case_ids={case.pk} | ({before.pk} if before else set()))
    _audit(
        actor,
        "create" if creating else "update",
        obj,
        request,
        {"case": case.pk, "fields": fields_detail(data)},
    )
    return obj


def _after_record(obj: models.Model, data: Mapping[str, Any]) -> None:
    if isinstance(obj, Exploitation) and "means_of_control" in data:
        _replace(ExploitationMeans, "exploitation", obj, data["means_of_control"])
    if isinstance(obj, Defendant) and "roles" in data:
        _replace(DefendantRole, "defendant", obj, data["roles"])
    if isinstance(obj, Charge) and "survivors" in data:
        obj.survivors.set(data["survivors"])
    if isinstance(obj, CaseSurvivor):
        linkage_tokens_refresh(person=obj.survivor, years=person_years(obj.survivor))
    if isinstance(obj, Defendant):
        linkage_tokens_refresh(person=obj.trafficker, years=person_years(obj.trafficker))


def _replace(model: type[models.Model], owner: str, obj: models.Model, codes: list[str]) -> None:
    model._default_manager.filter(**{owner: obj}).delete()
    model._default_manager.bulk_create(model(**{owner: obj, "code": code}) for code in codes)


@transaction.atomic
def record_delete(*, actor: Any, obj: models.Model, request: HttpRequest | None = None) -> None:
    """Delete a sub-record entered by mistake; the case is re-sent without it."""
    case = record_case(obj)
    person = getattr(obj, "survivor", None) or getattr(obj, "trafficker", None)
    if isinstance(obj, Defendant) and obj.steps.exists():
        raise ServiceError({"detail": _("Ce prévenu a des actes de procédure : annulez-les.")})
    _audit(actor, "delete", obj, request, {"case": case.pk})
    if isinstance(obj, CaseSurvivor):
        mark_dirty(survivors=[obj.survivor_id])
    if isinstance(obj, Defendant):
        mark_dirty(traffickers=[obj.trafficker_id])
    obj.delete()
    if person is not None:
        linkage_tokens_refresh(person=person, years=person_years(person))
    cases_mark_dirty(case_ids=[case.pk])


# Procedure steps -------------------------------------------------------------


def _step_code(code: str) -> Mapping[str, Any]:
    return code_list("procedure_step").get(code).attrs


def step_capability(code: str) -> Capability:
    """What a role needs to record, or void, a step of this code."""
    attrs = _step_code(code)
    if attrs.get("closing"):
        return Capability.CLOSE_CASES
    if attrs.get("decision"):
        return Capability.RECORD_DECISIONS
    return Capability.WRITE_CASES


def step_check(*, role: str, case: Case, data: Mapping[str, Any]) -> list[str]:
    """Validate a new step; return warnings for steps out of their usual order."""
    code = data["step"]
    if not has_capability(role, step_capability(code)):
        raise ServiceError(
            {"step": _("Votre rôle ne permet pas d'enregistrer cet acte.")}, permission=True
        )
    errors = _step_errors(case, data)
    if errors:
        raise ServiceError(errors)
    return _order_warnings(case, data)


def _step_errors(case: Case, data: Mapping[str, Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    attrs = _step_code(data["step"])
    if data["occurred_on"] < case.reported_on:
        errors["occurred_on"] = _("L'acte ne peut pas précéder le signalement de l'affaire.")
    defendant = data.get("defendant")
    if defendant is not None and defendant.case_id != case.pk:
        errors["defendant"] = _("Ce prévenu n'appartient pas à cette affaire.")
    if attrs.get("level") == "defendant" and defendant is None:
        errors["defendant"] = _("Cet acte concerne un prévenu : indiquez lequel.")
    outcome = data.get("outcome") or ""
    if outcome and not attrs.get("has_outcome"):
        errors["outcome"] = _("Cet acte ne porte pas de décision.")
    sentence = [
        k for k in ("prison_months", "suspended_months", "fine_fcfa", "damages_fcfa") if data.get(k)
    ]
    if sentence and outcome != "convicted":
        errors[sentence[0]] = _("Une peine ne peut être prononcée qu'avec une condamnation.")
    if data["step"] in {"transfer", "referral_in"} and not data.get("court"):
        errors["court"] = _("Indiquez la juridiction concernée.")
    return errors


def _order_warnings(case: Case, data: Mapping[str, Any]) -> list[str]:
    order = _step_code(data["step"]).get("order", 0)
    if not order:
        return []
    later = [
        s
        for s in case.steps.filter(void__isnull=True)
        if s.occurred_on <= data["occurred_on"] and _step_code(s.step).get("order", 0) > order
    ]
    if later:
        return [
            _("Acte enregistré hors de l'ordre habituel : « %(step)s » suit déjà.")
            % {"step": code_list("procedure_step").label(later[-1].step)}
        ]
    return []


@transaction.atomic
def step_record(
    *, actor: Any, case: Case, data: Mapping[str, Any], request: HttpRequest | None = None
) -> StepResult:
    case = Case.objects.select_for_update().get(pk=case.pk)
    warnings = step_check(role=getattr(actor, "role", ""), case=case, data=data)
    step = ProcedureStep.objects.create(
        case=case,
        recorded_by=actor if getattr(actor, "pk", None) else None,
        **{k: v for k, v in data.items() if k != "case"},
    )
    case_stage_refresh(case=case)
    cases_mark_dirty(case_ids=[case.pk])
    _audit(actor, "create", step, request, {"case": case.pk, "step": step.step})
    return StepResult(step, warnings)


@transaction.atomic
def step_void(
    *, actor: Any, step: ProcedureStep, reason: str, request: HttpRequest | None = None
) -> StepVoid:
    """Void a step entered by mistake; the step stays on record, marked void."""
    if not has_capability(getattr(actor, "role", ""), step_capability(step.step)):
        raise ServiceError(
            {"step": _("Votre rôle ne permet pas d'annuler cet acte.")}, permission=True
        )
    if StepVoid.objects.filter(step=step).exists():
        raise ServiceError({"step": _("Cet acte est déjà annulé.")})
    void = StepVoid.objects.create(
        step=step, reason=reason, voided_by=actor if getattr(actor, "pk", None) else None
    )
    case_stage_refresh(case=step.case)
    cases_mark_dirty(case_ids=[step.case_id])
    _audit(actor, "void", step, request, {"case": step.case_id})
    return void


def case_stage_refresh(*, case: Case) -> None:
    """The case's stage is that of its latest valid step (date, then usual order)."""
    steps = list(case.steps.filter(void__isnull=True))
    steps.sort(key=lambda s: (s.occurred_on, _step_code(s.step).get("order", 0), s.pk))
    case.stage = _step_code(steps[-1].step)["stage"] if steps else "reported"
    case.save(update_fields=["stage", "updated_at"])
