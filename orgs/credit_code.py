"""Unified social credit code (统一社会信用代码), GB 32100-2015.

Eighteen characters from 0-9 and A-Y without I, O, S, V and Z. Character 1 is the registering
department, 2 the organization type, 3-8 the area code, 9-17 the organization code, 18 the check
character: with weights 3^(i-1) mod 31 for i = 1..17 and the characters valued by their place in
the alphabet above, the check value is (31 - sum mod 31) mod 31.

A malformed code is refused; a code whose check character does not match is only flagged, because
some codes issued in practice are reported to fail the check and staff must be able to record them.
"""

import re
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from portal import validators

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
VALUES = {ch: i for i, ch in enumerate(ALPHABET)}
WEIGHTS = [pow(3, i, 31) for i in range(17)]
LENGTH = 18
SCIENTIFIC = re.compile(r"^\d(\.\d+)?E\+?\d+$")

# Character 1: the registering department; 5 is civil affairs.
DEPARTMENTS = set("123456789ANY")
CIVIL_AFFAIRS = "5"
# Character 2 for civil affairs: 1 social group, 2 private non-enterprise unit, 3 foundation,
# 9 other.
CIVIL_AFFAIRS_TYPES = {"1", "2", "3", "9"}


@dataclass(frozen=True)
class CheckedCode:
    code: str
    check_ok: bool
    expected_check: str

    @property
    def looks_truncated(self):
        """All digits ending in zeros: a spreadsheet kept 15 significant digits of the code."""
        return self.code.isdigit() and self.code.endswith("000")

    @property
    def civil_affairs(self):
        """Registered by civil affairs (character 1 is 5), as the bureau's organizations are."""
        return self.code[0] == CIVIL_AFFAIRS

    @property
    def damaged(self):
        """A failing code the portal recognises as damaged (spreadsheet-rounded): never stored,
        whatever staff confirm."""
        return not self.check_ok and self.looks_truncated

    @property
    def needs_confirmation(self):
        """Staff confirm it as issued before it is stored: its check character fails, or it was
        not registered by civil affairs."""
        return not self.damaged and (not self.check_ok or not self.civil_affairs)


# Spaces and hyphens that a printed or typed code is grouped with (after NFKC, which makes
# full-width characters ASCII): not part of the code.
SEPARATORS = re.compile(r"[\s\-\u2010-\u2015]+")


def normalize(raw):
    """The code as typed, NFKC-normalised (full-width ``５３３１…`` is ``5331…``), without spaces
    and hyphens anywhere, upper-case. Invisible characters are kept, for ``parse`` to name."""
    return SEPARATORS.sub("", unicodedata.normalize("NFKC", raw or "")).upper()


def check_character(first17):
    total = sum(VALUES[ch] * w for ch, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def parse(raw):
    """Validate ``raw`` and return a :class:`CheckedCode`.

    Raises ``ValidationError`` for a malformed code, with a message that says what is wrong and
    where. A wrong check character is not an error here: ``check_ok`` is False.
    """
    code = normalize(raw)
    if not code:
        raise ValidationError(_("Enter the unified social credit code."), code="required")
    invisible = validators.invisible_characters(code)
    if invisible:
        raise ValidationError(
            _(
                "The code contains invisible characters (%(chars)s), probably copied with it: "
                "delete them or type the code again."
            )
            % {"chars": ", ".join(f"U+{ord(c):04X}" for c in invisible)},
            code="invisible",
        )
    if SCIENTIFIC.match(code):
        raise ValidationError(
            _(
                "“%(value)s” is a number in scientific notation, as a spreadsheet shows a long "
                "number; its last digits are lost. Format the cell as text and copy the code again."
            )
            % {"value": code},
            code="spreadsheet",
        )
    if len(code) != LENGTH:
        if code.isdigit() and len(code) < LENGTH:
            raise ValidationError(
                _(
                    "The code has %(length)d characters but must have 18. It looks like a "
                    "number whose last digits were lost (for example by a spreadsheet); copy "
                    "the code as text."
                )
                % {"length": len(code)},
                code="length",
            )
        raise ValidationError(
            _("The code has %(length)d characters but must have exactly 18.")
            % {"length": len(code)},
            code="length",
        )
    for position, ch in enumerate(code, start=1):
        if ch not in VALUES:
            if ch in "IOSVZ":
                message = _(
                    "Character %(position)d is “%(char)s”: the letters I, O, S, V and Z are never "
                    "used in a credit code."
                )
            else:
                message = _(
                    "Character %(position)d is “%(char)s”: only digits and capital letters may "
                    "be used."
                )
            raise ValidationError(message % {"position": position, "char": ch}, code="character")
    if code[0] not in DEPARTMENTS:
        raise ValidationError(
            _("Character 1 is “%(char)s”, which is not a registering department code.")
            % {"char": code[0]},
            code="department",
        )
    if code[0] == CIVIL_AFFAIRS and code[1] not in CIVIL_AFFAIRS_TYPES:
        raise ValidationError(
            _(
                "Character 2 is “%(char)s”; for civil affairs registrations it must be 1 (social "
                "group), 2 (private non-enterprise unit), 3 (foundation) or 9 (other)."
            )
            % {"char": code[1]},
            code="org_type",
        )
    if not code[2:8].isdigit():
        raise ValidationError(
            _("Characters 3 to 8 are the area code and must be digits."), code="area"
        )
    expected = check_character(code[:17])
    return CheckedCode(code=code, check_ok=code[17] == expected, expected_check=expected)


def make_code(first17):
    """Complete 17 characters with their check character (used by demo and volume data)."""
    first17 = normalize(first17)
    return first17 + check_character(first17)


def confirmation_warning(checked):
    """Why ``checked`` is not stored as it stands: damaged (never), or to be confirmed by staff
    as issued (a failing check character, a code not registered by civil affairs)."""
    if checked.damaged:
        return ValidationError(
            _(
                "The check character does not match and the code ends in zeros: a "
                "spreadsheet probably rounded it. Copy the code from the certificate."
            ),
            code="spreadsheet",
        )
    if not checked.check_ok:
        return ValidationError(
            _(
                "The check character (the 18th) should be “%(expected)s” for this code. If "
                "the code is exactly as on the certificate, tick “confirm the code as "
                "issued” to record it; it will be marked as not passing the check."
            )
            % {"expected": checked.expected_check},
            code="check_character",
        )
    return ValidationError(
        _(
            "Character 1 is “%(char)s”: the code was not issued by civil affairs (5), which "
            "registers the bureau's organizations. If it is exactly as on the certificate, tick "
            "“confirm the code as issued” to record it."
        )
        % {"char": checked.code[0]},
        code="not_civil_affairs",
    )
