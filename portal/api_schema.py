"""The OpenAPI schema class of the API (drf-spectacular)."""

from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers


class PortalAutoSchema(AutoSchema):
    """Every operation documents the errors the API answers with, not only its success:
    400 (messages per field, or non_field_errors), 401, 403 and 404 (``{"detail": ...}``)."""

    error_codes = ("400", "401", "403", "404")

    def _get_response_bodies(self, direction="response"):
        bodies = super()._get_response_bodies(direction)
        if direction != "response":
            return bodies
        for code in self.error_codes:
            if code not in bodies:
                bodies[code] = self._get_response_for_code(ErrorSerializer, code)
        return bodies


class ErrorSerializer(serializers.Serializer):
    """``detail`` for 401/403/404; for 400, one list of messages per field (or
    ``non_field_errors``), so further properties are allowed."""

    detail = serializers.CharField(required=False)
    non_field_errors = serializers.ListField(child=serializers.CharField(), required=False)
