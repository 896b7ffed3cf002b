"""Name normalisation, linkage tokens and blind indexes.

Why this exists (DESIGN.md, "What crosses the node -> hub boundary"): a
survivor or trafficker who appears in two jurisdictions must be counted once
nationally, yet the hub must never learn who they are. Each node therefore sends only
``HMAC-SHA-256(year_key, normalised identity)``. The year key is derived from
a national linkage secret that nodes hold and the hub never does, so the hub
cannot recompute a token from a guessed name (names and birth years are far
too few to resist a dictionary attack by anyone who *does* hold the key); and
it changes every year, so the hub cannot follow a person from one year to the
next. Each node also searches its own records by name through a blind index,
keyed with the node's own key, so its database holds no searchable plain name
index.

Both only link when two registers produce the *same* normalised string, so the
normalisation decides who is linked (DOMAIN.md, "Identifying a person"):

1. **Folding** (``_fold``): case-folding, accents stripped, letters outside
   ASCII spelled out (œ→oe, ø→o, ł→l, and the Pulaar hooked letters ɓ ɗ ƴ),
   apostrophes removed (N'Diaye → ndiaye), hyphens and anything that is not
   a letter turned into spaces. A lone "n" or "m" before a word is joined to
   it (N Diaye → ndiaye, M'Baye → mbaye), since Wolof prenasalised initials
   are written with or without the apostrophe or space.
2. **Orthographic rules** (``_RULES``), applied to each word until nothing
   changes: they map French, English (Gambian) and Portuguese (Bissau-
   Guinean) spellings of the same sounds together — dj/di+vowel→j (Diallo,
   Djaló, Jallow), ou→u, sh→ch, kh→k, th→t, ph→f, ck→k, c→s before e/i/y and
   k elsewhere (Camara/Kamara), doubled letters single, a final h after a
   vowel and a final -ow's w dropped (Bah, Sanneh, Jallow), y→i after a
   consonant (Sylla, Coulibaly), and a final e after a consonant dropped
   (Touré/Toure/Ture, Faye/Fay, Lamine/Lamin). Every rule shortens a word or
   removes a letter no rule produces, so they terminate.
3. **Titles** (``_TITLES``) are removed: the pilgrimage honorifics El Hadji /
   Alhaji / Hadj and Adja / Hadja, which a person gains in adulthood and which
   one register writes and another omits, and spelled-out civilities
   (Monsieur, Madame, Mr, Mme, Dr...). Serigne, Sokhna, Cheikh, Thierno and
   Mame are *kept*: they are honorifics too, but they are given at naming and
   stand in civil registers as given names (Serigne Modou, Mame Diarra), so
   dropping them would merge different people. "M." is not a title here: a
   lone m is the M'Baye particle.
4. **Variant table** (``data/name_variants.json``): canonical forms for
   spellings the rules cannot safely unify (Mouhamed/Muhammad/Mohammed,
   Ndiaye/Njie, Diop/Jobe, Thiam/Cham, Cissé/Ceesay, Touré/Turay, Ousmane/
   Usman/Osman...) and short forms with one unambiguous long form (Fatou →
   Fatoumata, Khady/Haddy → Khadija, Modou → Mamadou). Ambiguous short forms
   stay themselves: Abdou (Abdoulaye? Abdourahmane?), Bakary, Amina.
   Mamadou and Mohamed are different names and stay apart.

Limits: typing slips other than doubled letters are not corrected (a fuzzy
match would need the plain names, which the hub must not have); a married
name ("épouse X") is just another word, so callers should pass the birth
family name; names in non-Latin scripts are folded and kept but not
transliterated, so they link only with the same script.

Every output is a fixed point: ``normalise_name(normalise_name(x)) ==
normalise_name(x)``; a changed normalisation changes every token, so
``IDENTITY_VERSION`` is part of the normalised identity.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import unicodedata
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from types import MappingProxyType

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

IDENTITY_VERSION = "v1"
MIN_SECRET_BYTES = 32
_LINKAGE_SALT = b"systraite-linkage"
_VARIANTS_FILE = Path(__file__).parent / "data" / "name_variants.json"

# --- step 1: folding ---------------------------------------------------------

_APOSTROPHES = "'\u2019\u2018`\u02bc\u00b4\u02b9\u2032"
_LETTERS = {
    "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th",
    "\u0131": "i", "ŋ": "ng", "ɓ": "b", "ɗ": "d", "ƴ": "y", "ɲ": "n", "ß": "ss",
}  # fmt: skip
_FOLD_TABLE = str.maketrans({**{c: None for c in _APOSTROPHES}, **_LETTERS})
_PARTICLES = frozenset({"n", "m"})


def _fold(text: str) -> list[str]:
    """Case, accents, special letters and punctuation -> a list of words."""
    text = unicodedata.normalize("NFKD", text.translate(_FOLD_TABLE)).casefold()
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.translate(_FOLD_TABLE)
    return "".join(c if c.isalpha() else " " for c in text).split()


def _join_particles(words: list[str]) -> list[str]:
    """N Diaye -> ndiaye, M Baye -> mbaye (a trailing lone n/m stays)."""
    joined: list[str] = []
    for word in words:
        if joined and joined[-1] in _PARTICLES:
            joined[-1] += word
        else:
            joined.append(word)
    return joined


# --- step 2: orthographic rules ----------------------------------------------

_C = "b-df-hj-np-tv-z"  # consonants, y and w included
_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        ("ph", "f"),
        ("kh", "k"),
        ("th", "t"),
        ("sh", "ch"),
        ("ck", "k"),
        ("dj", "j"),
        ("di(?=[aeiou])", "j"),  # French Dia/Dio = English Ja/Jo: Diallo, Jallow
        ("c(?=[eiy])", "s"),
        ("c(?!h)", "k"),
        ("ou", "u"),
        (r"([a-z])\1", r"\1"),
        ("(?<=[aeiou])h$", ""),
        ("(?<=o)w$", ""),
        (f"(?<=[{_C}])y(?=[{_C}]|$)", "i"),
        (f"(?<=[a-z][{_C}])e$", ""),  # only in words of three letters or more
    )
)


def _apply_rules(word: str) -> str:
    """Rewrite one word until no rule applies."""
    while True:
        rewritten = word
        for pattern, replacement in _RULES:
            rewritten = pattern.sub(replacement, rewritten)
        if rewritten == word:
            return word
        word = rewritten


# --- step 3: titles ----------------------------------------------------------

_PILGRIM_TITLES = frozenset(
    _apply_rules(word)
    for word in "elhadji elhadj elhaj elhaji alhaji alhadji alhadj hadji hadj haj hajj "
    "alhadja adja hadja hajja".split()
)
_CIVILITIES = frozenset(
    _apply_rules(word)
    for word in "monsieur madame mademoiselle mr mme mlle mrs ms miss dr docteur".split()
)
_TITLE_ARTICLES = frozenset({"el", "al"})  # "El Hadji", "Al Hadji" in two words


def _drop_titles(words: list[str]) -> list[str]:
    kept: list[str] = []
    for position, word in enumerate(words):
        following = words[position + 1] if position + 1 < len(words) else ""
        if word in _PILGRIM_TITLES or word in _CIVILITIES:
            continue
        if word in _TITLE_ARTICLES and following in _PILGRIM_TITLES:
            continue
        kept.append(word)
    return kept


# --- step 4: variant table ---------------------------------------------------


def _rule_form(spelling: str) -> str:
    (word,) = _join_particles(_fold(spelling))
    return _apply_rules(word)


def _build_variants(groups: dict[str, list[str]]) -> dict[str, str]:
    """Map each variant's rule form to its canonical rule form; refuse a
    spelling claimed by two names, which would silently merge people."""
    table: dict[str, str] = {}
    for canonical, spellings in groups.items():
        target = _rule_form(canonical)
        for form in {_rule_form(s) for s in [canonical, *spellings]}:
            if table.get(form, target) != target:
                raise ValueError(f"{form!r} is claimed by {table[form]!r} and {target!r}")
            table[form] = target
    for target in set(table.values()):
        if table.get(target, target) != target:
            raise ValueError(f"canonical form {target!r} is also a variant")
        if target in _PILGRIM_TITLES | _CIVILITIES | _TITLE_ARTICLES | _PARTICLES:
            raise ValueError(f"canonical form {target!r} is a title or particle")
    return table


@cache
def name_variants() -> Mapping[str, str]:
    """The variant table (rule form -> canonical rule form), loaded once and
    read-only: a caller editing it would change every later token."""
    data = json.loads(_VARIANTS_FILE.read_text(encoding="utf-8"))
    return MappingProxyType(_build_variants({**data["given_names"], **data["family_names"]}))


# --- public: normalisation ---------------------------------------------------


def normalise_name(name: str) -> str:
    """The canonical spelling of a name: words folded, unified and
    de-titled, in their original order, separated by single spaces.

    Idempotent. The passes repeat until stable because joining a particle can
    only happen once a word has been reduced to a lone n/m (NN Diop); each
    extra pass joins a word, so there are fewer passes than words.
    """
    if not isinstance(name, str):
        raise TypeError("name must be a string")
    words = _fold(name)
    while True:
        normalised = _normalise_words(words)
        if normalised == words:
            return " ".join(words)
        words = normalised


def _normalise_words(words: list[str]) -> list[str]:
    words = [_apply_rules(word) for word in _join_particles(words)]
    variants = name_variants()
    return [variants.get(word, word) for word in _drop_titles(words)]


def _sorted_words(*parts: str | None) -> str:
    """Words of all parts, sorted: registers disagree on which comes first
    (the family name is often written first, in capitals)."""
    return " ".join(sorted(w for part in parts if part for w in normalise_name(part).split()))


def normalise_identity(
    *,
    family_name: str,
    given_names: str,
    birth_year: int | None,
    father_given_name: str | None = None,
    mother_name: str | None = None,
    place_of_origin: str | None = None,
) -> str:
    """The string a linkage token is computed over.

    Name and birth year alone merge different people (there are many Fatou
    Diops born in one year), so filiation and origin go in whenever known.
    The trade-off is deliberate: when one register has the mother's name and
    the other does not, the same person gets two tokens and is counted twice.
    Over-counting is an honest, bounded error; merging two people hides a
    victim. Callers should pass every field they have, consistently.

    The family and given names are one sorted set of words, so the order and
    the family/given split do not matter; each other field is labelled, so a
    word cannot move from one field to another. Raises ValueError when the
    name normalises to nothing (a token over an empty name links everyone).
    """
    names = _sorted_words(family_name, given_names)
    if not names:
        raise ValueError("the person's name is empty once normalised")
    fields = (
        IDENTITY_VERSION,
        f"n={names}",
        f"y={_check_birth_year(birth_year)}",
        f"f={_sorted_words(father_given_name)}",
        f"m={_sorted_words(mother_name)}",
        f"o={_sorted_words(place_of_origin)}",
    )
    return "|".join(fields)


def _check_birth_year(year: int | None) -> str:
    if year is None:
        return ""
    if isinstance(year, bool) or not isinstance(year, int) or not 1880 <= year <= 2200:
        raise ValueError(f"birth_year must be a plausible year, not {year!r}")
    return str(year)


# --- public: keys and tokens -------------------------------------------------


def _check_secret(secret: bytes, name: str = "secret") -> None:
    if not isinstance(secret, bytes):
        raise TypeError(f"{name} must be bytes")
    if len(secret) < MIN_SECRET_BYTES:
        raise ValueError(f"{name} must be at least {MIN_SECRET_BYTES} bytes")


def _check_year(year: int) -> None:
    if isinstance(year, bool) or not isinstance(year, int) or not 1900 <= year <= 9999:
        raise ValueError(f"year must be an integer year, not {year!r}")


def _derive(secret: bytes, info: bytes) -> bytes:
    _check_secret(secret)
    kdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=_LINKAGE_SALT, info=info)
    return kdf.derive(secret)


def year_key(secret: bytes, year: int) -> bytes:
    """The linkage key of one year. Nodes only: whoever holds it can test
    guessed identities against tokens, so it never leaves a node."""
    _check_year(year)
    return _derive(secret, f"linkage-token:{year}".encode())


def year_key_id(secret: bytes, year: int) -> str:
    """A public name for the year key, sent with tokens so the hub can tell
    whose tokens are comparable. Derived under another HKDF label, so it is
    independent of the key and reveals nothing about it."""
    _check_year(year)
    fingerprint = hashlib.sha256(_derive(secret, f"linkage-key-id:{year}".encode()))
    return f"lk:{year}:{fingerprint.hexdigest()[:12]}"


def linkage_token(identity: str, *, secret: bytes, year: int) -> str:
    """64 hex characters: HMAC-SHA-256 of ``normalise_identity(...)`` under
    the year key. Pass the normalised identity, not raw names."""
    if not isinstance(identity, str) or not identity:
        raise ValueError("identity must be a non-empty string")
    return _hmac_hex(year_key(secret, year), identity)


def blind_index(value: str, *, key: bytes) -> str:
    """64 hex characters for exact name search on a node: HMAC-SHA-256 of
    ``normalise_name(value)`` under the node's own key (not the linkage
    secret, so a stolen node index cannot be joined with hub tokens). The
    function normalises, so stored values and queries cannot drift apart."""
    _check_secret(key, "key")
    normalised = normalise_name(value)
    if not normalised:
        raise ValueError("value is empty once normalised")
    return _hmac_hex(key, normalised)


def _hmac_hex(key: bytes, message: str) -> str:
    return hmac.new(key, message.encode("utf-8"), hashlib.sha256).hexdigest()
