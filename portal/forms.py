from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from .models import User


class CapfirstLabels:
    """Plain forms don't capitalize their labels as model forms do; these do."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if field.label:
                field.label = capfirst(field.label)


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


class LoginForm(AuthenticationForm):
    """Django's login form; the lockout is the authentication backend's (``portal.lockout``)."""


def style_filter_form(form):
    """Bootstrap classes on a filter form's widgets, so list pages render them directly."""
    for field in form.fields.values():
        widget = field.widget
        css = "form-select" if getattr(widget, "input_type", None) == "select" else "form-control"
        widget.attrs.setdefault("class", css)
        field.label = capfirst(field.label) if field.label else field.label
    return form
