from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


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

    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")
        swappable = "AUTH_USER_MODEL"

    def __str__(self):
        return self.full_name or self.username

    @property
    def display_name(self):
        return self.full_name or self.username
