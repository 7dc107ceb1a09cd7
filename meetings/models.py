"""Quarterly and special meetings, their invitations and the requests for special meetings."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class MeetingKind(models.TextChoices):
    QUARTERLY = "quarterly", _("Quarterly meeting")
    SPECIAL = "special", _("Special meeting")


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class Meeting(models.Model):
    """A quarterly meeting (季度例会) convened by the Policy division, or a special meeting
    (专题会议) of the leading group. Never deleted: a meeting that will not take place is
    cancelled."""

    kind = models.CharField(_("kind"), max_length=10, choices=MeetingKind.choices)
    title = models.CharField(_("title"), max_length=200)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    quarter = models.PositiveSmallIntegerField(_("quarter"), null=True, blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=200)
    agenda = models.TextField(_("agenda"))
    reading = models.TextField(_("documents to read"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED
    )
    invited_divisions = models.ManyToManyField(
        "duties.Division", verbose_name=_("invited divisions"), blank=True, related_name="meetings"
    )
    minutes = models.TextField(_("minutes"), blank=True)
    minutes_file = models.FileField(
        _("minutes file"), upload_to="meetings/%Y/", blank=True, max_length=300
    )
    scheduled_at = models.DateTimeField(_("scheduled at"), default=timezone.now)
    scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("scheduled by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    rescheduled_at = models.DateTimeField(_("moved at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    history = HistoricalRecords(m2m_fields=[invited_divisions])

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-starts_at"]
        indexes = [
            models.Index(fields=["status", "starts_at"]),
            models.Index(fields=["kind", "year", "quarter"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "quarter"],
                condition=Q(kind="quarterly") & ~Q(status="cancelled"),
                name="one_quarterly_meeting_per_quarter",
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="meeting_ends_after_start"
            ),
        ]

    def __str__(self):
        return self.title


class InvitationAnswer(models.TextChoices):
    """What an invited organization says: an answer to the invitation, not an HTTP response."""

    PENDING = "pending", _("No answer yet")
    ATTENDING = "attending", _("Will attend")
    DECLINED = "declined", _("Cannot attend")


class MeetingInvitation(models.Model):
    """An organization invited to a meeting: its answer and, afterwards, whether it came."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.PROTECT, related_name="invitations"
    )
    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="meeting_invitations",
    )
    response = models.CharField(
        _("answer"),
        max_length=10,
        choices=InvitationAnswer.choices,
        default=InvitationAnswer.PENDING,
    )
    attendees = models.CharField(_("who will come"), max_length=300, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    responded_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    attended = models.BooleanField(_("attended"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["organization__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "organization"], name="one_invitation_per_org"
            )
        ]
        indexes = [models.Index(fields=["organization", "meeting"])]

    def __str__(self):
        return f"{self.meeting} – {self.organization}"


class RequestStatus(models.TextChoices):
    OPEN = "open", _("Awaiting scheduling")
    SCHEDULED = "scheduled", _("Scheduled")
    DECLINED = "declined", _("Declined")


class SpecialMeetingRequest(models.Model):
    """A leading group member asks the Policy division for a special meeting on a topic."""

    topic = models.CharField(_("topic"), max_length=200)
    reason = models.TextField(_("reason"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    status = models.CharField(
        _("status"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.OPEN
    )
    meeting = models.OneToOneField(
        Meeting,
        verbose_name=_("meeting"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="request",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("special meeting request")
        verbose_name_plural = _("special meeting requests")
        ordering = ["-requested_at"]

    def __str__(self):
        return self.topic
