"""Writing generated cases to the node's database, in bulk.

Why not the services: they write one record at a time, each with its own audit
entry, index refresh and dirty mark, which would take hours for the benchmark's
100,000 survivors. The loader writes each chunk of cases with one
``bulk_create`` per model, in one transaction, and computes what the services
compute with the same primitives, so the rows are indistinguishable from the
services' (tests/node/seed checks it):

- encryption: ``EncryptedTextField.get_prep_value``, which ``bulk_create`` calls;
- identity digest, name digest and name tokens: ``node.people.services._identity``,
  ``node.privacy.name_digest`` (memoised for the run: names repeat) and
  ``shared.pseudonym.blind_index``, as ``_refresh_indexes`` uses them;
- linkage tokens: ``shared.pseudonym.linkage_token`` per year the person is
  identified in (survivors) or prosecuted in (traffickers), as
  ``linkage_tokens_refresh`` computes them;
- the case's stage: the rule of ``case_stage_refresh`` (latest valid step by
  date, then usual order, then id);
- ``mark_dirty(cases=...)`` for every case, so the next payload carries them.

One audit entry describes the whole run; it is written in the first chunk's
transaction, so no seeded row ever exists without it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from functools import cache
from typing import Any, TypeVar

from django.conf import settings
from django.db import transaction

from node.audit.services import audit_record
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
    TraffickingEvent,
)
from node.keys import current_field_key, linkage_secret
from node.people.models import (
    LinkageToken,
    NameToken,
    Person,
    Survivor,
    SurvivorVulnerability,
    Trafficker,
)
from node.people.services import _identity
from node.privacy import name_digest
from node.seed.generator import CaseSeed, PersonSeed, SurvivorSeed
from node.seed.procedure import StepSeed
from node.sync.services import mark_dirty
from shared.codes import code_list
from shared.pseudonym import blind_index, linkage_token, normalise_name

P = TypeVar("P", Survivor, Trafficker)
CHUNK = 500
_NUMBER = re.compile(r"^RP (\d+)/(\d{4})$")
_PERSON = (
    "family_name",
    "given_names",
    "aliases",
    "sex",
    "birth_date",
    "birth_year",
    "age_is_estimated",
    "nationality",
    "phone",
    "address",
    "document_number",
)
_SURVIVOR = (
    *_PERSON,
    "father_given_name",
    "mother_name",
    "birth_place",
    "origin_country",
    "origin_region",
    "origin_place",
    "talibe",
    "consent",
)
_TRAFFICKER = (*_PERSON, "is_legal_person", "legal_name", "occupation")


@dataclass
class LoadResult:
    cases: int = 0
    survivors: int = 0
    traffickers: int = 0
    steps: int = 0


def seed_load(
    *,
    cases: list[CaseSeed],
    seed: int,
    chunk_size: int = CHUNK,
    progress: Callable[[int], None] | None = None,
) -> LoadResult:
    """Write the cases chunk by chunk (one transaction each); ``progress(n)`` after each."""
    cases = free_numbers(cases)
    _name_digest.cache_clear()  # the field key may have changed since the last run
    result = LoadResult()
    for start in range(0, len(cases), chunk_size):
        chunk = cases[start : start + chunk_size]
        with transaction.atomic():
            if start == 0:
                _audit(cases, seed)
            _load_chunk(chunk, result)
        if progress is not None:
            progress(len(chunk))
    return result


def _audit(cases: list[CaseSeed], seed: int) -> None:
    audit_record(
        actor=None,
        action="seed",
        target_type="case",
        detail={
            "seed": seed,
            "cases": len(cases),
            "survivors": sum(len(c.victims) for c in cases),
            "traffickers": sum(len(c.defendants) for c in cases),
            "jurisdiction": settings.SYSTRAITE_JURISDICTION,
        },
    )


def free_numbers(cases: list[CaseSeed]) -> list[CaseSeed]:
    """Shift a year's numbers past the parquet's existing ``RP n/yyyy`` of that year.

    Seeding twice, or on top of real cases, must not break the unique
    (jurisdiction, parquet number) constraint.
    """
    highest: dict[int, int] = {}
    existing = Case.objects.filter(
        jurisdiction=settings.SYSTRAITE_JURISDICTION, parquet_number__startswith="RP "
    )
    for number in existing.values_list("parquet_number", flat=True).iterator():
        match = _NUMBER.match(number)
        if match:
            year = int(match[2])
            highest[year] = max(highest.get(year, 0), int(match[1]))
    if not highest:
        return cases
    return [replace(c, parquet_number=_shifted(c.parquet_number, highest)) for c in cases]


def _shifted(number: str, highest: dict[int, int]) -> str:
    match = _NUMBER.match(number)
    assert match is not None
    return f"RP {int(match[1]) + highest.get(int(match[2]), 0)}/{match[2]}"


# One chunk ---------------------------------------------------------------------------


def _load_chunk(chunk: list[CaseSeed], result: LoadResult) -> None:
    identities: dict[int, str | None] = {}
    case_rows = Case.objects.bulk_create(_case(c) for c in chunk)
    survivors = Survivor.objects.bulk_create(
        _digested(_person(Survivor, v.survivor, _SURVIVOR), identities)
        for c in chunk
        for v in c.victims
    )
    traffickers = Trafficker.objects.bulk_create(
        _digested(_person(Trafficker, d.trafficker, _TRAFFICKER), identities)
        for c in chunk
        for d in c.defendants
    )
    links = CaseSurvivor.objects.bulk_create(_links(chunk, case_rows, survivors))
    defendants = Defendant.objects.bulk_create(_defendants(chunk, case_rows, traffickers))
    _tokens(survivors, [link.identified_on.year for link in links], identities)
    _tokens(traffickers, [d.case.reported_on.year for d in defendants], identities)
    SurvivorVulnerability.objects.bulk_create(
        SurvivorVulnerability(survivor=s, code=code)
        for s, seed in zip(survivors, _survivor_seeds(chunk), strict=True)
        for code in seed.vulnerabilities
    )
    _exploitations(chunk, links)
    _charges(chunk, case_rows, links, defendants)
    steps = ProcedureStep.objects.bulk_create(_steps(chunk, case_rows, defendants))
    TraffickingEvent.objects.bulk_create(_events(chunk, case_rows))
    Referral.objects.bulk_create(_referrals(chunk, links))
    mark_dirty(cases=[c.pk for c in case_rows])
    result.cases += len(case_rows)
    result.survivors += len(survivors)
    result.traffickers += len(traffickers)
    result.steps += len(steps)


def _survivor_seeds(chunk: list[CaseSeed]) -> Iterator[SurvivorSeed]:
    return (v.survivor for c in chunk for v in c.victims)


def stage_of(steps: tuple[StepSeed, ...]) -> str:
    """``case_stage_refresh``'s rule: the stage of the latest step (date, usual order, id).

    Steps are written in list order, so the list index orders them as their ids do.
    """
    steps_list = code_list("procedure_step")
    ordered = sorted(
        enumerate(steps),
        key=lambda item: (
            item[1].occurred_on,
            steps_list.get(item[1].step).attrs.get("order", 0),
            item[0],
        ),
    )
    return str(steps_list.get(ordered[-1][1].step).attrs["stage"]) if ordered else "reported"


def _case(seed: CaseSeed) -> Case:
    return Case(
        parquet_number=seed.parquet_number,
        jurisdiction=settings.SYSTRAITE_JURISDICTION,
        reported_on=seed.reported_on,
        identification_source=seed.identification_source,
        protection_status=seed.protection_status,
        cross_border=seed.cross_border,
        received_from=seed.received_from,
        summary=seed.summary,
        stage=stage_of(seed.steps),
    )


def _person(model: type[Person], seed: PersonSeed, fields: tuple[str, ...]) -> Any:
    return model(**{name: getattr(seed, name) for name in fields})


# Blind indexes and linkage tokens ----------------------------------------------------


def _digested(person: P, identities: dict[int, str | None]) -> P:
    """Set the identity and name digests as ``_refresh_indexes`` does (no database);
    remember the identity for the linkage token (``identities``, by object id)."""
    identity = _identity(person)
    identities[id(person)] = identity
    person.identity_digest = (
        blind_index(identity, key=current_field_key().blind_index) if identity else ""
    )
    person.name_digest = _name_digest(
        f"{person.family_name} {person.given_names} {_legal(person)}".strip()
    )
    return person


def _legal(person: Person) -> str:
    return person.legal_name if isinstance(person, Trafficker) else ""


@cache
def _name_digest(value: str) -> str:
    """``node.privacy.name_digest``, memoised for one run: names repeat a lot (Zipf)."""
    return name_digest(value)


@cache
def _normalised(value: str) -> str:
    return normalise_name(value)


def _name_digests(*names: str) -> set[str]:
    """``node.privacy.name_digests`` over the memoised primitives (same result)."""
    full = " ".join(n for n in names if n)
    digests = {_name_digest(full)} | {_name_digest(token) for token in _normalised(full).split()}
    digests.discard("")
    return digests


def _tokens(
    people: list[Survivor] | list[Trafficker], years: list[int], identities: dict[int, str | None]
) -> None:
    """Name tokens and linkage tokens, as ``_refresh_indexes`` and
    ``linkage_tokens_refresh`` compute them.

    ``years[i]`` is the one year person ``i`` is counted in: each seeded
    person is in exactly one case of this node.
    """
    secret = linkage_secret()
    name_tokens, linkage = [], []
    for person, year in zip(people, years, strict=True):
        owner = _owner(person)
        name_tokens += [
            NameToken(digest=d, **owner)
            for d in _name_digests(
                person.family_name, person.given_names, _legal(person), person.aliases
            )
        ]
        identity = identities[id(person)]
        if identity:
            linkage.append(
                LinkageToken(
                    year=year, token=linkage_token(identity, secret=secret, year=year), **owner
                )
            )
    NameToken.objects.bulk_create(name_tokens, batch_size=2000)
    LinkageToken.objects.bulk_create(linkage, batch_size=2000)


def _owner(person: Person) -> dict[str, Person]:
    return {"survivor": person} if isinstance(person, Survivor) else {"trafficker": person}


# Case records ------------------------------------------------------------------------


def _links(
    chunk: list[CaseSeed], cases: list[Case], survivors: list[Survivor]
) -> Iterator[CaseSurvivor]:
    people = iter(survivors)
    for seed, case in zip(chunk, cases, strict=True):
        for victim in seed.victims:
            yield CaseSurvivor(
                case=case,
                survivor=next(people),
                identified_on=victim.identified_on,
                age_at_identification=victim.age,
            )


def _defendants(
    chunk: list[CaseSeed], cases: list[Case], traffickers: list[Trafficker]
) -> Iterator[Defendant]:
    people = iter(traffickers)
    for seed, case in zip(chunk, cases, strict=True):
        for defendant in seed.defendants:
            yield Defendant(
                case=case,
                trafficker=next(people),
                relationship=defendant.relationship,
                age_at_case=defendant.age,
            )


def _exploitations(chunk: list[CaseSeed], links: list[CaseSurvivor]) -> None:
    victims = [v for c in chunk for v in c.victims]
    rows = Exploitation.objects.bulk_create(
        Exploitation(
            case=link.case,
            case_survivor=link,
            form=e.form,
            subtype=e.subtype,
            recruitment_method=e.recruitment_method,
            site_type=e.site_type,
            place_region=e.place_region,
            place_country=e.place_country,
            place_detail=e.place_detail,
            start_month=e.start_month,
            end_month=e.end_month,
        )
        for link, e in ((link, v.exploitation) for link, v in zip(links, victims, strict=True))
    )
    ExploitationMeans.objects.bulk_create(
        ExploitationMeans(exploitation=row, code=code)
        for row, victim in zip(rows, victims, strict=True)
        for code in victim.exploitation.means
    )


def _charges(
    chunk: list[CaseSeed], cases: list[Case], links: list[CaseSurvivor], defendants: list[Defendant]
) -> None:
    """Roles and charges per defendant; each charge concerns every survivor of the case."""
    by_case: dict[int, list[CaseSurvivor]] = {}
    for link in links:
        by_case.setdefault(link.case_id, []).append(link)
    seeds = [d for c in chunk for d in c.defendants]
    DefendantRole.objects.bulk_create(
        DefendantRole(defendant=row, code=code)
        for row, seed in zip(defendants, seeds, strict=True)
        for code in seed.roles
    )
    charges = Charge.objects.bulk_create(
        Charge(case=row.case, defendant=row, offence=charge.offence, charged_on=charge.charged_on)
        for row, seed in zip(defendants, seeds, strict=True)
        for charge in seed.charges
    )
    through = Charge.survivors.through
    through.objects.bulk_create(
        through(charge_id=charge.pk, casesurvivor_id=link.pk)
        for charge in charges
        for link in by_case.get(charge.case_id, [])
    )


def _steps(
    chunk: list[CaseSeed], cases: list[Case], defendants: list[Defendant]
) -> Iterator[ProcedureStep]:
    people = iter(defendants)
    for seed, case in zip(chunk, cases, strict=True):
        rows = [next(people) for _ in seed.defendants]
        for step in seed.steps:
            yield ProcedureStep(
                case=case,
                defendant=rows[step.defendant] if step.defendant is not None else None,
                step=step.step,
                occurred_on=step.occurred_on,
                outcome=step.outcome,
                prison_months=step.prison_months,
                suspended_months=step.suspended_months,
                fine_fcfa=step.fine_fcfa,
                damages_fcfa=step.damages_fcfa,
                court=step.court,
            )


def _events(chunk: list[CaseSeed], cases: list[Case]) -> Iterator[TraffickingEvent]:
    for seed, case in zip(chunk, cases, strict=True):
        for event in seed.events:
            yield TraffickingEvent(
                case=case,
                kind=event.kind,
                country=event.country,
                region=event.region,
                place=event.place,
                month=event.month,
            )


def _referrals(chunk: list[CaseSeed], links: list[CaseSurvivor]) -> Iterator[Referral]:
    victims = [v for c in chunk for v in c.victims]
    for link, victim in zip(links, victims, strict=True):
        for referral in victim.referrals:
            yield Referral(
                case=link.case,
                case_survivor=link,
                referral_type=referral.referral_type,
                organisation=referral.organisation,
                status=referral.status,
                referred_on=referral.referred_on,
            )
