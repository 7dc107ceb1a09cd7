from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portal.punctuation import parenthesized


class DivisionKind(models.TextChoices):
    POLICY = "policy", _("Policy and regulations")
    OFFICE = "office", _("General office")
    PERSONNEL = "personnel", _("Organization and personnel")
    FINANCE = "finance", _("Finance")
    DISCIPLINE = "discipline", _("Discipline commission")
    LIAISON = "liaison", _("Liaison division or affiliated unit")


FUNCTIONAL_KINDS = frozenset(
    {DivisionKind.OFFICE, DivisionKind.PERSONNEL, DivisionKind.FINANCE, DivisionKind.DISCIPLINE}
)


class Division(models.Model):
    """A division (处室) or affiliated unit of the bureau.

    Each division owns one Django group; object permissions on organizations are granted to that
    group, and membership rows keep the group's users in step.
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=DivisionKind.choices)
    description = models.TextField(_("duties"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)
    group = models.OneToOneField(
        Group, on_delete=models.PROTECT, related_name="division", editable=False
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("division")
        verbose_name_plural = _("divisions")
        ordering = ["kind", "name"]

    def __str__(self):
        return self.name

    @property
    def is_liaison(self):
        return self.kind == DivisionKind.LIAISON


class MemberRole(models.TextChoices):
    STAFF = "staff", _("Staff")
    HEAD = "head", _("Head")


class DivisionMembership(models.Model):
    division = models.ForeignKey(
        Division, verbose_name=_("division"), on_delete=models.PROTECT, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        related_name="division_memberships",
    )
    role = models.CharField(
        _("role"), max_length=8, choices=MemberRole.choices, default=MemberRole.STAFF
    )
    created_at = models.DateTimeField(_("since"), default=timezone.now, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("division membership")
        verbose_name_plural = _("division memberships")
        ordering = ["division", "-role", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["division", "user"], name="unique_division_member"),
        ]

    def __str__(self):
        return f"{self.user} – {self.division}{parenthesized(self.get_role_display())}"


class LiaisonAssignment(models.Model):
    """Who was responsible for an organization, and when: one row per period.

    The open row (``ended_at`` is null) matches ``Organization.liaison_division``.
    """

    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="liaison_assignments",
    )
    division = models.ForeignKey(
        Division,
        verbose_name=_("liaison division"),
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    started_at = models.DateTimeField(_("from"), default=timezone.now)
    ended_at = models.DateTimeField(_("until"), null=True, blank=True)
    reason = models.TextField(_("reason"))
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ended by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("liaison assignment")
        verbose_name_plural = _("liaison assignments")
        ordering = ["organization", "-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization"],
                condition=Q(ended_at__isnull=True),
                name="one_open_liaison_assignment_per_org",
            ),
        ]

    def __str__(self):
        return f"{self.organization} → {self.division}"
