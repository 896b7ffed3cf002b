"""Writes the web pages need that span two services, each pair in one transaction.

Entering a survivor in a case creates (or reuses) the person and links them;
both happen or neither does. Everything else calls node.people.services and
node.cases.services directly.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from node.cases.models import Case, CaseSurvivor, Defendant
from node.cases.services import ServiceError, record_save
from node.people import services as people_services
from node.people.models import Survivor


@transaction.atomic
def case_survivor_add(*, actor: Any, case: Case, person: Mapping[str, Any],
                      link: Mapping[str, Any], existing: Survivor | None = None,
                      request: HttpRequest | None = None) -> CaseSurvivor:
    """Link a survivor to ``case``: ``existing`` if the greffier chose one, else a new person."""
    if existing is not None and CaseSurvivor.objects.filter(case=case, survivor=existing).exists():
        raise ServiceError({"detail": _("Cette victime figure déjà dans l'affaire.")})
    survivor = existing or people_services.survivor_create(
        actor=actor, data=person, request=request).person
    return record_save(actor=actor, obj=CaseSurvivor(),
                       data={**link, "case": case, "survivor": survivor}, request=request)


@transaction.atomic
def defendant_add(*, actor: Any, case: Case, person: Mapping[str, Any],
                  link: Mapping[str, Any], request: HttpRequest | None = None) -> Defendant:
    """Create a suspected trafficker and make them a defendant of ``case``."""
    trafficker = people_services.trafficker_create(actor=actor, data=person,
                                                   request=request).person
    return record_save(actor=actor, obj=Defendant(),
                       data={**link, "case": case, "trafficker": trafficker}, request=request)


def belongs_to_case(*, case: Case, field: str, obj: Any) -> None:
    """Refuse a part of another case posted by hand (the form lists only this case's)."""
    owner = case.pk if obj is None else obj.pk if isinstance(obj, Case) else obj.case_id
    if owner != case.pk:
        raise ServiceError({field: _("Cet élément n'appartient pas à cette affaire.")})
