"""Contracts of shared.pseudonym: who gets linked, who must not, and what a token hides."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from typing import Any

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from shared.pseudonym import (
    _build_variants,
    blind_index,
    linkage_token,
    name_variants,
    normalise_identity,
    normalise_name,
    year_key,
    year_key_id,
)

SECRET = bytes(range(32))
OTHER_SECRET = bytes(range(1, 33))

secrets = st.binary(min_size=32, max_size=64)
years = st.integers(min_value=2000, max_value=2100)
name_alphabet = st.sampled_from(
    list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ  -'\u2019`\u02bc.")
    + list("éèêëàâäîïôöùûüçñœæøłßÉÈÇÑŒɓɗƴŋ")
)
latin_names = st.text(name_alphabet, max_size=30)

# --- normalise_name: the same name in different registers ------------------

SAME_NAME = [
    ("N'Diaye", "Ndiaye"),
    ("N'Diaye", "NDIAYE"),
    ("N\u2019Diaye", "N DIAYE"),
    ("Ndiaye", "Njie"),
    ("Ndiaye", "Njaay"),
    ("Diallo", "Jallow"),
    ("Diallo", "Djaló"),
    ("Diallo", "Jallo"),
    ("Mouhamed", "Mohamed"),
    ("Mohamed", "Muhammad"),
    ("Mohamed", "Mohammed"),
    ("Mohamed", "Mouhammad"),
    ("Touré", "Toure"),
    ("Touré", "Ture"),
    ("Touré", "Turay"),
    ("Sow", "Sowe"),
    ("Ba", "Bâ"),
    ("Ba", "Bah"),
    ("Seck", "Sek"),
    ("Faye", "Fay"),
    ("Cissé", "Cisse"),
    ("Cissé", "Sissé"),
    ("Cissé", "Ceesay"),
    ("Sylla", "Silla"),
    ("Camara", "Kamara"),
    ("Keita", "Keïta"),
    ("Keita", "Kejta"),
    ("Coulibaly", "Kulibali"),
    ("Dramé", "Drammeh"),
    ("Diarra", "Jarra"),
    ("Sané", "Sanneh"),
    ("Diop", "Jobe"),
    ("Diouf", "Joof"),
    ("Thiam", "Cham"),
    ("M'Baye", "Mbaye"),
    ("Ousmane", "Usman"),
    ("Ousmane", "Osman"),
    ("Ousmane", "Ousman"),
    ("Aminata", "Aminatta"),
    ("Fatou", "Fatoumata"),
    ("Fatou", "Fatu"),
    ("Ibrahima", "Ibrahim"),
    ("Ibrahima", "Brahima"),
    ("Ibrahima", "Ebrima"),
    ("Moussa", "Musa"),
    ("Souleymane", "Suleiman"),
    ("Souleymane", "Sulayman"),
    ("Boubacar", "Abubakar"),
    ("Boubacar", "Bubacarr"),
    ("Cheikh", "Sheikh"),
    ("Cheikh", "Shaikh"),
    ("Aliou", "Alieu"),
    ("Aliou", "Aliyu"),
    ("Ndèye", "Ndeye"),
    ("Ndeye", "Ndey"),
    ("Khady", "Khadija"),
    ("Khady", "Kadi"),
    ("Khady", "Haddy"),
    ("Mamadou", "Modou"),
    ("Mamadou", "Momodou"),
    ("Lamine", "Lamin"),
    ("Abdoulaye", "Abdoulie"),
    ("Youssouf", "Yusuf"),
    ("Malick", "Malik"),
    ("Oumar", "Omar"),
    ("El Hadji Malick Sy", "Malick Sy"),
    ("Elhadji Malick SY", "Alhaji Malick Sy"),
    ("El-Hadj Omar", "Omar"),
    ("Adja Awa Gueye", "Awa Gueye"),
    ("Madame Awa Gueye", "Awa Gueye"),
    ("Mame-Diarra", "Mame Diarra"),
]

DIFFERENT_NAMES = [
    ("Diallo", "Diop"),
    ("Mamadou", "Mohamed"),
    ("Mamadou", "Mouhamed"),
    ("Fatou", "Fanta"),
    ("Fatou", "Fatima"),
    ("Ndiaye", "Ndour"),
    ("Ndiaye", "Diaw"),
    ("Cissé", "Cissokho"),
    ("Diop", "Diouf"),
    ("Sow", "Sall"),
    ("Ba", "Bah Diallo"),
    ("Fall", "Faye"),
    ("Seck", "Sy"),
    ("Touré", "Traoré"),
    ("Aliou", "Alioune"),
    ("Aliou", "Ali"),
    ("Ndeye", "Neneh"),
    ("Abdou", "Abdoulaye"),
    ("Amina", "Aminata"),
    ("Awa", "Adja"),
    ("Ousmane", "Souleymane"),
    ("Ibrahima", "Ismaila"),
    ("Boubacar", "Babacar"),
    ("Khady", "Kiné"),
    ("Moussa", "Modou"),
    ("Serigne Modou", "Modou"),
    ("Mame Diarra", "Diarra"),
    ("Cheikh Tidiane", "Tidiane"),
    ("Mohamed Lamine", "Lamine"),
]


@pytest.mark.parametrize(("one", "other"), SAME_NAME)
def test_spellings_of_one_name_normalise_together(one: str, other: str) -> None:
    assert normalise_name(one) == normalise_name(other)


@pytest.mark.parametrize(("one", "other"), DIFFERENT_NAMES)
def test_different_names_stay_apart(one: str, other: str) -> None:
    assert normalise_name(one) != normalise_name(other)


def test_it_keeps_the_word_order_and_single_spaces() -> None:
    assert normalise_name("  Fatou   N'DIAYE ") == "fatumata njay"


def test_a_two_letter_word_keeps_its_final_e() -> None:
    # else "Dé" would become a lone "d", and a lone n/m would turn into a particle
    assert normalise_name("Dé") == "de"
    assert normalise_name("Ne Diop") != normalise_name("N Diop")


def test_a_name_of_only_titles_and_punctuation_is_empty() -> None:
    assert normalise_name("El Hadji -- ' ") == ""


@settings(max_examples=500)
@given(latin_names)
@example("NN Diop")  # the second pass must join the particle that the first pass made
@example("El el Hadji")
def test_normalise_name_is_idempotent_on_latin_names(name: str) -> None:
    once = normalise_name(name)
    assert normalise_name(once) == once


@settings(max_examples=500)
@given(st.text(max_size=20))
def test_normalise_name_is_idempotent_on_any_text(name: str) -> None:
    once = normalise_name(name)
    assert normalise_name(once) == once


@given(st.text(max_size=20))
def test_normalise_name_output_has_no_punctuation_or_capitals(name: str) -> None:
    normalised = normalise_name(name)
    assert normalised == normalised.strip()
    assert "  " not in normalised
    assert all(c.isalpha() or c == " " for c in normalised)
    assert normalised == normalised.casefold()


@given(st.lists(st.sampled_from([a for pair in SAME_NAME for a in pair]), min_size=1, max_size=3))
def test_case_and_accents_of_a_whole_name_do_not_matter(words: list[str]) -> None:
    name = " ".join(words)
    assert normalise_name(name.upper()) == normalise_name(name.lower()) == normalise_name(name)


# --- the variant table -------------------------------------------------------


def test_every_variant_maps_to_a_canonical_form_that_maps_to_itself() -> None:
    table = name_variants()
    assert table
    for canonical in table.values():
        assert table[canonical] == canonical
        assert normalise_name(canonical) == canonical


def test_it_refuses_a_spelling_claimed_by_two_names() -> None:
    with pytest.raises(ValueError, match="claimed"):
        _build_variants({"Mamadou": ["Modou"], "Mohamed": ["Modou"]})


def test_the_variant_file_is_readable_json_with_two_sections() -> None:
    from shared import pseudonym

    data = json.loads(pseudonym._VARIANTS_FILE.read_text(encoding="utf-8"))
    assert set(data) >= {"given_names", "family_names"}


# --- normalise_identity ------------------------------------------------------


def _identity(**changes: Any) -> str:
    fields: dict[str, Any] = {
        "family_name": "Diop",
        "given_names": "Fatou Bintou",
        "birth_year": 2011,
        "father_given_name": "Mamadou",
        "mother_name": "Awa Ndiaye",
        "place_of_origin": "Kédougou",
        **changes,
    }
    return normalise_identity(**fields)


def test_family_name_first_in_capitals_equals_given_name_first() -> None:
    registry = _identity(family_name="", given_names="DIOP Fatou Bintou", mother_name="NDIAYE Awa")
    assert registry == _identity()


def test_register_spellings_give_the_same_identity() -> None:
    gambian = _identity(family_name="Jobe", given_names="Fatoumata Bintou", mother_name="Awa Njie")
    assert gambian == _identity()


@pytest.mark.parametrize(
    "change",
    [
        {"birth_year": 2012},
        {"birth_year": None},
        {"father_given_name": "Moussa"},
        {"father_given_name": None},
        {"mother_name": "Awa Diallo"},
        {"place_of_origin": "Tambacounda"},
        {"given_names": "Fatou"},
    ],
)
def test_filiation_year_and_origin_tell_namesakes_apart(change: dict[str, Any]) -> None:
    assert _identity(**change) != _identity()


def test_a_word_cannot_move_from_one_field_to_another() -> None:
    moved = _identity(father_given_name="", mother_name="Mamadou Awa Ndiaye")
    assert moved != _identity()


def test_an_identity_with_no_name_is_refused() -> None:
    with pytest.raises(ValueError, match="empty"):
        _identity(family_name="El Hadji", given_names="")


@pytest.mark.parametrize("year", [True, 1800, 3000, "2011"])
def test_an_implausible_birth_year_is_refused(year: Any) -> None:
    with pytest.raises(ValueError):
        _identity(birth_year=year)


# --- keys and tokens ---------------------------------------------------------


@given(st.text(min_size=1, max_size=40), secrets, years)
def test_the_same_identity_year_and_secret_give_the_same_token(
    identity: str, secret: bytes, year: int
) -> None:
    assert linkage_token(identity, secret=secret, year=year) == linkage_token(
        identity, secret=secret, year=year
    )


@given(secrets, years, years)
def test_tokens_differ_across_years(secret: bytes, year: int, other_year: int) -> None:
    assume(year != other_year)
    identity = _identity()
    assert linkage_token(identity, secret=secret, year=year) != linkage_token(
        identity, secret=secret, year=other_year
    )
    assert year_key_id(secret, year) != year_key_id(secret, other_year)


@given(secrets, secrets, years)
def test_tokens_differ_across_secrets(secret: bytes, other_secret: bytes, year: int) -> None:
    assume(secret != other_secret)
    identity = _identity()
    assert linkage_token(identity, secret=secret, year=year) != linkage_token(
        identity, secret=other_secret, year=year
    )


@given(st.text(min_size=1, max_size=40), secrets, years)
def test_a_token_is_64_hex_and_does_not_contain_the_identity(
    identity: str, secret: bytes, year: int
) -> None:
    token = linkage_token(identity, secret=secret, year=year)
    assert re.fullmatch(r"[0-9a-f]{64}", token)
    assert normalise_name(identity) not in token or len(normalise_name(identity)) < 4


def test_a_token_hides_a_real_identity() -> None:
    identity = _identity()
    token = linkage_token(identity, secret=SECRET, year=2025)
    for part in ("jop", "fatumata", "2011", "kedugu", identity):
        assert part not in token


def test_the_token_is_the_hmac_of_the_identity_under_the_hkdf_year_key() -> None:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    expected_key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"systraite-linkage", info=b"linkage-token:2025"
    ).derive(SECRET)
    assert year_key(SECRET, 2025) == expected_key
    expected = hmac.new(expected_key, b"v1|n=x", hashlib.sha256).hexdigest()
    assert linkage_token("v1|n=x", secret=SECRET, year=2025) == expected


def test_the_year_key_id_is_public_stable_and_not_the_key() -> None:
    key_id = year_key_id(SECRET, 2025)
    assert re.fullmatch(r"lk:2025:[0-9a-f]{12}", key_id)
    assert key_id == year_key_id(SECRET, 2025)
    assert key_id != year_key_id(OTHER_SECRET, 2025)
    key = year_key(SECRET, 2025)
    assert key.hex()[:12] not in key_id
    assert hashlib.sha256(key).hexdigest()[:12] not in key_id


@pytest.mark.parametrize("short", [b"", b"x" * 31])
def test_a_short_secret_is_refused(short: bytes) -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        linkage_token(_identity(), secret=short, year=2025)
    with pytest.raises(ValueError, match="32 bytes"):
        year_key(short, 2025)
    with pytest.raises(ValueError, match="32 bytes"):
        year_key_id(short, 2025)
    with pytest.raises(ValueError, match="32 bytes"):
        blind_index("Diop", key=short)


def test_a_text_secret_is_refused() -> None:
    with pytest.raises(TypeError):
        year_key("x" * 40, 2025)  # type: ignore[arg-type]


def test_an_empty_identity_is_refused() -> None:
    with pytest.raises(ValueError):
        linkage_token("", secret=SECRET, year=2025)


# --- blind index -------------------------------------------------------------


def test_the_blind_index_finds_a_name_whatever_the_spelling() -> None:
    assert blind_index("N'Diaye", key=SECRET) == blind_index("NJIE", key=SECRET)
    assert blind_index("N'Diaye", key=SECRET) != blind_index("Ndour", key=SECRET)


def test_the_blind_index_is_the_hmac_of_the_normalised_name() -> None:
    expected = hmac.new(SECRET, b"jalo", hashlib.sha256).hexdigest()
    assert blind_index("Jallow", key=SECRET) == expected


@given(latin_names, secrets, secrets)
def test_the_blind_index_depends_on_the_node_key(value: str, key: bytes, other_key: bytes) -> None:
    assume(key != other_key and normalise_name(value))
    assert blind_index(value, key=key) != blind_index(value, key=other_key)


def test_the_blind_index_differs_from_the_linkage_token() -> None:
    assert blind_index("Diop", key=SECRET) != linkage_token("jop", secret=SECRET, year=2025)


def test_the_blind_index_refuses_an_empty_name() -> None:
    with pytest.raises(ValueError):
        blind_index(" - ", key=SECRET)
