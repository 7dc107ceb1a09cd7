import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models, router
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class ExplainedConstraints:
    """A model mixin: ``constraint_messages`` maps a check constraint's name to the field and the
    message (translated) that a violation is reported with, where Django would show
    “Constraint “name” is violated.” to the user (pages and API alike, from ``full_clean``)."""

    constraint_messages = {}

    def validate_constraints(self, exclude=None):
        using = router.db_for_write(self.__class__, instance=self)
        errors = {}
        for model_class, constraints in self.get_constraints():
            for constraint in constraints:
                try:
                    constraint.validate(model_class, self, exclude=exclude, using=using)
                except ValidationError as exc:
                    if constraint.name in self.constraint_messages:
                        field, message = self.constraint_messages[constraint.name]
                        errors.setdefault(field, []).append(
                            ValidationError(message, code=constraint.name)
                        )
                    elif getattr(exc, "code", None) == "unique" and len(constraint.fields) == 1:
                        errors.setdefault(constraint.fields[0], []).append(exc)
                    else:
                        errors = exc.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)


class User(AbstractUser):
    """A person who logs in: bureau staff, a leading group member, an admin or an organization user.

    What a user may see follows from their division memberships (duties), their organization link
    (orgs) and the two bureau-wide roles below; ``duties.access`` is the one place that reads them.
    """

    full_name = models.CharField(_("full name"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    is_bureau_admin = models.BooleanField(
        _("bureau admin"),
        default=False,
        help_text=_(
            "Manages users and divisions, assigns liaison divisions, edits the duty matrix."
        ),
    )
    is_leader = models.BooleanField(
        _("leading group member"),
        default=False,
        help_text=_("Member of the leading group for law-based government: reads everything."),
    )

    # Raised to end every session and API token of the user without touching the password (a
    # deactivation): it is part of the hash that sessions and tokens are checked against.
    credentials_epoch = models.PositiveIntegerField(_("credentials epoch"), default=0)
    # Goes up with every change of the profile or roles; an edit names the version it saw.
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    history = HistoricalRecords(excluded_fields=["password", "last_login", "credentials_epoch"])

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")
        swappable = "AUTH_USER_MODEL"

    def __str__(self):
        return self.full_name or self.username

    @property
    def display_name(self):
        return self.full_name or self.username

    def _get_session_auth_hash(self, secret=None):
        """Django's hash of the password, which every session carries and is checked against on
        each request (``django.contrib.auth.get_user``) and which each API token keeps from its
        issue (``ApiToken.credentials``): a new password, or a raised ``credentials_epoch``,
        ends them all. Epoch 0 gives Django's own hash, so no session ends on upgrade."""
        if not self.credentials_epoch:
            return super()._get_session_auth_hash(secret=secret)
        key_salt = "portal.models.User.credentials"
        value = f"{self.password}|{self.credentials_epoch}"
        return salted_hmac(key_salt, value, secret=secret, algorithm="sha256").hexdigest()


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Public holiday")
    WORKDAY = "workday", _("Adjusted workday")


class CalendarDay(models.Model):
    """A day that breaks the Monday-to-Friday rule: a public holiday or an adjusted workday (调休).

    Seeded from the ``chinese-calendar`` package for the years it knows; an admin adds next year's
    days when the State Council publishes them. A year without rows falls back to the statutory
    holidays computed by the ``holidays`` package and is reported as unconfirmed.
    """

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=8, choices=DayKind.choices)
    name = models.CharField(_("name"), max_length=100, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {self.get_kind_display()} {self.name}"


class Notification(models.Model):
    """One message in a user's inbox; emailed after the transaction that created it commits."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    title = models.CharField(_("title"), max_length=255)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    email_status = models.CharField(
        _("email"),
        max_length=8,
        choices=[
            ("none", _("not emailed")),
            ("pending", _("pending")),
            ("sending", _("sending")),
            ("sent", _("sent")),
            ("failed", _("failed")),
        ],
        default="pending",
    )
    email_attempts = models.PositiveSmallIntegerField(_("email attempts"), default=0)
    email_error = models.TextField(_("email error"), blank=True)
    emailed_at = models.DateTimeField(_("emailed at"), null=True, blank=True)
    email_claimed_at = models.DateTimeField(_("email claimed at"), null=True, blank=True)
    # What the message is about, as a reminder names it: the email carries the attachment that the
    # subject's app registered for its type (a meeting's .ics), if any.
    subject_type = models.CharField(_("subject type"), max_length=40, blank=True)
    subject_id = models.PositiveBigIntegerField(_("subject id"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "read_at", "-created_at"]),
            models.Index(fields=["email_status", "created_at"]),
        ]

    def __str__(self):
        return self.title


class ReminderStatus(models.TextChoices):
    PENDING = "pending", _("Not yet sent")
    SENT = "sent", _("Sent")
    CANCELLED = "cancelled", _("Cancelled")


class Reminder(models.Model):
    """One reminder to one person, due at one time.

    ``key`` names what, whom, which kind and which due time, and is unique: planning the same
    reminder twice inserts nothing, and sending claims the row with a conditional UPDATE inside the
    transaction that writes the inbox message, so it is delivered exactly once.
    """

    key = models.CharField(_("key"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=40)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="reminders",
    )
    subject_type = models.CharField(_("subject type"), max_length=40)
    subject_id = models.PositiveBigIntegerField(_("subject id"))
    due_at = models.DateTimeField(_("due at"))
    title = models.CharField(_("title"), max_length=255)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ReminderStatus.choices, default=ReminderStatus.PENDING
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    notification = models.OneToOneField(
        Notification,
        verbose_name=_("inbox message"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reminder",
    )

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-due_at"]
        indexes = [
            models.Index(fields=["status", "due_at"]),
            models.Index(fields=["subject_type", "subject_id", "status"]),
        ]

    def __str__(self):
        return self.key


class LoginFailureCount(models.Model):
    """Failed (and in-flight) password checks under one lockout key within one window
    (``portal.lockout``). Counted with conditional UPDATEs, so parallel requests cannot overshoot
    the limit; a row whose window has ended starts a new one."""

    key = models.CharField(_("key"), max_length=400, unique=True)
    count = models.PositiveIntegerField(_("count"), default=0)
    window_ends_at = models.DateTimeField(_("window ends at"))

    class Meta:
        verbose_name = _("login failure count")
        verbose_name_plural = _("login failure counts")

    def __str__(self):
        return self.key


class ApiToken(models.Model):
    """A key for the API (``Authorization: Token <key>``), one per client the user signed in.

    Only a digest of the key is stored. A token is accepted until it expires (``API_TOKEN_DAYS``
    after issue), is revoked (by its user or a user manager; the row stays), its user is
    deactivated, or its user's credentials change: it keeps the user's session hash from its
    issue, as a session does, so a new password ends it whichever way it was set.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    digest = models.CharField(_("digest"), max_length=64, unique=True)
    prefix = models.CharField(_("key begins with"), max_length=8)
    credentials = models.CharField(_("credentials"), max_length=128)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.prefix}…"

    @staticmethod
    def digest_of(key):
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def new_key(cls):
        return secrets.token_hex(20)

    def is_valid_for(self, user, now):
        """Whether the token still opens the API for ``user`` (its own, just loaded) at ``now``."""
        return (
            self.revoked_at is None
            and self.expires_at > now
            and user.is_active
            and constant_time_compare(self.credentials, user.get_session_auth_hash())
        )
