"""Phase 1 of an import: each register line read and checked by the API's serializers.

No database write happens here. A line becomes a ``Plan`` (validated data for
the case, the survivor and, when filled in, exploitation, author, charge and
step) or a list of ``RejectedRow`` naming the column and giving the API's
French message. Checks that need the records themselves (a step's place in the
procedure, a charge's victims) run again, on the real rows, in phase 2.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from rest_framework import serializers

from node.api import CodeField, CodeListField
from node.cases.serializers import CaseInput, ChargeSerializer, ExploitationSerializer, StepInput
from node.imports.reading import Line
from node.imports.values import (
    GENDER_SHORTHANDS,
    Converter,
    as_bool,
    as_code,
    as_codes,
    as_date,
    as_int,
    as_text,
)
from node.people.serializers import SurvivorInput, TraffickerInput

Columns = tuple[tuple[str, str, Converter], ...]

CASE_COLUMNS: Columns = (
    ("numero_parquet", "parquet_number", as_text),
    ("date_signalement", "reported_on", as_date),
    ("source", "identification_source", as_code("identification_source")),
    ("transfrontalier", "cross_border", as_bool),
)
SURVIVOR_COLUMNS: Columns = (
    ("victime_nom", "family_name", as_text),
    ("victime_prenoms", "given_names", as_text),
    ("victime_sexe", "sex", as_code("gender", GENDER_SHORTHANDS)),
    ("victime_date_naissance", "birth_date", as_date),
    ("victime_age_estime", "estimated_age", as_int),
    ("victime_nationalite", "nationality", as_code("country")),
    ("victime_pays_origine", "origin_country", as_code("country")),
    ("victime_region_origine", "origin_region", as_code("region")),
    ("victime_pere", "father_given_name", as_text),
    ("victime_mere", "mother_name", as_text),
    ("victime_talibe", "talibe", as_bool),
    ("victime_vulnerabilites", "vulnerabilities", as_codes("vulnerability")),
)
EXPLOITATION_COLUMNS: Columns = (
    ("forme_exploitation", "form", as_code("exploitation_form")),
    ("sous_type", "subtype", as_code("exploitation_subtype")),
    ("moyens_controle", "means_of_control", as_codes("means_of_control")),
    ("mode_recrutement", "recruitment_method", as_code("recruitment_method")),
    ("type_lieu", "site_type", as_code("site_type")),
)
AUTHOR_COLUMNS: Columns = (
    ("auteur_nom", "family_name", as_text),
    ("auteur_prenoms", "given_names", as_text),
    ("auteur_sexe", "sex", as_code("gender", GENDER_SHORTHANDS)),
    ("auteur_profession", "occupation", as_code("occupation")),
)
# The author's part in this case (the link case-trafficker), beside the person.
DEFENDANT_COLUMNS: Columns = (
    ("auteur_lien", "relationship", as_code("recruiter_relationship")),
    ("auteur_roles", "roles", as_codes("perpetrator_role")),
)
CHARGE_COLUMNS: Columns = (("infraction", "offence", as_code("offence")),)
STEP_COLUMNS: Columns = (
    ("etape", "step", as_code("procedure_step")),
    ("date_etape", "occurred_on", as_date),
    ("decision", "outcome", as_code("outcome")),
    ("peine_prison_mois", "prison_months", as_int),
    ("amende_fcfa", "fine_fcfa", as_int),
)
# Fields that are not columns of their part, for errors of the serializers and services.
EXTRA_FIELDS = {
    "birth_year": "victime_age_estime",
    "identified_on": "date_signalement",
    "age_at_identification": "victime_age_estime",
    "survivor": "victime_nom",
    "case_survivor": "victime_nom",
    "survivors": "victime_nom",
    "trafficker": "auteur_nom",
    "defendant": "auteur_nom",
    "legal_name": "auteur_nom",
    "charged_on": "date_etape",
    "court": "etape",
    "case": "numero_parquet",
}


class DefendantPart(serializers.Serializer[Any]):
    """The line's own fields of DefendantSerializer, checked before the case and author exist.

    (DefendantSerializer itself requires both ids, even when partial, for its
    uniqueness check; phase 2 runs it in full.)
    """

    relationship = CodeField("recruiter_relationship", required=False)
    roles = CodeListField("perpetrator_role", required=False)


@dataclass(frozen=True)
class RejectedRow:
    """Why one line (or the header, line 1) cannot be imported, in the greffier's terms."""

    line: int
    field: str
    message: str


class Rejected(Exception):
    def __init__(self, rejections: list[RejectedRow]) -> None:
        self.rejections = rejections
        super().__init__("; ".join(f"{r.line} {r.field}: {r.message}" for r in rejections))


@dataclass
class Plan:
    """One line's validated data, ready for the services."""

    line: int
    number: str
    case: dict[str, Any]
    survivor: dict[str, Any]
    age: int | None
    exploitation: dict[str, Any] | None
    author: dict[str, Any] | None
    defendant: dict[str, Any] | None
    offence: str | None
    step: dict[str, Any] | None

    @property
    def reported_on(self) -> date:
        reported: date = self.case["reported_on"]
        return reported


def column_of(field: str, columns: Columns) -> str:
    """The column to blame for a serializer or service error on ``field``."""
    for column, name, _ in columns:
        if name == field:
            return column
    return EXTRA_FIELDS.get(field, columns[0][0])


def rejections(line: int, errors: Mapping[str, Any], columns: Columns) -> list[RejectedRow]:
    return [
        RejectedRow(line, column_of(name, columns), _first_message(detail))
        for name, detail in errors.items()
    ]


def _first_message(detail: Any) -> str:
    while isinstance(detail, list | dict):
        values = list(detail.values()) if isinstance(detail, dict) else detail
        detail = values[0] if values else ""
    return str(detail)


class _LineCheck:
    """Collects every error of one line across its parts, so all are reported at once."""

    def __init__(self, line: Line) -> None:
        self.line = line
        self.errors: list[RejectedRow] = []

    def filled(self, columns: Columns) -> bool:
        return bool(self.filled_columns(columns))

    def filled_columns(self, columns: Columns) -> list[str]:
        return [column for column, _, _ in columns if self.line.cells.get(column)]

    def converted(self, columns: Columns) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for column, field, convert in columns:
            text = self.line.cells.get(column, "")
            try:
                if text:
                    data[field] = convert(text)
            except ValueError as exc:
                self.errors.append(RejectedRow(self.line.number, column, str(exc)))
        return data

    def validated(
        self,
        serializer_class: type[serializers.Serializer[Any]],
        data: dict[str, Any],
        columns: Columns,
        *,
        partial: bool = False,
    ) -> dict[str, Any]:
        serializer = serializer_class(data=data, partial=partial)
        if serializer.is_valid():
            return dict(serializer.validated_data)
        # A column that could not be read is missing from ``data``: say so once, not twice.
        reported = {r.field for r in self.errors}
        self.errors += [
            r
            for r in rejections(self.line.number, serializer.errors, columns)
            if r.field not in reported
        ]
        return {}

    def part(
        self,
        serializer_class: type[serializers.Serializer[Any]],
        columns: Columns,
        *,
        partial: bool = False,
    ) -> dict[str, Any] | None:
        """A part's validated data, or None when its columns are all empty."""
        if not self.filled(columns):
            return None
        return self.validated(serializer_class, self.converted(columns), columns, partial=partial)


def line_plan(line: Line) -> Plan:
    """Read and check one line; raise ``Rejected`` with all its errors."""
    check = _LineCheck(line)
    case = check.validated(CaseInput, check.converted(CASE_COLUMNS), CASE_COLUMNS)
    survivor_data = check.converted(SURVIVOR_COLUMNS)
    age = _age_as_birth_year(survivor_data, case.get("reported_on"))
    survivor = check.validated(SurvivorInput, survivor_data, SURVIVOR_COLUMNS)
    exploitation = check.part(ExploitationSerializer, EXPLOITATION_COLUMNS, partial=True)
    author = check.part(TraffickerInput, AUTHOR_COLUMNS)
    defendant = check.part(DefendantPart, DEFENDANT_COLUMNS)
    offence = check.part(ChargeSerializer, CHARGE_COLUMNS, partial=True)
    step = check.part(StepInput, STEP_COLUMNS, partial=True)
    if author is None:
        check.errors += [
            RejectedRow(
                line.number, column, ("Cette colonne concerne un auteur : renseignez auteur_nom.")
            )
            for column in check.filled_columns(DEFENDANT_COLUMNS + CHARGE_COLUMNS)
        ]
    if check.errors:
        raise Rejected(check.errors)
    return Plan(
        line.number,
        case["parquet_number"],
        case,
        survivor,
        age if age is not None else _age_from_birth_date(survivor, case["reported_on"]),
        exploitation,
        author,
        defendant,
        (offence or {}).get("offence"),
        step,
    )


def _age_as_birth_year(data: dict[str, Any], reported_on: date | None) -> int | None:
    """A register's age is the age at the report, not today: turn it into a birth year.

    The API reads ``estimated_age`` as an age today; for a register line of 2019
    that would make the child six years too young.
    """
    age = data.get("estimated_age")
    if not isinstance(age, int) or reported_on is None:
        return None  # a bad age is left for the API to reject
    data["birth_year"] = reported_on.year - age
    del data["estimated_age"]
    return age


def _age_from_birth_date(survivor: Mapping[str, Any], reported_on: date) -> int | None:
    if not survivor.get("birth_date"):
        return None
    born = date.fromisoformat(survivor["birth_date"])
    before_birthday = (reported_on.month, reported_on.day) < (born.month, born.day)
    return max(reported_on.year - born.year - before_birthday, 0)
