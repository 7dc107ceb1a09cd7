from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from portal.forms import CapfirstLabels

from .models import Division, DivisionMembership, MemberRole


class DivisionForm(forms.ModelForm):
    class Meta:
        model = Division
        fields = ["name", "kind", "description", "phone", "email", "is_active"]


class MembershipForm(CapfirstLabels, forms.Form):
    user = forms.ModelChoiceField(
        label=_("user"),
        queryset=get_user_model()
        .objects.filter(is_active=True, org_link__isnull=True)
        .order_by("username"),
    )
    role = forms.ChoiceField(label=_("role"), choices=MemberRole.choices)


class MembershipRoleForm(forms.ModelForm):
    class Meta:
        model = DivisionMembership
        fields = ["role"]
