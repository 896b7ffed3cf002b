"""Exports of a query result: CSV, XLSX, DHIS2 dataValueSets, CTDC aggregate CSV.

Every export is cut from ``stats_run`` for the caller's audience, so an export
carries exactly the figures of the API. A withheld cell is shown one way only
(empty value, ``suppressed`` true): primary and secondary suppression look the
same.

DHIS2 mapping (dataValueSets JSON, one value per month, area and interior cell):
``dataElement`` = the catalogue table name; ``period`` = YYYYMM;
``period`` = YYYY for partners, who are served calendar years only;
``orgUnit`` = the area code of the query's geography (a TGI, court-of-appeal
or ISO 3166-2:SN region code; ``SN`` nationally); ``categoryOptionCombo`` =
the codes of the kept dimensions joined by ``.`` in the query's ``by`` order
(``default`` when none), stable because codes are. Withheld cells are left
out (DHIS2 has no "suppressed" value); margins are not sent (DHIS2 sums).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from typing import Any

from openpyxl import Workbook

from hub.stats.query import (
    GEO,
    Audience,
    Geography,
    StatsQuery,
    StatsResult,
    query_period,
    stats_run,
)
from shared.codes import code_list
from shared.disclosure import TOTAL

NATIONAL_ORG_UNIT = "SN"


def result_rows(result: StatsResult) -> Iterator[list[Any]]:
    """Header, then one row per cell: codes, value ("" when withheld), suppressed."""
    yield [*result.columns, "value", "suppressed"]
    for cell in result.cells:
        yield [*cell.key, "" if cell.value is None else cell.value, cell.suppressed]


def result_csv(result: StatsResult) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in result_rows(result):
        writer.writerow([str(v).lower() if isinstance(v, bool) else v for v in row])
    return out.getvalue()


def result_xlsx(result: StatsResult) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = result.query.table[:31]
    for row in result_rows(result):
        sheet.append([None if v == "" else v for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _months(start: date, end: date) -> Iterator[date]:
    month = start
    while month <= end:
        yield month
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)


def dhis2_data_value_set(*, query: StatsQuery, audience: Audience) -> dict[str, Any]:
    """The query's interior cells month by month (partners: for the calendar year, the
    only period they are served), as a DHIS2 dataValueSets document."""
    if audience is Audience.PARTNER:
        from hub.stats.protection import partner_period

        year = partner_period(query)
        if year is None:
            return {"dataValues": []}
        result = stats_run(query=replace(query, start=year[0], end=year[1]), audience=audience)
        return {"dataValues": list(_data_values(result, f"{year[0]:%Y}"))}
    period = query_period(query)
    values: list[dict[str, str]] = []
    if period is not None:
        for month in _months(*period):
            monthly = stats_run(query=replace(query, start=month, end=month), audience=audience)
            values.extend(_data_values(monthly, f"{month:%Y%m}"))
    return {"dataValues": values}


def _data_values(result: StatsResult, period: str) -> Iterator[dict[str, str]]:
    has_geo = result.query.geography is not Geography.NATIONAL
    for cell in result.cells:
        if TOTAL in cell.key or cell.value is None:
            continue
        codes = cell.key[1:] if has_geo else cell.key
        yield {
            "dataElement": result.query.table,
            "period": period,
            "orgUnit": cell.key[0] if has_geo else NATIONAL_ORG_UNIT,
            "categoryOptionCombo": ".".join(codes) or "default",
            "value": str(cell.value),
        }


# --- CTDC -----------------------------------------------------------------------------

CTDC_COLUMNS = ("periodStart", "periodEnd", "gender", "ageBroad", "majorityStatus",
                "citizenship", "typeOfExploitConcatenated", "count", "suppressed")
_MAJORITY = {"child": "Minor", "adult": "Adult", "unknown": "Unknown"}


def ctdc_csv(*, start: date | None, end: date | None, audience: Audience) -> str:
    """Survivor counts under HTCDS/CTDC column names, from two catalogue tables:
    gender x ageBroad x typeOfExploitConcatenated, and gender x majorityStatus x
    citizenship (CTDC's aggregate files cross no more than that)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CTDC_COLUMNS)
    forms = stats_run(query=StatsQuery(table="survivors_sex_age_form",
                                       by=("sex", "age_band", "form"), start=start, end=end),
                      audience=audience)
    origins = stats_run(query=StatsQuery(table="survivors_sex_agegroup_citizenship",
                                         by=("sex", "age_group", "citizenship"), start=start,
                                         end=end), audience=audience)
    if audience is Audience.PARTNER:
        from hub.stats.protection import partner_period

        period = partner_period(forms.query)
    else:
        period = query_period(forms.query)
    bounds = [f"{d:%Y-%m}" if d else "" for d in (period or (None, None))]
    for cell in _interior(forms):
        sex, band, form = cell.key
        writer.writerow([*bounds, _gender(sex), _age_broad(band), "", "", _form(form),
                         *_count(cell.value)])
    for cell in _interior(origins):
        sex, group, country = cell.key
        writer.writerow([*bounds, _gender(sex), "", _MAJORITY[group], country, "",
                         *_count(cell.value)])
    return out.getvalue()


def _interior(result: StatsResult) -> Iterator[Any]:
    return (c for c in result.cells if TOTAL not in c.key and (c.value or c.suppressed))


def _count(value: int | None) -> list[Any]:
    return ["", "true"] if value is None else [value, "false"]


def _gender(code: str) -> str:
    return str(code_list("gender").get(code).attrs.get("htcds", code))


def _age_broad(band: str) -> str:
    return "Unknown" if band == "unknown" else band.replace("-", "--")


def _form(code: str) -> str:
    return code_list("exploitation_form").label(code, "en") if code != "unknown" else "Unknown"


__all__ = ["GEO", "ctdc_csv", "dhis2_data_value_set", "result_csv", "result_xlsx"]
