"""The statistics API: exact figures for analysts, protected ones for partners,
precise 400s, and the audit of every analyst read."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from node.audit.models import AuditEntry
from shared.disclosure import TOTAL
from tests.hub.stats.support import seed

T = "survivors_sex_age_form"
URL = f"/api/v1/stats/{T}/"
JAN, FEB = date(2024, 1, 1), date(2024, 2, 1)

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded() -> None:
    seed("SN-TGI-KED", T, JAN, {("Female", "9-17", "begging"): 30, ("Male", "9-17", "begging"): 4,
                                ("Female", "18-20", "sexual_exploitation"): 12})
    seed("SN-TGI-KED", T, FEB, {("Female", "9-17", "begging"): 7})
    seed("SN-TGI-STL", T, JAN, {("Male", "9-17", "begging"): 41, ("Female", "9-17", "begging"): 2,
                                ("Male", "18-20", "forced_labour"): 3})


def cells(response) -> dict[tuple[str, ...], dict]:
    return {tuple(c["key"]): c for c in response.json()["cells"]}


def test_analysts_get_hand_computed_exact_sums(analyst: Client, seeded: None) -> None:
    got = cells(analyst.get(URL, {"by": "sex,form"}))
    assert got[("Female", "begging")]["value"] == 30 + 7 + 2
    assert got[("Male", "begging")]["value"] == 4 + 41
    assert got[("Female", TOTAL)]["value"] == 30 + 7 + 2 + 12
    assert got[(TOTAL, TOTAL)]["value"] == 30 + 4 + 12 + 7 + 41 + 2 + 3
    assert got[("Unknown", "begging")]["value"] == 0


def test_a_period_keeps_only_its_months(analyst: Client, seeded: None) -> None:
    got = cells(analyst.get(URL, {"by": "sex", "start": "2024-02", "end": "2024-02"}))
    assert got[("Female",)]["value"] == 7


def test_geography_adds_a_leading_area_dimension(analyst: Client, seeded: None) -> None:
    response = analyst.get(URL, {"by": "sex", "geography": "court_of_appeal"})
    assert response.json()["columns"] == ["geo", "sex"]
    got = cells(response)
    assert got[("SN-CA-TAM", "Male")]["value"] == 4
    assert got[("SN-CA-STL", "Male")]["value"] == 41 + 3


def test_a_filter_keeps_only_its_jurisdictions(analyst: Client, seeded: None) -> None:
    got = cells(analyst.get(URL, {"by": "sex", "region": "SN-SL"}))
    assert got[(TOTAL,)]["value"] == 46


def test_partners_see_small_cells_suppressed_and_the_others_rounded(
    partner: Client, seeded: None
) -> None:
    response = partner.get(URL, {"by": "sex,form"})
    got = cells(response)
    assert response.json()["audience"] == "partner"
    assert got[("Female", "sexual_exploitation")] == {
        "key": ["Female", "sexual_exploitation"], "value": 10, "suppressed": False}
    assert got[("Male", "forced_labour")] == {
        "key": ["Male", "forced_labour"], "value": None, "suppressed": True}
    assert all(c["value"] is None or c["value"] % 5 == 0 for c in got.values())


def test_partners_never_see_a_count_below_the_threshold(partner: Client, seeded: None) -> None:
    for by in ("sex", "sex,age_band", "sex,age_band,form", "form,age_band"):
        for cell in partner.get(URL, {"by": by, "geography": "jurisdiction"}).json()["cells"]:
            assert cell["value"] is None or cell["value"] == 0 or cell["value"] >= 10


def test_primary_and_secondary_suppression_look_the_same(partner: Client, seeded: None) -> None:
    got = partner.get(URL, {"by": "sex,age_band,form"}).json()["cells"]
    withheld = [c for c in got if c["suppressed"]]
    assert withheld and all(set(c) == {"key", "value", "suppressed"} and c["value"] is None
                            for c in withheld)


@pytest.mark.parametrize(("params", "field"), [
    ({"by": "colour"}, "by"),
    ({"by": "sex", "colour": "red"}, "colour"),
    ({"start": "2024-13"}, "start"),
    ({"end": "janvier"}, "end"),
    ({"region": "SN-XX"}, "region"),
    ({"court_of_appeal": "SN-TGI-KED"}, "court_of_appeal"),
    ({"jurisdiction": "SN-TGI-NOPE"}, "jurisdiction"),
    ({"geography": "planet"}, "geography"),
    ({"start": "2024-05", "end": "2024-01"}, "start"),
])
def test_a_bad_parameter_is_a_400_naming_it(analyst: Client, params: dict, field: str) -> None:
    response = analyst.get(URL, params)
    assert response.status_code == 400
    assert field in response.json()


def test_summing_a_multi_valued_dimension_is_refused_naming_by(analyst: Client) -> None:
    response = analyst.get("/api/v1/stats/survivors_control_form_agegroup/", {"by": "form"})
    assert response.status_code == 400
    assert "by" in response.json()


def test_margins_over_a_multi_valued_dimension_are_not_published(analyst: Client) -> None:
    table = "survivors_control_form_agegroup"
    seed("SN-TGI-KED", table, JAN, {("Threats", "begging", "child"): 20,
                                    ("DebtBondage", "begging", "child"): 15})
    got = cells(analyst.get(f"/api/v1/stats/{table}/", {"by": "means_of_control,form"}))
    assert got[("Threats", "begging")]["value"] == 20
    assert got[("Threats", TOTAL)]["value"] == 20
    assert not any(key[0] == TOTAL for key in got)


def test_only_the_catalogue_can_be_queried(analyst: Client) -> None:
    assert analyst.get("/api/v1/stats/auth_user/").status_code == 404


def test_the_catalogue_lists_every_table_with_its_dimensions(partner: Client) -> None:
    tables = {t["name"]: t for t in partner.get("/api/v1/stats/").json()}
    assert len(tables) == 20
    assert [d["name"] for d in tables[T]["dimensions"]] == ["sex", "age_band", "form"]
    assert tables[T]["en"].startswith("Survivors")


def test_every_analyst_read_is_audited(analyst: Client, seeded: None) -> None:
    analyst.get(URL, {"by": "sex"})
    analyst.get(f"/api/v1/stats/{T}/export.csv", {"by": "sex"})
    entries = AuditEntry.objects.filter(action="stats_read", target_id=T)
    assert sorted(e.detail["what"] for e in entries) == ["api", "export_csv"]
    assert all(e.actor_username == "ana" and e.detail["by"] == "sex" for e in entries)


def test_partner_reads_are_not_audited_as_exact_reads(partner: Client, seeded: None) -> None:
    partner.get(URL, {"by": "sex"})
    assert not AuditEntry.objects.filter(action="stats_read").exists()
