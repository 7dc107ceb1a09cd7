"""Links stored in inbox messages and reminders follow meetings from /divisions/meetings/ to
/meetings/ (the old addresses keep redirecting, for the emails already sent)."""

from django.db import migrations
from django.db.models import Value
from django.db.models.functions import Concat, Substr

OLD, NEW = "/divisions/meetings/", "/meetings/"


def _relink(apps, old, new):
    for name in ("Notification", "Reminder"):
        model = apps.get_model("portal", name)
        model.objects.filter(url__startswith=old).update(
            url=Concat(Value(new), Substr("url", len(old) + 1))
        )


def forwards(apps, schema_editor):
    _relink(apps, OLD, NEW)


def backwards(apps, schema_editor):
    _relink(apps, NEW, OLD)


class Migration(migrations.Migration):

    dependencies = [
        ('meetings', '0001_initial'),
        ('portal', '0007_notification_subject'),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
