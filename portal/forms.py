from django import forms
from django.utils.translation import gettext_lazy as _

from .models import User

# Service errors name model fields; a few forms show them under another field name.
FIELD_ALIASES = {"credit_code": "credit_code_input"}


def apply_validation_error(form, exc):
    """Show a service's ValidationError on the form: per field where it names one, else on top."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            name = FIELD_ALIASES.get(name, name)
            target = name if name in form.fields else None
            for error in errors:
                form.add_error(target, error)
    else:
        form.add_error(None, exc)


class UserCreateForm(forms.ModelForm):
    password = forms.CharField(label=_("initial password"), widget=forms.PasswordInput)

    class Meta:
        model = User
        fields = ["username", "full_name", "email", "phone", "is_bureau_admin", "is_leader"]


class UserEditForm(forms.ModelForm):
    new_password = forms.CharField(
        label=_("new password"),
        widget=forms.PasswordInput,
        required=False,
        help_text=_("Leave empty to keep the current password."),
    )

    class Meta:
        model = User
        fields = ["full_name", "email", "phone", "is_bureau_admin", "is_leader", "is_active"]
