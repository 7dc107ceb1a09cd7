"""Django messages whose current wording Django's own Chinese catalogue does not have yet.

Listing them here puts them in the portal's catalogue, which takes precedence (LOCALE_PATHS).
"""

from django.utils.translation import ngettext_lazy

PASSWORD_TOO_SHORT = ngettext_lazy(
    "This password is too short. It must contain at least %d character.",
    "This password is too short. It must contain at least %d characters.",
    8,
)
