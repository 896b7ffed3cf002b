"""Seeded aggregates with hand-computed figures, and a reader of the tables of a page.

``seed_cells`` writes ``hub.ingest.models.Cell`` rows for two registered nodes
(Kédougou, SN-TGI-KED, region SN-KE, cour d'appel de Tambacounda; Saint-Louis,
SN-TGI-STL, region SN-SL, cour d'appel de Saint-Louis), all in March 2024. The
``EXPECTED_*`` values below were added up by hand from those rows: they are what
an analyst must read on the pages, not something computed by the code under test.
"""

from __future__ import annotations

from datetime import date
from html.parser import HTMLParser

from hub.ingest.models import Cell, Token, TokenKind, TokenSet
from hub.registry.models import Node

MONTH = date(2024, 3, 1)
YEAR = "2024"

SEED: dict[str, dict[str, dict[tuple[str, ...], int]]] = {
    "SN-TGI-KED": {
        "survivors_sex_age_form": {
            ("Male", "9-17", "begging"): 23,
            ("Female", "18-20", "forced_labour"): 4,
            ("Female", "21-23", "sexual_exploitation"): 12,
        },
        "charges_offence_sex": {("L2005-06-art3", "Male"): 14},
        "traffickers_status_sex_citizenship": {
            ("suspected", "Male", "SN"): 11,
            ("prosecuted", "Male", "SN"): 8,
            ("convicted", "Male", "SN"): 5,
        },
        "decisions_outcome_offence_instance": {
            ("convicted", "L2005-06-art3", "first"): 5,
            ("acquitted", "L2005-06-art3", "first"): 2,
        },
        "survivors_begging_origin_age": {("yes", "GW", "9-17"): 17},
        "survivors_control_form_agegroup": {
            ("Threats", "begging", "child"): 13,
            ("PhysicalAbuse", "begging", "child"): 9,
        },
        "referrals_type_status_agegroup": {("shelter", "completed", "child"): 12},
    },
    "SN-TGI-STL": {
        "survivors_sex_age_form": {
            ("Male", "0-8", "begging"): 31,
            ("Female", "9-17", "begging"): 6,
            ("Female", "18-20", "sexual_exploitation"): 3,
        },
        "charges_offence_sex": {("L2005-06-art1", "Female"): 2},
        "traffickers_status_sex_citizenship": {("suspected", "Male", "GW"): 3},
        "survivors_begging_origin_age": {
            ("yes", "SN", "0-8"): 22,
            ("no", "ML", "9-17"): 4,
        },
        "survivors_control_form_agegroup": {("Threats", "begging", "child"): 20},
        "referrals_type_status_agegroup": {("shelter", "planned", "child"): 3},
    },
}

# Overview, survivors by form (rows) and sex (columns), French labels.
EXPECTED_FORM_SEX = {
    "Mendicité forcée": {"Masculin": "54", "Féminin": "6", "Total": "60"},
    "Travail forcé": {"Féminin": "4", "Total": "4"},
    "Exploitation sexuelle": {"Féminin": "15", "Total": "15"},
    "Total": {"Masculin": "54", "Féminin": "25", "Total": "79"},
}
# Survivor linkage tokens of 2024: one person ("c") is known to both jurisdictions.
TOKENS = {"SN-TGI-KED": ["a", "b", "c"], "SN-TGI-STL": ["c", "d"]}
EXPECTED_DISTINCT, EXPECTED_SUM, EXPECTED_OVERLAP = "4", "5", "1"
EXPECTED_REGIONS = {"Kédougou": "39", "Saint-Louis": "40", "Dakar": "0"}


def seed_cells() -> None:
    for jurisdiction, tables in SEED.items():
        node = Node.objects.get(jurisdiction=jurisdiction)
        Cell.objects.bulk_create(
            Cell(
                node=node,
                table=table,
                month=MONTH,
                count=count,
                **{f"d{i + 1}": code for i, code in enumerate(key)},
            )
            for table, cells in tables.items()
            for key, count in cells.items()
        )
        token_set = TokenSet.objects.create(
            node=node, year=MONTH.year, kind=TokenKind.SURVIVOR, key_id="lk:2024:test", sequence=1
        )
        Token.objects.bulk_create(
            Token(token_set=token_set, token=letter * 64) for letter in TOKENS[jurisdiction]
        )


class _Tables(HTMLParser):
    """Every <table> of a page as rows of cell texts, found by caption."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._caption: str | None = None
        self._rows: list[list[str]] | None = None
        self._text: list[str] | None = None
        self._in_caption = False
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._rows, self._caption = [], ""
        elif tag == "caption":
            self._in_caption = True
        elif tag == "tr" and self._rows is not None:
            self._rows.append([])
        elif tag in ("td", "th"):
            self._text = []
        elif tag == "span" and ("class", "sr") in attrs:
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "table" and self._rows is not None:
            self.tables[self._caption or ""] = self._rows
            self._rows = None
        elif tag == "caption":
            self._in_caption = False
        elif tag in ("td", "th") and self._text is not None and self._rows:
            self._rows[-1].append(" ".join("".join(self._text).split()))
            self._text = None
        elif tag == "span" and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if self._in_caption:
            self._caption = (self._caption or "") + data.strip()
        elif self._text is not None and not self._skip:
            self._text.append(data)


def page_tables(html: str) -> dict[str, dict[str, dict[str, str]]]:
    """{caption: {row label: {column header: text}}} for every table of ``html``."""
    parser = _Tables()
    parser.feed(html)
    out: dict[str, dict[str, dict[str, str]]] = {}
    for caption, rows in parser.tables.items():
        header, *body = rows
        out[caption] = {row[0]: dict(zip(header[1:], row[1:], strict=False)) for row in body if row}
    return out
