from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from portal import forms as portal_forms
from portal.forms import CapfirstLabels
from portal.services import editable_fields

from .models import Division, DivisionMembership, MemberRole
from .services import division_update


class DivisionForm(portal_forms.VersionedModelForm):
    class Meta:
        model = Division
        fields = editable_fields(division_update, besides=("actor", "division"))


class MembershipForm(CapfirstLabels, forms.Form):
    user = forms.ModelChoiceField(
        label=_("user"),
        queryset=get_user_model()
        .objects.filter(is_active=True, org_link__isnull=True)
        .order_by("username"),
    )
    role = forms.ChoiceField(label=_("role"), choices=MemberRole.choices)


class MembershipRoleForm(portal_forms.ModelForm):
    class Meta:
        model = DivisionMembership
        fields = ["role"]
