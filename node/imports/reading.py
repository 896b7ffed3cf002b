"""Turning a register file (CSV or XLSX) into numbered lines of text cells.

Lines keep the number the greffier sees in the spreadsheet (the header is line
1), so that a rejection points at the line to correct. Blank lines are skipped.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from node.imports.template import COLUMN_NAMES, REQUIRED
from node.imports.values import fold

EXTENSIONS = (".csv", ".xlsx")


class UnreadableFile(Exception):
    """The file cannot be read as a register; the message says why, in French."""


@dataclass(frozen=True)
class Line:
    number: int
    cells: dict[str, str]


@dataclass(frozen=True)
class HeaderProblem:
    column: str
    message: str


def register_lines(path: Path) -> tuple[list[Line], list[HeaderProblem]]:
    """The file's non-blank lines (known columns only) and what is wrong with its header."""
    suffix = path.suffix.lower()
    if suffix not in EXTENSIONS:
        raise UnreadableFile(f"Extension « {suffix or '(aucune)'} » refusée : .csv ou .xlsx.")
    numbered = _xlsx_rows(path) if suffix == ".xlsx" else _csv_rows(path)
    return _lines(numbered)


def _lines(numbered: Iterable[tuple[int, list[str]]]) -> tuple[list[Line], list[HeaderProblem]]:
    rows = iter(numbered)
    try:
        _, header = next(rows)
    except StopIteration:
        raise UnreadableFile("Fichier vide : la ligne d'en-tête manque.") from None
    names = [fold(cell).replace(" ", "_") for cell in header]
    problems = _header_problems(header, names)
    lines = [
        Line(
            number,
            {
                name: value.strip()
                for name, value in zip(names, cells, strict=False)
                if name in COLUMN_NAMES
            },
        )
        for number, cells in rows
        if any(c.strip() for c in cells)
    ]
    return lines, problems


def _header_problems(header: list[str], names: list[str]) -> list[HeaderProblem]:
    problems = [
        HeaderProblem(raw.strip(), "Colonne inconnue (voir le modèle).")
        for raw, name in zip(header, names, strict=True)
        if name and name not in COLUMN_NAMES
    ]
    problems += [
        HeaderProblem(name, "Colonne en double.")
        for name in sorted({n for n in names if n and names.count(n) > 1})
    ]
    problems += [
        HeaderProblem(name, "Colonne obligatoire absente.")
        for name in COLUMN_NAMES
        if name in REQUIRED and name not in names
    ]
    return problems


def _csv_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    text = _decoded(path)
    first = text.split("\n", 1)[0]
    delimiter = max(";,\t", key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for cells in reader:
            yield reader.line_num, cells
    except csv.Error as exc:
        raise UnreadableFile(f"CSV illisible à la ligne {reader.line_num} : {exc}") from exc


def _decoded(path: Path) -> str:
    """UTF-8 (with or without BOM); else Windows-1252, which Excel in French still writes."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UnreadableFile(f"Fichier illisible : {exc.strerror or exc}.") from exc
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def _xlsx_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    """The first sheet only: the template's other sheets are help and example."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (OSError, zipfile.BadZipFile, InvalidFileException, KeyError, ValueError) as exc:
        raise UnreadableFile(f"Classeur XLSX illisible : {exc}.") from exc
    try:
        sheet = book.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [_cell_text(v) for v in values]
    finally:
        book.close()


def _cell_text(value: Any) -> str:
    """A cell as the greffier would have typed it (dates as AAAA-MM-JJ, 24.0 as 24)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
