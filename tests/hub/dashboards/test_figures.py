"""What analysts and partners read on the pages, against hand-computed figures."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.test import Client
from django.urls import reverse

from tests.hub.dashboards.support import (
    EXPECTED_DISTINCT,
    EXPECTED_FORM_SEX,
    EXPECTED_OVERLAP,
    EXPECTED_REGIONS,
    EXPECTED_SUM,
    YEAR,
    page_tables,
)

FORM_SEX = "Victimes par forme d'exploitation et sexe"
MAP = "Victimes identifiées par région"
PUBLISHED = re.compile(r"^(0|[1-9]\d*(\s\d{3})*)$")


def _tables(client: Client, name: str, **params: str) -> dict[str, dict[str, dict[str, str]]]:
    response = client.get(reverse(f"dashboards:{name}"), {"year": YEAR, **params})
    assert response.status_code == 200, response.content.decode()[:2000]
    return page_tables(response.content.decode())


def test_an_analyst_reads_the_exact_survivors_by_form_and_sex(
    hub_user: Callable[[str], Client], seeded: None
) -> None:
    table = _tables(hub_user("analyst"), "overview")[FORM_SEX]
    for row, expected in EXPECTED_FORM_SEX.items():
        assert {col: table[row][col] for col in expected} == expected, row


def test_an_analyst_reads_exact_counts_per_region(
    hub_user: Callable[[str], Client], seeded: None
) -> None:
    table = _tables(hub_user("analyst"), "overview")[MAP]
    assert {region: table[region]["Victimes"] for region in EXPECTED_REGIONS} == EXPECTED_REGIONS


def test_an_analyst_reads_distinct_survivors_and_the_sum_of_jurisdictions(
    hub_user: Callable[[str], Client], seeded: None
) -> None:
    html = hub_user("analyst").get(reverse("dashboards:overview"), {"year": YEAR}).content
    kpis = re.findall(r'<dd class="big">([^<]*)</dd>', html.decode())
    assert kpis == [EXPECTED_DISTINCT, EXPECTED_SUM, EXPECTED_OVERLAP]


def test_a_partner_never_sees_the_overlap_between_jurisdictions(
    hub_user: Callable[[str], Client], seeded: None
) -> None:
    html = hub_user("partner").get(reverse("dashboards:overview"), {"year": YEAR}).content
    page = html.decode()
    assert "Personnes connues de plusieurs juridictions" not in page
    assert "Somme des juridictions" not in page
    # 4 distinct survivors: below the threshold, withheld with the one symbol.
    assert re.findall(r'<dd class="big[^"]*">([^<]*)</dd>', page) == ["—"]


def test_a_partner_reads_only_rounded_or_masked_figures(
    hub_user: Callable[[str], Client], seeded: None
) -> None:
    tables = _tables(hub_user("partner"), "overview")
    shown = [text for table in tables.values() for row in table.values() for text in row.values()]
    assert "—" in shown
    for text in shown:
        assert text == "—" or int(text.replace("\u202f", "").replace("\xa0", "")) % 5 == 0, text
    assert tables[FORM_SEX]["Mendicité forcée"]["Masculin"] == "55"  # 54 exact, base 5
    assert "54" not in shown and "79" not in shown


def test_the_filter_by_region_keeps_one_jurisdiction(
    hub_user: Callable[[str], Client], seeded: None
) -> None:
    table = _tables(hub_user("analyst"), "overview", region="SN-KE")[FORM_SEX]
    assert table["Total"]["Total"] == "39"


def test_the_filter_by_court_of_appeal_keeps_its_jurisdictions(
    hub_user: Callable[[str], Client], seeded: None
) -> None:
    table = _tables(hub_user("analyst"), "overview", court_of_appeal="SN-CA-STL")[FORM_SEX]
    assert table["Total"]["Total"] == "40"


def test_a_period_without_data_shows_zeros(hub_user: Callable[[str], Client], seeded: None) -> None:
    table = _tables(hub_user("analyst"), "overview", year="2023")[FORM_SEX]
    assert table["Total"]["Total"] == "0"


def test_a_bad_filter_is_a_400_that_names_the_field(
    hub_user: Callable[[str], Client], seeded: None
) -> None:
    response = hub_user("analyst").get(
        reverse("dashboards:overview"), {"start": "2024-13", "region": "SN-XX"}
    )
    assert response.status_code == 400
    assert "Mois invalide" in response.content.decode()


def test_the_english_page_uses_english_labels(
    hub_user: Callable[[str], Client], seeded: None
) -> None:
    client = hub_user("analyst")
    client.post(reverse("dashboards:set-language"), {"language": "en", "next": "/"})
    html = client.get(reverse("dashboards:overview"), {"year": YEAR}).content.decode()
    assert '<html lang="en">' in html
    assert "Forced begging" in html
    assert "Survivors by form of exploitation and sex" in html


def test_every_download_link_is_an_export_the_api_serves(
    hub_user: Callable[[str], Client], seeded: None
) -> None:
    client = hub_user("partner")
    html = client.get(reverse("dashboards:glotip"), {"year": YEAR, "region": "SN-SL"})
    links = re.findall(r'href="(/api/v1/stats/[^"]+)"', html.content.decode())
    assert len(links) == 12  # six panels, CSV and XLSX each
    for link in links:
        response = client.get(link.replace("&amp;", "&"))
        assert response.status_code == 200, (link, response.content[:300])
