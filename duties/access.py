"""Who may see and do what: the one place that answers it.

Every list, detail, export, API endpoint and reminder recipient list asks here. Rules:

- bureau admins, leading group members and the Policy division see every organization;
- the functional divisions (office, personnel, finance, discipline) see the registry read-only;
- a liaison division sees and supervises the organizations assigned to it, through object
  permissions that guardian stores on the division's group (granted and moved by
  ``duties.services.org_assign_liaison``);
- an organization user sees only their own organization.

Querysets are restricted in SQL, so an object out of scope is simply not found (404).
"""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q

from meetings.models import Meeting
from orgs.models import OrganizationUser
from portal import generations

from .models import FUNCTIONAL_KINDS, DivisionKind, DivisionMembership, MemberRole

# Actions on an organization.
VIEW = "view"
EDIT = "edit"  # identity fields, status, grade, liaison-independent data
EDIT_CONTACT = "edit_contact"
ASSIGN_LIAISON = "assign_liaison"
SUPERVISE = "supervise"
ORG_ACTIONS = frozenset({VIEW, EDIT, EDIT_CONTACT, ASSIGN_LIAISON, SUPERVISE})

# Object permissions a liaison division's group holds on each organization assigned to it.
LIAISON_PERMS = ("view_organization", "supervise_organization")


@dataclass(frozen=True)
class Roles:
    authenticated: bool = False
    is_admin: bool = False
    is_leader: bool = False
    division_ids: frozenset = frozenset()
    division_kinds: frozenset = frozenset()
    head_of: frozenset = frozenset()
    liaison_division_ids: frozenset = frozenset()
    liaison_group_ids: frozenset = frozenset()
    org_id: int | None = None

    @property
    def is_policy(self):
        return DivisionKind.POLICY in self.division_kinds

    @property
    def is_functional(self):
        return bool(self.division_kinds & FUNCTIONAL_KINDS)

    @property
    def is_liaison(self):
        return DivisionKind.LIAISON in self.division_kinds

    @property
    def is_bureau_staff(self):
        return self.is_admin or self.is_leader or bool(self.division_ids)

    @property
    def sees_all_orgs(self):
        return self.is_admin or self.is_leader or self.is_policy or self.is_functional

    @property
    def is_org_user(self):
        return self.org_id is not None


ANONYMOUS = Roles()


def roles(user):
    """The roles of ``user``: the user's own flags, and memberships read once per user object and
    cached across requests until a membership, division or organization link changes."""
    if user is None or not user.is_authenticated or not user.is_active:
        return ANONYMOUS
    cached = getattr(user, "_portal_roles", None)
    if cached is not None:
        return cached
    memberships, org_id = generations.cached(
        f"portal:roles:{user.pk}", lambda: _load_links(user), generations.ACCESS
    )
    result = Roles(
        authenticated=True,
        is_admin=user.is_superuser or user.is_bureau_admin,
        is_leader=user.is_leader,
        division_ids=frozenset(d for d, _k, _r, _g in memberships),
        division_kinds=frozenset(k for _d, k, _r, _g in memberships),
        head_of=frozenset(d for d, _k, r, _g in memberships if r == MemberRole.HEAD),
        liaison_division_ids=frozenset(
            d for d, k, _r, _g in memberships if k == DivisionKind.LIAISON
        ),
        liaison_group_ids=frozenset(g for _d, k, _r, g in memberships if k == DivisionKind.LIAISON),
        org_id=org_id,
    )
    user._portal_roles = result
    return result


def _load_links(user):
    """The user's active division memberships and organization (two small queries)."""
    from orgs.models import OrganizationUser

    memberships = [
        tuple(row)
        for row in user.division_memberships.filter(division__is_active=True).values_list(
            "division_id", "division__kind", "role", "division__group_id"
        )
    ]
    org_id = (
        OrganizationUser.objects.filter(user=user, organization__status__in=["preparing", "active"])
        .values_list("organization_id", flat=True)
        .first()
    )
    return memberships, org_id


def forget_roles(user):
    """Drop the cached roles after memberships change within the same request."""
    if hasattr(user, "_portal_roles"):
        del user._portal_roles


def _liaison_perm_q(user, codename):
    """Organizations on which one of the user's liaison divisions' groups holds ``codename``:
    a semi-join on guardian's direct foreign-key table, read by (group, permission)."""
    from orgs.models import OrganizationGroupObjectPermission

    group_ids = roles(user).liaison_group_ids
    if not group_ids:
        return Q(pk__in=[])
    grants = OrganizationGroupObjectPermission.objects.filter(
        group_id__in=group_ids, permission__codename=codename
    ).values("content_object_id")
    return Q(pk__in=grants)


def org_scope_q(user, action=VIEW):
    """A Q that selects the organizations ``user`` may ``action``; ``None`` means all of them."""
    if action not in ORG_ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    r = roles(user)
    nothing = Q(pk__in=[])
    if not r.authenticated:
        return nothing
    if action == VIEW:
        if r.sees_all_orgs:
            return None
        q = nothing
        if r.is_liaison:
            q |= _liaison_perm_q(user, "view_organization")
        if r.is_org_user:
            q |= Q(pk=r.org_id)
        return q
    if action == EDIT:  # includes confirming a credit code whose check character fails
        return None if (r.is_admin or r.is_policy) else nothing
    if action == EDIT_CONTACT:
        if r.is_admin or r.is_policy:
            return None
        return Q(pk=r.org_id) if r.is_org_user else nothing
    if action == ASSIGN_LIAISON:
        return None if r.is_admin else nothing
    if action == SUPERVISE:
        if r.is_policy:
            return None
        return _liaison_perm_q(user, "supervise_organization") if r.is_liaison else nothing
    return nothing


def org_audience(user):
    """A name for exactly the organizations ``user`` may view: users with the same name see the
    same rows, so a listing rendered for one may be shown to the others (``portal.listings``)."""
    r = roles(user)
    if not r.authenticated:
        return "none"
    if r.sees_all_orgs:
        return "all"
    parts = []
    if r.is_liaison:
        parts.append("groups-" + "-".join(str(g) for g in sorted(r.liaison_group_ids)))
    if r.is_org_user:
        parts.append(f"org-{r.org_id}")
    return ".".join(parts) or "none"


def restrict_orgs(queryset, user, action=VIEW):
    q = org_scope_q(user, action)
    return queryset if q is None else queryset.filter(q)


def visible_orgs(user):
    from orgs.models import Organization

    return restrict_orgs(Organization.objects.all(), user, VIEW)


def can(user, action, obj):
    """May ``user`` do ``action`` to ``obj``? Answered by the same SQL as the lists."""
    from orgs.models import Organization
    from reports.models import Filing

    if isinstance(obj, Organization):
        return restrict_orgs(Organization.objects.filter(pk=obj.pk), user, action).exists()
    if isinstance(obj, Filing):
        return can_filing(user, action, obj)
    raise TypeError(f"no access rule for {type(obj).__name__}")


# Page-level rules: every URL of the portal names one (see portal.rules).
def is_bureau_staff(user):
    return roles(user).is_bureau_staff


def is_bureau_admin(user):
    return roles(user).is_admin


def is_org_user(user):
    return roles(user).is_org_user


def is_meeting_organizer(user):
    """The Policy division convenes meetings; admins may stand in."""
    r = roles(user)
    return r.is_admin or r.is_policy


def visible_meetings(user):
    """Bureau staff see every meeting; an organization sees those it is invited to."""
    r = roles(user)
    if r.is_bureau_staff:
        return Meeting.objects.all()
    if r.is_org_user:
        return Meeting.objects.filter(invitations__organization_id=r.org_id)
    return Meeting.objects.none()


def is_registry_editor(user):
    r = roles(user)
    return r.is_admin or r.is_policy


# Actions on a filing.
F_VIEW = "view"
F_AUTHOR = "author"  # edit a draft or returned filing, submit, resubmit, withdraw, add the summary
F_REVIEW = "review"  # start the review, return for revision, internal comments and files
F_OPINE = "opine"  # give the opinion of a division asked for one
F_DECIDE = "decide"
FILING_ACTIONS = frozenset({F_VIEW, F_AUTHOR, F_REVIEW, F_OPINE, F_DECIDE})


def _involved_q(r):
    """Filings a bureau user's divisions lead or give an opinion on (restricted ones: lead only)."""
    from reports.models import MatterType, Opinion

    divisions = r.division_ids
    nothing = Q(pk__in=[])
    if not divisions:
        return nothing
    liaison_ids = r.liaison_division_ids
    fixed_ids = divisions - liaison_ids
    q = nothing
    if fixed_ids:
        # The matter names the division as an opinion division, or the filing asked it.
        opinion_matter = Exists(
            MatterType.opinion_divisions.through.objects.filter(
                mattertype_id=OuterRef("matter_id"), division_id__in=fixed_ids
            )
        )
        asked = Exists(Opinion.objects.filter(filing=OuterRef("pk"), division_id__in=fixed_ids))
        q |= Q(lead_division_id__in=fixed_ids) | (
            Q(restricted=False) & (Q(opinion_matter) | Q(asked))
        )
    if liaison_ids:
        # A liaison division sees the filings of the organizations it is responsible for now,
        # on the matters where the liaison division has a part.
        own_orgs = Q(organization__liaison_division_id__in=liaison_ids)
        q |= own_orgs & (
            Q(matter__lead_is_liaison=True)
            | (Q(restricted=False) & Q(matter__opinion_from_liaison=True))
        )
    return q


def filing_scope_q(user, action=F_VIEW):
    """A Q selecting the filings ``user`` may ``action``; ``None`` means every filing."""
    if action not in FILING_ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    r = roles(user)
    nothing = Q(pk__in=[])
    if not r.authenticated:
        return nothing
    own_org_side = nothing
    if r.is_org_user:
        own_org_side = Q(organization_id=r.org_id) & Q(
            created_by__org_link__organization_id=r.org_id
        )
    if action == F_VIEW:
        q = nothing
        if r.is_org_user:
            q |= own_org_side | (
                Q(organization_id=r.org_id) & ~Q(state="draft") & Q(matter__visible_to_org=True)
            )
        if r.is_bureau_staff:
            not_draft = ~Q(state="draft") | Q(created_by=user)
            if r.is_leader:
                staff_q = Q()
            elif r.is_admin or r.is_policy:
                staff_q = Q(restricted=False) | _involved_q(r)
            else:
                staff_q = _involved_q(r)
            q |= (not_draft & staff_q) | Q(created_by=user)
        return q
    if action == F_AUTHOR:
        q = own_org_side
        if r.is_bureau_staff:
            q |= Q(created_by=user)
        return q
    if action == F_REVIEW:
        return Q(lead_division_id__in=r.division_ids) if r.division_ids else nothing
    if action == F_DECIDE:
        return Q(lead_division_id__in=r.head_of) if r.head_of else nothing
    if action == F_OPINE:
        if not r.division_ids:
            return nothing
        from reports.models import Opinion

        return Q(
            Exists(
                Opinion.objects.filter(
                    filing=OuterRef("pk"), division_id__in=r.division_ids, state="pending"
                )
            )
        )
    return nothing


def restrict_filings(queryset, user, action=F_VIEW):
    q = filing_scope_q(user, action)
    return queryset if q is None else queryset.filter(q)


def visible_filings(user):
    from reports.models import Filing

    return restrict_filings(Filing.objects.all(), user, F_VIEW)


def can_filing(user, action, filing):
    from reports.models import Filing

    return restrict_filings(Filing.objects.filter(pk=filing.pk), user, action).exists()


def sees_internal(user):
    """Bureau staff see internal comments, opinions and files; organization users never do."""
    r = roles(user)
    return r.is_bureau_staff and not r.is_org_user


# Recipients: who hears of a subject (the clock's planners ask here).
def org_user_ids(org_ids):
    """{org_id: [user ids]} of the active users of the active (or preparing) organizations."""
    result = {}
    for org_id, user_id in OrganizationUser.objects.filter(
        organization_id__in=org_ids,
        organization__status__in=["active", "preparing"],
        user__is_active=True,
    ).values_list("organization_id", "user_id"):
        result.setdefault(org_id, []).append(user_id)
    return result


def division_user_ids(division_ids, heads_only=False):
    """{division_id: [user ids]} of the active members (or heads) of the active divisions."""
    qs = DivisionMembership.objects.filter(
        division_id__in=division_ids, division__is_active=True, user__is_active=True
    )
    if heads_only:
        qs = qs.filter(role=MemberRole.HEAD)
    result = {}
    for division_id, user_id in qs.values_list("division_id", "user_id"):
        result.setdefault(division_id, []).append(user_id)
    return result
