"""A case file built through the public API, as a greffier would build it."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def post(client: APIClient, url: str, data: dict[str, Any], expect: int = 201) -> dict[str, Any]:
    response = client.post(url, data, format="json")
    assert response.status_code == expect, response.content
    return response.json()


def a_case(client: APIClient, number: str = "RP 12/2025") -> dict[str, Any]:
    return post(
        client,
        "/api/v1/cases/",
        {
            "parquet_number": number,
            "reported_on": "2025-03-10",
            "identification_source": "police",
            "cross_border": True,
        },
    )


def test_a_clerk_builds_a_case_from_report_to_judgment(clerk: APIClient) -> None:
    case = a_case(clerk)
    survivor = post(
        clerk,
        "/api/v1/survivors/",
        {
            "family_name": "DIALLO",
            "given_names": "Mamadou",
            "sex": "Male",
            "estimated_age": 11,
            "nationality": "GW",
            "origin_country": "GW",
            "talibe": True,
            "vulnerabilities": ["talibe", "unaccompanied_minor"],
        },
    )
    link = post(
        clerk,
        "/api/v1/case-survivors/",
        {"case": case["id"], "survivor": survivor["id"], "identified_on": "2025-03-10"},
    )
    post(
        clerk,
        "/api/v1/exploitations/",
        {
            "case_survivor": link["id"],
            "form": "begging",
            "subtype": "talibe_begging",
            "means_of_control": ["PhysicalAbuse", "WithholdsNecessities"],
            "site_type": "daara",
            "start_month": "2024-09",
        },
    )
    trafficker = post(
        clerk,
        "/api/v1/traffickers/",
        {
            "family_name": "Ba",
            "given_names": "Oumar",
            "sex": "Male",
            "occupation": "quranic_teacher",
        },
    )
    defendant = post(
        clerk,
        "/api/v1/defendants/",
        {
            "case": case["id"],
            "trafficker": trafficker["id"],
            "relationship": "QuranicTeacher",
            "roles": ["Exploiter"],
        },
    )
    post(
        clerk,
        "/api/v1/charges/",
        {
            "defendant": defendant["id"],
            "offence": "L2005-06-art3",
            "charged_on": "2025-03-12",
            "survivors": [link["id"]],
        },
    )
    post(
        clerk,
        "/api/v1/steps/",
        {
            "case": case["id"],
            "defendant": defendant["id"],
            "step": "police_custody",
            "occurred_on": "2025-03-11",
        },
    )
    judgment = post(
        clerk,
        "/api/v1/steps/",
        {
            "case": case["id"],
            "defendant": defendant["id"],
            "step": "judgment",
            "occurred_on": "2025-06-02",
            "outcome": "convicted",
            "prison_months": 24,
            "fine_fcfa": 500000,
        },
    )
    assert judgment["warnings"] == []
    case_now = clerk.get(f"/api/v1/cases/{case['id']}/").json()
    assert case_now["stage"] == "judged"
    assert (case_now["survivor_count"], case_now["defendant_count"]) == (1, 1)


def test_a_case_is_found_by_a_survivor_name_in_another_spelling(clerk: APIClient) -> None:
    case = a_case(clerk)
    survivor = post(clerk, "/api/v1/survivors/", {"family_name": "N'Diaye", "given_names": "Fatou"})
    post(
        clerk,
        "/api/v1/case-survivors/",
        {"case": case["id"], "survivor": survivor["id"], "identified_on": "2025-03-10"},
    )
    a_case(clerk, "RP 13/2025")
    found = clerk.get("/api/v1/cases/", {"name": "NDIAYE fatou"}).json()["results"]
    assert [c["id"] for c in found] == [case["id"]]
    assert clerk.get("/api/v1/cases/", {"name": "Diop"}).json()["results"] == []


def test_a_sentence_without_a_conviction_is_refused_naming_the_field(clerk: APIClient) -> None:
    case = a_case(clerk)
    body = post(
        clerk,
        "/api/v1/steps/",
        {
            "case": case["id"],
            "step": "judgment",
            "occurred_on": "2025-05-01",
            "outcome": "acquitted",
            "prison_months": 12,
        },
        expect=400,
    )
    assert list(body) == ["prison_months"]


def test_a_step_before_the_report_or_in_the_future_is_refused(clerk: APIClient) -> None:
    case = a_case(clerk)
    before = post(
        clerk,
        "/api/v1/steps/",
        {"case": case["id"], "step": "hearing", "occurred_on": "2025-01-01"},
        expect=400,
    )
    assert "occurred_on" in before
    future = post(
        clerk,
        "/api/v1/steps/",
        {"case": case["id"], "step": "hearing", "occurred_on": "2999-01-01"},
        expect=400,
    )
    assert "occurred_on" in future


def test_a_step_out_of_its_usual_order_is_accepted_with_a_warning(clerk: APIClient) -> None:
    case = a_case(clerk)
    post(
        clerk,
        "/api/v1/steps/",
        {"case": case["id"], "step": "hearing", "occurred_on": "2025-04-01"},
    )
    late = post(
        clerk,
        "/api/v1/steps/",
        {"case": case["id"], "step": "preliminary_investigation", "occurred_on": "2025-04-02"},
    )
    assert late["warnings"] and "ordre habituel" in late["warnings"][0]


def test_an_unknown_code_and_an_impossible_age_name_their_fields(clerk: APIClient) -> None:
    body = post(clerk, "/api/v1/survivors/", {"sex": "Martian", "estimated_age": 121}, expect=400)
    assert set(body) == {"sex", "estimated_age"}


def test_a_judge_records_a_judgment_but_cannot_drop_a_case(
    judge: APIClient, clerk: APIClient
) -> None:
    case = a_case(clerk)
    post(
        judge,
        "/api/v1/steps/",
        {"case": case["id"], "step": "hearing", "occurred_on": "2025-04-01"},
    )
    response = judge.post(
        "/api/v1/steps/",
        {"case": case["id"], "step": "classement_sans_suite", "occurred_on": "2025-04-02"},
        format="json",
    )
    assert response.status_code == 403


def test_only_a_prosecutor_drops_a_case(prosecutor: APIClient, clerk: APIClient) -> None:
    case = a_case(clerk)
    assert (
        clerk.post(
            "/api/v1/steps/",
            {"case": case["id"], "step": "classement_sans_suite", "occurred_on": "2025-04-02"},
            format="json",
        ).status_code
        == 403
    )
    post(
        prosecutor,
        "/api/v1/steps/",
        {"case": case["id"], "step": "classement_sans_suite", "occurred_on": "2025-04-02"},
    )
    assert prosecutor.get(f"/api/v1/cases/{case['id']}/").json()["stage"] == "dropped"


def test_a_possible_duplicate_survivor_is_flagged_on_creation(clerk: APIClient) -> None:
    first = post(
        clerk,
        "/api/v1/survivors/",
        {"family_name": "Diallo", "given_names": "Mamadou", "birth_year": 2014},
    )
    second = post(
        clerk,
        "/api/v1/survivors/",
        {"family_name": "DJALO", "given_names": "Mamadou", "birth_year": 2015},
    )
    third = post(
        clerk,
        "/api/v1/survivors/",
        {"family_name": "Diop", "given_names": "Mamadou", "birth_year": 2014},
    )
    assert second["possible_duplicates"] == [first["id"]]
    assert third["possible_duplicates"] == []


def test_a_voided_step_no_longer_sets_the_stage(prosecutor: APIClient) -> None:
    case = a_case(prosecutor)
    step = post(
        prosecutor,
        "/api/v1/steps/",
        {"case": case["id"], "step": "classement_sans_suite", "occurred_on": "2025-04-02"},
    )
    post(
        prosecutor, f"/api/v1/steps/{step['id']}/void/", {"reason": "erreur de saisie"}, expect=200
    )
    assert prosecutor.get(f"/api/v1/cases/{case['id']}/").json()["stage"] == "reported"
