"""The base of the API's serializers: model fields get the same input rules as the forms
(``portal.validators``), and the fields every API shares."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from . import validators


class ModelSerializer(serializers.ModelSerializer):
    """REST framework's model serializer, with the portal's input rules on writable fields."""

    def build_standard_field(self, field_name, model_field):
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        if kwargs.get("read_only"):
            return field_class, kwargs
        rules, max_length = validators.model_field_rules(model_field)
        if rules:
            kwargs["validators"] = [*kwargs.get("validators", []), *rules]
        if max_length:
            kwargs.setdefault("max_length", max_length)
        return field_class, kwargs


class VersionField(serializers.IntegerField):
    """The version the client saw: a whole number (``true`` is not 1)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("help_text", _("The version the client saw."))
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, bool):
            self.fail("invalid")
        return super().to_internal_value(data)


class LongTextField(serializers.CharField):
    """Free text (a comment, an opinion, a summary), of bounded length."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", validators.LONG_TEXT_MAX_LENGTH)
        super().__init__(**kwargs)
