"""Synthetic cases of one jurisdiction, as plain dataclasses: pure and deterministic.

Why pure: the same ``seed`` must give the same data on any machine and any
day's run of the tests, and the privacy test must know every identifying value
before anything is written. So this module draws everything from
``random.Random`` instances seeded with strings (stable across processes,
unlike ``hash()``), touches no database and reads no clock: ``today`` is an
argument.

Two random streams: one per (seed, jurisdiction) for the node's own cases, and
one per seed alone for a pool of *travelling* survivors (a talibé moved from
one daara to another, a young woman moved from one gold-panning site to the
next). Every node seeded with the same seed draws the same travellers, writes
them with spellings the national linkage unifies, and so links them at the hub.
"""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import asdict, dataclass, replace
from datetime import date, timedelta

from node.seed import names as n
from node.seed.data import (
    KINDS,
    MIX_BY_JURISDICTION,
    REFERRAL_ORGANISATIONS,
    SITE_BY_SUBTYPE,
    Kind,
    Occupation,
)
from node.seed.data import TRANSIT_BY_JURISDICTION as TRANSIT
from node.seed.names import weighted
from node.seed.procedure import ChargeSeed, StepSeed, procedure_steps
from shared.codes import code_list, pilot_jurisdictions, region_of

YEARS_BACK = 6
POOL_SIZE = 40


@dataclass(frozen=True)
class PersonSeed:
    """Fields survivors and traffickers share, as a clerk would have typed them."""

    family_name: str
    given_names: str
    sex: str
    birth_year: int | None
    nationality: str
    birth_date: str = ""
    age_is_estimated: bool = False
    aliases: str = ""
    phone: str = ""
    address: str = ""
    document_number: str = ""


@dataclass(frozen=True)
class SurvivorSeed(PersonSeed):
    father_given_name: str = ""
    mother_name: str = ""
    birth_place: str = ""
    origin_country: str = "XX"
    origin_region: str = ""
    origin_place: str = ""
    talibe: bool = False
    consent: str = "not_asked"
    vulnerabilities: tuple[str, ...] = ()
    travelling: bool = False


@dataclass(frozen=True)
class TraffickerSeed(PersonSeed):
    is_legal_person: bool = False
    legal_name: str = ""
    occupation: str = "unknown"


@dataclass(frozen=True)
class ExploitationSeed:
    form: str
    subtype: str
    recruitment_method: str
    site_type: str
    place_region: str
    place_country: str
    place_detail: str
    start_month: date
    end_month: date | None
    means: tuple[str, ...]


@dataclass(frozen=True)
class ReferralSeed:
    referral_type: str
    organisation: str
    status: str
    referred_on: date


@dataclass(frozen=True)
class VictimSeed:
    survivor: SurvivorSeed
    identified_on: date
    age: int
    exploitation: ExploitationSeed
    referrals: tuple[ReferralSeed, ...]


@dataclass(frozen=True)
class DefendantSeed:
    trafficker: TraffickerSeed
    relationship: str
    age: int
    roles: tuple[str, ...]
    charges: tuple[ChargeSeed, ...]


@dataclass(frozen=True)
class EventSeed:
    kind: str
    country: str
    region: str
    place: str
    month: date


@dataclass(frozen=True)
class CaseSeed:
    parquet_number: str
    kind: str
    reported_on: date
    identification_source: str
    protection_status: str
    cross_border: bool
    received_from: str
    summary: str
    victims: tuple[VictimSeed, ...]
    defendants: tuple[DefendantSeed, ...]
    events: tuple[EventSeed, ...]
    steps: tuple[StepSeed, ...]


@dataclass(frozen=True)
class Traveller:
    """A survivor of the seed's shared pool and the jurisdictions (and dates) they pass."""

    kind: str
    survivor: SurvivorSeed
    visits: tuple[tuple[str, date], ...]


# Entry points ----------------------------------------------------------------------


def generate(*, cases: int, seed: int, jurisdiction: str, today: date) -> list[CaseSeed]:
    """``cases`` cases of ``jurisdiction``, reported over the last six years, oldest first."""
    rng = random.Random(f"systraite-seed:{seed}:{jurisdiction}")  # noqa: S311 (not crypto)
    visits = [
        (t, day)
        for t in travellers(seed=seed, today=today)
        for where, day in t.visits
        if where == jurisdiction
    ]
    visits = visits[: min(len(visits), max(1, cases // 20))] if cases else []
    drafts = [_case(rng, jurisdiction, today, KINDS[t.kind], t.kind, day, t) for t, day in visits]
    mix = MIX_BY_JURISDICTION.get(jurisdiction, MIX_BY_JURISDICTION["SN-TGI-DKR"])
    for _ in range(cases - len(drafts)):
        kind = weighted(rng, mix)
        drafts.append(_case(rng, jurisdiction, today, KINDS[kind], kind, _report_day(rng, today)))
    return _numbered(rng, drafts)


def digest(cases: list[CaseSeed]) -> str:
    """A stable fingerprint of generated cases, to check determinism."""
    text = json.dumps([asdict(c) for c in cases], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def travellers(*, seed: int, today: date) -> tuple[Traveller, ...]:
    """The seed's pool of travelling survivors, drawn from the seed alone (no jurisdiction)."""
    rng = random.Random(f"systraite-seed:{seed}:travellers")  # noqa: S311 (not crypto)
    pilots = [c.code for c in pilot_jurisdictions()]
    pool = []
    for _ in range(POOL_SIZE):
        kind = weighted(rng, {"talibe_begging": 0.6, "domestic_servitude": 0.2, "mine_sexual": 0.2})
        year = today.year - rng.randint(1, YEARS_BACK - 1)
        route = rng.sample(pilots, rng.randint(2, 3))
        months = sorted(rng.sample(range(1, 12), len(route)))
        visits = tuple(
            (where, date(year, m, rng.randint(1, 28)))
            for where, m in zip(route, months, strict=True)
        )
        age = _age(rng, KINDS[kind])
        pool.append(
            Traveller(kind, _survivor(rng, KINDS[kind], age, year, travelling=True), visits)
        )
    return tuple(pool)


# Cases -----------------------------------------------------------------------------


def _report_day(rng: random.Random, today: date) -> date:
    """More cases in recent years: the register fills as the node is adopted."""
    back = int(YEARS_BACK * 365 * rng.random() ** 1.3)
    return today - timedelta(days=max(back, 1))


def _case(
    rng: random.Random,
    jurisdiction: str,
    today: date,
    kind: Kind,
    name: str,
    reported_on: date,
    traveller: Traveller | None = None,
) -> CaseSeed:
    victims = _victims(rng, kind, jurisdiction, reported_on, today)
    if traveller is not None:
        victims[0] = _traveller_victim(rng, traveller, victims[0], reported_on)
    defendants = _defendants(rng, kind, reported_on, victims)
    received = _other_court(rng, jurisdiction) if rng.random() < 0.03 else ""
    steps = procedure_steps(
        rng,
        reported_on=reported_on,
        today=today,
        defendants=[d.charges for d in defendants],
        minors=any(v.age < 18 for v in victims),
        received_from=received,
        transfer_to=_other_court(rng, jurisdiction),
    )
    foreign = any(v.survivor.origin_country != "SN" for v in victims)
    return CaseSeed(
        parquet_number="",
        kind=name,
        reported_on=reported_on,
        identification_source=weighted(rng, kind.sources),
        protection_status=_protection_status(rng, reported_on, today),
        cross_border=foreign,
        received_from=received,
        summary=kind.summary,
        victims=tuple(victims),
        defendants=tuple(defendants),
        events=_events(rng, victims[0], jurisdiction),
        steps=tuple(steps),
    )


def _numbered(rng: random.Random, drafts: list[CaseSeed]) -> list[CaseSeed]:
    """Parquet numbers ``RP n/yyyy`` in report order; gaps are the parquet's other cases."""
    drafts.sort(key=lambda c: c.reported_on)
    counters: dict[int, int] = {}
    numbered = []
    for case in drafts:
        year = case.reported_on.year
        counters[year] = counters.get(year, rng.randint(1, 400)) + rng.randint(1, 4)
        numbered.append(replace(case, parquet_number=f"RP {counters[year]}/{year}"))
    return numbered


def _other_court(rng: random.Random, jurisdiction: str) -> str:
    courts = [
        c.code
        for c in code_list("court")
        if c.attrs.get("kind") == "tgi" and c.code != jurisdiction
    ]
    return rng.choice(courts)


def _protection_status(rng: random.Random, reported_on: date, today: date) -> str:
    age_days = (today - reported_on).days
    if age_days < 180:
        return "Active"
    if age_days < 540:
        return weighted(rng, {"Active": 0.3, "FollowUp": 0.5, "ClosedReferred": 0.2})
    return weighted(rng, {"FollowUp": 0.2, "Closed": 0.5, "ClosedReferred": 0.3})


# Survivors -------------------------------------------------------------------------


def _victim_count(rng: random.Random, kind: Kind) -> int:
    band = weighted(rng, kind.victims)
    low, _, high = band.partition("-")
    return rng.randint(int(low), int(high or low))


def _age(rng: random.Random, kind: Kind) -> int:
    low, high = kind.ages
    return int(rng.triangular(low, high + 0.99, low + (high - low) * 0.4))


def _victims(
    rng: random.Random, kind: Kind, jurisdiction: str, reported_on: date, today: date
) -> list[VictimSeed]:
    origin = weighted(rng, kind.origins)  # one case's survivors mostly share an origin
    victims = []
    for _ in range(_victim_count(rng, kind)):
        here = origin if rng.random() < 0.7 else weighted(rng, kind.origins)
        age = _age(rng, kind)
        survivor = _survivor(rng, kind, age, reported_on.year, origin=here)
        identified = min(reported_on + timedelta(days=rng.choice((0, 0, 0, 1, 2))), today)
        victims.append(_victim(rng, kind, survivor, age, identified, jurisdiction, today))
    return victims


def _victim(
    rng: random.Random,
    kind: Kind,
    survivor: SurvivorSeed,
    age: int,
    identified: date,
    jurisdiction: str,
    today: date,
) -> VictimSeed:
    return VictimSeed(
        survivor,
        identified,
        age,
        _exploitation(rng, kind, jurisdiction, identified),
        _referrals(rng, survivor, age, identified, today),
    )


def _traveller_victim(
    rng: random.Random, traveller: Traveller, first: VictimSeed, reported_on: date
) -> VictimSeed:
    """The travelling survivor as this node's clerk writes them, identified on the visit day."""
    person = traveller.survivor
    survivor = replace(
        person,
        family_name=n.register_family(rng, n.linkable_spelling(rng, person.family_name)),
        given_names=n.linkable_spelling(rng, person.given_names),
        father_given_name=n.linkable_spelling(rng, person.father_given_name),
        mother_name=n.linkable_spelling(rng, person.mother_name),
    )
    assert person.birth_year is not None
    return replace(
        first,
        survivor=survivor,
        identified_on=reported_on,
        age=reported_on.year - person.birth_year,
    )


def _origin(rng: random.Random, origin: str) -> tuple[str, str, str]:
    """(country, Senegal region or '', town) of an origin drawn from a kind's list."""
    country, region = ("SN", origin) if origin.startswith("SN-") else (origin, "")
    if origin == "SN":
        region = rng.choice([r for r in n.PLACES if r.startswith("SN-")])
    return country, region, rng.choice(n.PLACES[region or country])


def _survivor(
    rng: random.Random,
    kind: Kind,
    age: int,
    year: int,
    *,
    origin: str = "",
    travelling: bool = False,
) -> SurvivorSeed:
    country, region, place = _origin(rng, origin or weighted(rng, kind.origins))
    sex = "Male" if rng.random() < kind.male_share else "Female"
    group = n.group_for(rng, region or country)
    family = n.zipf(rng, n.FAMILY_NAMES[group])
    given = n.zipf(rng, n.given_pool(group, sex))
    father = n.zipf(rng, n.given_pool(group, "Male")).split()[-1]
    mother = f"{n.zipf(rng, n.given_pool(group, 'Female'))} {n.zipf(rng, n.FAMILY_NAMES[group])}"
    adult, exact = age >= 18, rng.random() < (0.6 if age >= 18 else 0.2) and not kind.talibe
    if not travelling:
        family, given = _as_written(rng, family, given)
    return SurvivorSeed(
        family_name=family,
        given_names=given,
        sex=sex,
        birth_year=year - age,
        nationality=country,
        birth_date=_birth_date(rng, year - age) if exact else "",
        age_is_estimated=not exact,
        phone=_phone(rng, country) if adult and rng.random() < 0.5 else "",
        address=_address(rng, region or country) if adult or rng.random() < 0.3 else "",
        document_number=_document(rng, country, sex) if adult and rng.random() < 0.5 else "",
        father_given_name=father,
        mother_name=mother,
        birth_place=place if rng.random() < 0.8 else "",
        origin_country=country,
        origin_region=region,
        origin_place=place,
        talibe=kind.talibe,
        consent=("guardian_given" if rng.random() < 0.6 else "not_asked")
        if not adult
        else weighted(rng, {"given": 0.8, "refused": 0.1, "not_asked": 0.1}),
        vulnerabilities=_vulnerabilities(rng, kind, age, country),
        travelling=travelling,
    )


def _as_written(rng: random.Random, family: str, given: str) -> tuple[str, str]:
    """One register's way of writing a name: spelling, capitals, one part, slips."""
    family = n.register_family(rng, n.linkable_spelling(rng, family))
    given = n.linkable_spelling(rng, given)
    if rng.random() < 0.3:
        given = n.one_part(rng, given)
    if rng.random() < 0.04:
        family = n.slipped(rng, family)
    if rng.random() < 0.03:
        given = n.slipped(rng, given)
    return family, given


def _vulnerabilities(rng: random.Random, kind: Kind, age: int, country: str) -> tuple[str, ...]:
    codes = []
    if kind.talibe:
        codes.append("talibe")
    if age < 18 and country != "SN" and rng.random() < 0.7:
        codes.append("unaccompanied_minor")
    if age >= 18 and country != "SN" and rng.random() < 0.5:
        codes.append("migrant_irregular")
    if rng.random() < 0.08:
        codes.append("orphan")
    if rng.random() < 0.02:
        codes.append("disability")
    return tuple(codes)


# Identifiers -----------------------------------------------------------------------


def _birth_date(rng: random.Random, year: int) -> str:
    return (date(year, 1, 1) + timedelta(days=rng.randrange(365))).isoformat()


def _phone(rng: random.Random, country: str) -> str:
    if country == "SN" or rng.random() < 0.5:  # foreigners often have a Senegalese SIM
        prefix = rng.choice(("77", "78", "76", "70", "75"))
        return f"+221 {prefix} {rng.randint(100, 999)} {rng.randint(10, 99)} {rng.randint(10, 99)}"
    code = {
        "GM": "220",
        "GW": "245",
        "GN": "224",
        "ML": "223",
        "BF": "226",
        "NG": "234",
        "MR": "222",
    }.get(country, "221")
    return f"+{code} {rng.randint(10_000_000, 99_999_999)}"


def _document(rng: random.Random, country: str, sex: str) -> str:
    """A CNI number (13 digits, the first giving the sex) or a passport number."""
    if country == "SN":
        return f"{1 if sex == 'Male' else 2}{rng.randint(0, 10**12 - 1):012d}"
    return f"{rng.choice('ABCNPR')}{rng.randint(1_000_000, 99_999_999)}"


def _address(rng: random.Random, where: str) -> str:
    place = rng.choice(n.PLACES.get(where, n.PLACES["SN-DK"]))
    return rng.choice(
        (
            f"Quartier {rng.randint(1, 40)}, {place}",
            f"Rue {rng.randint(1, 90)} x {rng.randint(1, 90)}, {place}",
            f"Villa n° {rng.randint(1, 999)}, {place}",
        )
    )


# Exploitation, events, referrals ----------------------------------------------------


def _month(day: date) -> date:
    return day.replace(day=1)


def _months_before(day: date, months: int) -> date:
    total = day.year * 12 + day.month - 1 - months
    return date(total // 12, total % 12 + 1, 1)


def _pick_means(rng: random.Random, means: dict[str, float]) -> tuple[str, ...]:
    chosen = tuple(code for code, chance in means.items() if rng.random() < chance)
    return chosen or (max(means, key=lambda c: means[c]),)


def _exploitation(
    rng: random.Random, kind: Kind, jurisdiction: str, identified: date
) -> ExploitationSeed:
    region = region_of(jurisdiction)
    start = _months_before(identified, rng.randint(1, 30 if kind.talibe else 14))
    subtype = weighted(rng, kind.subtypes)
    return ExploitationSeed(
        form=kind.form,
        subtype=subtype,
        recruitment_method=weighted(rng, kind.recruitment),
        site_type=SITE_BY_SUBTYPE.get(subtype) or weighted(rng, kind.sites),
        place_region=region,
        place_country="SN",
        place_detail=rng.choice(n.PLACES[region]),
        start_month=start,
        end_month=_month(identified) if rng.random() < 0.85 else None,
        means=_pick_means(rng, kind.means),
    )


def _events(rng: random.Random, victim: VictimSeed, jurisdiction: str) -> tuple[EventSeed, ...]:
    person, exploitation = victim.survivor, victim.exploitation
    start = exploitation.start_month
    events = [
        EventSeed(
            "Recruitment",
            person.origin_country,
            person.origin_region,
            person.origin_place,
            _months_before(start, rng.randint(0, 2)),
        )
    ]
    transit = TRANSIT.get(jurisdiction)
    if transit and person.origin_country != "SN" and rng.random() < 0.5:
        country = weighted(rng, transit)
        events.append(EventSeed("Transit", country, "", rng.choice(n.PLACES[country]), start))
    events.append(
        EventSeed("Exploitation", "SN", exploitation.place_region, exploitation.place_detail, start)
    )
    return tuple(events)


def _referral_types(rng: random.Random, survivor: SurvivorSeed, age: int) -> list[str]:
    child, foreign = age < 18, survivor.origin_country != "SN"
    chances = {
        "shelter": 0.55 if child else 0.25,
        "medical": 0.35,
        "psychosocial": 0.3,
        "family_tracing": 0.6 if child and (survivor.talibe or foreign) else 0.1,
        "repatriation": 0.4 if foreign else 0.0,
        "reintegration": 0.2,
        "education": 0.1 if child else 0.0,
        "vocational_training": 0.0 if child else 0.1,
        "legal_aid": 0.1 if child else 0.3,
    }
    return [code for code, chance in chances.items() if rng.random() < chance]


def _referrals(
    rng: random.Random, survivor: SurvivorSeed, age: int, identified: date, today: date
) -> tuple[ReferralSeed, ...]:
    referrals = []
    for code in _referral_types(rng, survivor, age):
        later = (
            rng.randint(30, 180)
            if code in {"repatriation", "reintegration"}
            else rng.randint(0, 10)
        )
        day = identified + timedelta(days=later)
        if day > today:
            continue
        status = (
            "planned"
            if (today - day).days < 30
            else weighted(
                rng, {"completed": 0.65, "in_progress": 0.2, "refused": 0.08, "cancelled": 0.07}
            )
        )
        referrals.append(ReferralSeed(code, rng.choice(REFERRAL_ORGANISATIONS[code]), status, day))
    return tuple(referrals)


# Defendants ------------------------------------------------------------------------


def _defendants(
    rng: random.Random, kind: Kind, reported_on: date, victims: list[VictimSeed]
) -> list[DefendantSeed]:
    """The main suspect (a marabout, an employer, an operator...) and sometimes accomplices.

    About one case in ten has no identified suspect.
    """
    if rng.random() < 0.1:
        return []
    count = 1 + (rng.random() < 0.3) + (rng.random() < 0.1)
    minors = any(v.age < 18 for v in victims)
    chosen = [kind.defendants[0]] + [rng.choice(kind.defendants) for _ in range(count - 1)]
    return [_defendant(rng, kind, occupation, reported_on, minors) for occupation in chosen]


def _defendant(
    rng: random.Random, kind: Kind, occupation: Occupation, reported_on: date, minors: bool
) -> DefendantSeed:
    age = rng.randint(24, 68)
    trafficker = _trafficker(rng, occupation, age, reported_on.year)
    roles = tuple(code for code in occupation.roles if rng.random() < 0.7) or occupation.roles[:1]
    offences = [
        o for i, (o, chance) in enumerate(kind.charges.items()) if i == 0 or rng.random() < chance
    ]
    if offences[0] == "L2005-06-art1" and minors and rng.random() < 0.6:
        offences[0] = "L2005-06-art1-minor"
    charges = tuple(ChargeSeed(offence, reported_on) for offence in offences)
    return DefendantSeed(trafficker, occupation.relationship, age, roles, charges)


def _trafficker(rng: random.Random, occupation: Occupation, age: int, year: int) -> TraffickerSeed:
    country = weighted(rng, occupation.nationality)
    sex = weighted(rng, occupation.sex)
    group = n.group_for(rng, country)
    family, given = _as_written(
        rng, n.zipf(rng, n.FAMILY_NAMES[group]), n.zipf(rng, n.given_pool(group, sex))
    )
    if occupation.relationship == "QuranicTeacher" and rng.random() < 0.5:
        given = f"Serigne {given}" if rng.random() < 0.7 else f"Thierno {given}"
    legal = rng.random() < occupation.legal_person
    exact = rng.random() < 0.5
    return TraffickerSeed(
        family_name="" if legal else family,
        given_names="" if legal else given,
        sex="Unknown" if legal else sex,
        birth_year=None if legal else year - age,
        nationality=country,
        birth_date=_birth_date(rng, year - age) if exact and not legal else "",
        age_is_estimated=not exact and not legal,
        aliases=_alias(rng, family, sex) if not legal and rng.random() < 0.2 else "",
        phone=_phone(rng, country) if rng.random() < 0.7 else "",
        address=_address(rng, "SN-DK" if country != "SN" else rng.choice(list(n.PLACES)[:14])),
        document_number=_document(rng, country, sex) if rng.random() < 0.6 else "",
        is_legal_person=legal,
        legal_name=f"GIE {family} Orpaillage" if legal else "",
        occupation=occupation.occupation,
    )


def _alias(rng: random.Random, family: str, sex: str) -> str:
    if sex == "Female":
        return rng.choice(("Mama", "Madam", "Tata")) + " " + rng.choice(("Blessing", "Joy", family))
    return rng.choice(("Boy", "Pa", "Vieux")) + " " + family.capitalize()
