"""Observations move from two JSON documents per row to typed columns (d1..d24 text, m1..m24 numbers)
keyed by (submission, row). Nothing had been deployed with the earlier table, so it is replaced."""

import django.db.models.deletion
from django.db import migrations, models

SLOTS = 24


class Migration(migrations.Migration):
    dependencies = [
        ("submissions", "0001_initial"),
        ("standards", "0004_field_slot"),
    ]

    operations = [
        migrations.DeleteModel(name="Observation"),
        migrations.CreateModel(
            name="Observation",
            fields=[
                ("pk", models.CompositePrimaryKey("submission_id", "row", blank=True, editable=False, primary_key=True, serialize=False)),
                (
                    "submission",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        db_constraint=False,
                        related_name="observations",
                        to="submissions.submission",
                    ),
                ),
                ("row", models.PositiveIntegerField()),
                *[(f"d{n}", models.TextField(blank=True, null=True)) for n in range(1, SLOTS + 1)],
                *[(f"m{n}", models.FloatField(blank=True, null=True)) for n in range(1, SLOTS + 1)],
            ],
            options={"ordering": ["submission", "row"]},
        ),
    ]
