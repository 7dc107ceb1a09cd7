"""The bureau's supervision after a filing's decision: its rules (the numbers of the regulation,
each one an admin can change) and the records that follow an organization to the end."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portal import generations
from portal.choices import ChoiceLabels
from reports.attachments import upload_path
from reports.models import FormKind


def _bounded(label, default, low, high, help_text=""):
    return models.PositiveSmallIntegerField(
        label,
        default=default,
        validators=[MinValueValidator(low), MaxValueValidator(high)],
        help_text=help_text,
    )


class SupervisionRules(models.Model):
    """The one row of supervision rules. The defaults are the regulation's numbers
    (社会组织信用信息管理办法, the annual inspection and grade evaluation rules)."""

    grade_validity_years = _bounded(_("grade evaluation valid for (years)"), 5, 1, 10)
    credit_record_days = _bounded(_("credit entry recorded within (working days)"), 5, 1, 60)
    abnormal_exit_months = _bounded(_("abnormal-list entry lapses after (months)"), 6, 1, 36)
    serious_after_years = _bounded(
        _("serious list after this long on the abnormal list (years)"), 2, 1, 10
    )
    serious_exit_years = _bounded(_("serious list left after clean (years)"), 2, 1, 10)
    rectification_days = _bounded(_("rectification deadline by default (working days)"), 20, 1, 250)
    rectification_remind_days = _bounded(
        _("rectification reminder before its deadline (working days)"), 3, 0, 30
    )
    inspection_due_month = _bounded(_("annual inspection due: month"), 3, 1, 12)
    inspection_due_day = _bounded(_("annual inspection due: day"), 31, 1, 31)
    inspection_exempt_months = _bounded(
        _(
            "exempt from the annual inspection when registered less than (months) before "
            "31 December"
        ),
        6,
        0,
        12,
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("supervision rules")
        verbose_name_plural = _("supervision rules")

    def __str__(self):
        return str(_("supervision rules"))

    @classmethod
    def current(cls):
        """The rules in force: the one row (its migration creates it; the defaults if it is
        missing), cached until an admin changes it."""
        return generations.cached("supervision:rules", cls._load, reads=(cls,))

    @classmethod
    def _load(cls):
        return cls.objects.filter(pk=1).first() or cls(pk=1)


class RectificationSource(models.TextChoices):
    VIOLATION = "violation", _("Violation case")
    AUDIT = "audit", _("Audit finding")
    SPOT_CHECK = "spot_check", _("Spot-check finding")
    INSPECTION = "inspection", _("Annual inspection result")
    PETITION = "petition", _("Petition")
    MANUAL = "manual", _("Opened by hand")


#: The source of a rectification opened from a filing, by the filing's form.
SOURCE_OF_FORM = {
    FormKind.VIOLATION: RectificationSource.VIOLATION,
    FormKind.AUDIT: RectificationSource.AUDIT,
    FormKind.SPOT_CHECK: RectificationSource.SPOT_CHECK,
    FormKind.PETITION: RectificationSource.PETITION,
}


class RectificationState(models.TextChoices):
    OPEN = "open", _("To be rectified")
    REPORTED = "reported", _("Reported, to be verified")
    CLOSED = "closed", _("Verified and closed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


#: The states in which the organization still owes its rectification and the clock runs.
RECTIFICATION_RUNNING = (RectificationState.OPEN,)
#: The states of a rectification not yet finished.
RECTIFICATION_UNFINISHED = (RectificationState.OPEN, RectificationState.REPORTED)


class ExtensionState(models.TextChoices):
    NONE = "", _("Not asked")
    ASKED = "asked", _("Asked")
    GRANTED = "granted", _("Granted")
    REFUSED = "refused", _("Refused")


class Rectification(ChoiceLabels, models.Model):
    """A rectification (整改) an organization owes: what to put right, by when, and who verifies.

    Followed to the end: the organization reports, the responsible division accepts (closed) or
    finds it insufficient (open again with a new deadline). Never deleted; one opened by mistake
    is withdrawn with its reason. Every step is a ``RectificationEvent``."""

    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="rectifications",
    )
    source = models.CharField(_("source"), max_length=12, choices=RectificationSource.choices)
    source_filing = models.ForeignKey(
        "reports.Filing",
        verbose_name=_("source filing"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rectifications",
    )
    case = models.ForeignKey(
        "ViolationCase",
        verbose_name=_("violation case"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rectifications",
    )
    source_inspection = models.ForeignKey(
        "orgs.AnnualInspection",
        verbose_name=_("source inspection"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rectifications",
    )
    items = models.TextField(_("items to put right"))
    division = models.ForeignKey(
        "duties.Division",
        verbose_name=_("responsible division"),
        on_delete=models.PROTECT,
        related_name="rectifications",
    )
    state = models.CharField(
        _("state"),
        max_length=10,
        choices=RectificationState.choices,
        default=RectificationState.OPEN,
    )
    due_on = models.DateField(_("deadline"))
    rounds = models.PositiveSmallIntegerField(_("reports made"), default=0)
    extension = models.CharField(
        _("more time"), max_length=8, choices=ExtensionState.choices, default="", blank=True
    )
    extension_reason = models.TextField(_("reason for more time"), blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("rectification")
        verbose_name_plural = _("rectifications")
        ordering = ["due_on", "pk"]
        indexes = [
            models.Index(fields=["state", "due_on"]),
            models.Index(fields=["division", "state", "due_on"]),
            models.Index(fields=["organization", "state"]),
        ]

    def __str__(self):
        return f"{self.organization}：{self.items[:40]}"

    @property
    def unfinished(self):
        return self.state in RECTIFICATION_UNFINISHED


#: What each step of a rectification is called on its page.
RECTIFICATION_EVENT_LABELS = {
    "open": _("Opened"),
    "report": _("Rectification reported"),
    "ask_more_time": _("More time asked"),
    "answer_more_time": _("More time answered"),
    "grant_more_time": _("More time granted"),
    "refuse_more_time": _("More time refused"),
    "accept": _("Accepted and closed"),
    "insufficient": _("Found insufficient"),
    "withdraw": _("Withdrawn"),
}


class RectificationEvent(models.Model):
    """One step of a rectification: opened, reported, more time asked or answered, verified."""

    rectification = models.ForeignKey(
        Rectification,
        verbose_name=_("rectification"),
        on_delete=models.PROTECT,
        related_name="events",
    )
    action = models.CharField(_("action"), max_length=20)
    from_state = models.CharField(
        _("from"), max_length=10, choices=RectificationState.choices, blank=True
    )
    to_state = models.CharField(
        _("to"), max_length=10, choices=RectificationState.choices, blank=True
    )
    due_on = models.DateField(_("deadline"), null=True, blank=True)
    body = models.TextField(_("comment"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("rectification event")
        verbose_name_plural = _("rectification events")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.rectification_id} {self.action}"

    @property
    def action_label(self):
        return RECTIFICATION_EVENT_LABELS.get(self.action, self.action)


def rectification_file_path(instance, filename):
    return upload_path(f"rectifications/{instance.rectification_id}", filename)


class RectificationFile(models.Model):
    """A file of a rectification report; served only through an access-checked view."""

    rectification = models.ForeignKey(
        Rectification,
        verbose_name=_("rectification"),
        on_delete=models.PROTECT,
        related_name="files",
    )
    event = models.ForeignKey(
        RectificationEvent,
        verbose_name=_("report"),
        on_delete=models.PROTECT,
        related_name="files",
    )
    file = models.FileField(_("file"), upload_to=rectification_file_path, max_length=300)
    name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size"))
    content_type = models.CharField(_("content type"), max_length=100)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        verbose_name = _("rectification file")
        verbose_name_plural = _("rectification files")
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.name


class CreditList(models.TextChoices):
    ABNORMAL = "abnormal", _("Abnormal activity list (活动异常名录)")
    SERIOUS = "serious", _("Serious violation and dishonesty list (严重违法失信名单)")
    BLACKLIST = "blacklist", _("Industry association blacklist (黑名单)")


class ListGround(models.TextChoices):
    NO_INSPECTION = "no_inspection", _("No annual inspection or annual report")
    NO_PARTY_ORG = "no_party_org", _("No party organization where one is required")
    RECTIFICATION_OVERDUE = "rectification_overdue", _("Rectification not finished on time")
    UNREACHABLE = "unreachable", _("Unreachable at its registered address")
    ABNORMAL_TWO_YEARS = "abnormal_two_years", _("Two years on the abnormal activity list")
    CERTIFICATE_REVOKED = "certificate_revoked", _("Registration certificate revoked")
    SERIOUS_VIOLATION = "serious_violation", _("Serious violation found")
    OTHER = "other", _("Other ground of the rules")


class EntryState(models.TextChoices):
    PROPOSED = "proposed", _("Proposed, to confirm")
    ACTIVE = "active", _("On the list")
    EXITED = "exited", _("Left the list")
    DISMISSED = "dismissed", _("Proposal dismissed")


class ExitReason(models.TextChoices):
    RECTIFIED = "rectified", _("Rectification verified")
    LAPSED = "lapsed", _("Six months after entry, the ground put right")
    CLEAN = "clean", _("Clean for the period of the rules")
    MOVED_UP = "moved_up", _("Moved to the serious list")
    CORRECTED = "corrected", _("Entered by mistake")


#: The entries that count: an organization on a list is one with such an entry.
ENTRY_COUNTS = (EntryState.ACTIVE,)
ENTRY_OPEN = (EntryState.PROPOSED, EntryState.ACTIVE)


class ListEntry(ChoiceLabels, models.Model):
    """An organization's entry on a credit list, with its ground and source, from proposal to
    exit. The clock proposes what the portal knows (an overdue rectification), Policy confirms
    with the ground, and the lists' exits run on the clock. Never deleted."""

    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="list_entries",
    )
    credit_list = models.CharField(_("list"), max_length=10, choices=CreditList.choices)
    ground = models.CharField(_("ground"), max_length=24, choices=ListGround.choices)
    details = models.TextField(_("details"), blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=EntryState.choices, default=EntryState.PROPOSED
    )
    source_rectification = models.ForeignKey(
        Rectification,
        verbose_name=_("source rectification"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="list_entries",
    )
    source_campaign = models.ForeignKey(
        "InspectionCampaign",
        verbose_name=_("source annual inspection"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="list_entries",
    )
    source_entry = models.ForeignKey(
        "self",
        verbose_name=_("source entry"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="successors",
    )
    proposed_at = models.DateTimeField(_("proposed"), default=timezone.now)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty: proposed by the portal's clock."),
    )
    entered_on = models.DateField(_("entered on"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    resolved_on = models.DateField(
        _("ground put right on"),
        null=True,
        blank=True,
        help_text=_("The entry lapses six months after entry once its ground is put right."),
    )
    exited_on = models.DateField(_("left on"), null=True, blank=True)
    exit_reason = models.CharField(
        _("reason for leaving"), max_length=10, choices=ExitReason.choices, blank=True
    )
    version = models.PositiveIntegerField(_("version"), default=1)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("credit list entry")
        verbose_name_plural = _("credit list entries")
        ordering = ["-proposed_at", "-pk"]
        indexes = [
            models.Index(fields=["credit_list", "state", "entered_on"]),
            models.Index(fields=["organization", "state"]),
        ]
        constraints = [
            # An overdue rectification proposes its entry once, however many workers run the
            # clock; and an organization is on a list once per ground at a time.
            models.UniqueConstraint(
                fields=["source_rectification", "credit_list"],
                condition=models.Q(source_rectification__isnull=False),
                name="one_entry_per_rectification",
            ),
            models.UniqueConstraint(
                fields=["organization", "credit_list", "ground"],
                condition=models.Q(state__in=["proposed", "active"]),
                name="one_open_entry_per_ground",
            ),
            models.UniqueConstraint(
                fields=["source_campaign", "organization", "credit_list"],
                condition=models.Q(source_campaign__isnull=False),
                name="one_entry_per_missed_inspection",
            ),
            models.UniqueConstraint(
                fields=["source_entry", "credit_list"],
                condition=models.Q(source_entry__isnull=False),
                name="one_successor_per_entry",
            ),
        ]

    def __str__(self):
        return f"{self.organization}：{self.get_credit_list_display()}"


#: What each step of a list entry and a credit record is called in their history.
CREDIT_STEP_LABELS = {
    "propose": _("Proposed for the list"),
    "confirm": _("Entered on the list"),
    "dismiss": _("Proposal dismissed"),
    "resolve": _("Ground put right"),
    "rectified": _("Rectification verified"),
    "exit": _("Left the list"),
    "record": _("Recorded"),
    "rules": _("Rules changed"),
}


def reason_code(record, step):
    """The history reason of ``step`` of a ``record`` ("rectification", "credit", "case");
    ``reason_labels`` says how the change log names each."""
    return f"{record}:{step}"


def reason_labels():
    """``{reason code: label}`` of every step a supervision record's history names
    (``portal.history.register_reasons``)."""
    labels = {}
    for prefix, table in (
        ("rectification", RECTIFICATION_EVENT_LABELS),
        ("credit", CREDIT_STEP_LABELS),
        ("case", CASE_STEP_LABELS),
    ):
        labels.update({f"{prefix}:{code}": label for code, label in table.items()})
    for reason, label in ExitReason.choices:
        labels[f"credit:exit:{reason}"] = format_lazy("{}（{}）", CREDIT_STEP_LABELS["exit"], label)
    return labels


class RecordKind(models.TextChoices):
    GOOD = "good", _("Good standing")
    ADVERSE = "adverse", _("Adverse")


class CreditRecord(ChoiceLabels, models.Model):
    """An entry of an organization's credit record (信用记录): good standing (诚信创建 activities,
    awards, grade) or adverse (a ground, its source), recorded within the rules' working days of
    its source. A wrong one is withdrawn with its reason, never deleted."""

    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="credit_records",
    )
    kind = models.CharField(_("kind"), max_length=8, choices=RecordKind.choices)
    title = models.CharField(_("what"), max_length=200)
    details = models.TextField(_("details"), blank=True)
    occurred_on = models.DateField(_("date of the source"))
    due_by = models.DateField(_("to be recorded by"))
    list_entry = models.ForeignKey(
        ListEntry,
        verbose_name=_("list entry"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="records",
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    withdrawn_reason = models.CharField(_("withdrawn because"), max_length=500, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("credit record")
        verbose_name_plural = _("credit records")
        ordering = ["-occurred_on", "-pk"]
        indexes = [models.Index(fields=["organization", "-occurred_on"])]

    def __str__(self):
        return self.title

    @property
    def late(self):
        return timezone.localdate(self.recorded_at) > self.due_by


class InspectionCampaign(models.Model):
    """The annual inspection (年检) of one year, opened by Policy for the organizations that must
    take part; they submit by the rules' due date of the following year."""

    year = models.PositiveSmallIntegerField(_("year inspected"), unique=True)
    due_on = models.DateField(_("due by"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    version = models.PositiveIntegerField(_("version"), default=1)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("annual inspection campaign")
        verbose_name_plural = _("annual inspection campaigns")
        ordering = ["-year"]

    def __str__(self):
        return str(_("%(year)s annual inspection") % {"year": self.year})


#: What each step of a case is called in its history.
CASE_STEP_LABELS = {
    "open": _("Case opened"),
    "step": _("Step recorded"),
    "close": _("Case closed"),
}


class CaseSource(models.TextChoices):
    PETITION = "petition", _("Petition")
    SPOT_CHECK = "spot_check", _("Spot check")
    LIAISON_CHECK = "liaison_check", _("Check by the liaison division")
    CIVIL_AFFAIRS = "civil_affairs", _("Notice from civil affairs")
    AUDIT = "audit", _("Audit")


#: The source of a violation case opened from a filing, by the filing's form.
CASE_SOURCE_OF_FORM = {
    FormKind.PETITION: CaseSource.PETITION,
    FormKind.SPOT_CHECK: CaseSource.SPOT_CHECK,
    FormKind.AUDIT: CaseSource.AUDIT,
}


class CaseState(models.TextChoices):
    OPEN = "open", _("Under investigation")
    CLOSED = "closed", _("Closed")


class Measure(models.TextChoices):
    TALK = "talk", _("Talk (约谈)")
    WARNING = "warning", _("Warning (警告)")
    CRITICISM = "criticism", _("Notice of criticism (通报批评)")
    REFERRAL = "referral", _("Referred to civil affairs for a penalty")


class ViolationCase(ChoiceLabels, models.Model):
    """A violation case (违法违规): where it came from, the facts, the investigation with civil
    affairs step by step, the findings, the measures taken and the rectification it opened.
    The discipline commission keeps it; the organization sees only what is addressed to it."""

    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="violation_cases",
    )
    source = models.CharField(_("source"), max_length=16, choices=CaseSource.choices)
    source_filing = models.ForeignKey(
        "reports.Filing",
        verbose_name=_("source filing"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="violation_cases",
    )
    title = models.CharField(_("title"), max_length=200)
    facts = models.TextField(_("facts"))
    findings = models.TextField(_("findings"), blank=True)
    state = models.CharField(
        _("state"), max_length=8, choices=CaseState.choices, default=CaseState.OPEN
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("violation case")
        verbose_name_plural = _("violation cases")
        ordering = ["-opened_at", "-pk"]
        indexes = [models.Index(fields=["organization", "state"])]

    def __str__(self):
        return self.title


class CaseStep(ChoiceLabels, models.Model):
    """One step of a case: an investigation step (with civil affairs or not) or a measure."""

    case = models.ForeignKey(
        ViolationCase, verbose_name=_("case"), on_delete=models.PROTECT, related_name="steps"
    )
    on = models.DateField(_("date"))
    what = models.TextField(_("what was done"))
    with_civil_affairs = models.BooleanField(_("with civil affairs"), default=False)
    measure = models.CharField(_("measure"), max_length=12, choices=Measure.choices, blank=True)
    addressed_to_org = models.BooleanField(
        _("addressed to the organization"),
        default=False,
        help_text=_("The organization sees this step (a measure taken against it)."),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("case step")
        verbose_name_plural = _("case steps")
        ordering = ["on", "pk"]

    def __str__(self):
        return self.what[:50]


def case_file_path(instance, filename):
    return upload_path(f"cases/{instance.step.case_id}", filename)


class CaseFile(models.Model):
    """A document of a case step; served only through an access-checked view."""

    step = models.ForeignKey(
        CaseStep, verbose_name=_("step"), on_delete=models.PROTECT, related_name="files"
    )
    file = models.FileField(_("file"), upload_to=case_file_path, max_length=300)
    name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size"))
    content_type = models.CharField(_("content type"), max_length=100)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        verbose_name = _("case file")
        verbose_name_plural = _("case files")

    def __str__(self):
        return self.name
