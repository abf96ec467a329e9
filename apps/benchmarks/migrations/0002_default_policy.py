"""The shipped disclosure policy (DESIGN §5) as the first policy version."""

from django.db import migrations

from apps.benchmarks.policy import DEFAULT_POLICY, policy_document, policy_sha256


def add_default(apps, schema_editor):  # noqa: ANN001, ANN201 - a migration's function
    PolicyVersion = apps.get_model("benchmarks", "PolicyVersion")
    PolicyVersion.objects.get_or_create(
        sha256=policy_sha256(DEFAULT_POLICY),
        defaults={"version": DEFAULT_POLICY.version, "document": policy_document(DEFAULT_POLICY)},
    )


class Migration(migrations.Migration):
    dependencies = [("benchmarks", "0001_initial")]
    operations = [migrations.RunPython(add_default, migrations.RunPython.noop)]
