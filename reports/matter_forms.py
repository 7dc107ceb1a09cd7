"""The typed fields each matter asks for.

Every form kind has a Django form; the engine stores its cleaned data in ``Filing.details`` (dates
as ISO strings, decimals as strings) and takes ``title``, ``event_start`` and ``event_end`` out into
columns, because deadlines are computed from them.
"""

import datetime
import decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import formats
from django.utils.dateparse import parse_date
from django.utils.translation import gettext_lazy as _

from portal import forms as portal_forms
from portal.forms import CapfirstLabels

from .models import FormKind

COLUMN_FIELDS = ("title", "event_start", "event_end")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def date_field(label, required=True):
    return portal_forms.date_field(label=label, required=required, widget=DateInput())


def text(label, required=True, rows=4):
    return portal_forms.long_text(label, required=required, rows=rows)


class MatterForm(CapfirstLabels, forms.Form):
    title = forms.CharField(label=_("title"), max_length=200)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("event_start"), cleaned.get("event_end")
        if start and end and end < start:
            self.add_error("event_end", _("The end cannot be before the start."))
        return cleaned

    def split(self):
        """(column values, details) from the cleaned data."""
        columns = {name: self.cleaned_data.get(name) for name in COLUMN_FIELDS}
        details = {}
        for name, value in self.cleaned_data.items():
            if name in COLUMN_FIELDS:
                continue
            if isinstance(value, datetime.date):
                value = value.isoformat()
            elif isinstance(value, decimal.Decimal):
                value = str(value)
            details[name] = value
        return columns, details

    @classmethod
    def initial_from(cls, filing):
        initial = dict(filing.details)
        for name in COLUMN_FIELDS:
            initial[name] = getattr(filing, name)
        return initial


YES_NO = [(False, _("No")), (True, _("Yes"))]


def yes_no(label):
    return forms.TypedChoiceField(
        label=label, choices=YES_NO, coerce=lambda v: v in (True, "True"), initial=False
    )


class MajorMatterForm(MatterForm):
    category = forms.ChoiceField(
        label=_("category"),
        choices=[
            ("major_activity", _("Major activity")),
            ("major_event", _("Major event")),
            ("important_information", _("Important information")),
            ("leader_change", _("Change of leaders")),
        ],
    )
    description = text(_("what is planned or what happened"))
    event_start = date_field(_("starts"))
    event_end = date_field(_("ends"))
    location = forms.CharField(label=_("where"), max_length=200)
    participants = portal_forms.count_field(_("expected participants"))
    foreign_involved = yes_no(
        _("foreign, Hong Kong, Macao or Taiwan parties or overseas funds involved")
    )
    foreign_details = text(_("details of foreign involvement"), required=False, rows=2)
    funding_source = forms.CharField(label=_("funding source"), max_length=200)
    contact_person = forms.CharField(label=_("contact person"), max_length=100)
    contact_phone = portal_forms.phone_field(_("contact phone"))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("foreign_involved") and not cleaned.get("foreign_details"):
            self.add_error("foreign_details", _("Describe the foreign involvement."))
        return cleaned


class PreRegistrationForm(MatterForm):
    proposed_name = forms.CharField(label=_("proposed name"), max_length=200)
    org_type = forms.CharField(label=_("proposed type"), max_length=100)
    founders = text(_("founders and initial funding"))
    purpose = text(_("purpose and scope of business"))


class RegistrationForm(MatterForm):
    kind = forms.ChoiceField(
        label=_("kind"),
        choices=[
            ("registration", _("Registration")),
            ("term_renewal", _("Term renewal")),
            ("change", _("Change of registered items")),
        ],
    )
    event_start = date_field(_("planned date (meeting or change)"))
    items = text(_("items and reasons"))
    candidates = text(_("candidates for leading posts (term renewal)"), required=False, rows=3)
    # What the registry will read once the filing is approved (``reports.effects``).
    new_term_start = date_field(_("new term starts"), required=False)
    new_term_end = date_field(_("new term ends"), required=False)
    new_leaders = text(_("leaders of the new term"), required=False, rows=3)
    new_name = forms.CharField(label=_("new name"), max_length=200, required=False)
    new_domicile = forms.CharField(label=_("new domicile"), max_length=255, required=False)
    new_legal_representative = forms.CharField(
        label=_("new legal representative"), max_length=100, required=False
    )
    new_business_scope = text(_("new business scope"), required=False, rows=3)

    CHANGE_FIELDS = ("new_name", "new_domicile", "new_legal_representative", "new_business_scope")

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if kind == "term_renewal":
            for name in ("new_term_start", "new_term_end"):
                if not cleaned.get(name) and name not in self.errors:
                    self.add_error(name, _("Give the dates of the new term."))
            start, end = cleaned.get("new_term_start"), cleaned.get("new_term_end")
            if start and end and end <= start:
                self.add_error("new_term_end", _("The term must end after it starts."))
        elif kind == "change" and not any(cleaned.get(n) for n in self.CHANGE_FIELDS):
            self.add_error(None, _("Give at least one registered item with its new value."))
        return cleaned


class AnnualInspectionForm(MatterForm):
    year = forms.IntegerField(label=_("year inspected"), min_value=2000, max_value=2100)
    summary = text(_("summary of the year's work"))
    finances = text(_("income, expenditure and net assets"), rows=3)


class BureauActivityForm(MatterForm):
    request = forms.ChoiceField(
        label=_("request"),
        choices=[
            ("host", _("Hosted in the bureau's name")),
            ("co_host", _("Co-hosted in the bureau's name")),
            ("support", _("Supported by the bureau")),
            ("leader_invitation", _("Invitation to bureau leaders")),
        ],
    )
    description = text(_("activity"))
    event_start = date_field(_("starts"))
    event_end = date_field(_("ends"))
    location = forms.CharField(label=_("where"), max_length=200)
    participants = portal_forms.count_field(_("expected participants"))
    leaders_invited = forms.CharField(
        label=_("bureau leaders invited"), max_length=200, required=False
    )


class SeminarForeignForm(MatterForm):
    kind = forms.ChoiceField(
        label=_("kind"),
        choices=[
            ("seminar", _("Seminar")),
            ("forum", _("Forum")),
            ("foreign_exchange", _("Foreign exchange")),
            ("overseas_donation", _("Overseas donation or funding")),
        ],
    )
    description = text(_("content"))
    event_start = date_field(_("starts"))
    event_end = date_field(_("ends"), required=False)
    foreign_parties = text(_("foreign or overseas parties"), required=False, rows=2)
    amount = forms.DecimalField(
        label=_("amount (yuan)"), required=False, min_value=0, decimal_places=2, max_digits=14
    )


class CadrePostForm(MatterForm):
    cadre_name = forms.CharField(label=_("cadre"), max_length=100)
    cadre_unit = forms.CharField(label=_("cadre's unit and position"), max_length=200)
    post = forms.CharField(label=_("post in the organization"), max_length=100)
    event_start = date_field(_("post starts"))
    event_end = date_field(_("post ends"))
    paid = yes_no(_("remunerated"))
    reason = text(_("reason"), rows=3)


class AwardForm(MatterForm):
    award = forms.CharField(label=_("award"), max_length=200)
    awarding_body = forms.CharField(label=_("awarding body"), max_length=200)
    nominees = text(_("nominees"), rows=3)
    merits = text(_("merits"))


class ServiceProjectForm(MatterForm):
    purchaser = forms.CharField(label=_("purchasing unit"), max_length=200)
    budget = forms.DecimalField(
        label=_("budget (yuan)"), min_value=0, decimal_places=2, max_digits=14
    )
    event_start = date_field(_("starts"))
    event_end = date_field(_("ends"))
    milestones = text(_("milestones (one per line: date and deliverable)"))
    report = text(_("progress, quality and use of funds"))


class WorkPlanForm(MatterForm):
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100)
    plan = text(_("plan"), rows=8)


class FeesTrainingForm(MatterForm):
    kind = forms.ChoiceField(
        label=_("kind"),
        choices=[
            ("fees", _("Fees")),
            ("training", _("Training")),
            ("awards_activity", _("Awards activity")),
        ],
    )
    description = text(_("content and participants"))
    event_start = date_field(_("starts"))
    fee = forms.DecimalField(
        label=_("fee per person (yuan)"),
        required=False,
        min_value=0,
        decimal_places=2,
        max_digits=12,
    )


class GradeDeregistrationForm(MatterForm):
    kind = forms.ChoiceField(
        label=_("kind"),
        choices=[("grade", _("Grade evaluation")), ("deregistration", _("Deregistration"))],
    )
    grade_sought = forms.ChoiceField(
        label=_("grade sought"),
        required=False,
        choices=[("", "—"), ("1A", "1A"), ("2A", "2A"), ("3A", "3A"), ("4A", "4A"), ("5A", "5A")],
    )
    event_start = date_field(_("deregistered on (deregistration)"), required=False)
    reasons = text(_("reasons and supporting facts"))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == "grade" and not cleaned.get("grade_sought"):
            self.add_error("grade_sought", _("Choose the grade sought."))
        return cleaned


class PetitionForm(MatterForm):
    petitioner = forms.CharField(label=_("petitioner"), max_length=100)
    event_start = date_field(_("received on"))
    channel = forms.CharField(label=_("channel"), max_length=100)
    content = text(_("content"))


class AuditForm(MatterForm):
    scope = text(_("scope"), rows=3)
    period = forms.CharField(label=_("period audited"), max_length=100)
    auditor = forms.CharField(label=_("auditor"), max_length=200)
    event_start = date_field(_("audit starts"))
    findings = text(_("findings"), required=False)


class ViolationForm(MatterForm):
    description = text(_("facts"))
    event_start = date_field(_("found on"))
    basis = text(_("rules violated"), rows=3)
    event_end = date_field(_("rectification deadline"))
    rectification = text(_("rectification required"), rows=3)


class SpotCheckForm(MatterForm):
    campaign = forms.CharField(label=_("campaign"), max_length=200)
    event_start = date_field(_("checked on"))
    items = text(_("items checked"), rows=3)
    findings = text(_("findings"), required=False)


FORMS = {
    FormKind.MAJOR_MATTER: MajorMatterForm,
    FormKind.PRE_REGISTRATION: PreRegistrationForm,
    FormKind.REGISTRATION: RegistrationForm,
    FormKind.ANNUAL_INSPECTION: AnnualInspectionForm,
    FormKind.BUREAU_ACTIVITY: BureauActivityForm,
    FormKind.SEMINAR_FOREIGN: SeminarForeignForm,
    FormKind.CADRE_POST: CadrePostForm,
    FormKind.AWARD: AwardForm,
    FormKind.SERVICE_PROJECT: ServiceProjectForm,
    FormKind.WORK_PLAN: WorkPlanForm,
    FormKind.FEES_TRAINING: FeesTrainingForm,
    FormKind.GRADE_DEREGISTRATION: GradeDeregistrationForm,
    FormKind.PETITION: PetitionForm,
    FormKind.AUDIT: AuditForm,
    FormKind.VIOLATION: ViolationForm,
    FormKind.SPOT_CHECK: SpotCheckForm,
}


def form_for(matter):
    return FORMS[matter.form_kind]


def clean_filing_fields(matter, *, title, event_start=None, event_end=None, details=None):
    """Validate a filing's title, dates and details against ``matter``'s own schema (its form's
    fields and rules), whoever sends them: the page, the API, a service call. Returns
    ``(columns, details)`` normalized as stored; raises a ValidationError naming each field.

    Values may be typed (dates, numbers, booleans) or text, as a page posts them."""
    payload = {}
    for name, value in (details or {}).items():
        if isinstance(value, bool):
            payload[name] = str(value)
        elif isinstance(value, datetime.date | int | float | decimal.Decimal):
            payload[name] = value.isoformat() if isinstance(value, datetime.date) else str(value)
        else:
            payload[name] = value
    for name, value in (("title", title), ("event_start", event_start), ("event_end", event_end)):
        if value is not None:
            payload[name] = value
    form = form_for(matter)(data=payload)
    if not form.is_valid():
        raise ValidationError(
            {field: list(errors) for field, errors in form.errors.items()}, code="invalid"
        )
    return form.split()


def display_detail(field, value):
    """A stored details value as the pages show it: a choice's label, yes or no, a date in the
    reader's format; "—" for none."""
    if value in (None, ""):
        return "—"
    if isinstance(field, forms.ChoiceField):
        return dict(field.choices).get(value, value)
    if isinstance(field, forms.DateField):
        day = parse_date(value) if isinstance(value, str) else value
        return formats.date_format(day, "DATE_FORMAT") if day else value
    return value


def detail_fields(matter):
    """[(name, field)] of the details of ``matter``'s schema, in the form's order."""
    return [
        (name, field)
        for name, field in form_for(matter)().fields.items()
        if name not in COLUMN_FIELDS
    ]


def display_details(filing):
    """[(label, value)] of a filing's typed fields, in the form's order, for the filing page."""
    return [
        (field.label, display_detail(field, filing.details.get(name)))
        for name, field in detail_fields(filing.matter)
        if filing.details.get(name) not in (None, "")
    ]
