from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from portal.choices import ChoiceLabels
from portal.models import ExplainedConstraints


class OrgType(models.TextChoices):
    SOCIAL_GROUP = "social_group", _("Social group")
    INDUSTRY_ASSOCIATION = "industry_association", _("Social group (industry association)")
    SOCIETY = "society", _("Social group (society)")
    PRIVATE_NON_ENTERPRISE = "private_non_enterprise", _("Private non-enterprise unit")
    FOUNDATION = "foundation", _("Foundation")


SOCIAL_GROUP_TYPES = frozenset(
    {OrgType.SOCIAL_GROUP, OrgType.INDUSTRY_ASSOCIATION, OrgType.SOCIETY}
)

# The types that submit the annual inspection (年检) to the bureau for preliminary review by
# 31 March: social groups and private non-enterprise units (foundations are not among them).
ANNUAL_INSPECTION_TYPES = SOCIAL_GROUP_TYPES | {OrgType.PRIVATE_NON_ENTERPRISE}


class ManagementMode(models.TextChoices):
    DUAL = "dual", _("Dual management")
    DIRECT = "direct", _("Direct registration")
    REFERENCE = "reference", _("Included by reference")


class OrgStatus(models.TextChoices):
    PREPARING = "preparing", _("Preparing")
    ACTIVE = "active", _("Active")
    DEREGISTERED = "deregistered", _("Deregistered")
    REVOKED = "revoked", _("Revoked")


class Grade(models.TextChoices):
    A1 = "1A", "1A"
    A2 = "2A", "2A"
    A3 = "3A", "3A"
    A4 = "4A", "4A"
    A5 = "5A", "5A"


class PartyOrgType(models.TextChoices):
    NONE = "none", _("None")
    INDEPENDENT = "independent", _("Independent party branch")
    JOINT = "joint", _("Joint party branch")


class WorkArea(models.TextChoices):
    WASTE_SORTING = "waste_sorting", _("Waste sorting")
    FORESTRY = "forestry", _("Forestry")
    GREENING = "greening", _("Greening")
    CITY_APPEARANCE = "city_appearance", _("City appearance")
    WILDLIFE = "wildlife", _("Wildlife protection")
    STANDARDS = "standards", _("Standards, budget quotas and policy research")


class OrganizationQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=OrgStatus.ACTIVE)


class Organization(ChoiceLabels, ExplainedConstraints, models.Model):
    """A social organization the bureau supervises (局管社会组织).

    Never deleted: an organization that ends is deregistered or revoked, and stays in the registry
    with its history.
    """

    name = models.CharField(_("name"), max_length=200, unique=True)
    credit_code = models.CharField(
        _("unified social credit code"),
        max_length=18,
        unique=True,
        null=True,
        blank=True,
        help_text=_("Empty only while the organization is in preparation (not yet registered)."),
    )
    credit_code_check_failed = models.BooleanField(
        _("check character failed"),
        default=False,
        help_text=_("The code's check character does not match; staff confirmed it as issued."),
    )
    credit_code_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("check failure confirmed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    org_type = models.CharField(_("type"), max_length=32, choices=OrgType.choices)
    management_mode = models.CharField(
        _("management mode"), max_length=16, choices=ManagementMode.choices
    )
    status = models.CharField(
        _("status"), max_length=16, choices=OrgStatus.choices, default=OrgStatus.ACTIVE
    )
    status_changed_on = models.DateField(_("status since"), null=True, blank=True)
    status_reason = models.CharField(_("reason for the status"), max_length=500, blank=True)
    registration_authority = models.CharField(
        _("registration authority"), max_length=100, default="上海市民政局"
    )
    registered_on = models.DateField(_("registration date"), null=True, blank=True)
    domicile = models.CharField(_("domicile"), max_length=255, blank=True)
    legal_representative = models.CharField(_("legal representative"), max_length=100, blank=True)
    legal_rep_is_cadre = models.BooleanField(
        _("legal representative is a bureau cadre"), default=False
    )
    leaders = models.TextField(
        _("leaders"),
        blank=True,
        help_text=_("The chair, vice-chairs and secretary-general of the current term."),
    )
    business_scope = models.TextField(_("business scope"), blank=True)
    contact_name = models.CharField(_("contact person"), max_length=100, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    secondary_contact_name = models.CharField(
        _("second contact person"), max_length=100, blank=True
    )
    secondary_contact_phone = models.CharField(_("second contact phone"), max_length=40, blank=True)
    office_address = models.CharField(_("office address"), max_length=255, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=6, blank=True)
    website = models.URLField(_("website"), blank=True)
    charter_approved_on = models.DateField(_("charter approved on"), null=True, blank=True)
    term_start = models.DateField(_("current term start"), null=True, blank=True)
    term_end = models.DateField(_("current term end"), null=True, blank=True)
    certificate_valid_until = models.DateField(_("certificate valid until"), null=True, blank=True)
    grade = models.CharField(_("grade evaluation"), max_length=2, choices=Grade.choices, blank=True)
    grade_valid_until = models.DateField(_("grade valid until"), null=True, blank=True)
    party_org_type = models.CharField(
        _("party organization"),
        max_length=16,
        choices=PartyOrgType.choices,
        default=PartyOrgType.NONE,
    )
    party_instructor = models.CharField(_("party building instructor"), max_length=100, blank=True)
    party_worker = models.CharField(_("party affairs worker"), max_length=100, blank=True)
    work_areas = models.JSONField(_("key work areas"), default=list, blank=True)
    liaison_division = models.ForeignKey(
        "duties.Division",
        verbose_name=_("liaison division"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organizations",
        limit_choices_to={"kind": "liaison"},
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    history = HistoricalRecords()
    objects = OrganizationQuerySet.as_manager()

    constraint_messages = {
        "org_term_end_after_start": ("term_end", _("The term cannot end before it starts.")),
    }

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["name"]
        permissions = [("supervise_organization", _("Can supervise the organization"))]
        indexes = [
            models.Index(fields=["status", "name"]),
            models.Index(fields=["liaison_division", "name"]),
            models.Index(fields=["org_type", "name"]),
            models.Index(fields=["management_mode", "name"]),
            models.Index(fields=["term_end"]),
            models.Index(fields=["certificate_valid_until"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(credit_code__isnull=False) | Q(status=OrgStatus.PREPARING),
                name="org_registered_has_credit_code",
            ),
            models.CheckConstraint(
                condition=Q(term_end__isnull=True)
                | Q(term_start__isnull=True)
                | Q(term_end__gte=models.F("term_start")),
                name="org_term_end_after_start",
            ),
        ]

    def __str__(self):
        return self.name

    def get_work_areas_display(self):
        labels = dict(WorkArea.choices)
        return [labels.get(code, code) for code in self.work_areas]


class InspectionResult(models.TextChoices):
    PASS = "pass", _("Pass (合格)")
    BASIC_PASS = "basic_pass", _("Basic pass (基本合格)")
    FAIL = "fail", _("Fail (不合格)")


class AnnualInspection(ChoiceLabels, models.Model):
    """An organization's annual inspection (年检) result for one year, from the decision on its
    filing. Corrected, never deleted: a later decision for the same year replaces the result and
    the history keeps the earlier one."""

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    year = models.PositiveSmallIntegerField(_("year inspected"))
    result = models.CharField(_("result"), max_length=12, choices=InspectionResult.choices)
    filing = models.ForeignKey(
        "reports.Filing",
        verbose_name=_("filing"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_on = models.DateField(_("decided on"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("annual inspection result")
        verbose_name_plural = _("annual inspection results")
        ordering = ["organization", "-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "year"], name="one_inspection_result_per_year"
            )
        ]
        indexes = [models.Index(fields=["year", "result"])]

    def __str__(self):
        return f"{self.organization} {self.year}: {self.get_result_display()}"


class OrganizationUserObjectPermission(UserObjectPermissionBase):
    """Direct foreign keys instead of guardian's generic text ids: list queries stay indexed."""

    content_object = models.ForeignKey(Organization, on_delete=models.CASCADE)


class OrganizationGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Organization, on_delete=models.CASCADE)


class OrganizationUser(models.Model):
    """Links a login to the one organization it acts for."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        related_name="org_link",
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="users",
    )
    position = models.CharField(_("position"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("organization user")
        verbose_name_plural = _("organization users")

    def __str__(self):
        return f"{self.user} @ {self.organization}"
