from django import forms
from django.utils.translation import gettext_lazy as _

from duties.models import Division, DivisionKind
from portal import forms as portal_forms
from portal.forms import CapfirstLabels

from .models import InvitationAnswer, Meeting, MeetingKind, SpecialMeetingRequest
from .services import MEETING_EDITABLE


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class MeetingForm(portal_forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Meeting
        fields = MEETING_EDITABLE
        widgets = {
            "starts_at": DateTimeInput(),
            "ends_at": DateTimeInput(),
            "agenda": forms.Textarea(attrs={"rows": 5}),
            "reading": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
            self.fields["version"].required = True


class MeetingScheduleForm(MeetingForm):
    kind = forms.ChoiceField(label=_("kind"), choices=MeetingKind.choices)
    invite_all = forms.BooleanField(
        label=_("Invite every active organization"), required=False, initial=True
    )
    liaison_divisions = forms.ModelMultipleChoiceField(
        label=_("otherwise, the organizations of these liaison divisions"),
        queryset=Division.objects.filter(kind=DivisionKind.LIAISON, is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    invited_divisions = forms.ModelMultipleChoiceField(
        label=_("invited divisions"),
        queryset=Division.objects.filter(is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    field_order = ["kind", "title", "starts_at", "ends_at", "place", "agenda", "reading"]

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("invite_all") and not cleaned.get("liaison_divisions"):
            self.add_error(
                "liaison_divisions",
                _("Invite every active organization, or choose liaison divisions."),
            )
        return cleaned


class CancelForm(CapfirstLabels, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = portal_forms.long_text(_("reason for cancelling"), rows=2)


class RespondForm(CapfirstLabels, forms.Form):
    response = forms.ChoiceField(
        label=_("answer"),
        choices=[
            (InvitationAnswer.ATTENDING, InvitationAnswer.ATTENDING.label),
            (InvitationAnswer.DECLINED, InvitationAnswer.DECLINED.label),
        ],
    )
    attendees = forms.CharField(label=_("who will come"), max_length=300, required=False)


class AttendanceForm(CapfirstLabels, forms.Form):
    minutes = portal_forms.long_text(_("minutes"), rows=5, required=False)
    minutes_file = forms.FileField(label=_("minutes file"), required=False)


class SpecialRequestForm(portal_forms.ModelForm):
    class Meta:
        model = SpecialMeetingRequest
        fields = ["topic", "reason"]
