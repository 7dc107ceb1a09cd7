"""The portal's input rules, each said once: forms (``portal.forms.formfield``, the field
factories there) and API serializers (``portal.serializers``) apply them, whoever sends the data.
"""

import datetime
import re
import unicodedata

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
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


# --- usernames -------------------------------------------------------------------------------

USERNAME_MAX_LENGTH = 150
# Latin letters, digits, Chinese characters and . _ - @ (after NFKC, so full-width forms are
# their ASCII letters): no spaces, markup, emoji, or letters of other scripts that look Latin.
_USERNAME_CHARACTER = re.compile(r"[A-Za-z0-9._@\-\u4e00-\u9fff]")
# What a reader cannot tell apart in a username.
_LOOK_ALIKE = str.maketrans({"0": "o", "1": "l", "i": "l", "_": "-", ".": "-"})


def normalize_username(value):
    """The form a username is stored and compared in: NFKC (full-width ``ａｄｍｉｎ`` is ``admin``),
    without surrounding spaces."""
    return unicodedata.normalize("NFKC", value or "").strip()


def _named(characters):
    return "、".join(f"“{c}” (U+{ord(c):04X})" for c in characters)


def validate_username(value):
    """Refuse a username (normalized) with invisible characters (zero-width, direction marks),
    spaces or characters outside the safe set, naming them."""
    invisible = invisible_characters(value)
    if not value:
        raise ValidationError(_("Enter a username."), code="required")
    if len(value) > USERNAME_MAX_LENGTH:
        raise ValidationError(
            _("A username may have at most %(max)d characters."),
            code="max_length",
            params={"max": USERNAME_MAX_LENGTH},
        )
    if invisible:
        raise ValidationError(
            _("The username contains invisible characters: %(chars)s."),
            code="invisible",
            params={"chars": ", ".join(f"U+{ord(c):04X}" for c in invisible)},
        )
    if any(c.isspace() for c in value):
        raise ValidationError(_("A username may not contain spaces."), code="space")
    unsafe = sorted({c for c in value if not _USERNAME_CHARACTER.fullmatch(c)})
    if unsafe:
        raise ValidationError(
            _(
                "A username may contain only Latin letters, digits, Chinese characters and "
                ". _ - @; not %(chars)s."
            ),
            code="characters",
            params={"chars": _named(unsafe)},
        )


def username_skeleton(value):
    """What ``value`` looks like to a reader: usernames with the same skeleton are confusable
    (``Admin``, ``adm1n``, ``ad_min``…)."""
    return normalize_username(value).casefold().translate(_LOOK_ALIKE)


# --- text, numbers, phones, postal codes -----------------------------------------------------

# The longest free text (a comment, an opinion, an agenda) taken from a form or the API; it is
# stored, shown and emailed, so megabytes of it are refused.
LONG_TEXT_MAX_LENGTH = 10_000
# The largest count a form takes (participants, attendees).
COUNT_MAX = 1_000_000

_PHONE = re.compile(r"^\+?[0-9][0-9 ()\-]*(?:(?:转|#|ext\.?|x)[0-9]{1,6})?$", re.IGNORECASE)
_POSTAL_CODE = re.compile(r"^[0-9]{6}$")


def invisible_characters(value):
    """The zero-width, direction and control characters in ``value``, each once, in order."""
    return sorted({c for c in value or "" if unicodedata.category(c) in ("Cf", "Cc", "Co", "Cn")})


def validate_phone(value):
    """A telephone or mobile number: digits, optionally a leading +, spaces, hyphens, brackets and
    an extension (转, #, ext); between 5 and 20 digits."""
    if not value:
        return
    digits = sum(c.isdigit() for c in value)
    if not _PHONE.match(value) or not 5 <= digits <= 20:
        raise ValidationError(
            _(
                "Enter a telephone number: digits, optionally with +, spaces, hyphens, brackets "
                "and an extension (for example 021-12345678转123)."
            ),
            code="phone",
        )


def validate_postal_code(value):
    """A mainland China postal code: six digits."""
    if value and not _POSTAL_CODE.match(value):
        raise ValidationError(_("Enter a postal code of six digits."), code="postal_code")


def _is_phone(name):
    return name == "phone" or name.endswith("_phone")


def model_field_rules(model_field):
    """The portal's rules for a model field's input: ``(validators, max_length)``. The model form
    base (``portal.forms.formfield``) and the serializer base (``portal.serializers``) apply
    them, so a page and the API refuse the same input."""
    rules, max_length = [], None
    if isinstance(model_field, models.DateField):  # DateTimeField is one too
        rules.append(validate_plausible_date)
    if isinstance(model_field, models.CharField | models.TextField):
        if _is_phone(model_field.name):
            rules.append(validate_phone)
        elif model_field.name == "postal_code":
            rules.append(validate_postal_code)
    if isinstance(model_field, models.TextField) and not model_field.max_length:
        max_length = LONG_TEXT_MAX_LENGTH
    return rules, max_length
