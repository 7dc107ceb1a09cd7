"""A message names its subject (type and id, as reminders do) instead of holding a foreign key to
a meeting: the inbox knows no domain app, and the app of the subject provides the attachment of
its emails (a meeting's .ics). Messages about a meeting keep saying so.

Runs before ``meetings`` 0001 (which depends on it), so the foreign key is dropped, and on the
way back restored, while the meeting tables still carry their ``duties_`` names."""

from django.db import migrations, models


def meeting_to_subject(apps, schema_editor):
    Notification = apps.get_model("portal", "Notification")
    Notification.objects.filter(meeting__isnull=False).update(
        subject_type="meeting", subject_id=models.F("meeting_id")
    )


def subject_to_meeting(apps, schema_editor):
    Notification = apps.get_model("portal", "Notification")
    Meeting = apps.get_model("duties", "Meeting")
    known = Meeting.objects.filter(pk=models.OuterRef("subject_id"))
    Notification.objects.filter(subject_type="meeting").filter(models.Exists(known)).update(
        meeting_id=models.F("subject_id")
    )


class Migration(migrations.Migration):

    dependencies = [
        ('duties', '0004_labels'),
        ('portal', '0006_labels'),
    ]

    operations = [
        migrations.AddField(
            model_name='notification',
            name='subject_type',
            field=models.CharField(blank=True, max_length=40, verbose_name='subject type'),
        ),
        migrations.AddField(
            model_name='notification',
            name='subject_id',
            field=models.PositiveBigIntegerField(blank=True, null=True, verbose_name='subject id'),
        ),
        migrations.RunPython(meeting_to_subject, subject_to_meeting),
        migrations.RemoveField(
            model_name='notification',
            name='meeting',
        ),
    ]
