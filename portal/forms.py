from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django_bootstrap5.renderers import FieldRenderer as BootstrapFieldRenderer
from django_bootstrap5.renderers import FormRenderer as BootstrapFormRenderer

from . import punctuation, validators
from .models import DayKind, User


class FieldRenderer(BootstrapFieldRenderer):
    """How every form of the portal renders a field (``BOOTSTRAP5["field_renderers"]``).

    A field is marked only when it is wrong. Bootstrap's green "valid" mark on every field of a
    form sent back means nothing here: the form was refused, nothing was saved, and a password
    field is sent back empty under its tick.

    A browser never fills a file input again, so a form sent back (a bound form is only shown
    again when it was refused) says which file had been chosen and asks for it again, rather
    than dropping it in silence."""

    def get_server_side_validation_classes(self):
        return "is-invalid" if self.field_errors else ""

    def get_help_html(self):
        help_html = super().get_help_html()
        chosen = self.field.form.is_bound and self.field.form.files.get(self.field.html_name)
        if chosen and isinstance(self.field.field, forms.FileField):
            again = _("You had chosen “%(name)s”; it was not kept. Choose it again.") % {
                "name": chosen.name
            }
            help_html = (
                format_html('<div class="form-text text-danger file-again">{}</div>', again)
                + help_html
            )
        return help_html


class FormRenderer(BootstrapFormRenderer):
    """How every ``{% bootstrap_form %}`` of the portal renders (``BOOTSTRAP5["form_renderers"]``):
    a refused form starts with a summary of what to correct, each item linked to its field; a form
    with required fields says once how they are marked (portal.css stars their labels)."""

    def render(self):
        html = self.render_summary()
        if any(f.required and not f.widget.is_hidden for f in self.form.fields.values()):
            html += format_html(
                '<p class="small text-muted required-note">{}</p>',
                _("Fields marked * are required."),
            )
        return html + self.render_fields()

    def render_summary(self):
        if not self.form.is_bound or not self.form.errors:
            return mark_safe("")
        items = [format_html("<li>{}</li>", error) for error in self.form.non_field_errors()]
        for field in self.form:
            for error in field.errors:
                if field.is_hidden:
                    items.append(format_html("<li>{}</li>", error))
                else:
                    items.append(
                        format_html(
                            '<li><a class="alert-link" href="#{}">{}</a>{}{}</li>',
                            field.id_for_label,
                            field.label,
                            punctuation.mark("colon"),
                            error,
                        )
                    )
        return format_html(
            '<div class="alert alert-danger form-errors" role="alert">'
            '<p class="mb-1">{}</p><ul class="mb-0">{}</ul></div>',
            _("Correct the following and send the form again:"),
            format_html_join("", "{}", ((item,) for item in items)),
        )


class CapfirstLabels:
    """Plain forms don't capitalize their labels as model forms do; these do."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if field.label:
                field.label = capfirst(field.label)


def formfield(db_field, **kwargs):
    """A model form's field for ``db_field`` with the portal's input rules (``portal.validators``):
    every model form names this as its ``formfield_callback``."""
    rules, max_length = validators.model_field_rules(db_field)
    if rules:
        kwargs["validators"] = [*kwargs.get("validators", ()), *rules]
    if max_length:
        kwargs.setdefault("max_length", max_length)
    return db_field.formfield(**kwargs)


class ModelForm(forms.ModelForm):
    """The base of the portal's model forms: their fields carry the portal's input rules
    (``formfield``, unless the form's ``Meta`` names a callback of its own that calls it)."""

    def __init_subclass__(cls, **kwargs):
        # Runs before Django reads the subclass's Meta, which does not inherit ours.
        super().__init_subclass__(**kwargs)
        meta = getattr(cls, "Meta", None)
        if meta is not None and getattr(meta, "formfield_callback", None) is None:
            meta.formfield_callback = staticmethod(formfield)


def date_field(**kwargs):
    """A plain form's date field, within the plausible years."""
    return forms.DateField(validators=[validators.validate_plausible_date], **kwargs)


def long_text(label, *, required=True, rows=3, **kwargs):
    """A plain form's free text (a comment, an opinion, a summary), of bounded length."""
    return forms.CharField(
        label=label,
        required=required,
        max_length=validators.LONG_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": rows}),
        **kwargs,
    )


def count_field(label, **kwargs):
    """A plain form's count (participants, attendees): a whole number from 0 to ``COUNT_MAX``."""
    kwargs.setdefault("min_value", 0)
    kwargs.setdefault("max_value", validators.COUNT_MAX)
    return forms.IntegerField(label=label, **kwargs)


def phone_field(label, **kwargs):
    """A plain form's telephone number."""
    kwargs.setdefault("max_length", 40)
    return forms.CharField(label=label, validators=[validators.validate_phone], **kwargs)


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


class UserCreateForm(ModelForm):
    password = forms.CharField(label=_("initial password"), widget=forms.PasswordInput)

    class Meta:
        model = User
        fields = ["username", "full_name", "email", "phone", "is_bureau_admin", "is_leader"]


class VersionedModelForm(ModelForm):
    """A model form that carries the version the user saw, so that a stale save is refused
    (``services.StaleVersion``) instead of overwriting another person's change."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
            self.fields["version"].required = True

    @property
    def seen_version(self):
        """The version the user saw (None on a form that creates)."""
        return self.cleaned_data.get("version")

    def changes(self):
        """The cleaned values, without the version: what the service is given."""
        return {name: value for name, value in self.cleaned_data.items() if name != "version"}


class UserEditForm(VersionedModelForm):
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


class CalendarDayForm(CapfirstLabels, forms.Form):
    date = date_field(
        label=_("date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    kind = forms.ChoiceField(label=_("kind"), choices=DayKind.choices)
    name = forms.CharField(label=_("name (e.g. Spring Festival)"), max_length=100, required=False)
