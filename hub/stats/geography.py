"""The maps a query can follow: the judicial map (courts of appeal, jurisdictions,
from the ``court`` code list) and the administrative regions (``region_of``)."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING

from shared.codes import code_list, court_of_appeal, jurisdictions, region_of

if TYPE_CHECKING:
    from hub.stats.query import Geography


@cache
def _jurisdiction_codes() -> tuple[str, ...]:
    return tuple(c.code for c in jurisdictions())


def appeal_courts() -> tuple[str, ...]:
    return tuple(c.code for c in code_list("court") if c.attrs.get("kind") == "appeal")


def filters_check(*, region: str | None, court_of_appeal: str | None, jurisdiction: str | None,
                  error: Callable[[str, str], Exception]) -> None:
    """Raise ``error(field, message)`` for a filter code that is not on the map."""
    if region is not None and region not in code_list("region"):
        raise error("region", f"unknown region {region!r}")
    if court_of_appeal is not None and court_of_appeal not in appeal_courts():
        raise error("court_of_appeal", f"unknown court of appeal {court_of_appeal!r}")
    if jurisdiction is not None and jurisdiction not in _jurisdiction_codes():
        raise error("jurisdiction", f"unknown jurisdiction {jurisdiction!r}")


def scope(*, region: str | None = None, court_of_appeal: str | None = None,
          jurisdiction: str | None = None) -> tuple[str, ...]:
    """The jurisdictions (TGI codes) a set of filters keeps, in code-list order."""
    return tuple(
        code for code in _jurisdiction_codes()
        if (region is None or region_of(code) == region)
        and (court_of_appeal is None or _appeal_of(code) == court_of_appeal)
        and (jurisdiction is None or code == jurisdiction)
    )


def _appeal_of(code: str) -> str:
    return court_of_appeal(code).code


def area_of(geography: Geography, jurisdiction: str) -> str:
    """The code of the area of ``geography`` a jurisdiction's figures count in."""
    if geography == "jurisdiction":
        return jurisdiction
    if geography == "court_of_appeal":
        return _appeal_of(jurisdiction)
    if geography == "region":
        return region_of(jurisdiction)
    raise ValueError(f"no area for geography {geography!r}")


def areas(geography: Geography, jurisdictions_in_scope: tuple[str, ...]) -> tuple[str, ...]:
    """The areas of ``geography`` covering the jurisdictions in scope, in code-list order."""
    wanted = {area_of(geography, code) for code in jurisdictions_in_scope}
    if geography == "jurisdiction":
        order = _jurisdiction_codes()
    elif geography == "court_of_appeal":
        order = appeal_courts()
    else:
        order = code_list("region").codes()
    return tuple(code for code in order if code in wanted)
