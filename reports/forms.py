import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from duties.models import Division
from orgs.models import ManagementMode
from portal import forms as portal_forms
from portal.forms import CapfirstLabels
from portal.services import editable_fields
from portal.widgets import PlainSelect

from . import workflow
from .models import FilingState, MatterType, Stance
from .services import matter_update


class TransitionForm(CapfirstLabels, forms.Form):
    action = forms.ChoiceField(choices=[(a, a) for a in workflow.TRANSITIONS])
    version = forms.IntegerField(widget=forms.HiddenInput)
    comment = portal_forms.long_text(_("remarks with this action"), required=False)


class CommentForm(CapfirstLabels, forms.Form):
    body = portal_forms.long_text(_("comment text"))
    internal = forms.BooleanField(
        label=_("internal (bureau staff only)"), required=False, initial=True
    )


class RestrictionForm(CapfirstLabels, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    restricted = forms.BooleanField(
        label=_(
            "restricted: seen only by the lead division, the leading group and the organization"
        ),
        required=False,
    )
    reason = forms.CharField(
        label=_("why it is restricted"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class OpinionForm(CapfirstLabels, forms.Form):
    stance = forms.ChoiceField(label=_("stance"), choices=Stance.choices)
    body = portal_forms.long_text(_("opinion"))


class AttachmentForm(CapfirstLabels, forms.Form):
    file = forms.FileField(label=_("attachment"))
    internal = forms.BooleanField(label=_("internal (bureau staff only)"), required=False)


class SummaryForm(CapfirstLabels, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    summary = portal_forms.long_text(_("summary: results, impact, problems"), rows=5)


class QueueFilter(django_filters.FilterSet):
    matter = django_filters.ModelChoiceFilter(
        widget=PlainSelect,
        label=_("matter"),
        queryset=MatterType.objects.all(),
        empty_label=_("All"),
    )
    org = django_filters.CharFilter(
        label=_("organization"), field_name="organization__name", lookup_expr="icontains"
    )
    state = django_filters.ChoiceFilter(
        widget=PlainSelect,
        label=_("state"),
        choices=[(s, label) for s, label in FilingState.choices if s != FilingState.DRAFT],
        empty_label=_("All"),
    )
    flag = django_filters.ChoiceFilter(
        widget=PlainSelect,
        label=_("deadline"),
        method="filter_flag",
        choices=[
            ("overdue", _("Overdue")),
            ("due_soon", _("Due soon")),
            ("late", _("Reported late")),
        ],
        empty_label=_("All"),
    )

    def __init__(self, *args, due_soon_by=None, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.due_soon_by = due_soon_by
        self.today = today

    def filter_flag(self, queryset, name, value):
        if value == "overdue":
            return queryset.filter(workflow.overdue_q(self.today))
        if value == "due_soon":
            return queryset.filter(workflow.due_soon_q(self.today, self.due_soon_by))
        if value == "late":
            return queryset.filter(late_days__isnull=False)
        return queryset


class MatterTypeForm(portal_forms.VersionedModelForm):
    management_modes = forms.MultipleChoiceField(
        label=_("applies to management modes"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every management mode."),
    )
    opinion_divisions = forms.ModelMultipleChoiceField(
        label=_("opinion divisions"),
        queryset=Division.objects.filter(is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = MatterType
        fields = editable_fields(matter_update, besides=("actor", "matter"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["management_modes"].choices = ManagementMode.choices
        self.fields["lead_division"].queryset = Division.objects.filter(is_active=True)
