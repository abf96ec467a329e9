"""Sectors (from standards) and API tokens (from accounts) move here, so that the apps depend one way
(docs/architecture.md). Their tables are renamed and their content types relabelled; no row changes.
The foreign keys that point at them follow in standards 0005, submissions 0005 and accounts 0003."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MOVED = [("standards", "sector"), ("accounts", "apitoken")]


def relabel(apps, schema_editor, forward=True):
    content_type = apps.get_model("contenttypes", "ContentType")
    for old_label, model in MOVED:
        source, target = (old_label, "organizations") if forward else ("organizations", old_label)
        content_type.objects.using(schema_editor.connection.alias).filter(
            app_label=source, model=model
        ).update(app_label=target)


def unrelabel(apps, schema_editor):
    relabel(apps, schema_editor, forward=False)


class Migration(migrations.Migration):

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("organizations", "0001_initial"),
        ("accounts", "0002_initial"),
        ("standards", "0004_field_slot"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    "ALTER TABLE standards_sector RENAME TO organizations_sector",
                    "ALTER TABLE organizations_sector RENAME TO standards_sector",
                ),
                migrations.RunSQL(
                    "ALTER TABLE accounts_apitoken RENAME TO organizations_apitoken",
                    "ALTER TABLE organizations_apitoken RENAME TO accounts_apitoken",
                ),
            ],
            state_operations=[
                migrations.CreateModel(
                    name="Sector",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("code", models.SlugField(max_length=60, unique=True, verbose_name="code")),
                        ("names", models.JSONField(default=dict, help_text="Name per language code.", verbose_name="names")),
                    ],
                    options={"verbose_name": "sector", "verbose_name_plural": "sectors", "ordering": ["code"]},
                ),
                migrations.AlterField(
                    model_name="organization",
                    name="sectors",
                    field=models.ManyToManyField(blank=True, related_name="organizations", to="organizations.sector", verbose_name="sectors"),
                ),
                migrations.CreateModel(
                    name="ApiToken",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("name", models.CharField(max_length=100, verbose_name="name")),
                        ("role", models.CharField(choices=[("viewer", "Viewer"), ("contributor", "Contributor")], default="viewer", max_length=20, verbose_name="role")),
                        ("prefix", models.CharField(max_length=16, unique=True, verbose_name="prefix")),
                        ("key_hash", models.CharField(max_length=64)),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created")),
                        ("expires_at", models.DateTimeField(verbose_name="expires")),
                        ("revoked_at", models.DateTimeField(blank=True, null=True, verbose_name="revoked")),
                        ("last_used_at", models.DateTimeField(blank=True, null=True, verbose_name="last used")),
                        ("created_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                        ("organization", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="api_tokens", to="organizations.organization", verbose_name="organization")),
                        ("revoked_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                    ],
                    options={"verbose_name": "API token", "verbose_name_plural": "API tokens", "ordering": ["-created_at"]},
                ),
            ],
        ),
        migrations.RunPython(relabel, unrelabel),
    ]
