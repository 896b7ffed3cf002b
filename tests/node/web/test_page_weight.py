"""A first load must stay small on a slow line: HTML + CSS + JS of the home page and
of a full case page, measured uncompressed. The numbers are printed (-s) for the record."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

from tests.node import factories

pytestmark = pytest.mark.django_db

BUDGET_BYTES = 30_000  # uncompressed; gzip divides text by about four


def _assets() -> int:
    return sum(Path(str(finders.find(name))).stat().st_size
               for name in ("web/web.css", "web/web.js"))


@pytest.mark.parametrize("page", ["home", "case"])
def test_a_first_load_stays_under_budget(greffier: Client, seeded_case: factories.FullCase,
                                         page: str) -> None:
    url = reverse("web:home") if page == "home" else reverse(
        "web:case-detail", args=[seeded_case.case.pk])
    html = len(greffier.get(url).content)
    total = html + _assets()
    print(f"\n{page}: html={html} B, css+js={_assets()} B, total={total} B")
    assert total < BUDGET_BYTES
