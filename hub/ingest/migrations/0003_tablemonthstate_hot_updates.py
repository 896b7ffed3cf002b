"""Every push rewrites the sequence of each (table, month) it carries: let those be HOT updates.

A HOT update (heap-only tuple) writes no index entry, but needs free room on the
row's page; at the default fillfactor of 100 there is none, so each of a
payload's ~1,200 state updates also inserted into every index of the table.
Half-full pages leave room for the new version, and the node's index is
dropped: the unique (node, table, month) index starts with the node and serves
the same lookups.
"""

from django.db import migrations, models

_FILLFACTOR = 50


def _set_fillfactor(apps, schema_editor, fillfactor: int) -> None:  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        table = apps.get_model("ingest", "TableMonthState")._meta.db_table
        schema_editor.execute(f"ALTER TABLE {table} SET (fillfactor = {fillfactor})")


class Migration(migrations.Migration):
    dependencies = [
        ("ingest", "0002_tokenset_digest"),
        ("registry", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="tablemonthstate",
            name="node",
            field=models.ForeignKey(
                db_index=False,
                on_delete=models.PROTECT,
                related_name="+",
                to="registry.node",
            ),
        ),
        migrations.RunPython(
            lambda apps, editor: _set_fillfactor(apps, editor, _FILLFACTOR),
            lambda apps, editor: _set_fillfactor(apps, editor, 100),
        ),
    ]
