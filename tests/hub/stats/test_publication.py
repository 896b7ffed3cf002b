"""Partner releases are published (``systraite-hub publish``) and partners are served the
latest publication: computed off the request path, stale until the next run, computed
once in the request for a year never published."""

from __future__ import annotations

import io
import threading
from datetime import date
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format

from hub.stats import publication
from hub.stats.models import PartnerFigure, PartnerRelease, PublishedCell
from hub.stats.protection import partner_figures, population_tables, release_compute
from hub.stats.publication import (
    populations,
    publication_years,
    release_cache_clear,
    release_for,
    releases_publish,
    year_period,
)
from hub.stats.query import Audience, Geography, StatsQuery, disclosure_rules, stats_run
from shared.disclosure import TOTAL
from tests.hub.stats.support import seed

T = "cases_victims_form"
URL = f"/api/v1/stats/{T}/"
YEAR = 2024
PARAMS = {"by": "victims,form", "start": f"{YEAR}-01", "end": f"{YEAR}-12"}
CELLS = {("v1", "begging"): 40, ("v2-4", "begging"): 3, ("v1", "forced_labour"): 25,
         ("v2-4", "forced_labour"): 30}


@pytest.fixture(autouse=True)
def fresh_cache() -> None:
    release_cache_clear()


@pytest.fixture
def seeded(db: None) -> None:
    seed("SN-TGI-KED", T, date(YEAR, 3, 1), CELLS)
    seed("SN-TGI-STL", T, date(YEAR, 5, 1), {("v1", "begging"): 12, ("v5-9", "begging"): 2})


def publish(*args: str) -> str:
    out = io.StringIO()
    call_command("publish", *args, stdout=out)
    return out.getvalue()


def figure(body: dict[str, Any], *key: str) -> Any:
    return next(c["value"] for c in body["cells"] if c["key"] == list(key))


def release_of(table: str = T) -> PartnerRelease:
    population = population_tables(table)[0].counts
    return PartnerRelease.objects.get(population=population, period_start=date(YEAR, 1, 1))


@pytest.mark.django_db
def test_after_publish_partners_get_the_figures_of_the_release_computed_directly(
    seeded: None,
) -> None:
    publish()
    rules, period = disclosure_rules(), year_period(YEAR)
    direct = release_compute(tables=population_tables(T), period=period, rules=rules)
    served = release_for(table_name=T, period=period, rules=rules)
    assert served.figures == direct  # areas, keys and figures round-trip exactly
    assert any(area.code for area in direct[T])  # the map's areas are in it, not only the country
    for geography in Geography:
        query = StatsQuery(table=T, by=("victims", "form"), start=period[0], end=period[1],
                           geography=geography)
        cells = {c.key: (c.value, c.suppressed)
                 for c in stats_run(query=query, audience=Audience.PARTNER).cells}
        expected = partner_figures(query=query, release=direct)
        assert {key: f for key, f in cells.items() if f != (0, False)} == {
            (*(() if geography is Geography.NATIONAL else key[:1]), *key[-2:]): f
            for key, f in expected.items() if f != (0, False)
        }


@pytest.mark.django_db
def test_new_data_reaches_partners_only_when_publish_runs_again(partner: Client,
                                                                seeded: None) -> None:
    publish()
    before = partner.get(URL, PARAMS).json()
    assert figure(before, "v1", TOTAL) == 75  # 77
    seed("SN-TGI-KED", T, date(YEAR, 9, 1), {("v1", "forced_labour"): 50})  # a push
    assert partner.get(URL, PARAMS).json() == before
    publish()
    after = partner.get(URL, PARAMS).json()
    assert figure(after, "v1", TOTAL) == 125  # 127
    assert parse_datetime(after["published_at"]) > parse_datetime(before["published_at"])


@pytest.mark.django_db
def test_a_second_publish_stores_nothing_new(seeded: None) -> None:
    first = publish()
    assert "0 publication(s) calculée(s)" not in first
    stored = list(PartnerRelease.objects.values_list("id", "computed_at").order_by("id"))
    figures, withheld = PartnerFigure.objects.count(), PublishedCell.objects.count()
    second = publish()
    assert f"0 publication(s) calculée(s), {len(stored)} déjà à jour." in second
    assert list(PartnerRelease.objects.values_list("id", "computed_at").order_by("id")) == stored
    assert (PartnerFigure.objects.count(), PublishedCell.objects.count()) == (figures, withheld)


@pytest.mark.django_db
def test_publish_covers_every_population_for_every_year_with_data_and_this_year(
    seeded: None,
) -> None:
    publish()
    this_year = timezone.localdate().year
    population = population_tables(T)[0].counts
    stored = set(PartnerRelease.objects.values_list("population", "period_start__year"))
    assert stored == {(p, this_year) for p in populations()} | {(population, YEAR)}
    assert publication_years(population, population_tables(T)) == sorted({YEAR, this_year})


@pytest.mark.django_db
def test_publish_year_restricts_to_that_year(seeded: None) -> None:
    publish("--year", str(YEAR))
    assert set(PartnerRelease.objects.values_list("period_start__year", flat=True)) == {YEAR}


@pytest.mark.django_db
def test_a_year_never_published_is_computed_on_the_first_request_and_stored(
    partner: Client, seeded: None
) -> None:
    assert not PartnerRelease.objects.exists()
    first = partner.get(URL, PARAMS).json()
    row = release_of()
    assert row.figures.exists()
    assert parse_datetime(first["published_at"]) == row.computed_at
    seed("SN-TGI-KED", T, date(YEAR, 9, 1), {("v1", "forced_labour"): 50})
    release_cache_clear()  # another process: it reads the stored release, computes nothing
    assert partner.get(URL, PARAMS).json() == first
    assert list(PartnerRelease.objects.values_list("id", flat=True)) == [row.id]


@pytest.mark.django_db
def test_a_release_replaced_while_it_was_read_is_read_again_not_served_empty(
    seeded: None,
) -> None:
    rules, period = disclosure_rules(), year_period(YEAR)
    publish()
    stale = release_of()  # what a request had read when the publication below committed
    seed("SN-TGI-KED", T, date(YEAR, 9, 1), {("v1", "forced_labour"): 50})
    publish()
    assert publication._loaded(stale) is None
    served = release_for(table_name=T, period=period, rules=rules)
    assert served.release_id == release_of().id and served.figures[T]


@pytest.mark.django_db
def test_the_published_at_of_the_release_reaches_the_api_output(
    partner: Client, analyst: Client, seeded: None
) -> None:
    publish()
    assert parse_datetime(partner.get(URL, PARAMS).json()["published_at"]) == (
        release_of().computed_at)
    assert analyst.get(URL, PARAMS).json()["published_at"] is None


@pytest.mark.django_db
def test_the_schema_documents_published_at(partner: Client) -> None:
    schema = partner.get("/api/schema/", {"format": "json"}).json()
    field = schema["components"]["schemas"]["ResultOutput"]["properties"]["published_at"]
    assert field["type"] == "string" and field["format"] == "date-time"
    assert field["nullable"] is True


@pytest.mark.django_db
def test_the_partner_dashboard_says_when_its_figures_were_published(
    partner: Client, seeded: None
) -> None:
    seed("SN-TGI-KED", "survivors_sex_age_form", date(YEAR, 3, 1),
         {("Female", "9-17", "begging"): 12})
    publish()
    page = partner.get("/tableaux/vue-ensemble/", {"year": str(YEAR)}).content.decode()
    assert "Chiffres protégés publiés le" in page
    at = PartnerRelease.objects.order_by("computed_at")[0].computed_at
    with translation.override("fr"):
        assert date_format(timezone.localtime(at), "DATETIME_FORMAT") in page


@pytest.mark.django_db
def test_the_publication_date_is_said_in_english_too(partner: Client, seeded: None) -> None:
    publish()
    partner.post("/langue/", {"language": "en", "next": "/"})
    page = partner.get("/tableaux/vue-ensemble/", {"year": str(YEAR)}).content.decode()
    assert "Protected figures published on" in page


@pytest.mark.django_db
def test_the_analyst_dashboard_says_nothing_of_publication(analyst: Client,
                                                           seeded: None) -> None:
    publish()
    page = analyst.get("/tableaux/vue-ensemble/", {"year": str(YEAR)}).content.decode()
    assert "publiés le" not in page


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_publishes_neither_duplicate_nor_fail() -> None:
    seed("SN-TGI-KED", T, date(YEAR, 3, 1), CELLS)
    seed("SN-TGI-KED", "survivors_sex_age_form", date(YEAR, 3, 1),
         {("Female", "9-17", "begging"): 12, ("Male", "0-8", "begging"): 4})
    barrier = threading.Barrier(2)
    done: dict[int, Any] = {}

    def run(n: int) -> None:
        try:
            barrier.wait(timeout=10)
            done[n] = releases_publish(rules=disclosure_rules())
        except Exception as exc:  # the test reports it
            done[n] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not [r for r in done.values() if isinstance(r, Exception)], done
    wanted = {(p, timezone.localdate().year) for p in populations()} | {
        (population_tables(t)[0].counts, YEAR) for t in (T, "survivors_sex_age_form")}
    assert {(p.population, p.year) for r in done.values() for p in r} == wanted
    computed = [(p.population, p.year) for r in done.values() for p in r if p.computed]
    assert sorted(computed) == sorted(wanted)  # each release computed once, by one of them
    assert PartnerRelease.objects.count() == len(wanted)


@pytest.mark.django_db
def test_a_push_recomputes_only_the_releases_of_the_tables_and_year_it_carried(
    seeded: None,
) -> None:
    publish()
    this_year = release_of()
    other = population_tables("procedure_events_step")[0].counts
    assert other != this_year.population
    seed("SN-TGI-KED", T, date(YEAR + 1, 2, 1), {("v1", "begging"): 20})  # another year
    seed("SN-TGI-KED", "procedure_events_step", date(YEAR, 2, 1), {("signalement",): 4})
    out = publish()
    assert release_of().id == this_year.id  # neither push touched its cells: not recomputed
    assert f"{this_year.population} {YEAR + 1}" in out
    assert f"{other} {YEAR}" in out
    seed("SN-TGI-STL", T, date(YEAR, 5, 1), {("v1", "forced_labour"): 1})  # replaces May
    publish()
    assert release_of().id != this_year.id
