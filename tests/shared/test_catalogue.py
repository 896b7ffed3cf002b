import pytest

from shared.catalogue import (
    MAX_PERSON_ATTRIBUTES,
    TABLES,
    CatalogueError,
    Dimension,
    Table,
    Unit,
    _check,
    catalogue,
    table,
)


def test_every_table_crosses_at_most_three_person_attributes() -> None:
    for spec in catalogue().values():
        assert sum(d.person for d in spec.dimensions) <= MAX_PERSON_ATTRIBUTES, spec.name


def test_every_dimension_draws_its_values_from_an_existing_code_list() -> None:
    for spec in catalogue().values():
        for dimension in spec.dimensions:
            assert len(dimension.codes()) > 0, (spec.name, dimension.name)


def test_a_table_with_four_person_attributes_is_refused() -> None:
    persons = tuple(Dimension(f"p{i}", "gender", person=True) for i in range(4))
    bad = Table("too_fine", Unit.SURVIVORS, persons, "month", "fr", "en")
    with pytest.raises(CatalogueError, match="too_fine: 4 person attributes"):
        _check((bad,))


def test_a_dimension_on_a_missing_code_list_is_refused() -> None:
    bad = Table("bad", Unit.CASES, (Dimension("x", "no_such_list"),), "month", "fr", "en")
    with pytest.raises(ValueError, match="no_such_list"):
        _check((bad,))


def test_duplicate_table_names_are_refused() -> None:
    with pytest.raises(CatalogueError, match="unique"):
        _check((TABLES[0], TABLES[0]))


def test_an_unknown_table_is_a_key_error_naming_it() -> None:
    with pytest.raises(KeyError, match="no_such_table"):
        table("no_such_table")


# What the hub owes (DOMAIN.md, "What the hub must be able to say"): each statistic
# needs a table carrying these dimensions.
OWED = {
    "SDG 16.2.2 victims by sex, age and form": (Unit.SURVIVORS, {"sex", "age_band", "form"}),
    "GLOTIP victims by citizenship": (Unit.SURVIVORS, {"sex", "age_group", "citizenship"}),
    "GLOTIP flows": (Unit.SURVIVORS, {"flow", "form"}),
    "GLOTIP persons suspected/prosecuted/convicted": (
        Unit.TRAFFICKERS,
        {"status", "sex", "citizenship"},
    ),
    "GLOTIP offences by article": (Unit.CHARGES, {"offence"}),
    "pipeline: stages": (Unit.CASES, {"stage", "transition"}),
    "pipeline: dropped and other steps": (Unit.PROCEDURE_EVENTS, {"step"}),
    "pipeline: convictions and acquittals": (Unit.DECISIONS, {"outcome", "instance"}),
    "pipeline: sentences": (Unit.DECISIONS, {"sentence", "fine"}),
    "pipeline: median durations": (Unit.CASES, {"interval", "duration"}),
    "pipeline: pending over 12 months": (Unit.CASES, {"closure_lag"}),
    "begging: talibe by origin and age": (Unit.SURVIVORS, {"talibe", "origin_country", "age_band"}),
    "begging: cases with many victims": (Unit.CASES, {"victims"}),
    "means of control by form and age": (Unit.SURVIVORS, {"means_of_control", "form", "age_group"}),
    "recruitment by form and age": (Unit.SURVIVORS, {"recruitment", "form", "age_group"}),
    "relationship by form and age": (Unit.SURVIVORS, {"relationship", "form", "age_group"}),
    "services: referrals by type and status": (
        Unit.REFERRALS,
        {"referral_type", "referral_status"},
    ),
}


@pytest.mark.parametrize("statistic", sorted(OWED))
def test_the_catalogue_covers_what_the_hub_owes(statistic: str) -> None:
    unit, dims = OWED[statistic]
    assert any(
        spec.unit == unit and dims <= set(spec.dimension_names) for spec in catalogue().values()
    ), statistic


def test_multi_valued_dimensions_are_not_additive() -> None:
    spec = table("survivors_control_form_agegroup")
    additive = {d.name: d.additive for d in spec.dimensions}
    assert additive == {"means_of_control": False, "form": True, "age_group": True}
