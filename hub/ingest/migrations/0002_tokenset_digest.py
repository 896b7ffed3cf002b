"""Each stored token set keeps its set digest, which token-set deltas are checked against."""

from django.db import migrations, models

from shared.payload import EMPTY_SET_DIGEST, set_digest


def _digest_every_set(apps, schema_editor):  # type: ignore[no-untyped-def]
    token_set_model = apps.get_model("ingest", "TokenSet")
    token_model = apps.get_model("ingest", "Token")
    for token_set in token_set_model.objects.iterator():
        tokens = token_model.objects.filter(token_set=token_set).values_list("token", flat=True)
        token_set.digest = set_digest(tokens.iterator())
        token_set.save(update_fields=["digest"])


class Migration(migrations.Migration):
    dependencies = [
        ("ingest", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="tokenset",
            name="digest",
            field=models.CharField(default=EMPTY_SET_DIGEST, max_length=64),
            preserve_default=False,
        ),
        migrations.RunPython(_digest_every_set, migrations.RunPython.noop),
    ]
