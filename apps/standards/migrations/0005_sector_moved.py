"""Sectors now live in organizations (organizations 0002 renamed the table): only the state moves."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("standards", "0004_field_slot"),
        ("organizations", "0002_sectors_and_api_tokens"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="standard",
                    name="sector",
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="standards", to="organizations.sector", verbose_name="sector"),
                ),
                migrations.DeleteModel(name="Sector"),
            ],
        ),
    ]
