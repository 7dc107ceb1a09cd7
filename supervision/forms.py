from django import forms
from django.utils.translation import gettext_lazy as _

from portal.forms import CapfirstLabels, VersionedModelForm, date_field, long_text
from reports.matter_forms import DateInput

from .models import (
    CaseSource,
    CreditList,
    ListGround,
    Measure,
    RecordKind,
    RectificationSource,
    SupervisionRules,
)
from .services import RULE_FIELDS


class VersionField(forms.IntegerField):
    widget = forms.HiddenInput


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented pattern)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


def _text(label, rows=4, required=True):
    return long_text(label, required=required, rows=rows)


def _date(label, required=True, **kwargs):
    """A date within the plausible years (``portal.forms.date_field``), picked in the browser."""
    return date_field(label=label, required=required, widget=DateInput(), **kwargs)


class OpenForm(CapfirstLabels, forms.Form):
    source = forms.ChoiceField(
        label=_("source"),
        choices=[c for c in RectificationSource.choices if c[0] != RectificationSource.INSPECTION],
        initial=RectificationSource.MANUAL,
    )
    items = _text(_("items to put right"), rows=5)
    division = forms.ModelChoiceField(label=_("responsible division"), queryset=None)
    due_on = _date(
        _("deadline"), help_text=_("The default counts the rules' working days from today.")
    )

    def __init__(self, *args, divisions, from_filing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["division"].queryset = divisions
        self.fields["division"].initial = divisions.first()
        if from_filing:
            del self.fields["source"]


class ReportForm(CapfirstLabels, forms.Form):
    version = VersionField()
    body = _text(_("what was put right"), rows=5)
    files = MultipleFileField(label=_("attachments"), required=False)


class MoreTimeForm(CapfirstLabels, forms.Form):
    version = VersionField()
    due_on = _date(_("new deadline asked for"))
    reason = _text(_("reason"), rows=3)


class AnswerMoreTimeForm(CapfirstLabels, forms.Form):
    version = VersionField()
    grant = forms.TypedChoiceField(
        label=_("answer"),
        choices=[("1", _("Grant the date asked for")), ("0", _("Refuse"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    comment = _text(_("comment"), rows=2, required=False)


class VerifyForm(CapfirstLabels, forms.Form):
    version = VersionField()
    accepted = forms.TypedChoiceField(
        label=_("verification"),
        choices=[("1", _("Accepted: close the rectification")), ("0", _("Insufficient"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    comment = _text(_("what is still to be put right (if insufficient)"), rows=3, required=False)
    due_on = _date(
        _("new deadline (if insufficient)"),
        required=False,
        help_text=_("Empty: the rules' working days from today."),
    )


class WithdrawForm(CapfirstLabels, forms.Form):
    version = VersionField()
    reason = _text(_("why it is withdrawn"), rows=2)


class ProposeEntryForm(CapfirstLabels, forms.Form):
    credit_list = forms.ChoiceField(label=_("list"), choices=CreditList.choices)
    ground = forms.ChoiceField(label=_("ground"), choices=ListGround.choices)
    details = _text(_("facts of the ground"), rows=3, required=False)


class ConfirmEntryForm(CapfirstLabels, forms.Form):
    version = VersionField()
    details = _text(_("facts of the ground, as the organization will read them"), rows=3)


class DismissEntryForm(CapfirstLabels, forms.Form):
    version = VersionField()
    reason = _text(_("why the proposal does not hold"), rows=2)


class ResolveEntryForm(CapfirstLabels, forms.Form):
    version = VersionField()


class CorrectEntryForm(CapfirstLabels, forms.Form):
    version = VersionField()
    reason = _text(_("why the entry was a mistake"), rows=2)


class CreditRecordForm(CapfirstLabels, forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=RecordKind.choices)
    title = forms.CharField(label=_("what"), max_length=200)
    occurred_on = _date(_("date of the source"))
    details = _text(_("details"), rows=3, required=False)


class RulesForm(VersionedModelForm):
    class Meta:
        model = SupervisionRules
        fields = RULE_FIELDS


class InspectionOpenForm(CapfirstLabels, forms.Form):
    year = forms.IntegerField(label=_("year inspected"), min_value=2000, max_value=2100)


class CaseOpenForm(CapfirstLabels, forms.Form):
    source = forms.ChoiceField(label=_("source"), choices=CaseSource.choices)
    title = forms.CharField(label=_("title"), max_length=200)
    facts = _text(_("facts"), rows=5)


class CaseStepForm(CapfirstLabels, forms.Form):
    version = VersionField()
    on = _date(_("date"))
    what = _text(_("what was done"), rows=3)
    with_civil_affairs = forms.BooleanField(label=_("with civil affairs"), required=False)
    measure = forms.ChoiceField(
        label=_("measure taken (if any)"),
        choices=[("", "—"), *Measure.choices],
        required=False,
    )
    addressed_to_org = forms.BooleanField(
        label=_("addressed to the organization (it sees this step)"), required=False
    )
    files = MultipleFileField(label=_("documents"), required=False)


class CaseCloseForm(CapfirstLabels, forms.Form):
    version = VersionField()
    findings = _text(_("findings"), rows=4)
