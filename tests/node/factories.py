"""Cases of a node for tests, built through the services as the API builds them.

Plain functions, not raw ORM: every record goes through ``node.people.services``
or ``node.cases.services``, so encryption, blind indexes, linkage tokens,
dirty marks and audit entries are the real ones. ``data`` dictionaries have
the shape the serializers hand to the services (validated values: dates,
model instances, code lists).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from itertools import count
from typing import Any

from node.accounts.models import User
from node.cases import services as case_services
from node.cases.models import (
    Case,
    CaseSurvivor,
    Charge,
    Defendant,
    Exploitation,
    ProcedureStep,
    Referral,
    TraffickingEvent,
)
from node.people import services as people_services
from node.people.models import Survivor, Trafficker

_numbers = count(1)

REPORTED_ON = date(2025, 3, 10)


@dataclass(frozen=True)
class Canaries:
    """Distinctive clear-text values that must never be found in the database."""

    family_name: str = "KANARIOU"
    given_names: str = "Penelopia"
    trafficker_family_name: str = "Zorbanekou"
    trafficker_given_names: str = "Ousmaniel"
    aliases: str = "Petitcanari"
    phone: str = "+221 77 912 34 56"
    address: str = "Rue Canarienne 17, Pikine"
    document_number: str = "CNI-7788990011"
    notes: str = "Note confidentielle canari"
    father_given_name: str = "Pereplumeau"
    mother_name: str = "Merecanarine"
    birth_place: str = "Villecanarie"
    origin_place: str = "Hameaucanari"
    place_detail: str = "Daara du marabout Canarien"
    event_place: str = "Carrefour Canarival"
    organisation: str = "Foyer Canaristi"
    summary: str = "Resume secret canari"
    step_notes: str = "Audience canari huis clos"
    legal_name: str = "Societe Canarex SARL"

    def values(self) -> list[str]:
        return [str(v) for v in self.__dict__.values()]


@dataclass
class FullCase:
    """One case with one of each part, as a greffier would have entered it."""

    case: Case
    survivor: Survivor
    trafficker: Trafficker
    link: CaseSurvivor
    defendant: Defendant
    exploitation: Exploitation
    event: TraffickingEvent
    charge: Charge
    referral: Referral
    steps: list[ProcedureStep] = field(default_factory=list)


def survivor(actor: User | None, **data: Any) -> Survivor:
    defaults: dict[str, Any] = {"family_name": "Diallo", "given_names": "Mamadou",
                                "sex": "Male", "birth_year": 2014, "age_is_estimated": True,
                                "nationality": "GW", "origin_country": "GW", "talibe": True,
                                "vulnerabilities": ["talibe", "unaccompanied_minor"]}
    result = people_services.survivor_create(actor=actor, data={**defaults, **data})
    return result.person  # type: ignore[return-value]


def trafficker(actor: User | None, **data: Any) -> Trafficker:
    defaults: dict[str, Any] = {"family_name": "Ba", "given_names": "Oumar", "sex": "Male",
                                "occupation": "quranic_teacher"}
    result = people_services.trafficker_create(actor=actor, data={**defaults, **data})
    return result.person  # type: ignore[return-value]


def case(actor: User | None, **data: Any) -> Case:
    defaults: dict[str, Any] = {"parquet_number": f"RP {next(_numbers)}/2025",
                                "reported_on": REPORTED_ON, "identification_source": "police",
                                "cross_border": True}
    return case_services.case_create(actor=actor, data={**defaults, **data})


def record(actor: User | None, model: type[Any], **data: Any) -> Any:
    return case_services.record_save(actor=actor, obj=model(), data=data)


def step(actor: User | None, a_case: Case, code: str, on: date, **data: Any) -> ProcedureStep:
    result = case_services.step_record(actor=actor, case=a_case,
                                       data={"step": code, "occurred_on": on, **data})
    return result.step


def full_case(actor: User | None, canaries: Canaries | None = None) -> FullCase:
    """A case from report to judgment: one survivor, one defendant, one of every part.

    With ``canaries``, every encrypted free-text field carries a canary value.
    """
    c = canaries
    identity: dict[str, Any] = {}
    if c is not None:
        identity = {"family_name": c.family_name, "given_names": c.given_names,
                    "aliases": c.aliases, "phone": c.phone, "address": c.address,
                    "document_number": c.document_number, "notes": c.notes,
                    "birth_date": "2013-05-04", "birth_year": 2013, "age_is_estimated": False,
                    "father_given_name": c.father_given_name, "mother_name": c.mother_name,
                    "birth_place": c.birth_place, "origin_place": c.origin_place}
    a_case = case(actor, **({"summary": c.summary} if c else {}))
    a_survivor = survivor(actor, **identity)
    a_trafficker = trafficker(actor, **({
        "family_name": c.trafficker_family_name, "given_names": c.trafficker_given_names,
        "phone": c.phone, "address": c.address, "document_number": c.document_number,
        "notes": c.notes, "legal_name": c.legal_name} if c else {}))
    link = record(actor, CaseSurvivor, case=a_case, survivor=a_survivor, identified_on=REPORTED_ON)
    exploitation = record(actor, Exploitation, case_survivor=link, form="begging",
                          subtype="talibe_begging", site_type="daara",
                          means_of_control=["PhysicalAbuse", "WithholdsNecessities"],
                          start_month=date(2024, 9, 1),
                          place_detail=c.place_detail if c else "")
    event = record(actor, TraffickingEvent, case=a_case, kind="Recruitment", country="GW",
                   month=date(2024, 8, 1), place=c.event_place if c else "")
    defendant = record(actor, Defendant, case=a_case, trafficker=a_trafficker,
                       relationship="QuranicTeacher", roles=["Exploiter"])
    charge = record(actor, Charge, defendant=defendant, offence="L2005-06-art3",
                    charged_on=date(2025, 3, 12), survivors=[link])
    referral = record(actor, Referral, case_survivor=link, referral_type="shelter",
                      organisation=c.organisation if c else "Empire des enfants",
                      status="planned", referred_on=date(2025, 3, 11))
    steps = [
        step(actor, a_case, "police_custody", date(2025, 3, 11), defendant=defendant,
             **({"notes": c.step_notes} if c else {})),
        step(actor, a_case, "hearing", date(2025, 4, 1)),
    ]
    return FullCase(case=a_case, survivor=a_survivor, trafficker=a_trafficker, link=link,
                    defendant=defendant, exploitation=exploitation, event=event, charge=charge,
                    referral=referral, steps=steps)
