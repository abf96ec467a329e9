"""API tokens now live in organizations (organizations 0002 renamed the table): only the state moves."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("submissions", "0004_queued_at"),
        ("organizations", "0002_sectors_and_api_tokens"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="submission",
                    name="submitted_by_token",
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to="organizations.apitoken"),
                ),
            ],
        ),
    ]
