"""What a stolen dump of the node's database shows: no name, no contact, no note.

Canary values go in through the services and the API; then a raw ``SELECT *``
over every table of the database must not show any of them, in any spelling
the node computes (lower/upper case, ``normalise_name``). Every encrypted
column holds ``v1.`` ciphertext.
"""

from __future__ import annotations

from collections.abc import Iterable

import pytest
from django.apps import apps
from django.db import connection
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from node.accounts.models import User
from node.privacy import EncryptedTextField
from shared.pseudonym import normalise_name
from tests.node import factories

pytestmark = pytest.mark.django_db

# Columns that must be encrypted: a field turned into a plain TextField fails here.
MUST_BE_ENCRYPTED = {
    ("people_survivor", c) for c in (
        "family_name", "given_names", "aliases", "birth_date", "phone", "address",
        "document_number", "notes", "father_given_name", "mother_name", "birth_place",
        "origin_place")
} | {
    ("people_trafficker", c) for c in (
        "family_name", "given_names", "aliases", "phone", "address", "document_number",
        "notes", "legal_name")
} | {("cases_case", "summary"), ("cases_exploitation", "place_detail"),
     ("cases_traffickingevent", "place"), ("cases_referral", "organisation"),
     ("cases_procedurestep", "notes"), ("cases_stepvoid", "reason")}


def encrypted_columns() -> set[tuple[str, str]]:
    return {
        (model._meta.db_table, field.column)
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, EncryptedTextField)
    }


def _text(value: object) -> str:
    if isinstance(value, memoryview | bytes):
        return bytes(value).decode("latin-1")
    return str(value)


def database_text() -> str:
    """Every value of every row of every table, as one text (what a dump shows)."""
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            chunks.extend(_text(value) for row in cursor.fetchall() for value in row)
    return "\n".join(chunks)


def spellings(value: str) -> set[str]:
    """The forms a value may take once stored: as typed, folded, normalised."""
    forms = {value, value.lower(), value.upper(), normalise_name(value)}
    return {form for form in forms if len(form) >= 6}


def leaked(values: Iterable[str], text: str) -> list[str]:
    return sorted(form for value in values for form in spellings(value) if form in text)


def test_every_identifying_column_is_an_encrypted_field() -> None:
    assert MUST_BE_ENCRYPTED <= encrypted_columns()


def test_no_canary_is_readable_anywhere_in_the_database(author: User, clerk: APIClient) -> None:
    canaries = factories.Canaries()
    full = factories.full_case(author, canaries)
    response = clerk.post(f"/api/v1/steps/{full.steps[0].pk}/void/",
                          {"reason": "Motif canari Kanarivoid"}, format="json")
    assert response.status_code == 200
    clerk.get("/api/v1/survivors/", {"name": canaries.family_name})  # a search, audited
    assert leaked([*canaries.values(), "Motif canari Kanarivoid"], database_text()) == []


def test_every_encrypted_value_at_rest_is_v1_ciphertext(author: User) -> None:
    factories.full_case(author, factories.Canaries())
    factories.full_case(author)
    plain = []
    seen = 0
    with connection.cursor() as cursor:
        for table, column in sorted(encrypted_columns()):
            quoted = connection.ops.quote_name
            cursor.execute(f"SELECT {quoted(column)} FROM {quoted(table)}")  # noqa: S608
            for (value,) in cursor.fetchall():
                if value:
                    seen += 1
                    if not value.startswith("v1."):
                        plain.append(f"{table}.{column}: {value[:20]!r}")
    assert plain == []
    assert seen >= len(MUST_BE_ENCRYPTED) - 2  # birth_date and legal_name of one person


def test_the_canary_check_would_see_a_clear_value(author: User) -> None:
    """The check above can fail: a value written in clear is found."""
    with connection.cursor() as cursor:
        cursor.execute("UPDATE cases_case SET parquet_number = %s", ["KANARIOU-EN-CLAIR"])
    factories.case(author, parquet_number="Zorbanekou 1/2025")
    assert leaked(["KANARIOU-EN-CLAIR", "Zorbanekou"], database_text()) != []


LETTERS = st.sampled_from(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "àâäçéèêëîïôöùûüÿñÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸÑ'\u2019"  # both apostrophes
)
NAMES = st.text(LETTERS, min_size=6, max_size=24).filter(
    lambda n: sum(ch.isalpha() for ch in n) >= 6 and len(normalise_name(n)) >= 4
)


@settings(max_examples=20, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(family=NAMES, given_name=NAMES)
def test_generated_names_are_never_readable_at_rest(
    clerk: APIClient, family: str, given_name: str
) -> None:
    before = database_text()
    assume(not leaked([family, given_name], before))  # not a word the schema already holds
    response = clerk.post("/api/v1/survivors/", {
        "family_name": family, "given_names": given_name, "mother_name": family,
        "notes": f"{given_name} {family}", "estimated_age": 12}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["family_name"] == family
    assert clerk.get("/api/v1/survivors/", {"name": f"{given_name} {family}"}).status_code == 200
    assert leaked([family, given_name], database_text()) == []
