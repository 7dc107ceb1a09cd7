from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portal.choices import ChoiceLabels

from .attachments import upload_path
from .workflow import AWAITING_REVIEW, FilingState, OpinionState, event_label


class Submitter(models.TextChoices):
    ORG = "org", _("Organization")
    STAFF = "staff", _("Bureau staff")
    BOTH = "both", _("Organization or bureau staff")


class ReportClass(models.TextChoices):
    APPROVAL = "approval", _("Approval (报批)")
    FILING = "filing", _("Filing (报备)")
    IMMEDIATE = "immediate", _("Immediate report (即时报告)")


class FormKind(models.TextChoices):
    """Which set of typed fields a matter asks for (see reports.matter_forms)."""

    MAJOR_MATTER = "major_matter", _("Major matter report")
    PRE_REGISTRATION = "pre_registration", _("Pre-registration review")
    REGISTRATION = "registration", _("Registration, term renewal or change")
    ANNUAL_INSPECTION = "annual_inspection", _("Annual inspection")
    BUREAU_ACTIVITY = "bureau_activity", _("Activity in the bureau's name")
    SEMINAR_FOREIGN = "seminar_foreign", _("Seminar, forum, foreign exchange, overseas donation")
    CADRE_POST = "cadre_post", _("Cadre concurrent post")
    AWARD = "award", _("Award recommendation")
    SERVICE_PROJECT = "service_project", _("Purchased service project")
    WORK_PLAN = "work_plan", _("Annual work plan")
    FEES_TRAINING = "fees_training", _("Fees, training, awards activities")
    GRADE_DEREGISTRATION = "grade_dereg", _("Grade evaluation or deregistration")
    PETITION = "petition", _("Petition")
    AUDIT = "audit", _("Audit")
    VIOLATION = "violation", _("Violation case and rectification")
    SPOT_CHECK = "spot_check", _("Special spot check")


class DecisionEffect(models.TextChoices):
    """What a matter's positive decision writes to the registry (``reports.effects``)."""

    NONE = "", _("None")
    TERM_RENEWAL = "term_renewal", _("New term and leaders")
    CHANGE = "change", _("Changed registered items")
    GRADE_OR_DEREGISTRATION = "grade_dereg", _("Grade, or deregistration")
    ANNUAL_INSPECTION = "annual_inspection", _("The year's inspection result")


#: The form whose fields each effect reads.
EFFECT_FORM = {
    DecisionEffect.TERM_RENEWAL: FormKind.REGISTRATION,
    DecisionEffect.CHANGE: FormKind.REGISTRATION,
    DecisionEffect.GRADE_OR_DEREGISTRATION: FormKind.GRADE_DEREGISTRATION,
    DecisionEffect.ANNUAL_INSPECTION: FormKind.ANNUAL_INSPECTION,
}

#: Matters whose filing is the report itself, as a file: it cannot be submitted without one.
REQUIRES_ATTACHMENT = frozenset({FormKind.ANNUAL_INSPECTION})


class MatterType(models.Model):
    """One row of the duty matrix: who files a matter, who leads its review, who gives opinions.

    The lead is a fixed division or, with ``lead_is_liaison``, the organization's own liaison
    division; likewise ``opinion_from_liaison`` adds the liaison division to the opinion divisions.
    Every number is a default an admin can change here.
    """

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_zh = models.CharField(_("Chinese name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    form_kind = models.CharField(_("form"), max_length=24, choices=FormKind.choices)
    submitted_by = models.CharField(
        _("submitted by"), max_length=8, choices=Submitter.choices, default=Submitter.ORG
    )
    lead_division = models.ForeignKey(
        "duties.Division",
        verbose_name=_("lead division"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_matters",
    )
    lead_is_liaison = models.BooleanField(
        _("led by the organization's liaison division"), default=False
    )
    opinion_divisions = models.ManyToManyField(
        "duties.Division",
        verbose_name=_("opinion divisions"),
        blank=True,
        related_name="opinion_matters",
    )
    opinion_from_liaison = models.BooleanField(
        _("opinion from the organization's liaison division"), default=False
    )
    report_class = models.CharField(
        _("report class"), max_length=10, choices=ReportClass.choices, default=ReportClass.FILING
    )
    lead_time_days = models.PositiveSmallIntegerField(
        _("lead time (working days before the event)"), null=True, blank=True
    )
    review_days = models.PositiveSmallIntegerField(
        _("review time limit (working days)"), default=15
    )
    summary_days = models.PositiveSmallIntegerField(
        _("summary due (working days after the event)"),
        null=True,
        blank=True,
        help_text=_("Leave empty when no summary is due after the event."),
    )
    decision_effect = models.CharField(
        _("effect of a positive decision on the registry"),
        max_length=20,
        choices=DecisionEffect.choices,
        default=DecisionEffect.NONE,
        blank=True,
    )
    management_modes = models.JSONField(
        _("applies to management modes"),
        default=list,
        blank=True,
        help_text=_("Empty: every management mode."),
    )
    restricted = models.BooleanField(
        _("restricted"),
        default=False,
        help_text=_(
            "Every filing of the matter is restricted: seen only by the lead division, the "
            "leading group and the organization. Otherwise each filing may be restricted, with "
            "a reason, by the organization or the lead division."
        ),
    )
    visible_to_org = models.BooleanField(
        _("visible to the organization"),
        default=True,
        help_text=_("Off for matters the organization must not read, such as petitions about it."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=100)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    history = HistoricalRecords(m2m_fields=[opinion_divisions])

    class Meta:
        verbose_name = _("matter")
        verbose_name_plural = _("matters")
        ordering = ["sort_order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(lead_is_liaison=True, lead_division__isnull=True)
                | models.Q(lead_is_liaison=False, lead_division__isnull=False),
                name="matter_has_exactly_one_lead",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        wanted = EFFECT_FORM.get(self.decision_effect)
        if wanted is not None and self.form_kind != wanted:
            raise ValidationError(
                {
                    "decision_effect": _(
                        "This effect reads the fields of the form “%(form)s”; this matter "
                        "uses another form."
                    )
                    % {"form": FormKind(wanted).label}
                }
            )

    @property
    def name(self):
        return self.name_en if (get_language() or "").startswith("en") else self.name_zh

    @property
    def positive_state(self):
        return (
            FilingState.APPROVED
            if self.report_class == ReportClass.APPROVAL
            else FilingState.ACKNOWLEDGED
        )

    def applies_to(self, org):
        return not self.management_modes or org.management_mode in self.management_modes

    @property
    def requires_attachment(self):
        return self.form_kind in REQUIRES_ATTACHMENT

    @property
    def org_submits(self):
        return self.submitted_by in (Submitter.ORG, Submitter.BOTH)

    @property
    def staff_submits(self):
        return self.submitted_by in (Submitter.STAFF, Submitter.BOTH)


class Filing(ChoiceLabels, models.Model):
    """One filing of a matter by (or about) an organization, from draft to decision.

    Never deleted, and after submission changed only through the transitions of
    ``reports.services``; each transition is a ``FilingEvent``. ``version`` goes up with every
    change, and a transition names the version its actor saw.
    """

    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="filings",
    )
    matter = models.ForeignKey(
        MatterType, verbose_name=_("matter"), on_delete=models.PROTECT, related_name="filings"
    )
    state = models.CharField(
        _("state"), max_length=16, choices=FilingState.choices, default=FilingState.DRAFT
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    title = models.CharField(_("title"), max_length=200)
    details = models.JSONField(_("details"), default=dict, blank=True)
    event_start = models.DateField(_("event starts"), null=True, blank=True)
    event_end = models.DateField(_("event ends"), null=True, blank=True)
    lead_division = models.ForeignKey(
        "duties.Division",
        verbose_name=_("lead division"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_filings",
    )
    restricted = models.BooleanField(
        _("restricted"),
        default=False,
        help_text=_("Seen only by the lead division, the leading group and the organization."),
    )
    restricted_reason = models.CharField(_("why it is restricted"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    state_changed_at = models.DateTimeField(_("state since"), default=timezone.now)
    first_submitted_at = models.DateTimeField(_("first submitted"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    review_due_on = models.DateField(_("review due"), null=True, blank=True)
    late_days = models.PositiveSmallIntegerField(
        _("late by (working days)"),
        null=True,
        blank=True,
        help_text=_("Set when the report arrived after its lead time (迟报)."),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    summary_due_on = models.DateField(_("summary due"), null=True, blank=True)
    summary = models.TextField(_("summary after the event"), blank=True)
    summary_submitted_at = models.DateTimeField(_("summary submitted"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("filing")
        verbose_name_plural = _("filings")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The review queue: a division's open filings by deadline.
            models.Index(
                fields=["lead_division", "review_due_on", "id"],
                condition=models.Q(state__in=AWAITING_REVIEW),
                name="filing_open_queue_idx",
            ),
            models.Index(fields=["lead_division", "state", "review_due_on"]),
            models.Index(fields=["-created_at", "-id"], name="filing_newest_idx"),
            models.Index(fields=["state", "review_due_on"]),
            models.Index(fields=["organization", "-created_at"]),
            models.Index(fields=["matter", "state"]),
            models.Index(fields=["summary_due_on"]),
        ]

    def __str__(self):
        return self.title

    @property
    def awaiting_review(self):
        """The bureau's turn: the review deadline is running."""
        return self.state in AWAITING_REVIEW

    @property
    def summary_pending(self):
        return bool(self.summary_due_on) and self.summary_submitted_at is None


class Stance(models.TextChoices):
    AGREE = "agree", _("Agree")
    NO_OBJECTION = "no_objection", _("No objection")
    DISAGREE = "disagree", _("Disagree")


class Opinion(models.Model):
    """The opinion (会签意见) a division gives on a filing; internal to the bureau."""

    filing = models.ForeignKey(
        Filing, verbose_name=_("filing"), on_delete=models.PROTECT, related_name="opinions"
    )
    division = models.ForeignKey(
        "duties.Division",
        verbose_name=_("division"),
        on_delete=models.PROTECT,
        related_name="opinions",
    )
    state = models.CharField(
        _("state"), max_length=10, choices=OpinionState.choices, default=OpinionState.PENDING
    )
    stance = models.CharField(_("stance"), max_length=16, choices=Stance.choices, blank=True)
    body = models.TextField(_("opinion"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    given_at = models.DateTimeField(_("given"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("opinion")
        verbose_name_plural = _("opinions")
        ordering = ["requested_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["filing", "division"], name="one_opinion_per_division")
        ]
        indexes = [models.Index(fields=["division", "state"])]

    def __str__(self):
        return f"{self.division}: {self.get_state_display()}"


class EventKind(models.TextChoices):
    TRANSITION = "transition", _("Transition")
    COMMENT = "comment", _("Comment")
    OPINION = "opinion", _("Opinion")
    ATTACHMENT = "attachment", _("Attachment")
    SUMMARY = "summary", _("Summary")


class FilingEvent(models.Model):
    """One step of a filing's timeline: who did what, when, from which state to which, and why.

    ``internal`` events are for bureau staff only; an organization never sees them.
    """

    filing = models.ForeignKey(
        Filing, verbose_name=_("filing"), on_delete=models.PROTECT, related_name="events"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=EventKind.choices)
    action = models.CharField(_("action"), max_length=24)
    from_state = models.CharField(_("from"), max_length=16, choices=FilingState.choices, blank=True)
    to_state = models.CharField(_("to"), max_length=16, choices=FilingState.choices, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    division = models.ForeignKey(
        "duties.Division",
        verbose_name=_("division"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    body = models.TextField(_("comment"), blank=True)
    internal = models.BooleanField(_("internal"), default=False)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("filing event")
        verbose_name_plural = _("filing events")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["filing", "created_at"])]

    def __str__(self):
        return f"{self.filing_id} {self.action}"

    @property
    def action_label(self):
        return event_label(self.action)


def attachment_path(instance, filename):
    return upload_path(f"filings/{instance.filing_id}", filename)


class Attachment(models.Model):
    """A file attached to a filing; served only through an access-checked view."""

    filing = models.ForeignKey(
        Filing, verbose_name=_("filing"), on_delete=models.PROTECT, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=300)
    name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size"))
    content_type = models.CharField(_("content type"), max_length=100)
    internal = models.BooleanField(_("internal"), default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    removed_at = models.DateTimeField(_("removed"), null=True, blank=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.name
