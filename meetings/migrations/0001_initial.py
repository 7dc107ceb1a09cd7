"""Meetings move out of ``duties`` with their rows and history.

The tables exist already (``duties`` 0003 made them): the first operation only tells Django's
state that these models now belong here, under their old table names; then each table (and the
many-to-many table of invited divisions, which AlterModelTable renames with its model) takes the
``meetings_`` name, and the indexes named after the old tables are renamed. ``duties`` 0005
then drops the models from the duties state, again without touching the database. Content types
(and so permissions) follow the models. Every step is reversible.
"""

import django.db.models.deletion
import django.utils.timezone
import simple_history.models
from django.conf import settings
from django.db import migrations, models


MOVED = (
    "meeting",
    "meetinginvitation",
    "specialmeetingrequest",
    "historicalmeeting",
    "historicalmeetinginvitation",
    "historicalspecialmeetingrequest",
    "historicalmeeting_invited_divisions",
)


def _move_content_types(apps, source, target):
    """Permissions (and anything else keyed by content type) follow the models."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    taken = set(
        ContentType.objects.filter(app_label=target, model__in=MOVED).values_list("model", flat=True)
    )
    ContentType.objects.filter(app_label=source, model__in=set(MOVED) - taken).update(
        app_label=target
    )


def content_types_forwards(apps, schema_editor):
    _move_content_types(apps, "duties", "meetings")


def content_types_backwards(apps, schema_editor):
    _move_content_types(apps, "meetings", "duties")



class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('duties', '0004_labels'),
        ('orgs', '0003_name_bigrams'),
        # The inbox's foreign key to duties.Meeting goes first (and comes back last).
        ('portal', '0007_notification_subject'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='HistoricalMeeting',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('quarterly', 'Quarterly meeting'), ('special', 'Special meeting')], max_length=10, verbose_name='kind')),
                        ('title', models.CharField(max_length=200, verbose_name='title')),
                        ('year', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='year')),
                        ('quarter', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='quarter')),
                        ('starts_at', models.DateTimeField(verbose_name='starts at')),
                        ('ends_at', models.DateTimeField(verbose_name='ends at')),
                        ('place', models.CharField(max_length=200, verbose_name='place')),
                        ('agenda', models.TextField(verbose_name='agenda')),
                        ('reading', models.TextField(blank=True, verbose_name='documents to read')),
                        ('status', models.CharField(choices=[('scheduled', 'Scheduled'), ('held', 'Held'), ('cancelled', 'Cancelled')], default='scheduled', max_length=10, verbose_name='status')),
                        ('minutes', models.TextField(blank=True, verbose_name='minutes')),
                        ('minutes_file', models.TextField(blank=True, max_length=300, verbose_name='minutes file')),
                        ('scheduled_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='scheduled at')),
                        ('rescheduled_at', models.DateTimeField(blank=True, null=True, verbose_name='moved at')),
                        ('cancelled_at', models.DateTimeField(blank=True, null=True, verbose_name='cancelled at')),
                        ('cancel_reason', models.TextField(blank=True, verbose_name='reason for cancelling')),
                        ('version', models.PositiveIntegerField(default=1, verbose_name='version')),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('scheduled_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='scheduled by')),
                    ],
                    options={
                        'db_table': 'duties_historicalmeeting',
                        'verbose_name': 'historical meeting',
                        'verbose_name_plural': 'historical meetings',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='Meeting',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('quarterly', 'Quarterly meeting'), ('special', 'Special meeting')], max_length=10, verbose_name='kind')),
                        ('title', models.CharField(max_length=200, verbose_name='title')),
                        ('year', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='year')),
                        ('quarter', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='quarter')),
                        ('starts_at', models.DateTimeField(verbose_name='starts at')),
                        ('ends_at', models.DateTimeField(verbose_name='ends at')),
                        ('place', models.CharField(max_length=200, verbose_name='place')),
                        ('agenda', models.TextField(verbose_name='agenda')),
                        ('reading', models.TextField(blank=True, verbose_name='documents to read')),
                        ('status', models.CharField(choices=[('scheduled', 'Scheduled'), ('held', 'Held'), ('cancelled', 'Cancelled')], default='scheduled', max_length=10, verbose_name='status')),
                        ('minutes', models.TextField(blank=True, verbose_name='minutes')),
                        ('minutes_file', models.FileField(blank=True, max_length=300, upload_to='meetings/%Y/', verbose_name='minutes file')),
                        ('scheduled_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='scheduled at')),
                        ('rescheduled_at', models.DateTimeField(blank=True, null=True, verbose_name='moved at')),
                        ('cancelled_at', models.DateTimeField(blank=True, null=True, verbose_name='cancelled at')),
                        ('cancel_reason', models.TextField(blank=True, verbose_name='reason for cancelling')),
                        ('version', models.PositiveIntegerField(default=1, verbose_name='version')),
                        ('invited_divisions', models.ManyToManyField(blank=True, related_name='meetings', to='duties.division', verbose_name='invited divisions')),
                        ('scheduled_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='scheduled by')),
                    ],
                    options={
                        'db_table': 'duties_meeting',
                        'verbose_name': 'meeting',
                        'verbose_name_plural': 'meetings',
                        'ordering': ['-starts_at'],
                    },
                ),
                migrations.CreateModel(
                    name='HistoricalSpecialMeetingRequest',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('topic', models.CharField(max_length=200, verbose_name='topic')),
                        ('reason', models.TextField(verbose_name='reason')),
                        ('requested_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='requested at')),
                        ('status', models.CharField(choices=[('open', 'Awaiting scheduling'), ('scheduled', 'Scheduled'), ('declined', 'Declined')], default='open', max_length=10, verbose_name='status')),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('requested_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='requested by')),
                        ('meeting', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='meetings.meeting', verbose_name='meeting')),
                    ],
                    options={
                        'db_table': 'duties_historicalspecialmeetingrequest',
                        'verbose_name': 'historical special meeting request',
                        'verbose_name_plural': 'historical special meeting requests',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='HistoricalMeetingInvitation',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('response', models.CharField(choices=[('pending', 'No answer yet'), ('attending', 'Will attend'), ('declined', 'Cannot attend')], default='pending', max_length=10, verbose_name='answer')),
                        ('attendees', models.CharField(blank=True, max_length=300, verbose_name='who will come')),
                        ('responded_at', models.DateTimeField(blank=True, null=True, verbose_name='answered at')),
                        ('attended', models.BooleanField(blank=True, null=True, verbose_name='attended')),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('organization', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='orgs.organization', verbose_name='organization')),
                        ('responded_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='answered by')),
                        ('meeting', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='meetings.meeting', verbose_name='meeting')),
                    ],
                    options={
                        'db_table': 'duties_historicalmeetinginvitation',
                        'verbose_name': 'historical invitation',
                        'verbose_name_plural': 'historical invitations',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='HistoricalMeeting_invited_divisions',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('m2m_history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('division', models.ForeignKey(blank=True, db_constraint=False, db_tablespace='', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='duties.division')),
                        ('history', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, to='meetings.historicalmeeting')),
                        ('meeting', models.ForeignKey(blank=True, db_constraint=False, db_tablespace='', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='meetings.meeting')),
                    ],
                    options={
                        'db_table': 'duties_historicalmeeting_invited_divisions',
                        'verbose_name': 'HistoricalMeeting_invited_divisions',
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='MeetingInvitation',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('response', models.CharField(choices=[('pending', 'No answer yet'), ('attending', 'Will attend'), ('declined', 'Cannot attend')], default='pending', max_length=10, verbose_name='answer')),
                        ('attendees', models.CharField(blank=True, max_length=300, verbose_name='who will come')),
                        ('responded_at', models.DateTimeField(blank=True, null=True, verbose_name='answered at')),
                        ('attended', models.BooleanField(blank=True, null=True, verbose_name='attended')),
                        ('meeting', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='invitations', to='meetings.meeting', verbose_name='meeting')),
                        ('organization', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='meeting_invitations', to='orgs.organization', verbose_name='organization')),
                        ('responded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='answered by')),
                    ],
                    options={
                        'db_table': 'duties_meetinginvitation',
                        'verbose_name': 'invitation',
                        'verbose_name_plural': 'invitations',
                        'ordering': ['organization__name'],
                    },
                ),
                migrations.CreateModel(
                    name='SpecialMeetingRequest',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('topic', models.CharField(max_length=200, verbose_name='topic')),
                        ('reason', models.TextField(verbose_name='reason')),
                        ('requested_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='requested at')),
                        ('status', models.CharField(choices=[('open', 'Awaiting scheduling'), ('scheduled', 'Scheduled'), ('declined', 'Declined')], default='open', max_length=10, verbose_name='status')),
                        ('meeting', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='request', to='meetings.meeting', verbose_name='meeting')),
                        ('requested_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='requested by')),
                    ],
                    options={
                        'db_table': 'duties_specialmeetingrequest',
                        'verbose_name': 'special meeting request',
                        'verbose_name_plural': 'special meeting requests',
                        'ordering': ['-requested_at'],
                    },
                ),
                migrations.AddIndex(
                    model_name='meeting',
                    index=models.Index(fields=['status', 'starts_at'], name='duties_meet_status_6c8c6e_idx'),
                ),
                migrations.AddIndex(
                    model_name='meeting',
                    index=models.Index(fields=['kind', 'year', 'quarter'], name='duties_meet_kind_f1576c_idx'),
                ),
                migrations.AddConstraint(
                    model_name='meeting',
                    constraint=models.UniqueConstraint(condition=models.Q(('kind', 'quarterly'), models.Q(('status', 'cancelled'), _negated=True)), fields=('year', 'quarter'), name='one_quarterly_meeting_per_quarter'),
                ),
                migrations.AddConstraint(
                    model_name='meeting',
                    constraint=models.CheckConstraint(condition=models.Q(('ends_at__gt', models.F('starts_at'))), name='meeting_ends_after_start'),
                ),
                migrations.AddIndex(
                    model_name='meetinginvitation',
                    index=models.Index(fields=['organization', 'meeting'], name='duties_meet_organiz_e66268_idx'),
                ),
                migrations.AddConstraint(
                    model_name='meetinginvitation',
                    constraint=models.UniqueConstraint(fields=('meeting', 'organization'), name='one_invitation_per_org'),
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name='meeting', table=None),
        migrations.AlterModelTable(name='meetinginvitation', table=None),
        migrations.AlterModelTable(name='specialmeetingrequest', table=None),
        migrations.AlterModelTable(name='historicalmeeting', table=None),
        migrations.AlterModelTable(name='historicalmeetinginvitation', table=None),
        migrations.AlterModelTable(name='historicalspecialmeetingrequest', table=None),
        migrations.AlterModelTable(name='historicalmeeting_invited_divisions', table=None),
        migrations.RenameIndex(model_name='meeting', new_name='meetings_me_status_63e0a6_idx', old_name='duties_meet_status_6c8c6e_idx'),
        migrations.RenameIndex(model_name='meeting', new_name='meetings_me_kind_549498_idx', old_name='duties_meet_kind_f1576c_idx'),
        migrations.RenameIndex(model_name='meetinginvitation', new_name='meetings_me_organiz_75e2f7_idx', old_name='duties_meet_organiz_e66268_idx'),
        migrations.RunPython(content_types_forwards, content_types_backwards),
    ]
