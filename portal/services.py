"""Writes that belong to the portal itself: user accounts, and helpers shared by every service."""

import datetime
import inspect

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.translation import gettext as _

from . import rules, validators
from .models import ApiToken, CalendarDay, DayKind, User


class Unchanged:
    """The default of a service parameter that was not given: the value stays as it is."""

    def __repr__(self):
        return "UNCHANGED"


UNCHANGED = Unchanged()


def given(**values):
    """The keyword arguments among ``values`` that were given (not ``UNCHANGED``)."""
    return {name: value for name, value in values.items() if value is not UNCHANGED}


def editable_fields(service, *, besides=("actor",)):
    """The names of the fields ``service`` changes: its keyword-only parameters that default to
    ``UNCHANGED``. Forms and serializers take their field lists from here, so the service's
    signature is the one list."""
    return tuple(
        name
        for name, parameter in inspect.signature(service).parameters.items()
        if parameter.kind is inspect.Parameter.KEYWORD_ONLY
        and parameter.default is UNCHANGED
        and name not in besides
    )


class StaleVersion(ValidationError):
    """Someone else changed the object after this user loaded it."""

    def __init__(self):
        super().__init__(
            _(
                "Someone else changed this record after you opened it. Your change was not "
                "saved; reload the page to see the current version and try again."
            ),
            code="stale",
        )


def save_with_history(obj, *, actor, reason=None, **save_kwargs):
    """Save ``obj`` so that its history row names ``actor`` (and ``reason`` as change reason)."""
    obj._history_user = actor
    if reason:
        obj._change_reason = reason
    obj.save(**save_kwargs)
    return obj


def lock_versioned(queryset, *, pk, expected_version):
    """Lock the row and refuse if its version moved on since the user saw it.

    ``expected_version`` None skips the comparison (for writes that merge rather than replace).
    """
    obj = queryset.select_for_update().get(pk=pk)
    if expected_version is not None and obj.version != int(expected_version):
        raise StaleVersion()
    return obj


# Who may create and change users is an access rule, and the rules live in ``duties.access``;
# the portal's accounts import no domain app, so that app hands its rule in when it is ready.
_user_manager_rule = None


def register_user_manager_rule(rule):
    """``rule(user)`` says whether ``user`` may create and change users (``duties.apps``)."""
    global _user_manager_rule
    _user_manager_rule = rule


def may_manage_users(user):
    """Whether ``user`` may create and change users, and end their sessions and tokens."""
    if _user_manager_rule is None:
        raise ImproperlyConfigured("No rule says who may manage users.")
    return bool(user is not None and user.is_authenticated and _user_manager_rule(user))


def _require_user_manager(actor):
    if _user_manager_rule is None:
        raise ImproperlyConfigured("No rule says who may manage users.")
    if actor is None or not _user_manager_rule(actor):
        raise PermissionDenied


@transaction.atomic
def user_create(
    *,
    actor: User,
    username: str,
    password: str,
    full_name: str = "",
    email: str = "",
    phone: str = "",
    is_bureau_admin: bool = False,
    is_leader: bool = False,
) -> User:
    """Create a login (bureau admins only; every way of creating a user comes here). The
    username is normalized and checked by ``portal.validators`` and must not be confusable with
    an existing one; password rules are Django's validators; errors change nothing."""
    _require_user_manager(actor)
    username = _checked_username(username)
    user = User(
        username=username,
        full_name=full_name,
        email=email,
        phone=phone,
        is_bureau_admin=is_bureau_admin,
        is_leader=is_leader,
    )
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    user.set_password(password)
    return save_with_history(user, actor=actor)


def _checked_username(raw):
    username = validators.normalize_username(raw)
    try:
        validators.validate_username(username)
    except ValidationError as exc:
        raise ValidationError({"username": exc.messages}) from exc
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError(
            {"username": _("A user with this username already exists.")}, code="unique"
        )
    skeleton = validators.username_skeleton(username)
    same_length = User.objects.annotate(length=Length("username")).filter(length=len(username))
    for other in same_length.values_list("username", flat=True).iterator():
        if validators.username_skeleton(other) == skeleton:
            raise ValidationError(
                {
                    "username": _("The username is too easily confused with “%(other)s”.")
                    % {"other": other}
                },
                code="confusable",
            )
    return username


@transaction.atomic
def user_update(
    *,
    actor: User,
    user: User,
    full_name: str | None = None,
    email: str | None = None,
    phone: str | None = None,
    is_bureau_admin: bool | None = None,
    is_leader: bool | None = None,
    is_active: bool | None = None,
    expected_version: int | None = None,
) -> User:
    """Change a user's profile or bureau-wide roles (bureau admins only); None leaves a field as
    it is. An admin cannot remove their own admin role or deactivate themselves. Refused if the
    user was changed since ``expected_version`` (the edit form's)."""
    _require_user_manager(actor)
    user = lock_versioned(User.objects.all(), pk=user.pk, expected_version=expected_version)
    changes = {
        "full_name": full_name,
        "email": email,
        "phone": phone,
        "is_bureau_admin": is_bureau_admin,
        "is_leader": is_leader,
        "is_active": is_active,
    }
    changes = {name: value for name, value in changes.items() if value is not None}
    if user.pk == actor.pk and (
        (user.is_bureau_admin and is_bureau_admin is False) or is_active is False
    ):
        raise ValidationError(
            _("You cannot remove your own administrator role or deactivate yourself.")
        )
    deactivated = user.is_active and is_active is False
    for name, value in changes.items():
        setattr(user, name, value)
    if deactivated:
        _end_credentials(user, actor=actor)
    user.version += 1
    return save_with_history(user, actor=actor)


@transaction.atomic
def user_set_password(*, actor: User, user: User, password: str) -> User:
    """Set a user's password (bureau admins only), checked by Django's validators. The row is
    read afresh under a lock, so a profile saved just before is not overwritten."""
    _require_user_manager(actor)
    user = User.objects.select_for_update().get(pk=user.pk)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    user.set_password(password)  # a new session hash: every session and token of the user ends
    _revoke_tokens(user, actor=actor)
    return save_with_history(user, actor=actor, reason="password_reset")


def _revoke_tokens(user, *, actor):
    return ApiToken.objects.filter(user=user, revoked_at=None).update(
        revoked_at=timezone.now(), revoked_by=actor
    )


def _end_credentials(user, *, actor):
    """End every session and API token of ``user`` (saved by the caller): the raised epoch
    changes the session hash they are checked against, and the tokens are marked revoked."""
    user.credentials_epoch += 1
    _revoke_tokens(user, actor=actor)


@transaction.atomic
def user_end_sessions(*, actor: User, user: User) -> User:
    """Sign ``user`` out everywhere: every session and API token ends (bureau admins only)."""
    _require_user_manager(actor)
    _end_credentials(user, actor=actor)
    return save_with_history(user, actor=actor, reason="signed_out_everywhere")


@transaction.atomic
def token_issue(*, user: User) -> tuple[ApiToken, str]:
    """A new API token for ``user``, who has just proved their password; returns the token and
    its key, which is shown this once and stored only as a digest."""
    key = ApiToken.new_key()
    now = timezone.now()
    token = ApiToken.objects.create(
        user=user,
        digest=ApiToken.digest_of(key),
        prefix=key[:8],
        credentials=user.get_session_auth_hash(),
        created_at=now,
        expires_at=now + datetime.timedelta(days=settings.API_TOKEN_DAYS),
    )
    return token, key


@transaction.atomic
def token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    """Revoke one API token: its own user's, or any user's for a user manager. The row stays."""
    if token.user_id != actor.pk:
        _require_user_manager(actor)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.revoked_by = actor
        token.save(update_fields=["revoked_at", "revoked_by"])
    return token


# --- the working-day calendar ----------------------------------------------------------------


def _require_calendar_keeper(actor):
    if not rules.allows(actor, "calendar_keeper"):
        raise PermissionDenied


@transaction.atomic
def calendar_day_set(*, actor: User, date, kind: str, name: str = "") -> CalendarDay:
    """Enter (or correct) a day of the official schedule: a public holiday or an adjusted
    workday (Policy and admins, when the State Council publishes the next year)."""
    _require_calendar_keeper(actor)
    if kind not in DayKind.values:
        raise ValidationError({"kind": _("Choose a public holiday or an adjusted workday.")})
    if date is None:
        raise ValidationError({"date": _("Give the date.")})
    name = (name or "").strip()[:100]
    day = CalendarDay.objects.select_for_update().filter(date=date).first() or CalendarDay(
        date=date
    )
    day.kind = kind
    day.name = name
    day.full_clean()
    return save_with_history(day, actor=actor)


@transaction.atomic
def calendar_day_remove(*, actor: User, day: CalendarDay) -> None:
    """Take a day entered by mistake off the schedule (its history keeps it)."""
    _require_calendar_keeper(actor)
    day = CalendarDay.objects.select_for_update().get(pk=day.pk)
    day._history_user = actor
    day.delete()
