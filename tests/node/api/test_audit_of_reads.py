"""Every read of an identifying record leaves exactly the expected audit entry.

A detail read is one ``read`` entry naming the record; a list is one ``list``
entry naming every id on the page; a name search is one ``search`` entry
holding the blind-index digest of the name, and the name itself is nowhere in
the audit table. Writes leave one entry each. Editing the log is detected.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from rest_framework.test import APIClient

from node.accounts.models import User
from node.audit.models import AuditEntry
from node.privacy import name_digest
from shared.pseudonym import normalise_name
from tests.node import factories

pytestmark = pytest.mark.django_db

# API path -> (audit target_type, attribute of FullCase)
RECORDS = {
    "survivors": ("survivor", "survivor"),
    "traffickers": ("trafficker", "trafficker"),
    "cases": ("case", "case"),
    "case-survivors": ("casesurvivor", "link"),
    "defendants": ("defendant", "defendant"),
    "exploitations": ("exploitation", "exploitation"),
    "events": ("traffickingevent", "event"),
    "charges": ("charge", "charge"),
    "referrals": ("referral", "referral"),
    "steps": ("procedurestep", "steps"),
}


def last_id() -> int:
    return AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0


def entries_after(mark: int) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(id__gt=mark).order_by("id"))


def target(full: factories.FullCase, attribute: str) -> Any:
    value = getattr(full, attribute)
    return value[0] if isinstance(value, list) else value


@pytest.fixture
def three_cases(author: User) -> list[factories.FullCase]:
    return [factories.full_case(author) for _ in range(3)]


@pytest.mark.parametrize("path", list(RECORDS))
def test_reading_one_record_leaves_one_read_entry_naming_it(
    path: str, clerk: APIClient, seeded: factories.FullCase
) -> None:
    target_type, attribute = RECORDS[path]
    record_id = target(seeded, attribute).pk
    mark = last_id()
    response = clerk.get(f"/api/v1/{path}/{record_id}/")
    assert response.status_code == 200
    [entry] = entries_after(mark)
    assert (entry.action, entry.target_type, entry.target_id, entry.target_ids) == (
        "read", target_type, str(record_id), "")
    assert (entry.actor_id, entry.actor_role) == (clerk.user.pk, "clerk")


@pytest.mark.parametrize("path", list(RECORDS))
def test_a_list_leaves_one_list_entry_naming_the_ids_on_the_page(
    path: str, prosecutor: APIClient, three_cases: list[factories.FullCase]
) -> None:
    target_type, _ = RECORDS[path]
    mark = last_id()
    response = prosecutor.get(f"/api/v1/{path}/", {"limit": 2, "offset": 1})
    assert response.status_code == 200
    page = [row["id"] for row in response.json()["results"]]
    assert len(page) == 2 and response.json()["count"] > 2  # a page, not everything
    [entry] = entries_after(mark)
    assert (entry.action, entry.target_type, entry.target_id) == ("list", target_type, None)
    assert entry.target_ids == ",".join(map(str, page))
    assert entry.detail["count"] == 2


def _audit_table_text() -> list[str]:
    """Every column of every row of the audit table, as text."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {AuditEntry._meta.db_table}")  # noqa: S608
        return [str(value) for row in cursor.fetchall() for value in row]


@pytest.mark.parametrize("path", ["survivors", "traffickers", "cases"])
def test_a_name_search_records_the_digest_and_never_the_name(
    path: str, judge: APIClient, author: User
) -> None:
    canaries = factories.Canaries()
    found = factories.full_case(author, canaries)
    factories.full_case(author)
    name = (f"{canaries.family_name} {canaries.given_names}" if path != "traffickers"
            else f"{canaries.trafficker_given_names} {canaries.trafficker_family_name}")
    mark = last_id()
    response = judge.get(f"/api/v1/{path}/", {"name": name})
    assert response.status_code == 200
    expected = {"survivors": found.survivor, "traffickers": found.trafficker,
                "cases": found.case}[path].pk
    assert [row["id"] for row in response.json()["results"]] == [expected]
    [entry] = entries_after(mark)
    assert (entry.action, entry.target_ids) == ("search", str(expected))
    assert entry.detail == {"name_digest": name_digest(name), "count": 1}
    forms = {name, name.lower(), name.upper(), normalise_name(name),
             *name.split(), *normalise_name(name).split(), *name.lower().split()}
    leaks = [(form, text) for text in _audit_table_text() for form in forms
             if form.lower() in text.lower()]
    assert leaks == []


def _writes(full: factories.FullCase) -> list[tuple[str, str, dict[str, Any], str, str]]:
    """(method, path, body, expected action, expected target_type) of one write each."""
    link, defendant = full.link.pk, full.defendant.pk
    survivor = factories.survivor(None, family_name="Ndiaye").pk
    return [
        ("post", "/api/v1/survivors/", {"family_name": "Sow", "given_names": "Awa"},
         "create", "survivor"),
        ("patch", f"/api/v1/survivors/{full.survivor.pk}/", {"phone": "+221 70 000 00 00"},
         "update", "survivor"),
        ("post", "/api/v1/traffickers/", {"family_name": "Fall"}, "create", "trafficker"),
        ("patch", f"/api/v1/traffickers/{full.trafficker.pk}/", {"aliases": "Le borgne"},
         "update", "trafficker"),
        ("post", "/api/v1/cases/", {"parquet_number": "RP 900/2025", "reported_on": "2025-03-01",
                                    "identification_source": "ngo"}, "create", "case"),
        ("patch", f"/api/v1/cases/{full.case.pk}/", {"summary": "complété"}, "update", "case"),
        ("post", "/api/v1/events/", {"case": full.case.pk, "kind": "Transit", "country": "ML"},
         "create", "traffickingevent"),
        ("patch", f"/api/v1/exploitations/{full.exploitation.pk}/", {"site_type": "street"},
         "update", "exploitation"),
        ("post", "/api/v1/referrals/", {"case_survivor": link, "referral_type": "medical",
                                        "referred_on": "2025-03-12"}, "create", "referral"),
        ("patch", f"/api/v1/charges/{full.charge.pk}/", {"charged_on": "2025-03-13"},
         "update", "charge"),
        ("delete", f"/api/v1/referrals/{full.referral.pk}/", {}, "delete", "referral"),
        ("post", "/api/v1/case-survivors/", {"case": full.case.pk, "survivor": survivor,
                                             "identified_on": "2025-03-10"},
         "create", "casesurvivor"),
        ("post", "/api/v1/steps/", {"case": full.case.pk, "defendant": defendant,
                                    "step": "hearing", "occurred_on": "2025-04-02"},
         "create", "procedurestep"),
        ("post", f"/api/v1/steps/{full.steps[0].pk}/void/", {"reason": "doublon"},
         "void", "procedurestep"),
    ]


def test_a_record_has_the_same_audit_name_when_written_and_when_read(
    clerk: APIClient, author: User
) -> None:
    mark = last_id()
    full = factories.full_case(author)
    written = {(e.target_type, e.target_id) for e in entries_after(mark) if e.action == "create"}
    for path, (target_type, attribute) in RECORDS.items():
        record_id = target(full, attribute).pk
        assert (target_type, str(record_id)) in written, path
        mark = last_id()
        clerk.get(f"/api/v1/{path}/{record_id}/")
        assert [e.target_type for e in entries_after(mark)] == [target_type], path


def test_each_write_leaves_exactly_one_entry_of_its_kind(
    prosecutor: APIClient, seeded: factories.FullCase
) -> None:
    wrong = []
    for method, path, body, action, target_type in _writes(seeded):
        mark = last_id()
        response = getattr(prosecutor, method)(path, body, format="json")
        assert response.status_code < 300, (method, path, response.content)
        got = [(e.action, e.target_type) for e in entries_after(mark)]
        if got != [(action, target_type)]:
            wrong.append(f"{method.upper()} {path}: {got}")
    assert wrong == []


@pytest.fixture
def tamper() -> Any:
    """Run SQL on the audit table with its triggers off, as a database superuser could."""

    def _tamper(sql: str, params: list[object]) -> None:
        table = AuditEntry._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER ALL")
            cursor.execute(sql, params)
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER ALL")

    return _tamper


def test_the_chain_of_audited_reads_is_intact(
    auditor: APIClient, clerk: APIClient, seeded: factories.FullCase
) -> None:
    clerk.get(f"/api/v1/survivors/{seeded.survivor.pk}/")
    report = auditor.get("/api/v1/audit/verify").json()
    assert report["intact"] is True and report["entries"] > 10


def test_rewriting_an_audited_read_is_detected(
    auditor: APIClient, clerk: APIClient, seeded: factories.FullCase, tamper: Any
) -> None:
    mark = last_id()
    clerk.get(f"/api/v1/survivors/{seeded.survivor.pk}/")
    [read] = entries_after(mark)
    tamper("UPDATE audit_auditentry SET target_id = %s WHERE id = %s", ["999999", read.pk])
    report = auditor.get("/api/v1/audit/verify").json()
    assert (report["intact"], report["first_bad_id"], report["reason"]) == (
        False, read.pk, "hash_mismatch")


def test_deleting_an_audited_read_is_detected(
    auditor: APIClient, clerk: APIClient, seeded: factories.FullCase, tamper: Any
) -> None:
    mark = last_id()
    clerk.get(f"/api/v1/survivors/{seeded.survivor.pk}/")
    clerk.get(f"/api/v1/cases/{seeded.case.pk}/")
    read_survivor, read_case = entries_after(mark)
    tamper("DELETE FROM audit_auditentry WHERE id = %s", [read_survivor.pk])
    report = auditor.get("/api/v1/audit/verify").json()
    assert (report["intact"], report["first_bad_id"], report["reason"]) == (
        False, read_case.pk, "prev_hash_mismatch")
