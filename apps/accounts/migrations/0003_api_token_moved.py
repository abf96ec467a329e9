"""API tokens now live in organizations (organizations 0002 renamed the table): only the state moves,
after the last foreign key that pointed here (submissions 0005) points there."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0002_initial"),
        ("organizations", "0002_sectors_and_api_tokens"),
        ("submissions", "0005_api_token_moved"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name="ApiToken")]),
    ]
