"""Contract tests for shared.codes: the code lists node and hub both depend on."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared import codes
from shared.codes import (
    CodeListError,
    age_band_for,
    age_group_for,
    code_list,
    code_list_names,
    court_of_appeal,
    flow_type_for,
    jurisdictions,
    pilot_jurisdictions,
    region_of,
)

PACKAGED = Path(codes.__file__).parent / "data" / "codes"
REQUIRED_LISTS = {
    "region", "court", "country", "exploitation_form", "exploitation_subtype", "site_type",
    "means_of_control", "recruitment_method", "perpetrator_role", "recruiter_relationship",
    "gender", "age_band", "age_group", "case_status", "identification_source",
    "trafficking_event", "procedure_step", "pipeline_stage", "outcome", "offence",
    "referral_type", "referral_status", "vulnerability", "occupation", "consent", "flow_type",
}  # fmt: skip
HTCDS_LISTS = ["means_of_control", "recruitment_method", "perpetrator_role",
               "recruiter_relationship", "gender", "case_status", "trafficking_event"]  # fmt: skip
PILOT_APPEAL = {
    "SN-TGI-DKR": "SN-CA-DKR",
    "SN-TGI-KED": "SN-CA-TAM",
    "SN-TGI-STL": "SN-CA-STL",
    "SN-TGI-TAM": "SN-CA-TAM",
    "SN-TGI-THS": "SN-CA-THS",
}


def raw_list(name: str) -> dict[str, Any]:
    """The packaged file as JSON, so checks do not go through the loader they test."""
    raw: dict[str, Any] = json.loads((PACKAGED / f"{name}.json").read_text(encoding="utf-8"))
    return raw


@pytest.fixture(autouse=True)
def fresh_cache(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Test the shipped lists, uncached: an override is read once per process."""
    monkeypatch.delenv(codes.OVERRIDE_ENV, raising=False)
    code_list.cache_clear()
    yield
    code_list.cache_clear()


@pytest.fixture
def override_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(codes.OVERRIDE_ENV, str(tmp_path))
    return tmp_path


def write_list(directory: Path, name: str, entries: list[dict[str, Any]]) -> Path:
    path = directory / f"{name}.json"
    path.write_text(json.dumps({"name": name, "codes": entries}), encoding="utf-8")
    return path


# Every list ---------------------------------------------------------------------------


def test_every_required_list_is_packaged() -> None:
    assert REQUIRED_LISTS <= set(code_list_names())


@pytest.mark.parametrize("name", code_list_names())
def test_every_list_loads_and_is_not_empty(name: str) -> None:
    assert len(code_list(name)) > 0
    assert code_list(name).name == name


@pytest.mark.parametrize("name", code_list_names())
def test_codes_are_unique_in_each_file(name: str) -> None:
    found = [entry["code"] for entry in raw_list(name)["codes"]]
    assert len(found) == len(set(found))


@pytest.mark.parametrize("name", code_list_names())
def test_every_code_has_a_french_and_an_english_label(name: str) -> None:
    for entry in raw_list(name)["codes"]:
        assert entry.get("fr", "").strip(), entry["code"]
        assert entry.get("en", "").strip(), entry["code"]


@pytest.mark.parametrize("name", code_list_names())
def test_parent_links_resolve(name: str) -> None:
    raw = raw_list(name)
    targets = raw_list(raw["parent_list"]) if raw.get("parent_list") else raw
    known = {entry["code"] for entry in targets["codes"]}
    for entry in raw["codes"]:
        assert entry.get("parent") in known | {None}, entry["code"]


@pytest.mark.parametrize("name", [*HTCDS_LISTS, "exploitation_subtype"])
def test_htcds_lists_say_what_to_export(name: str) -> None:
    for code in code_list(name):
        assert code.attrs.get("htcds") or code.attrs.get("extension") is True, code.code


# The API --------------------------------------------------------------------------------


def test_an_unknown_list_name_lists_the_known_ones() -> None:
    with pytest.raises(ValueError, match=r"'nope'.*court"):
        code_list("nope")


def test_an_unknown_code_names_the_list_and_the_code() -> None:
    with pytest.raises(KeyError, match=r"'SN-XX'.*'region'"):
        code_list("region").get("SN-XX")


def test_labels_follow_the_language_and_accept_regional_variants() -> None:
    form = code_list("exploitation_form")
    assert form.label("forced_labour") == "Travail forcé"
    assert form.label("forced_labour", "en") == "Forced labour"
    assert form.label("forced_labour", "fr-SN") == "Travail forcé"
    with pytest.raises(ValueError, match="wo"):
        form.label("forced_labour", "wo")


def test_choices_keep_file_order_for_django() -> None:
    choices = code_list("gender").choices("en")
    assert choices[0] == ("Male", "Male")
    assert [c for c, _ in choices] == list(code_list("gender").codes())
    assert "Female" in code_list("gender") and 3 not in code_list("gender")


def test_children_of_a_form_are_its_subtypes() -> None:
    begging = code_list("exploitation_subtype").children("begging")
    assert [c.code for c in begging] == ["talibe_begging"]
    assert begging[0].attrs["extension"] is True


def test_other_is_disambiguated_in_subtypes() -> None:
    subtypes = code_list("exploitation_subtype")
    assert "Other" not in subtypes
    assert subtypes.get("labour_Other").attrs["htcds"] == "Other"
    assert subtypes.get("sexual_Other").parent == "sexual_exploitation"


# The judicial map -----------------------------------------------------------------------


def test_the_five_pilot_tgis_are_flagged() -> None:
    assert {c.code for c in pilot_jurisdictions()} == set(PILOT_APPEAL)


@pytest.mark.parametrize(("tgi", "appeal"), sorted(PILOT_APPEAL.items()))
def test_each_pilot_has_its_cour_d_appel(tgi: str, appeal: str) -> None:
    assert court_of_appeal(tgi).code == appeal


def test_every_tgi_and_ti_reaches_a_cour_d_appel_and_a_region() -> None:
    regions = code_list("region")
    for court in code_list("court"):
        if court.attrs["kind"] in ("tgi", "ti"):
            assert court_of_appeal(court.code).attrs["kind"] == "appeal"
        assert region_of(court.code) in regions


def test_there_is_a_tgi_in_every_region() -> None:
    assert {region_of(c.code) for c in jurisdictions()} == set(code_list("region").codes())


def test_the_supreme_court_has_no_cour_d_appel() -> None:
    with pytest.raises(ValueError, match="SN-CS"):
        court_of_appeal("SN-CS")


# Ages -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("age", "band"),
    [(0, "0-8"), (8, "0-8"), (9, "9-17"), (17, "9-17"), (18, "18-20"), (47, "39-47"),
     (48, "48+"), (120, "48+"), (None, "unknown")],
)  # fmt: skip
def test_age_band_boundaries(age: int | None, band: str) -> None:
    assert age_band_for(age) == band


@pytest.mark.parametrize("age", [-1, 121])
def test_impossible_ages_are_rejected(age: int) -> None:
    with pytest.raises(ValueError, match=str(age)):
        age_band_for(age)
    with pytest.raises(ValueError, match=str(age)):
        age_group_for(age)


@given(st.integers(min_value=0, max_value=120))
def test_every_age_falls_in_exactly_one_band(age: int) -> None:
    code_list.cache_clear()  # the fixture does not run per Hypothesis example
    bands = [b for b in code_list("age_band") if "min" in b.attrs]
    containing = [b.code for b in bands if b.attrs["min"] <= age <= b.attrs["max"]]
    assert containing == [age_band_for(age)]


@pytest.mark.parametrize(
    ("age", "group"), [(0, "child"), (17, "child"), (18, "adult"), (None, "unknown")]
)
def test_age_group_splits_at_eighteen(age: int | None, group: str) -> None:
    assert age_group_for(age) == group
    assert group in code_list("age_group")


# Other cross-list contracts -----------------------------------------------------------------


def test_every_procedure_step_names_a_pipeline_stage_and_level() -> None:
    stages = code_list("pipeline_stage")
    for step in code_list("procedure_step"):
        assert step.attrs["stage"] in stages, step.code
        assert step.attrs["level"] in ("case", "defendant", "both"), step.code
        assert isinstance(step.attrs["order"], int) and isinstance(step.attrs["terminal"], bool)


def test_only_begging_exploitation_forbids_suspension_for_minors() -> None:
    law = [c for c in code_list("offence") if c.attrs["law"] == "Loi 2005-06"]
    forbidden = {c.code for c in law if c.attrs["suspended_allowed_for_minor"] is False}
    assert forbidden == {"L2005-06-art3"}
    assert code_list("offence").get("L2005-06-art3").attrs["max_prison_months"] == 60


def test_every_country_is_there_with_a_un_region() -> None:
    countries = code_list("country")
    assert len(countries) >= 250 and "XX" in countries
    allowed = {"west_africa", "other_africa", "europe", "americas", "asia", "oceania"}
    allowed |= {"other", "unknown"}  # Antarctica; XX
    assert {c.attrs["un_region"] for c in countries} <= allowed
    assert countries.get("GW").attrs["un_region"] == "west_africa"
    assert countries.get("GW").label() == "Guinée-Bissau"


@pytest.mark.parametrize(
    ("origin", "flow"),
    [("SN", "domestic"), ("GW", "subregional"), ("ML", "subregional"), ("MA", "transregional"),
     ("FR", "transregional"), ("XX", "unknown")],
)  # fmt: skip
def test_flows_into_senegal(origin: str, flow: str) -> None:
    assert flow_type_for(origin) == flow
    assert flow in code_list("flow_type")


def test_a_flow_from_an_unknown_country_code_is_rejected() -> None:
    with pytest.raises(KeyError, match="ZZ"):
        flow_type_for("ZZ")


# Administrator overrides and validation --------------------------------------------------------


def test_an_override_file_replaces_the_packaged_list(override_dir: Path) -> None:
    write_list(
        override_dir, "outcome", [{"code": "convicted", "fr": "Condamné(e)", "en": "Convicted"}]
    )
    assert code_list("outcome").codes() == ("convicted",)
    assert code_list("outcome").label("convicted") == "Condamné(e)"
    assert len(code_list("consent")) == len(raw_list("consent")["codes"])  # others untouched


def test_an_override_cannot_add_a_new_list(override_dir: Path) -> None:
    write_list(override_dir, "invented", [{"code": "a", "fr": "A", "en": "A"}])
    assert "invented" not in code_list_names()
    with pytest.raises(ValueError, match="invented"):
        code_list("invented")


def test_a_duplicate_code_names_the_file_and_the_code(override_dir: Path) -> None:
    entries = [{"code": "planned", "fr": "Prévue", "en": "Planned"}] * 2
    path = write_list(override_dir, "referral_status", entries)
    with pytest.raises(CodeListError, match=rf"{re.escape(str(path))}.*duplicate code 'planned'"):
        code_list("referral_status")


def test_a_dangling_parent_names_the_file_and_the_code(override_dir: Path) -> None:
    entries = [{"code": "SN-TGI-X", "fr": "TGI X", "en": "TGI X", "parent": "SN-CA-NONE"}]
    path = write_list(override_dir, "court", entries)
    with pytest.raises(CodeListError, match=rf"{re.escape(str(path))}.*'SN-TGI-X'.*'SN-CA-NONE'"):
        code_list("court")


def test_a_missing_label_names_the_file_and_the_code(override_dir: Path) -> None:
    path = write_list(override_dir, "consent", [{"code": "given", "fr": "Donné", "en": " "}])
    with pytest.raises(CodeListError, match=rf"{re.escape(str(path))}.*'given'.*'en'"):
        code_list("consent")


def test_invalid_json_names_the_file(override_dir: Path) -> None:
    (override_dir / "consent.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(CodeListError, match=r"consent\.json"):
        code_list("consent")
