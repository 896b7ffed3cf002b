"""Releases of the same period keep earlier suppressions; exports carry the API's figures;
partners never see the overlap between jurisdictions."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.test import Client
from openpyxl import load_workbook

from hub.ingest.models import Cell, Token, TokenKind, TokenSet
from hub.stats.models import PublishedCell
from shared.disclosure import TOTAL
from tests.hub.stats.support import node_for, seed

pytestmark = pytest.mark.django_db
T = "cases_victims_form"
URL = f"/api/v1/stats/{T}/"
MONTH = date(2024, 3, 1)
PARAMS = {"by": "victims,form", "start": "2024-03", "end": "2024-03"}


def cells(response) -> dict[tuple[str, ...], dict]:
    return {tuple(c["key"]): c for c in response.json()["cells"]}


@pytest.fixture
def seeded() -> None:
    seed("SN-TGI-KED", T, MONTH, {("v1", "begging"): 40, ("v2-4", "begging"): 3,
                                  ("v1", "forced_labour"): 25, ("v2-4", "forced_labour"): 30})


def test_a_correction_does_not_reveal_a_cell_an_earlier_release_withheld(
    partner: Client, seeded: None
) -> None:
    first = cells(partner.get(URL, PARAMS))
    withheld = {key for key, c in first.items() if c["suppressed"]}
    assert ("v2-4", "begging") in withheld
    Cell.objects.filter(table=T, d1="v2-4", d2="begging").update(count=23)  # a correction
    second = cells(partner.get(URL, PARAMS))
    assert withheld <= {key for key, c in second.items() if c["suppressed"]}
    assert PublishedCell.objects.filter(table=T, key="form=begging;victims=v2-4").exists()


def test_without_an_earlier_release_the_corrected_cell_is_published(
    partner: Client, seeded: None
) -> None:
    Cell.objects.filter(table=T, d1="v2-4", d2="begging").update(count=23)
    assert cells(partner.get(URL, PARAMS))[("v2-4", "begging")]["value"] == 25


def test_every_by_of_one_table_shows_a_shared_cell_the_same_way(
    partner: Client, seeded: None
) -> None:
    full = cells(partner.get(URL, PARAMS))
    by_form = cells(partner.get(URL, {**PARAMS, "by": "form"}))
    assert by_form[("begging",)] == {**full[(TOTAL, "begging")], "key": ["begging"]}


@pytest.mark.parametrize("persona", ["analyst", "partner"])
def test_csv_and_xlsx_exports_carry_the_api_figures(persona: str, seeded: None,
                                                    request: pytest.FixtureRequest) -> None:
    client: Client = request.getfixturevalue(persona)
    api = {key: c["value"] for key, c in cells(client.get(URL, PARAMS)).items()}
    text = client.get(f"/api/v1/stats/{T}/export.csv", PARAMS).content.decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    from_csv = {(r["victims"], r["form"]): (int(r["value"]) if r["value"] else None) for r in rows}
    assert from_csv == api
    book = load_workbook(io.BytesIO(client.get(f"/api/v1/stats/{T}/export.xlsx", PARAMS).content))
    sheet = list(book.active.iter_rows(values_only=True))
    assert {(r[0], r[1]): r[2] for r in sheet[1:]} == api


@pytest.mark.parametrize("persona", ["analyst", "partner"])
def test_dhis2_values_equal_the_monthly_api_values(persona: str, seeded: None,
                                                   request: pytest.FixtureRequest) -> None:
    client: Client = request.getfixturevalue(persona)
    api = {key: c["value"] for key, c in cells(client.get(URL, PARAMS)).items()
           if TOTAL not in key and c["value"] is not None}
    body = client.get(f"/api/v1/stats/{T}/dhis2", PARAMS).json()
    got = {tuple(v["categoryOptionCombo"].split(".")): int(v["value"]) for v in body["dataValues"]}
    assert got == api
    assert {v["period"] for v in body["dataValues"]} == {"202403"}
    assert {v["orgUnit"] for v in body["dataValues"]} == {"SN"}


def test_the_ctdc_export_uses_htcds_names(analyst: Client) -> None:
    seed("SN-TGI-KED", "survivors_sex_age_form", MONTH, {("Female", "9-17", "begging"): 12})
    text = analyst.get("/api/v1/stats/ctdc.csv").content.decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {"gender", "ageBroad", "citizenship", "typeOfExploitConcatenated"} <= set(rows[0])
    assert {"gender": "Female", "ageBroad": "9--17", "count": "12"}.items() <= rows[0].items()


def overlap_tokens() -> None:
    for jurisdiction, tokens in (("SN-TGI-KED", ["a", "b", "c"]), ("SN-TGI-STL", ["c", "d"])):
        ts = TokenSet.objects.create(node=node_for(jurisdiction), year=2024,
                                     kind=TokenKind.SURVIVOR, key_id="k", sequence=1)
        Token.objects.bulk_create(Token(token_set=ts, token=t * 64) for t in tokens)


def test_analysts_see_distinct_survivors_and_the_overlap(analyst: Client) -> None:
    overlap_tokens()
    body = analyst.get("/api/v1/indicators/national-survivors", {"year": "2024"}).json()
    assert body["distinct"] == 4 and body["sum_of_jurisdictions"] == 5 and body["overlap"] == 1


def test_partners_never_see_the_overlap(partner: Client) -> None:
    overlap_tokens()
    body = partner.get("/api/v1/indicators/national-survivors", {"year": "2024"}).json()
    assert set(body) == {"year", "distinct", "suppressed"}
    assert body["distinct"] is None and body["suppressed"] is True


def test_sdg_16_2_2_divides_by_the_population_of_the_sex(analyst: Client) -> None:
    seed("SN-TGI-KED", "survivors_sex_age_form", MONTH, {("Female", "9-17", "begging"): 12,
                                                         ("Female", "0-8", "begging"): 8})
    body = analyst.get("/api/v1/indicators/sdg-16-2-2", {"year": "2024"}).json()
    row = next(r for r in body["rows"] if r["key"] == ["Female", "child", "begging"])
    assert row["victims"] == 20
    assert row["rate_per_100000"] == round(20 * 100_000 / row["population"], 3)


def test_the_pipeline_indicator_answers_for_both_audiences(analyst: Client,
                                                           partner: Client) -> None:
    seed("SN-TGI-KED", "durations", MONTH, {("report_to_judgment", "d7-13"): 10,
                                            ("report_to_judgment", "d14-20"): 10})
    body = analyst.get("/api/v1/indicators/pipeline").json()
    assert body["median_days_report_to_judgment"] == 14.0
    assert partner.get("/api/v1/indicators/pipeline").status_code == 200
