"""Load the shipped population file (data/population.csv) into an empty hub."""

from django.db import migrations


def load_default(apps, schema_editor):  # type: ignore[no-untyped-def]
    from hub.stats.population import DEFAULT_SOURCE, default_population_text, population_parse

    figure = apps.get_model("stats", "PopulationFigure")
    if figure.objects.exists():
        return
    figure.objects.bulk_create(
        figure(region=r.region, sex=r.sex, year=r.year, population=r.population,
               source=DEFAULT_SOURCE)
        for r in population_parse(default_population_text())
    )


class Migration(migrations.Migration):
    dependencies = [("stats", "0001_initial")]
    operations = [migrations.RunPython(load_default, migrations.RunPython.noop)]
