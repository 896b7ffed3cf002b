"""Systraite's code lists: every closed vocabulary the node and the hub share.

Why data and not Python enums: the judicial map, the penal-code offences charged
alongside Loi 2005-06 and several facts of DOMAIN.md are marked "(verify)". An
administrator must be able to correct them without a code change or a release.

Each list is one JSON file in ``shared/data/codes/`` (shipped as package data)::

    {"name": "court", "description": "...", "source": "...",
     "parent_list": null,
     "codes": [{"code": "SN-TGI-DKR", "fr": "...", "en": "...",
                "parent": "SN-CA-DKR", "kind": "tgi", "pilot": true}]}

Keys of an entry other than ``code``, ``fr``, ``en`` and ``parent`` become
``Code.attrs``. ``parent`` names a code of the same list, or of ``parent_list``
when the file sets one (a subtype's parent is a form of exploitation). Codes
with ``"verify": true`` come from an incomplete public record: check them first.

Machine codes are stable forever: they travel in node -> hub payloads and in
CTDC exports. Where IOM's HTCDS defines a value we use its machine name, and
``attrs["htcds"]`` holds the exact HTCDS spelling; Senegal additions carry
``attrs["extension"] = True``. Labels may change freely.

Administrator override: if the environment variable ``SYSTRAITE_CODES_DIR``
names a directory, a file there with the same name as a packaged list (for
instance ``court.json``) replaces the packaged one entirely. Files with other
names are ignored: only the lists the code knows about can be replaced. Every
file is validated on load (duplicate codes, missing labels, parent references
to missing codes) and a bad file fails loudly, naming the file and the code,
rather than silently mis-coding cases. Lists are cached per process: restart
the service after changing an override (tests call ``code_list.cache_clear()``).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from types import MappingProxyType
from typing import Any

OVERRIDE_ENV = "SYSTRAITE_CODES_DIR"
LANGUAGES = ("fr", "en")
MAX_AGE = 120
_ENTRY_KEYS = frozenset({"code", "fr", "en", "parent"})


class CodeListError(ValueError):
    """A code list file is malformed; the message names the file and the code."""


@dataclass(frozen=True, slots=True)
class Code:
    """One value of a code list: a stable machine code and its labels."""

    code: str
    fr: str
    en: str
    parent: str | None = None
    # Excluded from the hash (a mapping is unhashable) so codes can live in sets.
    attrs: Mapping[str, Any] = field(default_factory=dict, hash=False)

    def label(self, lang: str = "fr") -> str:
        """The label in ``lang``; regional variants such as ``fr-SN`` are accepted."""
        base = lang.split("-")[0].split("_")[0].lower()
        if base not in LANGUAGES:
            raise ValueError(f"unsupported language {lang!r}; use one of {LANGUAGES}")
        return self.fr if base == "fr" else self.en


class CodeList:
    """An ordered, immutable list of codes, loaded from one JSON file."""

    def __init__(
        self,
        name: str,
        codes: tuple[Code, ...],
        *,
        description: str = "",
        source: str = "",
        parent_list: str | None = None,
    ) -> None:
        self.name = name
        self.description = description
        self.source = source
        self.parent_list = parent_list
        self._by_code: dict[str, Code] = {c.code: c for c in codes}

    def __repr__(self) -> str:
        return f"<CodeList {self.name} ({len(self)} codes)>"

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and code in self._by_code

    def __iter__(self) -> Iterator[Code]:
        return iter(self._by_code.values())

    def __len__(self) -> int:
        return len(self._by_code)

    def get(self, code: str) -> Code:
        """The code, or a KeyError that says which list was asked (for bad payloads)."""
        try:
            return self._by_code[code]
        except KeyError:
            raise KeyError(f"unknown code {code!r} in code list {self.name!r}") from None

    def codes(self) -> tuple[str, ...]:
        """The machine codes in file order (the order users see them in)."""
        return tuple(self._by_code)

    def label(self, code: str, lang: str = "fr") -> str:
        return self.get(code).label(lang)

    def choices(self, lang: str = "fr") -> list[tuple[str, str]]:
        """``(code, label)`` pairs, the shape Django fields and forms expect."""
        return [(c.code, c.label(lang)) for c in self]

    def children(self, parent: str) -> tuple[Code, ...]:
        """Codes whose parent is ``parent``: a court's lower courts, a form's subtypes."""
        return tuple(c for c in self if c.parent == parent)


# Loading and validation ---------------------------------------------------------


def _packaged_dir() -> Traversable:
    return resources.files("shared").joinpath("data", "codes")


def code_list_names() -> tuple[str, ...]:
    """Names of the packaged lists; an override can replace a list, not add one."""
    names = (e.name[: -len(".json")] for e in _packaged_dir().iterdir() if e.name.endswith(".json"))
    return tuple(sorted(names))


def _source_for(name: str) -> Traversable:
    override_dir = os.environ.get(OVERRIDE_ENV)
    if override_dir:
        candidate = Path(override_dir) / f"{name}.json"
        if candidate.is_file():
            return candidate
    return _packaged_dir().joinpath(f"{name}.json")


def _read_json(source: Traversable) -> dict[str, Any]:
    try:
        raw = json.loads(source.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CodeListError(f"{source}: cannot read code list: {exc}") from exc
    if not isinstance(raw, dict) or not isinstance(raw.get("codes"), list):
        raise CodeListError(f"{source}: expected an object with a 'codes' array")
    return raw


def _parse_entry(source: Traversable, index: int, entry: object) -> Code:
    if not isinstance(entry, dict):
        raise CodeListError(f"{source}: entry #{index} is not an object")
    code = entry.get("code")
    if not isinstance(code, str) or not code.strip():
        raise CodeListError(f"{source}: entry #{index} has no 'code'")
    for lang in LANGUAGES:
        label = entry.get(lang)
        if not isinstance(label, str) or not label.strip():
            raise CodeListError(f"{source}: code {code!r} has no {lang!r} label")
    parent = entry.get("parent")
    if parent is not None and not isinstance(parent, str):
        raise CodeListError(f"{source}: code {code!r} has a non-string parent")
    attrs = {k: v for k, v in entry.items() if k not in _ENTRY_KEYS}
    return Code(code, entry["fr"], entry["en"], parent, MappingProxyType(attrs))


def _check_unique(source: Traversable, codes: list[Code]) -> None:
    seen: set[str] = set()
    for code in codes:
        if code.code in seen:
            raise CodeListError(f"{source}: duplicate code {code.code!r}")
        seen.add(code.code)


def _check_parents(source: Traversable, codes: list[Code], parent_list: str | None) -> None:
    known = code_list(parent_list).codes() if parent_list else tuple(c.code for c in codes)
    where = f"code list {parent_list!r}" if parent_list else "this list"
    for code in codes:
        if code.parent is not None and code.parent not in known:
            raise CodeListError(
                f"{source}: code {code.code!r} has parent {code.parent!r}, not a code of {where}"
            )


@cache
def code_list(name: str) -> CodeList:
    """The named list, loaded and validated once per process."""
    if name not in code_list_names():
        raise ValueError(f"unknown code list {name!r}; known: {', '.join(code_list_names())}")
    source = _source_for(name)
    raw = _read_json(source)
    if raw.get("name", name) != name:
        raise CodeListError(f"{source}: declares name {raw['name']!r}, expected {name!r}")
    codes = [_parse_entry(source, i, entry) for i, entry in enumerate(raw["codes"])]
    _check_unique(source, codes)
    parent_list = raw.get("parent_list")
    _check_parents(source, codes, parent_list)
    return CodeList(
        name,
        tuple(codes),
        description=raw.get("description", ""),
        source=raw.get("source", ""),
        parent_list=parent_list,
    )


# The judicial map ----------------------------------------------------------------


def jurisdictions() -> tuple[Code, ...]:
    """The TGIs: each is a jurisdiction, hence a node of the federation."""
    return tuple(c for c in code_list("court") if c.attrs.get("kind") == "tgi")


def pilot_jurisdictions() -> tuple[Code, ...]:
    """The TGIs where Systraite starts (Dakar, Kédougou, Saint-Louis, Tambacounda, Thiès)."""
    return tuple(c for c in jurisdictions() if c.attrs.get("pilot") is True)


def court_of_appeal(tgi_code: str) -> Code:
    """The cour d'appel above a TGI (or a tribunal d'instance), found by walking parents."""
    courts = code_list("court")
    court = courts.get(tgi_code)
    while court.attrs.get("kind") != "appeal":
        if court.parent is None:
            raise ValueError(f"court {tgi_code!r} is not below a cour d'appel")
        court = courts.get(court.parent)
    return court


def region_of(court_code: str) -> str:
    """The ISO 3166-2:SN region where a court sits (not its whole area: areas cross regions)."""
    return str(code_list("court").get(court_code).attrs["region"])


# Ages ------------------------------------------------------------------------------


def _check_age(age: int | None) -> None:
    if age is not None and not 0 <= age <= MAX_AGE:
        raise ValueError(f"age {age} is outside 0..{MAX_AGE}: a data-entry error, not an age")


def age_band_for(age: int | None) -> str:
    """The CTDC age band of an age in completed years; ``unknown`` when not known."""
    _check_age(age)
    if age is None:
        return "unknown"
    for band in code_list("age_band"):
        if "min" in band.attrs and band.attrs["min"] <= age <= band.attrs["max"]:
            return band.code
    raise CodeListError(f"code list 'age_band' has no band for age {age}")


def age_group_for(age: int | None) -> str:
    """``child`` under 18 (UNODC, and no means need be shown under Loi 2005-06), else ``adult``."""
    _check_age(age)
    if age is None:
        return "unknown"
    return "child" if age < 18 else "adult"


# Flows -----------------------------------------------------------------------------


def flow_type_for(origin: str, destination: str = "SN") -> str:
    """UNODC flow of a victim from ``origin`` to ``destination`` (ISO 3166-1 alpha-2).

    Subregional means both ends in West Africa, the only subregion the country
    list distinguishes; for Senegal's cases one end is almost always Senegal.
    """
    countries = code_list("country")
    ends = (countries.get(origin), countries.get(destination))  # rejects unknown codes
    if "XX" in (origin, destination):
        return "unknown"
    if origin == destination:
        return "domestic"
    regions = {end.attrs["un_region"] for end in ends}
    return "subregional" if regions == {"west_africa"} else "transregional"
