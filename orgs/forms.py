import re

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from duties.models import Division, DivisionKind
from portal import forms as portal_forms
from portal.forms import CapfirstLabels
from portal.widgets import PlainSelect

from . import credit_code, search
from .models import ManagementMode, Organization, OrgStatus, OrgType, WorkArea
from .services import CONTACT_FIELDS, PROFILE_FIELDS


def _formfield(db_field, **kwargs):
    if db_field.name == "website":
        kwargs["assume_scheme"] = "https"
    if isinstance(db_field, models.DateField):
        kwargs["widget"] = DateInput()
    return portal_forms.formfield(db_field, **kwargs)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class OrganizationForm(portal_forms.VersionedModelForm):
    credit_code_input = forms.CharField(
        label=_("unified social credit code"),
        max_length=40,
        required=False,
        help_text=_(
            "18 characters, as printed on the registration certificate; empty only while the "
            "organization is in preparation."
        ),
    )
    confirm_check_failure = forms.BooleanField(
        label=_("Confirm the code as issued"),
        required=False,
        help_text=_(
            "Tick only if the code is exactly as on the certificate although its check character "
            "does not match; the organization will be marked for it."
        ),
    )
    work_areas = forms.MultipleChoiceField(
        label=_("key work areas"),
        choices=WorkArea.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Organization
        fields = PROFILE_FIELDS
        formfield_callback = _formfield

    field_order = ["name", "credit_code_input", "confirm_check_failure"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["credit_code_input"].initial = self.instance.credit_code
        # The box to confirm a code as issued is offered only once its warning was shown (and
        # while it is ticked): never before, and never for a code that is damaged.
        self._confirm_field = self.fields["confirm_check_failure"]
        if not self.data.get("confirm_check_failure"):
            del self.fields["confirm_check_failure"]

    def _offer_confirmation(self):
        self._offer = True

    def full_clean(self):
        self._offer = False
        super().full_clean()
        if self._offer and "confirm_check_failure" not in self.fields:
            self.fields["confirm_check_failure"] = self._confirm_field

    def clean_credit_code_input(self):
        value = self.cleaned_data["credit_code_input"]
        if not value.strip():
            return ""  # in preparation: the service requires the code of a registered one
        checked = credit_code.parse(value)
        duplicate = Organization.objects.filter(credit_code=checked.code)
        if self.instance.pk:
            duplicate = duplicate.exclude(pk=self.instance.pk)
        if duplicate.exists():
            raise ValidationError(_("An organization with this credit code is already registered."))
        unchanged = self.instance.pk and checked.code == self.instance.credit_code
        if checked.damaged or (
            checked.needs_confirmation
            and not unchanged
            and not self.data.get("confirm_check_failure")
        ):
            if not checked.damaged:
                self._offer_confirmation()
            raise credit_code.confirmation_warning(checked)
        return checked.code

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("term_start"), cleaned.get("term_end")
        if start and end and end < start:
            self.add_error("term_end", _("The term cannot end before it starts."))
        if cleaned.get("grade") and not cleaned.get("grade_valid_until"):
            self.add_error("grade_valid_until", _("Give the date until which the grade is valid."))
        return cleaned

    def service_kwargs(self):
        data = {name: self.cleaned_data[name] for name in PROFILE_FIELDS}
        return {
            "credit_code_raw": self.cleaned_data["credit_code_input"],
            "confirm_check_failure": bool(self.cleaned_data.get("confirm_check_failure")),
            **data,
        }


class ContactForm(portal_forms.VersionedModelForm):
    class Meta:
        model = Organization
        fields = CONTACT_FIELDS
        formfield_callback = _formfield

    def service_kwargs(self):
        return {name: self.cleaned_data[name] for name in CONTACT_FIELDS}


class AssignLiaisonForm(CapfirstLabels, forms.Form):
    division = forms.ModelChoiceField(
        label=_("liaison division"),
        queryset=Division.objects.filter(kind=DivisionKind.LIAISON, is_active=True),
    )
    reason = portal_forms.long_text(_("reason"))
    version = forms.IntegerField(widget=forms.HiddenInput)
    move_filings = forms.BooleanField(
        label=_("Move the filings in progress listed beside to the new division"),
        required=False,
    )


class OrgUserForm(CapfirstLabels, forms.Form):
    username = forms.CharField(label=_("username"), max_length=150)
    full_name = forms.CharField(label=_("full name"), max_length=100)
    position = forms.CharField(label=_("position"), max_length=100, required=False)
    email = forms.EmailField(label=_("email"), required=False)
    phone = portal_forms.phone_field(_("phone"), required=False)
    password = forms.CharField(label=_("initial password"), widget=forms.PasswordInput)


CODE_SHAPED = re.compile(r"^[0-9A-Z]{18}$")


class OrganizationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("name or credit code"), method="search")
    org_type = django_filters.ChoiceFilter(
        widget=PlainSelect, label=_("type"), choices=OrgType.choices, empty_label=_("All")
    )
    management_mode = django_filters.ChoiceFilter(
        widget=PlainSelect,
        label=_("management mode"),
        choices=ManagementMode.choices,
        empty_label=_("All"),
    )
    status = django_filters.ChoiceFilter(
        widget=PlainSelect, label=_("status"), choices=OrgStatus.choices, empty_label=_("All")
    )
    liaison_division = django_filters.ModelChoiceFilter(
        widget=PlainSelect,
        label=_("liaison division"),
        queryset=Division.objects.filter(kind=DivisionKind.LIAISON),
        null_label=_("(not assigned)"),
        empty_label=_("All"),
    )

    class Meta:
        model = Organization
        fields = ["q", "org_type", "management_mode", "status", "liaison_division"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        code = credit_code.normalize(value)
        if CODE_SHAPED.match(code):
            return queryset.filter(credit_code=code)
        by_name = search.name_contains(queryset, value)
        if search.could_start_a_code(value):
            return by_name | queryset.filter(credit_code__startswith=code)
        return by_name
