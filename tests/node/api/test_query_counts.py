"""A list costs the same number of queries whatever the size of its page.

Each list endpoint is read twice over the same twelve cases, with pages of 2
and of 12 rows: any query per row (a missing select_related or
prefetch_related) makes the two counts differ.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from node.accounts.models import User
from node.accounts.roles import Role
from tests.node import factories
from tests.node.personas import make_user

pytestmark = pytest.mark.django_db

CASE_LISTS = ["cases", "survivors", "traffickers", "case-survivors", "defendants",
              "exploitations", "events", "charges", "referrals", "steps"]
LISTS = [*[(path, Role.CLERK) for path in CASE_LISTS], ("audit", Role.AUDITOR),
         ("users", Role.ADMIN)]
ROWS = 12


@pytest.fixture
def twelve_cases(author: User) -> None:
    for _ in range(ROWS):
        factories.full_case(author)


def queries_for(client: APIClient, url: str, limit: int) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, {"limit": limit})
    assert response.status_code == 200, response.content
    assert len(response.json()["results"]) == limit  # the page really has that many rows
    return [q["sql"] for q in captured.captured_queries]


@pytest.mark.parametrize(("path", "role"), LISTS, ids=[p for p, _ in LISTS])
def test_a_list_costs_as_many_queries_for_12_rows_as_for_2(
    path: str, role: str, twelve_cases: None, staff: Callable[..., APIClient]
) -> None:
    if path == "users":
        for _ in range(ROWS):
            make_user(Role.JUDGE, otp=False)
    client = staff(role)
    url = f"/api/v1/{path}/"
    queries_for(client, url, 1)  # warm caches (content types, code lists, session)
    small, large = queries_for(client, url, 2), queries_for(client, url, ROWS)
    assert len(small) == len(large), "\n".join(large)
