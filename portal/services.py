"""Writes that belong to the portal itself: user accounts, and helpers shared by every service."""

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _


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


USER_FIELDS = ("full_name", "email", "phone", "is_bureau_admin", "is_leader", "is_active")


@transaction.atomic
def user_create(*, actor, username, password, full_name="", email="", phone="", **flags):
    """Create a login. Password rules are Django's validators; errors change nothing."""
    User = get_user_model()
    username = username.strip()
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError(
            {"username": _("A user with this username already exists.")}, code="unique"
        )
    user = User(username=username, full_name=full_name, email=email, phone=phone)
    for flag in ("is_bureau_admin", "is_leader"):
        setattr(user, flag, bool(flags.get(flag, False)))
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    user.set_password(password)
    return save_with_history(user, actor=actor)


@transaction.atomic
def user_update(*, actor, user, **fields):
    """Change a user's profile or bureau-wide roles. An admin cannot remove their own admin role."""
    unknown = set(fields) - set(USER_FIELDS)
    if unknown:
        raise ValueError(f"not user fields: {sorted(unknown)}")
    if user.pk == actor.pk and (
        fields.get("is_bureau_admin") is False or fields.get("is_active") is False
    ):
        raise ValidationError(
            _("You cannot remove your own administrator role or deactivate yourself.")
        )
    for name, value in fields.items():
        setattr(user, name, value)
    return save_with_history(user, actor=actor)


@transaction.atomic
def user_set_password(*, actor, user, password):
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    user.set_password(password)
    return save_with_history(user, actor=actor, reason=_("password reset"))
