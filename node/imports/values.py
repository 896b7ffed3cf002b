"""Reading a greffier's typing: codes or French labels, dates, oui/non, numbers.

A value that cannot be read raises ``ValueError`` with a French message. A code
that matches nothing is returned unchanged, so that the API's own ``CodeField``
rejects it with the API's message ("Code inconnu « X » (liste ...)").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import date
from functools import lru_cache

from shared.codes import CodeList, code_list

Converter = Callable[[str], object]

_SEPARATORS = re.compile(r"[\s'\u2019`\u00b4\-_/(),.;:]+")
_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_INTEGER = re.compile(r"^\d+(?:[.,]0+)?$")
_YES = frozenset({"oui", "o", "yes", "y", "1", "vrai", "x"})
_NO = frozenset({"non", "n", "no", "0", "faux"})
# Shorthands registers use for sex; the full French labels come from the code list.
GENDER_SHORTHANDS = {
    "m": "Male",
    "h": "Male",
    "homme": "Male",
    "garcon": "Male",
    "f": "Female",
    "femme": "Female",
    "fille": "Female",
}


def fold(text: str) -> str:
    """Case-, accent- and punctuation-insensitive form, so "MENDICITÉ" is "mendicite"."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SEPARATORS.sub(" ", bare.casefold()).strip()


@lru_cache(maxsize=64)
def _index(codes: CodeList) -> tuple[dict[str, str], tuple[tuple[str, str], ...]]:
    # Keyed on the list object itself: a reloaded list (administrator override) is re-indexed.
    exact: dict[str, str] = {}
    for entry in codes:
        exact.setdefault(fold(entry.code), entry.code)
        exact.setdefault(fold(entry.fr), entry.code)
    return exact, tuple((fold(entry.fr), entry.code) for entry in codes)


def code_for(list_name: str, text: str, shorthands: dict[str, str] | None = None) -> str:
    """The code of ``text``: a code, a French label, or the unique label it begins.

    "Mendicité" is the first word of one form's label only ("Mendicité forcée"),
    so it is read as that form; a beginning shared by several labels is refused.
    """
    key = fold(text)
    if shorthands and key in shorthands:
        return shorthands[key]
    exact, labels = _index(code_list(list_name))
    if key in exact:
        return exact[key]
    matches = sorted({code for label, code in labels if label.startswith(key + " ")})
    if len(matches) > 1:
        names = " ; ".join(code_list(list_name).label(code) for code in matches)
        raise ValueError(f"Valeur ambiguë « {text[:60]} » : {names}.")
    return matches[0] if matches else text


def as_code(list_name: str, shorthands: dict[str, str] | None = None) -> Converter:
    return lambda text: code_for(list_name, text, shorthands)


_LIST_SEPARATORS = re.compile(r"[,;+|\n]")


def as_codes(list_name: str) -> Converter:
    """Several values of one list in a cell, separated by "," (or ";", "+", "|")."""

    def convert(text: str) -> list[str]:
        return list(
            dict.fromkeys(
                code_for(list_name, part.strip())
                for part in _LIST_SEPARATORS.split(text)
                if part.strip()
            )
        )

    return convert


def as_text(text: str) -> str:
    return text


def as_date(text: str) -> str:
    """ISO date from JJ/MM/AAAA (or with - or .) or AAAA-MM-JJ: registers use both."""
    found = _DMY.match(text)
    parts: tuple[str, ...] | None = (
        (found.group(3), found.group(2), found.group(1)) if found else None
    )
    if parts is None and (found := _YMD.match(text)):
        parts = found.groups()
    try:
        if parts is None:
            raise ValueError
        return date(*(int(p) for p in parts)).isoformat()
    except ValueError:
        raise ValueError(
            f"Date invalide « {text[:30]} » : format attendu JJ/MM/AAAA ou AAAA-MM-JJ."
        ) from None


def as_bool(text: str) -> bool:
    key = fold(text)
    if key in _YES:
        return True
    if key in _NO:
        return False
    raise ValueError(f"Valeur « {text[:30]} » non reconnue : indiquez oui ou non.")


def as_int(text: str) -> int | str:
    """Digits with spaces as thousands separators ("500 000"); anything else goes to the API."""
    compact = re.sub(r"\s+", "", text)
    return int(re.split(r"[.,]", compact)[0]) if _INTEGER.match(compact) else text
