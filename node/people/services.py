"""Writes of survivors and traffickers: encryption, blind index, linkage, audit.

Every write runs in one transaction with its audit entry and with the marking
of the person's cases as changed for the next push to the hub.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from node.audit.services import audit_record, fields_detail
from node.keys import current_field_key, linkage_secret
from node.people.models import (
    LinkageToken,
    NameToken,
    Person,
    Survivor,
    SurvivorVulnerability,
    Trafficker,
)
from node.privacy import name_digest, name_digests
from node.sync.services import mark_dirty
from shared.pseudonym import blind_index, linkage_token, normalise_identity

PERSON_FIELDS = (
    "family_name", "given_names", "aliases", "sex", "birth_date", "birth_year",
    "age_is_estimated", "nationality", "phone", "address", "document_number", "notes",
)
SURVIVOR_FIELDS = (*PERSON_FIELDS, "father_given_name", "mother_name", "birth_place",
                   "origin_country", "origin_region", "origin_place", "talibe", "consent")
TRAFFICKER_FIELDS = (*PERSON_FIELDS, "is_legal_person", "legal_name", "occupation")


@dataclass(frozen=True)
class PersonResult:
    person: Person
    possible_duplicates: list[int]


def resolve_birth(*, birth_date: date | None, birth_year: int | None,
                  estimated_age: int | None) -> dict[str, Any]:
    """Birth year in clear (exact or estimated), exact date kept for encryption."""
    if birth_date is not None:
        return {"birth_date": birth_date.isoformat(), "birth_year": birth_date.year,
                "age_is_estimated": False}
    if estimated_age is not None:
        return {"birth_date": "", "birth_year": timezone.localdate().year - estimated_age,
                "age_is_estimated": True}
    return {"birth_date": "", "birth_year": birth_year, "age_is_estimated": birth_year is not None}


def _identity(person: Person) -> str | None:
    extra: dict[str, str] = {}
    if isinstance(person, Survivor):
        extra = {"father_given_name": person.father_given_name, "mother_name": person.mother_name,
                 "place_of_origin": person.origin_place}
    names = person.legal_name if isinstance(person, Trafficker) and person.is_legal_person else ""
    try:
        return normalise_identity(family_name=person.family_name or names,
                                  given_names=person.given_names,
                                  birth_year=person.birth_year, **extra)
    except ValueError:
        return None  # no usable name: no digest, no token (never a token over nothing)


def _refresh_indexes(person: Person) -> None:
    identity = _identity(person)
    person.identity_digest = (
        blind_index(identity, key=current_field_key().blind_index) if identity else "")
    legal = person.legal_name if isinstance(person, Trafficker) else ""
    person.name_digest = name_digest(f"{person.family_name} {person.given_names} {legal}".strip())
    owner = _owner(person)
    NameToken.objects.filter(**owner).delete()
    NameToken.objects.bulk_create(
        NameToken(digest=d, **owner)
        for d in name_digests(person.family_name, person.given_names, legal, person.aliases)
    )


def _owner(person: Person) -> dict[str, Person]:
    return {"survivor": person} if isinstance(person, Survivor) else {"trafficker": person}


def linkage_tokens_refresh(*, person: Person, years: set[int]) -> None:
    """Recompute the person's per-year national linkage tokens for these years."""
    owner = _owner(person)
    old_years = set(LinkageToken.objects.filter(**owner).values_list("year", flat=True))
    LinkageToken.objects.filter(**owner).delete()
    mark_dirty(token_years=old_years | years)
    identity = _identity(person)
    if identity is None:
        return
    secret = linkage_secret()
    LinkageToken.objects.bulk_create(
        LinkageToken(year=year, token=linkage_token(identity, secret=secret, year=year), **owner)
        for year in sorted(years)
    )


def person_years(person: Person) -> set[int]:
    if isinstance(person, Survivor):
        return {d.year for d in person.case_links.values_list("identified_on", flat=True)}
    links = _trafficker(person).case_links
    return {d.year for d in links.values_list("case__reported_on", flat=True)}


def person_case_ids(person: Person) -> list[int]:
    links = person.case_links if isinstance(person, Survivor) else _trafficker(person).case_links
    return list(links.values_list("case_id", flat=True))


def _trafficker(person: Person) -> Trafficker:
    if not isinstance(person, Trafficker):
        raise TypeError(f"a survivor or a trafficker, not {type(person).__name__}")
    return person


def possible_duplicates(person: Person) -> list[int]:
    """Persons of the same kind whose identity or name (with a close birth year) match."""
    if not person.name_digest and not person.identity_digest:
        return []
    same = Q(identity_digest=person.identity_digest) if person.identity_digest else Q(pk__in=[])
    if person.name_digest:
        near = Q(name_digest=person.name_digest)
        if person.birth_year:
            near &= Q(birth_year__isnull=True) | Q(birth_year__range=(person.birth_year - 2,
                                                                     person.birth_year + 2))
        same |= near
    manager = type(person)._default_manager
    return list(manager.filter(same).exclude(pk=person.pk).values_list("pk", flat=True)[:20])


def _apply(person: Person, fields: tuple[str, ...], data: Mapping[str, Any]) -> None:
    for field in fields:
        if field in data:
            setattr(person, field, data[field])


@transaction.atomic
def survivor_create(*, actor: Any, data: Mapping[str, Any], request: HttpRequest | None = None,
                    ) -> PersonResult:
    survivor = Survivor(created_by=actor if getattr(actor, "pk", None) else None)
    _apply(survivor, SURVIVOR_FIELDS, data)
    survivor.save()
    _set_vulnerabilities(survivor, data.get("vulnerabilities", []))
    return _after_write(survivor, actor=actor, request=request, action="create")


@transaction.atomic
def survivor_update(*, actor: Any, survivor: Survivor, data: Mapping[str, Any],
                    request: HttpRequest | None = None) -> PersonResult:
    _apply(survivor, SURVIVOR_FIELDS, data)
    survivor.save()
    if "vulnerabilities" in data:
        _set_vulnerabilities(survivor, data["vulnerabilities"])
    return _after_write(survivor, actor=actor, request=request, action="update",
                        changed=sorted(k for k in data if k in SURVIVOR_FIELDS))


@transaction.atomic
def trafficker_create(*, actor: Any, data: Mapping[str, Any],
                      request: HttpRequest | None = None) -> PersonResult:
    trafficker = Trafficker(created_by=actor if getattr(actor, "pk", None) else None)
    _apply(trafficker, TRAFFICKER_FIELDS, data)
    trafficker.save()
    return _after_write(trafficker, actor=actor, request=request, action="create")


@transaction.atomic
def trafficker_update(*, actor: Any, trafficker: Trafficker, data: Mapping[str, Any],
                      request: HttpRequest | None = None) -> PersonResult:
    _apply(trafficker, TRAFFICKER_FIELDS, data)
    trafficker.save()
    return _after_write(trafficker, actor=actor, request=request, action="update",
                        changed=sorted(k for k in data if k in TRAFFICKER_FIELDS))


def _set_vulnerabilities(survivor: Survivor, codes: list[str]) -> None:
    SurvivorVulnerability.objects.filter(survivor=survivor).delete()
    SurvivorVulnerability.objects.bulk_create(
        SurvivorVulnerability(survivor=survivor, code=code) for code in codes)


def _after_write(person: Person, *, actor: Any, request: HttpRequest | None, action: str,
                 changed: list[str] | None = None) -> PersonResult:
    _refresh_indexes(person)
    person.save(update_fields=["identity_digest", "name_digest"])
    linkage_tokens_refresh(person=person, years=person_years(person))
    kind = "survivor" if isinstance(person, Survivor) else "trafficker"
    mark_dirty(cases=person_case_ids(person), **{f"{kind}s": [person.pk]})
    detail: dict[str, str | int | bool | None] = {"fields": fields_detail(changed or [])}
    audit_record(actor=actor, action=action, target_type=kind, target_id=str(person.pk),
                 request=request, detail=detail)
    return PersonResult(person, possible_duplicates(person) if action == "create" else [])
