import django.db.models.deletion
from django.db import migrations, models

from shinealight.core.extract import name_keys


def fill(apps, schema_editor):
    """Index the names of the records already held (a store from before this version)."""
    PersonMention = apps.get_model("records", "PersonMention")
    KnownName = apps.get_model("records", "KnownName")
    rows, seen, current = [], set(), None
    mentions = PersonMention.objects.order_by("record_id").values_list(
        "record_id", "name", "aliases"
    )
    for record, name, aliases in mentions.iterator(chunk_size=10_000):
        if record != current:
            current, seen = record, set()
        for written in (name, *(aliases or ())):
            if isinstance(written, str) and written:
                for key in name_keys(written):
                    if key[:200] not in seen:
                        seen.add(key[:200])
                        rows.append(KnownName(record_id=record, key=key[:200]))
        if len(rows) >= 10_000:
            KnownName.objects.bulk_create(rows)
            rows = []
    KnownName.objects.bulk_create(rows)


class Migration(migrations.Migration):
    dependencies = [
        ("records", "0003_create_import_jobs"),
    ]

    operations = [
        migrations.CreateModel(
            name="KnownName",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("key", models.CharField(max_length=200)),
                (
                    "record",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="records.record",
                    ),
                ),
            ],
            options={
                "indexes": [models.Index(fields=["key"], name="known_name_key")],
            },
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
