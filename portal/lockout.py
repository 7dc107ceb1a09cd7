"""Lock a username after repeated failed logins.

The authentication backend (``portal.backends.CachedModelBackend``) applies it to every password
check, whichever page or endpoint asked; a locked login is refused with a ``ValidationError``,
which the login forms (the portal's and the Django admin's) and the API show as their message.
"""

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def _key(username):
    return f"portal:login-failures:{(username or '').strip().lower()}"


def failures(username):
    return cache.get(_key(username), 0)


def check_not_locked(username):
    if failures(username) >= settings.LOGIN_FAILURE_LIMIT:
        minutes = max(1, settings.LOGIN_LOCKOUT_SECONDS // 60)
        raise ValidationError(
            _("Too many failed logins for this user. Try again in %(minutes)d minutes.")
            % {"minutes": minutes},
            code="locked",
        )


def record_failure(username):
    key = _key(username)
    cache.add(key, 0, settings.LOGIN_LOCKOUT_SECONDS)
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, settings.LOGIN_LOCKOUT_SECONDS)


def reset(username):
    cache.delete(_key(username))
