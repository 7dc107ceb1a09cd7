"""The base of the API's serializers: model fields get the same input rules as the forms
(``portal.validators``)."""

from django.db import models
from rest_framework import serializers

from .validators import validate_plausible_date


def _rules_for(model_field):
    if isinstance(model_field, models.DateField):  # DateTimeField is one too
        return [validate_plausible_date]
    return []


class ModelSerializer(serializers.ModelSerializer):
    """REST framework's model serializer, with the portal's input rules on writable fields."""

    def build_standard_field(self, field_name, model_field):
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        rules = _rules_for(model_field)
        if rules and not kwargs.get("read_only"):
            kwargs["validators"] = [*kwargs.get("validators", []), *rules]
        return field_class, kwargs
