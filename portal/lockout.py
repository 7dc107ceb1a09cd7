"""Lock logins after repeated failures: per username from one client address, and per address.

The authentication backend (``portal.backends.CachedModelBackend``) applies it to every password
check, whichever page or endpoint asked; a locked login is refused with a ``ValidationError``,
which the login forms (the portal's and the Django admin's) and the API show as their message.

A check *reserves* its place in the count before the password hash is computed, with a
conditional UPDATE of a database row (``LoginFailureCount``): parallel requests each take one
place or are refused, so no more than the limit of password checks run, however many arrive at
once. SQLite serializes the writers, PostgreSQL locks the row for the UPDATE; the cache is not
used because its increment is not atomic on every backend. A successful login gives its place
back; a failed one keeps it until the window ends.

Two keys are counted:

- ``LOGIN_FAILURE_LIMIT`` failures for one username *from one client address*. Someone who
  guesses at a username locks it only from their own address, so they cannot lock an
  administrator out from everywhere by typing the name wrong five times.
- ``LOGIN_ADDRESS_FAILURE_LIMIT`` failures from one address, whatever the usernames, so one
  address cannot try a few passwords on every account.

The trade-off: an attacker who controls many addresses gets ``LOGIN_FAILURE_LIMIT`` guesses per
address per window on one account, where a per-username lock would have stopped them at five in
total (and locked the owner out too). Password validators keep guesses expensive; behind a
proxy, ``LOGIN_CLIENT_ADDRESS_HEADER`` must name the header in which it passes the client's
address, or every client shares the proxy's address.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import LoginFailureCount


def client_address(request):
    """The client's address: the last entry of ``LOGIN_CLIENT_ADDRESS_HEADER`` (the one the
    nearest proxy added), ``REMOTE_ADDR`` by default."""
    if request is None:
        return ""
    value = request.META.get(settings.LOGIN_CLIENT_ADDRESS_HEADER, "") or ""
    return value.split(",")[-1].strip()[:100]


def _user_key(username, address):
    return f"user:{(username or '').strip().lower()[:150]}|{address}"


def _address_key(address):
    return f"address:{address}"


def _minutes():
    return max(1, settings.LOGIN_LOCKOUT_SECONDS // 60)


def _user_locked():
    return ValidationError(
        _("Too many failed logins for this user. Try again in %(minutes)d minutes.")
        % {"minutes": _minutes()},
        code="locked",
    )


def _address_locked():
    return ValidationError(
        _("Too many failed logins from this address. Try again in %(minutes)d minutes.")
        % {"minutes": _minutes()},
        code="locked",
    )


def _take(key, limit):
    """Take one place under ``key``; False if ``limit`` places are taken in the current window.

    Each step is one conditional statement; when a parallel request changed the row between two
    of them, the next round sees its result."""
    rows = LoginFailureCount.objects.filter(key=key)
    for _round in range(5):
        now = timezone.now()
        window_end = now + datetime.timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS)
        if rows.filter(window_ends_at__gt=now, count__lt=limit).update(count=F("count") + 1):
            return True
        if rows.filter(window_ends_at__lte=now).update(count=1, window_ends_at=window_end):
            return True
        current = rows.filter(window_ends_at__gt=now).values_list("count", flat=True).first()
        if current is not None and current >= limit:
            return False
        if current is None and not rows.exists():
            try:
                with transaction.atomic():
                    LoginFailureCount.objects.create(key=key, count=1, window_ends_at=window_end)
            except IntegrityError:  # a parallel request created it: count against that row
                continue
            return True
    return False


def _give_back(key):
    LoginFailureCount.objects.filter(key=key, count__gt=0).update(count=F("count") - 1)


def reserve(username, address):
    """Take a place in both counts before checking a password, or raise the lockout's
    ``ValidationError`` and take none."""
    if not _take(_user_key(username, address), settings.LOGIN_FAILURE_LIMIT):
        raise _user_locked()
    if not _take(_address_key(address), settings.LOGIN_ADDRESS_FAILURE_LIMIT):
        _give_back(_user_key(username, address))
        raise _address_locked()


def succeeded(username, address):
    """The password was right: the username's count from this address starts again, and the
    address gets its place back."""
    LoginFailureCount.objects.filter(key=_user_key(username, address)).update(count=0)
    _give_back(_address_key(address))


def purge_expired(now=None):
    """Remove the counts whose window ended a day or more ago: a row per username and address
    tried would otherwise pile up (run by the clock). The counts are not records of anyone's;
    ``LoginFailureCount`` keeps no history."""
    now = now or timezone.now()
    return LoginFailureCount.objects.filter(
        window_ends_at__lt=now - datetime.timedelta(days=1)
    ).delete()[0]


def failures(username, address):
    """The failures counted against ``username`` from ``address`` in the current window."""
    return (
        LoginFailureCount.objects.filter(
            key=_user_key(username, address), window_ends_at__gt=timezone.now()
        )
        .values_list("count", flat=True)
        .first()
        or 0
    )
