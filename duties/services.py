"""Divisions, their members, and who is responsible for which organization.

Each function runs in one transaction, takes the acting user and records history in their name.
"""

import uuid

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm

from orgs.models import Organization, OrganizationGroupObjectPermission
from portal.models import User
from portal.services import UNCHANGED, Unchanged, given, lock_versioned, save_with_history
from reports.services import reroute_open_filings

from . import access
from .models import Division, DivisionKind, DivisionMembership, LiaisonAssignment, MemberRole


def _require_admin(actor):
    if not access.is_bureau_admin(actor):
        raise PermissionDenied


def _check_unique_name(name, exclude_pk=None):
    if Division.objects.exclude(pk=exclude_pk).filter(name=name).exists():
        raise ValidationError({"name": _("A division with this name already exists.")})


@transaction.atomic
def division_create(*, actor, name, kind, description="", phone="", email="", is_active=True):
    """Create a division and the group that carries its object permissions."""
    _require_admin(actor)
    _check_unique_name(name)
    group = Group.objects.create(name=f"division-{uuid.uuid4().hex}")
    division = Division(
        name=name,
        kind=kind,
        description=description,
        phone=phone,
        email=email,
        group=group,
        is_active=is_active,
    )
    division.full_clean(exclude=["group"])
    return save_with_history(division, actor=actor)


@transaction.atomic
def division_update(
    *,
    actor: User,
    division: Division,
    name: str | Unchanged = UNCHANGED,
    kind: str | Unchanged = UNCHANGED,
    description: str | Unchanged = UNCHANGED,
    phone: str | Unchanged = UNCHANGED,
    email: str | Unchanged = UNCHANGED,
    is_active: bool | Unchanged = UNCHANGED,
    expected_version: int | None = None,
) -> Division:
    """Change a division (what is not given stays). A liaison division that still has
    organizations keeps its kind and stays active. Refused if the division was changed since
    ``expected_version`` (the edit form's)."""
    _require_admin(actor)
    fields = given(
        name=name,
        kind=kind,
        description=description,
        phone=phone,
        email=email,
        is_active=is_active,
    )
    division = lock_versioned(
        Division.objects.all(), pk=division.pk, expected_version=expected_version
    )
    if "name" in fields:
        _check_unique_name(fields["name"], exclude_pk=division.pk)
    leaves_liaison = division.kind == DivisionKind.LIAISON and (
        fields.get("kind", division.kind) != DivisionKind.LIAISON
        or fields.get("is_active", True) is False
    )
    if leaves_liaison and division.organizations.exists():
        raise ValidationError(
            _(
                "This division is still the liaison division of %(count)d organizations; assign "
                "them to another division first."
            )
            % {"count": division.organizations.count()}
        )
    for name, value in fields.items():
        setattr(division, name, value)
    division.full_clean(exclude=["group"])
    division.version += 1
    return save_with_history(division, actor=actor)


@transaction.atomic
def membership_add(*, actor, division, user, role=MemberRole.STAFF):
    """Put a bureau user into a division as staff or head."""
    _require_admin(actor)
    if hasattr(user, "org_link"):
        raise ValidationError(
            {"user": _("An organization user cannot be a member of a bureau division.")}
        )
    if DivisionMembership.objects.filter(division=division, user=user).exists():
        raise ValidationError({"user": _("This user is already a member of the division.")})
    membership = DivisionMembership(division=division, user=user, role=role)
    save_with_history(membership, actor=actor)
    user.groups.add(division.group)
    access.forget_roles(user)
    return membership


@transaction.atomic
def membership_set_role(*, actor, membership, role):
    _require_admin(actor)
    membership = DivisionMembership.objects.select_for_update().get(pk=membership.pk)
    membership.role = role
    return save_with_history(membership, actor=actor)


@transaction.atomic
def membership_remove(*, actor, membership):
    """Take a user out of a division; the history keeps that they were a member."""
    _require_admin(actor)
    membership = DivisionMembership.objects.select_related("division", "user").get(pk=membership.pk)
    membership._history_user = actor
    membership.user.groups.remove(membership.division.group)
    membership.delete()
    access.forget_roles(membership.user)


@transaction.atomic
def org_assign_liaison(*, actor, org, division, reason, expected_version=None):
    """Make ``division`` the liaison division of ``org`` from now on.

    Ends the open assignment, opens a new one with the reason, and moves the object permissions
    from the old division's group to the new one, all in this transaction. Reassigning to the
    current division is refused, so every history row is a real change.
    """
    _require_admin(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for this assignment.")})
    division = Division.objects.select_for_update().get(pk=division.pk)
    if division.kind != DivisionKind.LIAISON or not division.is_active:
        raise ValidationError(
            {"division": _("Only an active liaison division can be assigned to an organization.")}
        )
    org = lock_versioned(Organization.objects.all(), pk=org.pk, expected_version=expected_version)
    previous = access.liaison_division_of(org)
    if previous is not None and previous.pk == division.pk:
        raise ValidationError(
            {
                "division": _("%(division)s is already the liaison division of this organization.")
                % {"division": division}
            }
        )
    now = timezone.now()
    open_rows = LiaisonAssignment.objects.select_for_update().filter(
        organization=org, ended_at__isnull=True
    )
    for row in open_rows:
        row.ended_at = now
        row.ended_by = actor
        save_with_history(row, actor=actor, reason=reason)
    assignment = LiaisonAssignment(
        organization=org, division=division, started_at=now, reason=reason, assigned_by=actor
    )
    save_with_history(assignment, actor=actor, reason=reason)

    _derive_responsibility(org, actor=actor, reason=reason)
    reroute_open_filings(actor=actor, org=org, old_division=previous, new_division=division)

    # Re-check inside the transaction: the actor must still be allowed to make this change.
    if not access.can(actor, access.ASSIGN_LIAISON, org):
        raise PermissionDenied
    return assignment


def _derive_responsibility(org, *, actor, reason):
    """Make the copies of "who is responsible for ``org``" say what its assignment history says:
    ``Organization.liaison_division`` (read to route filings and reminders) and the liaison
    permissions on guardian's rows (read by the access rules). The open assignment decides;
    this is the only code that writes either copy."""
    current = (
        LiaisonAssignment.objects.filter(organization=org, ended_at__isnull=True)
        .select_related("division__group")
        .first()
    )
    division = current.division if current else None
    stale = OrganizationGroupObjectPermission.objects.filter(
        content_object=org, permission__codename__in=access.LIAISON_PERMS
    )
    if division is not None:
        stale = stale.exclude(group=division.group)
    for row in stale:
        row.delete()
    if division is not None:
        for perm in access.LIAISON_PERMS:
            assign_perm(perm, division.group, org)
    if org.liaison_division_id != (division.pk if division else None):
        org.liaison_division = division
        org.version += 1
        save_with_history(org, actor=actor, reason=reason)
    return division
