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
