"""The portal's input rules, each said once: forms (``portal.forms.formfield``, the field
factories there) and API serializers (``portal.serializers``) apply them, whoever sends the data.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def year_bounds():
    return settings.DATE_INPUT_MIN_YEAR, settings.DATE_INPUT_MAX_YEAR


def is_plausible_date(value):
    """Whether a date or time lies within the years dates may be entered for."""
    if value is None:
        return True
    low, high = year_bounds()
    return low <= value.year <= high


def validate_plausible_date(value):
    """Refuse a date or time outside ``DATE_INPUT_MIN_YEAR``..``DATE_INPUT_MAX_YEAR``: a year 0001
    or 9999 is a typo, and the deadlines, lateness and reminders computed from it would be
    absurd or overflow."""
    if isinstance(value, datetime.date) and not is_plausible_date(value):
        low, high = year_bounds()
        raise ValidationError(
            _("Enter a date between the years %(min)d and %(max)d."),
            code="date_out_of_range",
            params={"min": low, "max": high},
        )
