"""The facts derived in SQL (``node.sync.sql``) are the facts the Python rules derive.

``node.sync.facts`` is the reference (and what SQLite runs); PostgreSQL runs the
same rules as set-based SQL. Both are run here on generated cases of several
seeds plus records built for the edge cases: unknown values, ages out of range,
persons in several cases, ties on dates, cases spanning months, stages left and
re-entered within a month, voided steps, deleted records, empty cases.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

import pytest
from django.db import connection

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
)
from node.people.models import Survivor, Trafficker
from node.seed.generator import generate
from node.seed.loader import seed_load
from node.sync import build, sql
from node.sync.models import CellCount, Fact

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the SQL rules are PostgreSQL's"),
]

TODAY = date(2025, 6, 30)
KINDS = ("case", "survivor", "trafficker")
FactKey = tuple[str, int, str, date, str, str, str, str]


def python_facts(kind: str, ids: list[int]) -> set[FactKey]:
    return {(kind, f.owner_id, f.table, f.month, f.d1, f.d2, f.d3, f.unit)
            for f in build._derive(kind, ids)}


def sql_facts(kind: str, ids: list[int] | None) -> list[FactKey]:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        cursor.execute(sql.facts_select(kind, every=ids is None), {"ids": ids})
        return [(kind, *row) for row in cursor.fetchall()]


def owners(kind: str) -> list[int]:
    model = {"case": Case, "survivor": Survivor, "trafficker": Trafficker}[kind]
    return sorted(model.objects.values_list("pk", flat=True))


def stored_cells() -> Counter[tuple[str, date, str, str, str]]:
    return Counter({(c.table, c.month, c.d1, c.d2, c.d3): c.count
                    for c in CellCount.objects.all()})


def python_cells() -> Counter[tuple[str, date, str, str, str]]:
    return Counter((f[2], f[3], f[4], f[5], f[6])
                   for kind in KINDS for f in python_facts(kind, owners(kind)))


def a_case(number: str, reported_on: date, **fields: object) -> Case:
    return Case.objects.create(parquet_number=number, jurisdiction="SN-TGI-DKR",
                               reported_on=reported_on, identification_source="police",
                               **fields)


def a_step(case: Case, step: str, day: date, **fields: object) -> ProcedureStep:
    return ProcedureStep.objects.create(case=case, step=step, occurred_on=day, **fields)


def edge_cases() -> dict[str, Any]:
    """Records built for the rules' corner cases; returns the ones tests edit."""
    spanning = a_case("EDGE-1", date(2024, 1, 31), cross_border=True)
    later = a_case("EDGE-2", date(2024, 3, 1))
    a_case("EDGE-EMPTY", date(2024, 3, 15))  # no survivor, defendant, step nor form

    # A survivor in two cases (first identified in the earlier one, mixed forms).
    twice = Survivor.objects.create(sex="Female", birth_year=2014, nationality="ML",
                                    origin_country="ML", talibe=True)
    first = CaseSurvivor.objects.create(case=spanning, survivor=twice,
                                        identified_on=date(2024, 1, 31))
    CaseSurvivor.objects.create(case=later, survivor=twice, identified_on=date(2024, 3, 5),
                                age_at_identification=40)
    begging = Exploitation.objects.create(case=spanning, case_survivor=first, form="begging",
                                          recruitment_method="Familial")
    for code in ("Threats", "PhysicalAbuse"):
        ExploitationMeans.objects.create(exploitation=begging, code=code)
    # Same identification date in both cases: the first link entered decides the age.
    tie = Survivor.objects.create(sex="Male", birth_year=1880, origin_country="FR")
    tie_later = CaseSurvivor.objects.create(case=later, survivor=tie,
                                            identified_on=date(2024, 3, 1),
                                            age_at_identification=7)
    CaseSurvivor.objects.create(case=spanning, survivor=tie, identified_on=date(2024, 3, 1))
    Exploitation.objects.create(case=later, case_survivor=tie_later, form="forced_labour")
    # Everything unknown: no age, unknown countries, no exploitation.
    unknown = Survivor.objects.create()
    unknown_link = CaseSurvivor.objects.create(case=later, survivor=unknown,
                                               identified_on=date(2024, 3, 2))
    # Born "after" identification: age 0. And a survivor in no case: no facts.
    unborn = Survivor.objects.create(sex="Female", birth_year=2030, nationality="SN",
                                     origin_country="SN")
    unborn_link = CaseSurvivor.objects.create(case=spanning, survivor=unborn,
                                              identified_on=date(2024, 2, 1))
    Survivor.objects.create(sex="Male", birth_year=2000)
    # A deleted exploitation leaves nothing behind.
    Exploitation.objects.create(case=later, case_survivor=unknown_link,
                                form="sexual_exploitation").delete()

    # A trafficker in both cases; one without charges nor roles; a legal person.
    both = Trafficker.objects.create(sex="Male", birth_year=1970, nationality="SN",
                                     occupation="quranic_teacher")
    bare = Trafficker.objects.create()
    main = Defendant.objects.create(case=spanning, trafficker=both, relationship="Family",
                                    age_at_case=54)
    Defendant.objects.create(case=later, trafficker=both, relationship="QuranicTeacher")
    lone = Defendant.objects.create(case=later, trafficker=bare)
    DefendantRole.objects.create(defendant=main, code="RecruiterOrIntermediary")
    DefendantRole.objects.create(defendant=main, code="Transporter")
    # Equal maximum terms: the principal offence is the greater code.
    for offence in ("L2005-06-art1", "L2005-06-art2", "cp_other"):
        Charge.objects.create(case=spanning, defendant=main, offence=offence,
                              charged_on=date(2024, 2, 3))

    # The procedure of the spanning case: investigation entered and left in
    # February (back to "reported"), a voided judgment, two judgments the same
    # day (one for the defendant, one for everyone), an appeal judgment.
    a_step(spanning, "signalement", date(2024, 1, 31))
    a_step(spanning, "preliminary_investigation", date(2024, 2, 2))
    a_step(spanning, "referral_in", date(2024, 2, 20))
    a_step(spanning, "prosecution_direct_summons", date(2024, 3, 4), defendant=main)
    voided = a_step(spanning, "judgment", date(2024, 4, 1), outcome="convicted",
                    prison_months=200, defendant=main)
    StepVoid.objects.create(step=voided, reason="saisie erronée")
    a_step(spanning, "judgment", date(2024, 5, 10), outcome="convicted", defendant=main)
    a_step(spanning, "judgment", date(2024, 5, 10), outcome="acquitted")
    a_step(spanning, "appeal_judgment", date(2029, 9, 1), outcome="convicted",
           prison_months=30, fine_fcfa=1_000_000)
    # The later case was judged before it was reported: negative lag and duration.
    a_step(later, "judgment", date(2024, 2, 15), outcome="dismissed", defendant=lone)
    a_step(later, "execution_of_sentence", date(2024, 2, 15), defendant=lone)

    Referral.objects.create(case=spanning, case_survivor=first, referral_type="shelter",
                            referred_on=date(2024, 2, 1))
    Referral.objects.create(case=later, case_survivor=unknown_link, referral_type="medical",
                            status="completed", referred_on=date(2024, 4, 30))
    return {"spanning": spanning, "later": later, "begging": begging, "unborn": unborn_link,
            "main": main, "both": both}


@pytest.fixture(params=[5, 17, 29])
def records(request: pytest.FixtureRequest) -> dict[str, Any]:
    seed = request.param
    seed_load(cases=generate(cases=40, seed=seed, jurisdiction="SN-TGI-DKR", today=TODAY),
              seed=seed)
    return edge_cases()


def test_sql_derives_exactly_the_python_facts_of_every_owner(records: dict[str, Any],
                                                             ) -> None:
    for kind in KINDS:
        derived = sql_facts(kind, None)
        assert len(derived) == len(set(derived)), f"{kind}: a fact is derived twice"
        assert set(derived) == python_facts(kind, owners(kind)), kind


def test_sql_derives_the_facts_of_a_batch_of_owners_only(records: dict[str, Any]) -> None:
    for kind in KINDS:
        batch = owners(kind)[::3]
        assert set(sql_facts(kind, batch)) == python_facts(kind, batch), kind


def test_the_edge_cases_give_the_facts_the_rules_say(records: dict[str, Any]) -> None:
    """Guards the comparison itself: the edge cases do produce the facts they are for."""
    case = records["spanning"]
    facts = {(f[2], f[3], f[4], f[5], f[6]) for f in sql_facts("case", [case.pk])}
    feb = date(2024, 2, 1)
    assert {("case_stage_transitions", feb, "investigation", "entered", ""),
            ("case_stage_transitions", feb, "investigation", "left", ""),
            ("case_stage_transitions", feb, "reported", "entered", "")} <= facts
    assert ("decisions_outcome_offence_instance", date(2024, 5, 1), "convicted",
            "L2005-06-art2", "first") in facts
    assert not any(f[0] == "sentences_offence_prison_fine" and f[1] == date(2024, 4, 1)
                   for f in facts), "a voided step counts"
    assert ("case_closure_lag", date(2024, 1, 1), "m60+", "", "") in facts
    later = {(f[2], f[4]) for f in sql_facts("case", [records["later"].pk])}
    assert ("case_closure_lag", "m-1") in later


def test_a_rebuild_stores_the_python_facts_and_their_counts(records: dict[str, Any]) -> None:
    build.facts_rebuild()
    stored = set(Fact.objects.values_list("owner_kind", "owner_id", "table", "month",
                                          "d1", "d2", "d3", "unit"))
    assert stored == {f for kind in KINDS for f in python_facts(kind, owners(kind))}
    assert Fact.objects.count() == len(stored)
    assert stored_cells() == python_cells()


def test_refreshed_counts_after_edits_equal_a_derivation_from_scratch(
        records: dict[str, Any]) -> None:
    build.facts_rebuild()
    spanning, main = records["spanning"], records["main"]
    ExploitationMeans.objects.filter(exploitation=records["begging"]).delete()
    StepVoid.objects.create(step=ProcedureStep.objects.filter(
        case=spanning, step="appeal_judgment").get(), reason="erreur")
    records["unborn"].delete()
    Case.objects.filter(pk=records["later"].pk).update(reported_on=date(2023, 12, 31))
    main.relationship = "Friend"
    main.save(update_fields=["relationship"])
    changed = {"case": {spanning.pk, records["later"].pk},
               "survivor": set(Survivor.objects.filter(case_links__case=spanning)
                               .values_list("pk", flat=True)) | {records["unborn"].survivor_id},
               "trafficker": set(Trafficker.objects.filter(
                   case_links__case__in=[spanning, records["later"]]).values_list("pk", flat=True))}
    assert build.facts_refresh(changed)
    assert stored_cells() == python_cells()
