"""What every API endpoint shares: the page rules as a DRF permission, and errors as JSON.

Kept free of DRF's view modules: the REST_FRAMEWORK settings import it while DRF loads.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, permissions

from .rules import RULES


class RulePermission(permissions.BasePermission):
    """The view's ``access_rule`` (as for pages); objects are scoped by the view's queryset."""

    def has_permission(self, request, view):
        name = getattr(view, "access_rule", None)
        if name is None:
            return False
        if name == "public":
            return True
        if not (request.user and request.user.is_authenticated):
            raise exceptions.NotAuthenticated()
        return RULES[name](request.user)


def _field_messages(exc):
    if hasattr(exc, "error_dict"):
        return {
            field if field != "__all__" else "non_field_errors": [m for e in errors for m in e]
            for field, errors in exc.error_dict.items()
        }
    return {"non_field_errors": exc.messages}


def exception_handler(exc, context):
    """Service errors become DRF errors: ValidationError → 400 with messages per field."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(_field_messages(exc))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    # Imported here: DRF loads this module while ``rest_framework.views`` is still initializing
    # (this module names the default permission class), so a module-level import would fail.
    from rest_framework.views import exception_handler as drf_exception_handler  # noqa: PLC0415

    return drf_exception_handler(exc, context)
