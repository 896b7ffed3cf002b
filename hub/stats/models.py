"""What the statistics engine keeps: population denominators and the release registry."""

from __future__ import annotations

from django.db import models


class PopulationFigure(models.Model):
    """The population of one region, of one sex, in one year (SDG 16.2.2 denominator).

    Public data (ANSD projections), loaded by ``systraite-hub load-population``;
    not sensitive. ``sex`` is a code of the ``gender`` list (Male, Female).
    """

    region = models.CharField(max_length=8)
    sex = models.CharField(max_length=32)
    year = models.PositiveSmallIntegerField()
    population = models.PositiveBigIntegerField()
    source = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["region", "sex", "year"],
                                    name="stats_population_unique")
        ]

    def __str__(self) -> str:
        return f"{self.region} {self.sex} {self.year} = {self.population}"


class PublishedCell(models.Model):
    """A cell that a partner release withheld, so that every later release of the
    same period keeps withholding it (hub/stats/protection.py).

    ``key`` is the cell's meaning, independent of the query that showed it:
    ``dim=code`` pairs sorted and joined by ``;`` (``geo@region=SN-DK``,
    ``sex=Female``...); ``signature`` is the query's filters ("" for the whole
    country). Holds no count: the status only. Not sensitive by itself.
    """

    table = models.CharField(max_length=64)
    signature = models.CharField(max_length=200, blank=True, default="")
    period_start = models.DateField()
    period_end = models.DateField()
    key = models.CharField(max_length=400)
    status = models.CharField(max_length=32)
    released_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["table", "signature", "period_start", "period_end", "key"],
                name="stats_published_cell_unique",
            )
        ]
        indexes = [
            models.Index(fields=["signature", "period_start", "period_end"],
                         name="stats_published_period"),
        ]

    def __str__(self) -> str:
        return f"{self.table} {self.period_start:%Y-%m}..{self.period_end:%Y-%m} {self.key}"


class PartnerRelease(models.Model):
    """The latest computed partner release of one population, one calendar year and
    one set of disclosure rules (hub/stats/publication.py): what partners are served.

    ``population`` is ``Table.counts`` of the catalogue (the tables protected
    together); ``parts`` and ``sequence_sum`` are the version of its cells it
    was computed from (``protection.data_version``); ``compute_milliseconds``
    what computing it took. Its figures are the
    ``PartnerFigure`` rows. Holds only protected aggregates, which partners see
    anyway: not sensitive by itself.
    """

    population = models.CharField(max_length=64)
    period_start = models.DateField()
    period_end = models.DateField()
    threshold = models.PositiveIntegerField()
    rounding_base = models.PositiveIntegerField()
    parts = models.BigIntegerField()
    sequence_sum = models.BigIntegerField()
    computed_at = models.DateTimeField()
    compute_milliseconds = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["population", "period_start", "period_end", "threshold",
                        "rounding_base"],
                name="stats_partner_release_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.population} {self.period_start:%Y} @ {self.computed_at:%Y-%m-%d %H:%M}"


class PartnerFigure(models.Model):
    """One protected figure of a partner release: a cell of a catalogue table in one
    area of the map (``level`` and ``area``; the country has no area code), keyed by
    the table's codes (``d1``..``d3``, ``_total`` for a margin, "" past the table's
    dimensions). ``value`` is the rounded figure, None when withheld; never an exact
    count. Exact zeros are not stored (absent means an exact 0). Not sensitive.
    """

    release = models.ForeignKey(PartnerRelease, on_delete=models.CASCADE,
                                related_name="figures")
    table = models.CharField(max_length=64)
    level = models.CharField(max_length=16)
    area = models.CharField(max_length=64, blank=True, default="")
    d1 = models.CharField(max_length=64, blank=True, default="")
    d2 = models.CharField(max_length=64, blank=True, default="")
    d3 = models.CharField(max_length=64, blank=True, default="")
    value = models.PositiveIntegerField(null=True)
    suppressed = models.BooleanField()

    def __str__(self) -> str:
        return f"{self.table} {self.level}:{self.area} {self.d1}.{self.d2}.{self.d3}"
