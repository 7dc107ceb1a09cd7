"""The meeting models now belong to the ``meetings`` app (its migration 0001 took them over with
their tables, rows and history): they leave the duties state; the database is not touched."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('duties', '0004_labels'),
        ('meetings', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name='HistoricalMeeting_invited_divisions'),
                migrations.DeleteModel(name='HistoricalMeetingInvitation'),
                migrations.DeleteModel(name='HistoricalSpecialMeetingRequest'),
                migrations.DeleteModel(name='HistoricalMeeting'),
                migrations.DeleteModel(name='MeetingInvitation'),
                migrations.DeleteModel(name='SpecialMeetingRequest'),
                migrations.DeleteModel(name='Meeting'),
            ],
            database_operations=[],
        ),
    ]
