"""Releases of the same period keep earlier suppressions; exports carry the API's figures;
partners never see the overlap between jurisdictions."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from hub.ingest.models import Token, TokenKind, TokenSet
from hub.stats.models import PublishedCell
from shared.disclosure import TOTAL
from tests.hub.stats.support import cell_correct, node_for, seed

pytestmark = pytest.mark.django_db
T = "cases_victims_form"
URL = f"/api/v1/stats/{T}/"
MONTH = date(2024, 3, 1)
PARAMS = {"by": "victims,form", "start": "2024-01", "end": "2024-12"}  # partners: years only


def cells(response) -> dict[tuple[str, ...], dict]:
    return {tuple(c["key"]): c for c in response.json()["cells"]}


def correct(count: int) -> None:
    """A correction as ingest writes one: the month's cells deleted and inserted again."""
    cell_correct(T, count, d1="v2-4", d2="begging")


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
    correct(23)
    call_command("publish", stdout=io.StringIO())  # partners see the correction from now on
    second = cells(partner.get(URL, PARAMS))
    assert withheld <= {key for key, c in second.items() if c["suppressed"]}
    assert PublishedCell.objects.filter(table=T, key="form=begging;victims=v2-4").exists()


def test_without_an_earlier_release_the_corrected_cell_is_published(
    partner: Client, seeded: None
) -> None:
    correct(23)
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
def test_dhis2_values_add_up_to_the_api_values(persona: str, seeded: None,
                                               request: pytest.FixtureRequest) -> None:
    client: Client = request.getfixturevalue(persona)
    seed("SN-TGI-KED", T, MONTH, {("v5-9", "sexual_exploitation"): 50})  # nothing to hide
    api = {key: c["value"] for key, c in cells(client.get(URL, PARAMS)).items()
           if TOTAL not in key and c["value"]}
    assert api
    body = client.get(f"/api/v1/stats/{T}/dhis2", PARAMS).json()
    got: dict[tuple[str, ...], int] = {}  # analysts: month by month; partners: the year
    for v in body["dataValues"]:
        key = tuple(v["categoryOptionCombo"].split("."))
        got[key] = got.get(key, 0) + int(v["value"])
    got = {key: n for key, n in got.items() if n}
    assert got == api
    periods = {v["period"] for v in body["dataValues"] if v["value"] != "0"}
    assert periods == ({"202403"} if persona == "analyst" else {"2024"})
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


def test_partners_asking_for_months_get_a_400_naming_the_parameter(partner: Client,
                                                                   seeded: None) -> None:
    response = partner.get(URL, {**PARAMS, "start": "2024-03", "end": "2024-03"})
    assert response.status_code == 400
    assert "start" in response.json()


def test_a_correction_reaches_partners_at_the_next_publication(partner: Client,
                                                                seeded: None) -> None:
    assert cells(partner.get(URL, PARAMS))[(TOTAL, TOTAL)]["value"] == 100  # 98
    cell_correct(T, 61, d1="v1", d2="begging")
    assert cells(partner.get(URL, PARAMS))[(TOTAL, TOTAL)]["value"] == 100  # the stored release
    call_command("publish", stdout=io.StringIO())
    assert cells(partner.get(URL, PARAMS))[(TOTAL, TOTAL)]["value"] == 120  # 119


def test_a_repeated_partner_request_is_answered_from_the_release_cache(
    partner: Client, seeded: None
) -> None:
    first = partner.get(URL, PARAMS).json()
    # no exact count is read and nothing is recorded: the stored release, from the cache
    with CaptureQueriesContext(connection) as queries:
        again = partner.get(URL, {**PARAMS, "by": "form"}).json()
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    assert "stats_publishedcell" not in sql and "SUM(" not in sql.upper()
    assert again["cells"][0]["value"] == next(
        c["value"] for c in first["cells"] if c["key"] == [TOTAL, again["cells"][0]["key"][0]])
