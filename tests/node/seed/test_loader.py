"""The loader: bulk rows indistinguishable from the services', ready for the payload build."""

from __future__ import annotations

import json
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from node.audit.models import AuditEntry
from node.cases.models import Case, ProcedureStep
from node.cases.services import case_stage_refresh
from node.people.models import LinkageToken, NameToken, Survivor, Trafficker
from node.people.services import _refresh_indexes, linkage_tokens_refresh, person_years
from node.privacy import decrypt
from node.seed.generator import CaseSeed, generate
from node.seed.loader import seed_load
from node.sync.build import payload_build
from node.sync.models import Dirty, Fact

pytestmark = pytest.mark.django_db

TODAY = date(2025, 6, 30)


@pytest.fixture
def loaded() -> list[CaseSeed]:
    cases = generate(cases=200, seed=3, jurisdiction="SN-TGI-DKR", today=TODAY)
    seed_load(cases=cases, seed=3, chunk_size=70)
    return cases


def test_it_loads_every_case_survivor_and_step(loaded: list[CaseSeed]) -> None:
    assert Case.objects.count() == 200
    assert Survivor.objects.count() == sum(len(c.victims) for c in loaded)
    assert Trafficker.objects.count() == sum(len(c.defendants) for c in loaded)
    assert ProcedureStep.objects.count() == sum(len(c.steps) for c in loaded)
    assert set(Dirty.objects.filter(kind="case").values_list("owner_id", flat=True)) == set(
        Case.objects.values_list("pk", flat=True)
    )


def test_one_audit_entry_describes_the_whole_run(loaded: list[CaseSeed]) -> None:
    entries = AuditEntry.objects.filter(action="seed")
    assert entries.count() == 1
    assert entries.get().detail["cases"] == 200


def test_names_are_encrypted_at_rest(loaded: list[CaseSeed]) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT family_name FROM people_survivor WHERE family_name <> '' LIMIT 1")
        stored = cursor.fetchone()[0]
    assert stored.startswith("v1.")
    assert decrypt(stored, context="people.survivor.family_name")


def test_digests_and_tokens_are_those_the_services_compute(loaded: list[CaseSeed]) -> None:
    people = list(Survivor.objects.all()[:40]) + list(Trafficker.objects.all()[:20])
    for person in people:
        owner = {"survivor": person} if isinstance(person, Survivor) else {"trafficker": person}
        before = (
            person.identity_digest,
            person.name_digest,
            set(NameToken.objects.filter(**owner).values_list("digest", flat=True)),
            set(LinkageToken.objects.filter(**owner).values_list("year", "token")),
        )
        _refresh_indexes(person)
        linkage_tokens_refresh(person=person, years=person_years(person))
        after = (
            person.identity_digest,
            person.name_digest,
            set(NameToken.objects.filter(**owner).values_list("digest", flat=True)),
            set(LinkageToken.objects.filter(**owner).values_list("year", "token")),
        )
        assert before == after


def test_each_case_is_at_the_stage_its_steps_give(loaded: list[CaseSeed]) -> None:
    stages = dict(Case.objects.values_list("pk", "stage"))
    for case in Case.objects.all():
        case_stage_refresh(case=case)
    assert dict(Case.objects.values_list("pk", "stage")) == stages
    assert len(set(stages.values())) >= 5


def test_the_payload_build_counts_every_survivor(loaded: list[CaseSeed]) -> None:
    result = payload_build()
    assert result.outbox is not None
    counted = Fact.objects.filter(owner_kind="survivor", table="survivors_sex_age_form")
    assert counted.count() == Survivor.objects.count()
    assert not Dirty.objects.exists()


def test_seeding_twice_renumbers_instead_of_clashing(loaded: list[CaseSeed]) -> None:
    seed_load(cases=generate(cases=50, seed=3, jurisdiction="SN-TGI-DKR", today=TODAY), seed=3)
    numbers = list(Case.objects.values_list("parquet_number", flat=True))
    assert len(numbers) == len(set(numbers)) == 250


def test_the_command_reports_counts_and_writes_the_canary_file(tmp_path: Path) -> None:
    out, err = StringIO(), StringIO()
    canary = tmp_path / "canary.json"
    call_command("seed", cases=30, seed=9, canary_file=canary, as_of=TODAY, stdout=out, stderr=err)
    assert "30 affaires" in out.getvalue()
    values = json.loads(canary.read_text(encoding="utf-8"))
    survivor = Survivor.objects.exclude(phone="").first()
    assert survivor is not None
    assert {survivor.family_name, survivor.phone} <= set(values)
    assert any(v.startswith("+221 7") for v in values)
    expected = {
        p.family_name
        for c in generate(cases=30, seed=9, jurisdiction="SN-TGI-DKR", today=TODAY)
        for p in (v.survivor for v in c.victims)
        if p.family_name
    }
    assert expected <= set(values)
