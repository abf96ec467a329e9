"""Each event's HMAC under HUB_AUDIT_KEY. Events recorded before this migration get theirs now: the key
vouches for them from the upgrade on."""

import hashlib
import hmac

from django.conf import settings
from django.db import migrations, models


def sign_existing_events(apps, schema_editor):
    AuditEvent = apps.get_model("audit", "AuditEvent")
    key = settings.HUB_AUDIT_KEY.encode()
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_append_only")
        for pk, digest in AuditEvent.objects.filter(mac="").values_list("pk", "hash").iterator():
            mac = hmac.new(key, digest.encode(), hashlib.sha256).hexdigest()
            cursor.execute("UPDATE audit_auditevent SET mac = %s WHERE id = %s", [mac, pk])
        cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_event_append_only")


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_refuse_truncate")]
    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="mac",
            field=models.CharField(blank=True, default="", max_length=64),
            preserve_default=False,
        ),
        migrations.RunPython(sign_existing_events, migrations.RunPython.noop),
    ]
