"""The case list's pages and totals: the total travels with the page's query."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from node.accounts.models import User
from node.cases.models import CaseSurvivor
from tests.node import factories

pytestmark = pytest.mark.django_db
URL = "/api/v1/cases/"


@pytest.fixture
def five_cases(author: User) -> list[int]:
    return [factories.case(author).pk for _ in range(5)]


def _page(client: APIClient, **params: object) -> dict[str, object]:
    response = client.get(URL, params)
    assert response.status_code == 200, response.content
    return response.json()  # type: ignore[no-any-return]


def test_each_page_reports_the_total_and_its_neighbours(
    five_cases: list[int], clerk: APIClient
) -> None:
    first, last = _page(clerk, limit=2), _page(clerk, limit=2, offset=4)
    assert (first["count"], len(first["results"]), first["previous"]) == (5, 2, None)
    assert "offset=2" in str(first["next"])
    assert (last["count"], len(last["results"]), last["next"]) == (5, 1, None)


def test_the_page_and_its_total_cost_one_query(five_cases: list[int], clerk: APIClient) -> None:
    _page(clerk, limit=2)  # warm the session
    with CaptureQueriesContext(connection) as queries:
        _page(clerk, limit=2)
    case_queries = [q["sql"] for q in queries if '"cases_case"' in q["sql"]]
    assert len(case_queries) == 1 and "COUNT(*)" in case_queries[0]


def test_a_page_past_the_end_is_empty_and_still_counts(
    five_cases: list[int], clerk: APIClient
) -> None:
    page = _page(clerk, limit=2, offset=10)
    assert (page["count"], page["results"]) == (5, [])


def test_an_empty_list_counts_zero(clerk: APIClient) -> None:
    assert (_page(clerk)["count"], _page(clerk)["results"]) == (0, [])


def test_the_total_counts_the_filtered_cases_once_each(
    five_cases: list[int], author: User, clerk: APIClient
) -> None:
    # Two survivors of the same name in one case: the name filter joins twice.
    named = factories.case(author)
    for _ in range(2):
        factories.record(
            author,
            CaseSurvivor,
            case=named,
            identified_on=date(2025, 3, 10),
            survivor=factories.survivor(author, family_name="Sarr"),
        )
    page = _page(clerk, name="Sarr", limit=1)
    assert (page["count"], [row["id"] for row in page["results"]]) == (1, [named.pk])
    assert _page(clerk, limit=2)["count"] == 6
