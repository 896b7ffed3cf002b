"""The generator: deterministic, Senegal-shaped, coded, and with travellers shared by seed."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from node.seed.generator import CaseSeed, SurvivorSeed, digest, generate
from node.seed.names import LINKABLE
from shared.codes import code_list
from shared.pseudonym import normalise_identity, normalise_name

TODAY = date(2025, 6, 30)


@pytest.fixture(scope="module")
def dakar() -> list[CaseSeed]:
    return generate(cases=2000, seed=42, jurisdiction="SN-TGI-DKR", today=TODAY)


@pytest.fixture(scope="module")
def kedougou() -> list[CaseSeed]:
    return generate(cases=2000, seed=42, jurisdiction="SN-TGI-KED", today=TODAY)


def identities(cases: list[CaseSeed]) -> set[str]:
    def one(s: SurvivorSeed) -> str:
        return normalise_identity(
            family_name=s.family_name,
            given_names=s.given_names,
            birth_year=s.birth_year,
            father_given_name=s.father_given_name,
            mother_name=s.mother_name,
            place_of_origin=s.origin_place,
        )

    return {one(v.survivor) for c in cases for v in c.victims}


def test_the_same_seed_gives_the_same_cases() -> None:
    first = generate(cases=300, seed=5, jurisdiction="SN-TGI-STL", today=TODAY)
    again = generate(cases=300, seed=5, jurisdiction="SN-TGI-STL", today=TODAY)
    assert digest(first) == digest(again)


def test_another_seed_gives_other_cases() -> None:
    first = generate(cases=300, seed=5, jurisdiction="SN-TGI-STL", today=TODAY)
    other = generate(cases=300, seed=6, jurisdiction="SN-TGI-STL", today=TODAY)
    assert digest(first) != digest(other)


def test_two_nodes_seeded_alike_share_a_few_survivors_but_not_most(
    dakar: list[CaseSeed], kedougou: list[CaseSeed]
) -> None:
    here, there = identities(dakar), identities(kedougou)
    shared = here & there
    assert 1 <= len(shared) <= 0.02 * min(len(here), len(there))
    travelling = identities([c for c in dakar if c.victims[0].survivor.travelling])
    assert len(shared & travelling) >= 1
    assert len(shared - travelling) <= 3  # namesakes with the same filiation: rare


def test_travellers_are_written_differently_but_link(
    dakar: list[CaseSeed], kedougou: list[CaseSeed]
) -> None:
    written = {
        (v.survivor.family_name, v.survivor.given_names)
        for c in dakar + kedougou
        for v in c.victims
        if v.survivor.travelling
    }
    linked = {(normalise_name(f), normalise_name(g)) for f, g in written}
    assert len(written) > len(linked)


def test_begging_is_the_largest_form(dakar: list[CaseSeed]) -> None:
    forms = Counter(v.exploitation.form for c in dakar for v in c.victims)
    assert forms.most_common(1)[0][0] == "begging"


def test_talibes_are_mostly_boys_of_five_to_fifteen(dakar: list[CaseSeed]) -> None:
    talibes = [v for c in dakar for v in c.victims if v.survivor.talibe]
    boys = [v for v in talibes if v.survivor.sex == "Male" and 5 <= v.age <= 15]
    assert len(talibes) > 500
    assert len(boys) / len(talibes) > 0.95
    foreign = Counter(v.survivor.origin_country for v in talibes)
    assert {"GW", "GM", "GN", "ML"} <= set(foreign)


def test_kedougou_has_more_forced_labour_at_gold_panning_sites(
    dakar: list[CaseSeed], kedougou: list[CaseSeed]
) -> None:
    def mining(cases: list[CaseSeed]) -> int:
        return sum(
            1
            for c in cases
            for v in c.victims
            if v.exploitation.form == "forced_labour"
            and v.exploitation.site_type == "gold_panning_site"
        )

    assert mining(kedougou) > 5 * max(mining(dakar), 1)
    assert mining(kedougou) > 300


def test_no_date_is_in_the_future_or_older_than_six_years(dakar: list[CaseSeed]) -> None:
    days = [c.reported_on for c in dakar] + [s.occurred_on for c in dakar for s in c.steps]
    days += [r.referred_on for c in dakar for v in c.victims for r in v.referrals]
    assert max(days) <= TODAY
    assert min(c.reported_on for c in dakar) >= date(TODAY.year - 6, 1, 1)


def test_every_code_exists(dakar: list[CaseSeed], kedougou: list[CaseSeed]) -> None:
    lists = {
        name: code_list(name)
        for name in (
            "exploitation_form",
            "exploitation_subtype",
            "recruitment_method",
            "site_type",
            "means_of_control",
            "region",
            "country",
            "identification_source",
            "case_status",
            "procedure_step",
            "outcome",
            "offence",
            "perpetrator_role",
            "recruiter_relationship",
            "occupation",
            "referral_type",
            "referral_status",
            "gender",
            "vulnerability",
            "consent",
            "trafficking_event",
            "court",
        )
    }
    used: list[tuple[str, str]] = []
    for case in dakar + kedougou:
        used += [
            ("identification_source", case.identification_source),
            ("case_status", case.protection_status),
        ]
        used += [("procedure_step", s.step) for s in case.steps]
        used += [("outcome", s.outcome) for s in case.steps if s.outcome]
        used += [("court", s.court) for s in case.steps if s.court]
        used += [("trafficking_event", e.kind) for e in case.events]
        used += [("country", e.country) for e in case.events]
        for v in case.victims:
            e, s = v.exploitation, v.survivor
            used += [
                ("exploitation_form", e.form),
                ("recruitment_method", e.recruitment_method),
                ("site_type", e.site_type),
                ("region", e.place_region),
                ("gender", s.sex),
                ("country", s.nationality),
                ("consent", s.consent),
            ]
            used += [("exploitation_subtype", e.subtype)] if e.subtype else []
            used += [("region", s.origin_region)] if s.origin_region else []
            used += [("means_of_control", m) for m in e.means]
            used += [("vulnerability", code) for code in s.vulnerabilities]
            used += [("referral_type", r.referral_type) for r in v.referrals]
            used += [("referral_status", r.status) for r in v.referrals]
        for d in case.defendants:
            used += [
                ("recruiter_relationship", d.relationship),
                ("occupation", d.trafficker.occupation),
                ("gender", d.trafficker.sex),
            ]
            used += [("perpetrator_role", r) for r in d.roles]
            used += [("offence", ch.offence) for ch in d.charges]
    unknown = {(name, code) for name, code in used if code not in lists[name]}
    assert not unknown


def test_no_step_precedes_the_report_and_steps_keep_their_usual_order(
    dakar: list[CaseSeed],
) -> None:
    order = {c.code: c.attrs.get("order", 0) for c in code_list("procedure_step")}
    for case in dakar:
        assert case.steps[0].step in {"signalement", "referral_in"}
        assert all(s.occurred_on >= case.reported_on for s in case.steps)
        for index in {s.defendant for s in case.steps}:
            mine = [
                order[s.step]
                for s in case.steps
                if s.defendant in (None, index) and order[s.step] and s.step != "hearing"
            ]
            assert mine == sorted(mine), case.parquet_number


def test_sentences_only_with_convictions_and_within_the_law(dakar: list[CaseSeed]) -> None:
    offences = code_list("offence")
    sentenced = 0
    for case in dakar:
        for step in case.steps:
            sentence = [
                step.prison_months,
                step.suspended_months,
                step.fine_fcfa,
                step.damages_fcfa,
            ]
            if step.outcome != "convicted":
                assert not any(sentence)
                continue
            assert step.defendant is not None
            charged = [c.offence for c in case.defendants[step.defendant].charges]
            worst = max(
                charged, key=lambda o: (offences.get(o).attrs.get("max_prison_months", 0), o)
            )  # as facts tie-break
            attrs = offences.get(worst).attrs
            total = (step.prison_months or 0) + (step.suspended_months or 0)
            assert attrs["min_prison_months"] <= total <= attrs["max_prison_months"]
            if "min_fine_fcfa" in attrs:
                assert attrs["min_fine_fcfa"] <= (step.fine_fcfa or 0) <= attrs["max_fine_fcfa"]
            sentenced += 1
    assert sentenced > 100


def test_about_a_third_of_closed_files_are_dropped_and_many_are_pending(
    dakar: list[CaseSeed],
) -> None:
    last = Counter(c.steps[-1].step for c in dakar)
    dropped = last["classement_sans_suite"] / len(dakar)
    assert 0.2 < dropped < 0.45
    assert any(c.steps[-1].step in {"hearing", "committal_for_trial", "deferment"} for c in dakar)


def test_parquet_numbers_are_unique_and_look_like_the_register(dakar: list[CaseSeed]) -> None:
    numbers = [c.parquet_number for c in dakar]
    assert len(set(numbers)) == len(numbers)
    assert all(
        n.startswith("RP ") and n.endswith(f"/{c.reported_on.year}")
        for n, c in zip(numbers, dakar, strict=True)
    )


@pytest.mark.parametrize("canonical", sorted(LINKABLE))
def test_every_linkable_spelling_normalises_like_its_name(canonical: str) -> None:
    assert {normalise_name(v) for v in LINKABLE[canonical]} == {normalise_name(canonical)}
