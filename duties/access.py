"""Who may see and do what: the one place that answers it.

Every list, detail, export, API endpoint and reminder recipient list asks here. Rules:

- bureau admins, leading group members and the Policy division see every organization;
- the functional divisions (office, personnel, finance, discipline) see the registry read-only;
- a liaison division sees and supervises the organizations assigned to it, through object
  permissions that guardian stores on the division's group (granted and moved by
  ``duties.services.org_assign_liaison``);
- an organization user sees only their own organization.

Querysets are restricted in SQL, so an object out of scope is simply not found (404). Each
question has one answer here, read by every page, the API, the queues and the clock:

- what a user may see: ``visible_orgs``, ``visible_filings``, ``visible_meetings`` and the
  ``restrict_*`` functions every list starts from;
- what a user may do to one object now: ``org_actions``, ``filing_actions`` (drawn from the
  workflow declared in ``reports.workflow``), ``meeting_actions``;
- which matters a user may file for an organization: ``fileable_matters``, ``check_may_file``;
- who is responsible for an organization: ``supervised_q`` / ``liaison_division_of``;
- who must be told about a subject: ``filing_recipients``, ``org_user_ids``,
  ``division_user_ids`` (the same people who may see it).
"""

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from meetings.models import Meeting, MeetingStatus
from orgs.models import (
    ANNUAL_INSPECTION_TYPES,
    InspectionResult,
    ManagementMode,
    Organization,
    OrganizationGroupObjectPermission,
    OrganizationUser,
    OrgStatus,
)
from portal import calendar, generations
from reports import workflow
from reports.models import Filing, FormKind, MatterType, Opinion
from supervision.models import (
    CASE_SOURCE_OF_FORM,
    RECTIFICATION_UNFINISHED,
    SOURCE_OF_FORM,
    CaseState,
    CreditRecord,
    EntryState,
    ExtensionState,
    ListEntry,
    Rectification,
    RectificationState,
    SupervisionRules,
    ViolationCase,
)

from .models import (
    FUNCTIONAL_KINDS,
    Division,
    DivisionKind,
    DivisionMembership,
    MemberRole,
)

# Actions on an organization.
VIEW = "view"
EDIT = "edit"  # identity fields, status, grade, liaison-independent data
EDIT_CONTACT = "edit_contact"
ASSIGN_LIAISON = "assign_liaison"
SUPERVISE = "supervise"
MANAGE_USERS = "manage_users"  # create the logins that act for the organization
ORG_ACTIONS = (VIEW, EDIT, EDIT_CONTACT, ASSIGN_LIAISON, SUPERVISE, MANAGE_USERS)

# Object permissions a liaison division's group holds on each organization assigned to it.
LIAISON_PERMS = ("view_organization", "supervise_organization")

# An organization's users act for it while it is being prepared or active.
ACTING_STATUSES = (OrgStatus.PREPARING, OrgStatus.ACTIVE)

NOTHING = Q(pk__in=[])


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
        f"portal:roles:{user.pk}",
        lambda: _load_links(user),
        generations.user(user.pk),  # the memberships' order joins the user's own row
        reads=(DivisionMembership, Division, OrganizationUser, Organization),
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
    memberships = [
        tuple(row)
        for row in user.division_memberships.filter(division__is_active=True).values_list(
            "division_id", "division__kind", "role", "division__group_id"
        )
    ]
    org_id = (
        OrganizationUser.objects.filter(user=user, organization__status__in=ACTING_STATUSES)
        .values_list("organization_id", flat=True)
        .first()
    )
    return memberships, org_id


def forget_roles(user):
    """Drop the cached roles after memberships change within the same request."""
    if hasattr(user, "_portal_roles"):
        del user._portal_roles


# --- scopes: a condition and the name of everyone it selects the same rows for -------------


@dataclass(frozen=True)
class Scope:
    """A condition on a table (``q``; ``None`` means every row) and its *audience*: a name shared
    by exactly the users for whom the condition selects the same rows. Both are built together,
    from the same inputs, so a listing cached under the audience is never shown to a user who
    would see other rows (``portal.listings``)."""

    q: Q | None
    audience: str

    def __or__(self, other):
        if self.q is None or other.q is None:
            return Scope(None, "all")
        return Scope(self.q | other.q, f"{self.audience}+{other.audience}")

    def apply(self, queryset):
        return queryset if self.q is None else queryset.filter(self.q)


ALL = Scope(None, "all")
NONE = Scope(NOTHING, "none")


def _ids(prefix, ids):
    return prefix + "-".join(str(i) for i in sorted(ids))


# --- responsibility ---------------------------------------------------------------------------


def supervised_q(group_ids, codename="view_organization", field="pk"):
    """The organizations that the liaison divisions with ``group_ids`` are responsible for, as a
    condition on ``field`` (an organization id): a semi-join on guardian's direct foreign-key
    table, read by (group, permission). ``duties.services.org_assign_liaison`` derives these
    rows, and ``Organization.liaison_division``, from the assignment history."""
    if not group_ids:
        return NOTHING
    grants = OrganizationGroupObjectPermission.objects.filter(
        group_id__in=group_ids, permission__codename=codename
    ).values("content_object_id")
    return Q(**{f"{field}__in": grants})


def supervised_by_q(division_ids, field="organization"):
    """The same organizations as ``supervised_q``, as a condition on a table that points at
    them (``field``), read from ``Organization.liaison_division``: the copy that the same
    service derives in the same transaction, and that the filings' index on the organization
    reaches without a semi-join over the permission table."""
    if not division_ids:
        return NOTHING
    return Q(**{f"{field}__liaison_division_id__in": division_ids})


def liaison_division_of(org):
    """The liaison division responsible for ``org`` now (None if it has none yet)."""
    return org.liaison_division


# --- organizations ----------------------------------------------------------------------------


def org_scope(user, action=VIEW):
    if action not in ORG_ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    r = roles(user)
    if not r.authenticated:
        return NONE
    if action == VIEW:
        if r.sees_all_orgs:
            return ALL
        scope = NONE
        if r.is_liaison:
            scope = Scope(supervised_q(r.liaison_group_ids), _ids("groups-", r.liaison_group_ids))
        if r.is_org_user:
            own = Scope(Q(pk=r.org_id), f"org-{r.org_id}")
            scope = own if scope is NONE else scope | own
        return scope
    if action == EDIT:  # includes confirming a credit code whose check character fails
        return ALL if (r.is_admin or r.is_policy) else NONE
    if action == EDIT_CONTACT:
        if r.is_admin or r.is_policy:
            return ALL
        return Scope(Q(pk=r.org_id), f"org-{r.org_id}") if r.is_org_user else NONE
    if action in (ASSIGN_LIAISON, MANAGE_USERS):
        return ALL if r.is_admin else NONE
    if action == SUPERVISE:
        if r.is_policy:
            return ALL
        if r.is_liaison:
            return Scope(
                supervised_q(r.liaison_group_ids, "supervise_organization"),
                _ids("supervise-", r.liaison_group_ids),
            )
    return NONE


def org_scope_q(user, action=VIEW):
    """A Q that selects the organizations ``user`` may ``action``; ``None`` means all of them."""
    return org_scope(user, action).q


def org_audience(user):
    """A name for exactly the organizations ``user`` may view (see ``Scope``)."""
    return org_scope(user, VIEW).audience


def restrict_orgs(queryset, user, action=VIEW):
    return org_scope(user, action).apply(queryset)


def visible_orgs(user):
    return restrict_orgs(Organization.objects.all(), user, VIEW)


def _flags(queryset, pk, conditions):
    """For the row ``pk`` of ``queryset``, which of ``conditions`` (name -> Q or None) hold: one
    query, by the same SQL the lists use (None means "every row")."""
    annotations = {
        f"_may_{name}": ExpressionWrapper(Q() if q is None else q, output_field=BooleanField())
        for name, q in conditions.items()
    }
    row = queryset.filter(pk=pk).annotate(**annotations).values(*annotations).first()
    if row is None:
        return frozenset()
    return frozenset(name for name in conditions if row[f"_may_{name}"])


def _org_flags(user, org):
    """Which of ``ORG_ACTIONS`` ``user`` may take on ``org``: one query, remembered on the
    object."""
    cache = org.__dict__.setdefault("_portal_flags", {})
    if user.pk not in cache:
        allowed = set()
        for action in ORG_ACTIONS:
            scope = org_scope(user, action)
            # Every organization, or none: no query. Otherwise an index lookup of this one row.
            if scope.q is None or (
                scope.q is not NOTHING
                and Organization.objects.filter(pk=org.pk).filter(scope.q).exists()
            ):
                allowed.add(action)
        cache[user.pk] = frozenset(allowed)
    return cache[user.pk]


def org_actions(user, org):
    """What ``user`` may do to ``org`` now: a subset of ``ORG_ACTIONS``, plus ``"file"`` when
    there is a matter the user may file for it."""
    actions = _org_flags(user, org)
    if VIEW in actions and fileable_matters(user, org):
        actions = actions | {"file"}
    return actions


def can(user, action, org):
    """May ``user`` do ``action`` (one of ``ORG_ACTIONS``) to the organization ``org``? Answered
    by the same SQL as the lists."""
    return action in _org_flags(user, org)


# Page-level rules: every URL of the portal names one (see portal.rules).
def acts_for(user):
    """The id of the organization ``user`` acts for, or None (bureau staff, anonymous)."""
    return roles(user).org_id


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


def has_policy_duties(user):
    """Policy (and admins): overall supervision. They edit the registry, enter the State
    Council's holiday schedule, keep the credit lists and open the annual inspection."""
    r = roles(user)
    return r.is_admin or r.is_policy


is_registry_editor = keeps_calendar = keeps_credit_lists = runs_annual_inspection = (
    has_policy_duties
)


# --- what a user may do across the portal ----------------------------------------------------


def site_actions(user):
    """The portal-wide things ``user`` may do, by name: what the navigation links to and which
    page-level buttons and panels appear. Pages and templates test these names, never a role."""
    r = roles(user)
    staff, org_user = r.is_bureau_staff, r.is_org_user
    organizer = is_meeting_organizer(user)
    may = {
        "review_queue": bool(r.division_ids),
        "registry": staff,
        "divisions": staff,
        "duty_matrix": staff,
        "file_for_orgs": staff,
        "see_org_users": staff,
        "see_meeting_invitees": staff,
        "my_filings": org_user,
        "my_org": org_user,
        "register_orgs": is_registry_editor(user),
        "filter_by_division": r.sees_all_orgs,
        "division_counts": r.sees_all_orgs,
        "manage_users": r.is_admin,
        "manage_divisions": r.is_admin,
        "edit_matrix": r.is_admin,
        "assign_orgs": r.is_admin,
        "schedule_meetings": organizer,
        "request_special_meeting": r.is_leader,
        "see_special_requests": r.is_leader or organizer,
        "supervise_own_division": r.is_liaison,
        "rectifications": staff or org_user,
        "edit_supervision_rules": r.is_admin,
        "annual_inspection": staff,
        "keep_calendar": keeps_calendar(user),
        "violation_cases": staff or org_user,
    }
    return frozenset(name for name, allowed in may.items() if allowed)


# --- meetings ---------------------------------------------------------------------------------


def visible_meetings(user):
    """Bureau staff see every meeting; an organization sees those it is invited to."""
    r = roles(user)
    if r.is_bureau_staff:
        return Meeting.objects.all()
    if r.is_org_user:
        return Meeting.objects.filter(invitations__organization_id=r.org_id)
    return Meeting.objects.none()


def meeting_actions(user, meeting, now):
    """What ``user`` may do to ``meeting`` at ``now``: ``edit`` and ``cancel`` it while it is
    scheduled, ``record_attendance`` once it has started (the organizers), ``respond`` to the
    invitation until it starts (an invited organization)."""
    scheduled = meeting.status == MeetingStatus.SCHEDULED
    started = meeting.starts_at <= now
    may = set()
    if is_meeting_organizer(user):
        if scheduled:
            may |= {"edit", "cancel"}
        if started and meeting.status != MeetingStatus.CANCELLED:
            may.add("record_attendance")
    r = roles(user)
    if (
        r.is_org_user
        and scheduled
        and not started
        and meeting.invitations.filter(organization_id=r.org_id).exists()
    ):
        may.add("respond")
    return frozenset(may)


# --- rectifications and the other supervision records ----------------------------------------


def sees_all_supervision(user):
    """Who sees every supervision record of the bureau: overall supervision (Policy), the
    discipline commission, the leading group and admins."""
    r = roles(user)
    return r.is_admin or r.is_leader or r.is_policy or DivisionKind.DISCIPLINE in r.division_kinds


def supervision_scope(user, *, division_field="division"):
    """The supervision records (rectifications...) ``user`` may see: every one for those who see
    all supervision; a division's own (it is responsible) and those of the organizations its
    liaison duty covers; an organization's own."""
    r = roles(user)
    if not r.authenticated:
        return NONE
    if sees_all_supervision(user):
        return ALL
    scope = NONE
    if r.division_ids:
        scope = Scope(
            Q(**{f"{division_field}_id__in": r.division_ids})
            | supervised_q(r.liaison_group_ids, field="organization_id"),
            _ids("divisions-", r.division_ids),
        )
    if r.is_org_user:
        own = Scope(Q(organization_id=r.org_id), f"org-{r.org_id}")
        scope = own if scope is NONE else scope | own
    return scope


def visible_rectifications(user):
    return supervision_scope(user).apply(Rectification.objects.all())


def may_open_rectification(user, org):
    """A division member may open a rectification on an organization the division may see; the
    division that opens it verifies it (the discipline commission for violations)."""
    r = roles(user)
    return bool(r.division_ids) and can(user, VIEW, org)


def opening_divisions(user):
    """The divisions on whose behalf ``user`` may open a rectification."""
    return Division.objects.filter(pk__in=roles(user).division_ids, is_active=True)


def rectification_parties(user, rectification):
    """The sides ``user`` stands on: ``org`` (it owes the rectification), ``division`` (it
    verifies it)."""
    r = roles(user)
    parties = set()
    if r.org_id is not None and r.org_id == rectification.organization_id:
        parties.add("org")
    if rectification.division_id in r.division_ids:
        parties.add("division")
    return parties


#: Which side takes each step of a rectification.
RECTIFICATION_STEP_SIDE = {
    "report": "org",
    "ask_more_time": "org",
    "verify": "division",
    "answer_more_time": "division",
    "withdraw": "division",
}


def rectification_actions(user, rectification):
    """What ``user`` may do to ``rectification`` now: ``report`` and ``ask_more_time`` (once)
    for the organization while it owes the rectification; ``verify`` for the responsible
    division once reported, ``answer_more_time`` when more time was asked, ``withdraw`` (a record
    opened by mistake) while unfinished."""
    parties = rectification_parties(user, rectification)
    state = rectification.state
    may = set()
    if "org" in parties and state == RectificationState.OPEN:
        may.add("report")
        if not rectification.extension:
            may.add("ask_more_time")
    if "division" in parties:
        if state == RectificationState.REPORTED:
            may.add("verify")
        if rectification.extension == ExtensionState.ASKED and state == RectificationState.OPEN:
            may.add("answer_more_time")
        if state in RECTIFICATION_UNFINISHED:
            may.add("withdraw")
    return frozenset(may)


# --- credit: records, lists and what they bar ------------------------------------------------


def _credit_scope(user):
    """Bureau staff see every organization's credit records and list entries (the lists are
    announced); an organization sees only its own."""
    r = roles(user)
    if r.is_bureau_staff:
        return ALL
    if r.is_org_user:
        return Scope(Q(organization_id=r.org_id), f"org-{r.org_id}")
    return NONE


def follow_ups(user, filing):
    """What ``user`` may open from ``filing``: ``rectification`` (a violation, audit, spot-check
    or petition filing) and ``case`` (the discipline commission, from a petition, spot check or
    audit)."""
    if not roles(user).is_bureau_staff or filing.state == workflow.FilingState.DRAFT:
        return frozenset()
    kind = filing.matter.form_kind
    may = set()
    if kind in SOURCE_OF_FORM and may_open_rectification(user, filing.organization):
        may.add("rectification")
    if kind in CASE_SOURCE_OF_FORM and keeps_cases(user):
        may.add("case")
    return frozenset(may)


def keeps_cases(user):
    """The discipline commission (and admins) keep the violation cases."""
    r = roles(user)
    return r.is_admin or DivisionKind.DISCIPLINE in r.division_kinds


def visible_cases(user):
    """The discipline commission, Policy and the leading group see every violation case; a
    liaison division those of its organizations; an organization its own (and of each only what
    is addressed to it: ``case_steps_for``)."""
    r = roles(user)
    if not r.authenticated:
        return ViolationCase.objects.none()
    if sees_all_supervision(user):
        return ViolationCase.objects.all()
    q = NOTHING
    if r.is_liaison:
        q = supervised_q(r.liaison_group_ids, field="organization_id")
    if r.is_org_user:
        q = q | Q(organization_id=r.org_id)
    return ViolationCase.objects.filter(q)


def case_steps_for(user, case):
    """The steps of ``case`` ``user`` may read: all for bureau staff, the organization only
    those addressed to it."""
    steps = case.steps.select_related("actor").prefetch_related("files")
    if roles(user).is_bureau_staff:
        return steps
    return steps.filter(addressed_to_org=True)


def visible_list_entries(user):
    return _credit_scope(user).apply(ListEntry.objects.all())


def visible_credit_records(user):
    return _credit_scope(user).apply(CreditRecord.objects.all())


def may_propose_entry(user, org):
    """A division member proposes a list entry for an organization the division may see."""
    return bool(roles(user).division_ids) and can(user, VIEW, org)


may_record_credit = may_propose_entry


def list_entry_actions(user, entry):
    """Policy (and admins) confirm or dismiss a proposal, record that an entry's ground was
    put right, and correct an entry made by mistake."""
    if not keeps_credit_lists(user):
        return frozenset()
    if entry.state == EntryState.PROPOSED:
        return frozenset({"confirm", "dismiss"})
    if entry.state == EntryState.ACTIVE:
        return frozenset({"correct"} | (set() if entry.resolved_on else {"resolve"}))
    return frozenset()


def lists_of(org):
    """The lists ``org`` is on now, as ``{list: [entries]}``."""
    result = {}
    for entry in ListEntry.objects.filter(organization=org, state=EntryState.ACTIVE):
        result.setdefault(entry.credit_list, []).append(entry)
    return result


#: The form kinds an entry on any list bars (失信惩戒).
BARRED_BY_LISTS = {
    FormKind.AWARD: gettext_lazy("no award recommendation while on a credit list"),
    FormKind.SERVICE_PROJECT: gettext_lazy("no purchased service project while on a credit list"),
}


def _on_a_list_reason(org):
    entries = ListEntry.objects.filter(organization=org, state=EntryState.ACTIVE)
    names = sorted({str(e.get_credit_list_display()) for e in entries})
    return "、".join(names) if names else None


def grade_eligibility(org, today=None):
    """Why ``org`` may not apply for a grade evaluation now: a list of reasons (empty: it may).
    Not on a list, no open violation case, last year's annual inspection submitted and not a
    fail (unless the organization is exempt from it)."""
    today = today or timezone.localdate()
    reasons = []
    on = _on_a_list_reason(org)
    if on:
        reasons.append(_("it is on the %(lists)s") % {"lists": on})
    open_case = (
        Rectification.objects.filter(
            organization=org, source="violation", state__in=RECTIFICATION_UNFINISHED
        ).exists()
        or Filing.objects.filter(
            organization=org,
            matter__form_kind=FormKind.VIOLATION,
            state__in=workflow.NOT_FINAL,
        )
        .exclude(state=workflow.FilingState.DRAFT)
        .exists()
    )
    open_case = (
        open_case or ViolationCase.objects.filter(organization=org, state=CaseState.OPEN).exists()
    )
    if open_case:
        reasons.append(_("a violation case about it is open"))
    year = today.year - 1
    if inspection_required(org, year):
        result = org.inspections.filter(year=year).values_list("result", flat=True).first()
        submitted = Filing.objects.filter(
            organization=org,
            matter__form_kind=FormKind.ANNUAL_INSPECTION,
            details__year=year,
            first_submitted_at__isnull=False,
        ).exclude(state=workflow.FilingState.WITHDRAWN)
        if result == InspectionResult.FAIL:
            reasons.append(_("its %(year)s annual inspection failed") % {"year": year})
        elif result is None and not submitted.exists():
            reasons.append(_("its %(year)s annual inspection was not submitted") % {"year": year})
    return reasons


def inspection_population_q(year, field=""):
    """The organizations that take part in the annual inspection of ``year``, as a condition
    (on ``field``, a path to an organization): active social groups and private non-enterprise
    units registered at least the rules' months before 31 December of that year."""
    months = SupervisionRules.current().inspection_exempt_months
    cutoff = calendar.add_months(datetime.date(year, 12, 31), -months)
    prefix = f"{field}__" if field else ""
    return Q(
        **{f"{prefix}org_type__in": ANNUAL_INSPECTION_TYPES, f"{prefix}status": OrgStatus.ACTIVE}
    ) & (
        Q(**{f"{prefix}registered_on__isnull": True}) | Q(**{f"{prefix}registered_on__lte": cutoff})
    )


def inspection_required(org, year):
    """Whether ``org`` takes part in the annual inspection of ``year``
    (``inspection_population_q``)."""
    return Organization.objects.filter(pk=org.pk).filter(inspection_population_q(year)).exists()


def filing_eligibility(filing):
    """Why ``filing`` may not go to the bureau yet because of the organization's standing: a
    grade evaluation from an organization not eligible (``grade_eligibility``)."""
    details = filing.details or {}
    if filing.matter.form_kind == FormKind.GRADE_DEREGISTRATION and details.get("kind") == "grade":
        reasons = grade_eligibility(filing.organization)
        if reasons:
            return _("The organization may not apply for a grade evaluation now: %(why)s.") % {
                "why": "；".join(reasons)
            }
    return None


# --- matters: who may file what ----------------------------------------------------------------


def _mode_label(mode):
    return str(ManagementMode(mode).label) if mode in ManagementMode.values else mode


def check_may_file(user, matter, org):
    """Refuse (PermissionDenied, or ValidationError saying why) unless ``user`` may file
    ``matter`` for ``org`` now."""
    r = roles(user)
    if r.is_org_user:
        if r.org_id != org.pk or not matter.org_submits:
            raise PermissionDenied
    elif r.is_bureau_staff:
        if not matter.staff_submits or VIEW not in _org_flags(user, org):
            raise PermissionDenied
    else:
        raise PermissionDenied
    if not matter.is_active:
        raise ValidationError(_("This matter is no longer in use."), code="inactive")
    if not matter.applies_to(org):
        raise ValidationError(
            _(
                "“%(matter)s” applies only to organizations under %(modes)s; "
                "%(org)s is under %(mode)s."
            )
            % {
                "matter": matter.name,
                "modes": "、".join(_mode_label(m) for m in matter.management_modes),
                "org": org,
                "mode": org.get_management_mode_display(),
            },
            code="mode",
        )
    barred = BARRED_BY_LISTS.get(matter.form_kind)
    if barred is not None:
        on = _on_a_list_reason(org)
        if on:
            raise ValidationError(
                _("%(org)s is on the %(lists)s: %(measure)s.")
                % {"org": org, "lists": on, "measure": barred},
                code="credit",
            )


def fileable_matters(user, org):
    """The active matters ``user`` may file for ``org``, in the matrix's order."""
    r = roles(user)
    if not (r.is_org_user and r.org_id == org.pk) and not r.is_bureau_staff:
        return []
    result = []
    for matter in MatterType.objects.filter(is_active=True):
        try:
            check_may_file(user, matter, org)
        except (PermissionDenied, ValidationError):
            continue
        result.append(matter)
    return result


# --- filings ----------------------------------------------------------------------------------

F_VIEW, F_AUTHOR, F_REVIEW, F_OPINE, F_DECIDE = workflow.RIGHTS


def _involved_q(r):
    """Filings a bureau user's divisions take part in beyond leading them: as an opinion
    division of the matter or asked on the filing, or as the liaison division of the
    organization on matters where the liaison division has a part (restricted ones: lead only)."""
    divisions = r.division_ids
    if not divisions:
        return NOTHING
    liaison_ids = r.liaison_division_ids
    fixed_ids = divisions - liaison_ids
    q = NOTHING
    if fixed_ids:
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
        own_orgs = supervised_by_q(liaison_ids)
        q |= own_orgs & (
            Q(matter__lead_is_liaison=True)
            | (Q(restricted=False) & Q(matter__opinion_from_liaison=True))
        )
    return q


def _right_q(user, r, right):
    if right == F_AUTHOR:
        q = NOTHING
        if r.is_org_user:
            q |= Q(organization_id=r.org_id) & Q(created_by__org_link__organization_id=r.org_id)
        if r.is_bureau_staff:
            q |= Q(created_by=user)
        return q
    if right == F_REVIEW:
        return Q(lead_division_id__in=r.division_ids) if r.division_ids else NOTHING
    if right == F_DECIDE:
        return Q(lead_division_id__in=r.head_of) if r.head_of else NOTHING
    if right == F_OPINE:
        if not r.division_ids:
            return NOTHING
        return Q(
            Exists(
                Opinion.objects.filter(
                    filing=OuterRef("pk"),
                    division_id__in=r.division_ids,
                    state=workflow.OpinionState.PENDING,
                )
            )
        )
    # F_VIEW: whoever may act on a filing sees it, by construction (its author, its lead
    # division while it is in progress, a division whose opinion is pending); beyond that the
    # organization sees its own submitted filings (of matters it may read), and bureau staff
    # what their divisions take part in (a liaison division: for the organizations it is
    # responsible for now), the Policy division and admins every filing that is not restricted,
    # leaders everything submitted.
    q = (
        _right_q(user, r, F_AUTHOR)
        | (Q(state__in=workflow.NOT_FINAL) & _right_q(user, r, F_REVIEW))
        | _right_q(user, r, F_OPINE)
    )
    if r.is_org_user:
        q |= (
            Q(organization_id=r.org_id)
            & ~Q(state=workflow.FilingState.DRAFT)
            & Q(matter__visible_to_org=True)
        )
    if r.is_bureau_staff:
        if r.is_leader:
            wider = Q()
        elif r.is_admin or r.is_policy:
            wider = Q(restricted=False) | _involved_q(r)
        else:
            wider = _involved_q(r)
        q |= ~Q(state=workflow.FilingState.DRAFT) & wider
    return q


def filing_scope_q(user, right=F_VIEW):
    """A Q selecting the filings on which ``user`` holds ``right`` (``reports.workflow.RIGHTS``)."""
    if right not in workflow.RIGHTS:
        raise ValueError(f"unknown right {right!r}")
    r = roles(user)
    if not r.authenticated:
        return NOTHING
    return _right_q(user, r, right)


def restrict_filings(queryset, user, right=F_VIEW):
    return queryset.filter(filing_scope_q(user, right))


def visible_filings(user):
    """Every filing ``user`` may open; every filing list starts here."""
    return restrict_filings(Filing.objects.all(), user, F_VIEW)


def filing_rights(user, filing):
    """The rights ``user`` holds on ``filing``, in one query (remembered on the object)."""
    cache = filing.__dict__.setdefault("_portal_rights", {})
    if user.pk not in cache:
        cache[user.pk] = _flags(
            Filing.objects.all(),
            filing.pk,
            {right: filing_scope_q(user, right) for right in workflow.RIGHTS},
        )
    return cache[user.pk]


def may_set_restricted(user, filing):
    """The organization's side restricts (or lifts) a filing while it may edit it; the lead
    division until the decision."""
    rights = filing_rights(user, filing)
    if workflow.AUTHOR in rights and filing.state in workflow.EDITABLE:
        return True
    return (
        workflow.REVIEW in rights
        and filing.state in workflow.NOT_FINAL
        and filing.state != workflow.FilingState.DRAFT
    )


def forget_rights(filing):
    """Drop what ``filing_rights`` remembered, after the filing changed."""
    filing.__dict__.pop("_portal_rights", None)


def lead_division_for(matter, org):
    """The division that leads the review of ``matter`` for ``org`` under today's matrix."""
    if matter.lead_is_liaison:
        return liaison_division_of(org)
    return matter.lead_division


DENIED, NOT_NOW, WAIT = "denied", "not_now", "wait"


def _refusal(user, action, filing, rights):
    """Why the holder of ``rights`` may not take ``action`` on ``filing`` now, as ``(kind,
    error)``: ``DENIED`` (no right to it in any state), ``NOT_NOW`` (not in this state) or
    ``WAIT`` (a precondition still to be met); ``None`` if they may."""
    states = action.states_for(rights)
    if not states:
        return DENIED, PermissionDenied()
    if filing.state not in states:
        return NOT_NOW, ValidationError(
            _("This filing is “%(state)s”; it cannot be %(action)s now.")
            % {"state": filing.get_state_display(), "action": action.verb},
            code=action.refused_code,
        )
    if action.requires:
        ctx = _Context(user, filing)
        for precondition in action.requires:
            reason = precondition(filing, ctx)
            if isinstance(reason, ValidationError):
                return WAIT, reason
            if reason:
                return WAIT, ValidationError(reason, code=precondition.code)
    return None


class _Context:
    """What a workflow precondition may ask about the actor and the filing."""

    def __init__(self, user, filing):
        self.user = user
        self.filing = filing

    @property
    def lead(self):
        return lead_division_for(self.filing.matter, self.filing.organization)

    def standing_refusal(self):
        return filing_eligibility(self.filing)

    def file_refusal(self):
        try:
            check_may_file(self.user, self.filing.matter, self.filing.organization)
        except PermissionDenied:
            return _("You may no longer file this matter for this organization.")
        except ValidationError as exc:
            return exc
        return None


def filing_actions(user, filing):
    """What ``user`` may do to ``filing`` now: ``{action name: None}`` for each action they may
    take, and ``{name: reason}`` for one their right allows in this state but that must wait
    (an opinion still pending, a file still missing). Actions they may not take now are absent.
    The services refuse exactly what this does not offer (``require``)."""
    rights = filing_rights(user, filing)
    result = {}
    for action in workflow.ACTIONS.values():
        refusal = _refusal(user, action, filing, rights)
        if refusal is None:
            result[action.name] = None
        elif refusal[0] == WAIT:
            result[action.name] = refusal[1].messages[0]
    return result


def require(user, action_name, filing):
    """Raise unless ``user`` may take ``action_name`` on ``filing`` now (as ``filing_actions``
    offers it). Call it on the row the service has locked."""
    forget_rights(filing)
    refusal = _refusal(user, workflow.ACTIONS[action_name], filing, filing_rights(user, filing))
    if refusal is not None:
        raise refusal[1]


def can_filing(user, right, filing):
    return right in filing_rights(user, filing)


def sees_internal(user):
    """Bureau staff see internal comments, opinions and files; organization users never do."""
    r = roles(user)
    return r.is_bureau_staff and not r.is_org_user


# --- review queues ----------------------------------------------------------------------------

LEAD, OPINION = "lead", "opinion"


def review_queue(user, tab=LEAD):
    """A division's work, each tab exactly the filings on which the user's divisions must act:

    - ``lead``: awaiting review, led by the user's divisions (index ``filing_open_queue_idx``);
    - ``opinion``: in review and waiting for their divisions' opinion.

    Both are the REVIEW and OPINE rights of ``filing_scope_q``, which VIEW includes: every filing
    in a queue opens for its user.
    """
    if tab == OPINION:
        base = Filing.objects.filter(state=workflow.FilingState.IN_REVIEW)
        return restrict_filings(base, user, F_OPINE)
    base = Filing.objects.filter(state__in=workflow.AWAITING_REVIEW)
    return restrict_filings(base, user, F_REVIEW)


def queue_audience(user):
    """The users whose review queues hold the same rows: those of the same divisions (both rights
    of ``review_queue`` read nothing of the user but ``roles(user).division_ids``)."""
    return _ids("divisions-", roles(user).division_ids)


# --- who must be told -------------------------------------------------------------------------


def org_user_ids(org_ids):
    """{org_id: [user ids]} of the active users of the organizations that act now."""
    result = {}
    for org_id, user_id in OrganizationUser.objects.filter(
        organization_id__in=org_ids,
        organization__status__in=ACTING_STATUSES,
        user__is_active=True,
    ).values_list("organization_id", "user_id"):
        result.setdefault(org_id, []).append(user_id)
    return result


def division_user_ids(division_ids, heads_only=False):
    """{division_id: [user ids]} of the active members (or heads) of active divisions."""
    qs = DivisionMembership.objects.filter(
        division_id__in=division_ids, division__is_active=True, user__is_active=True
    )
    if heads_only:
        qs = qs.filter(role=MemberRole.HEAD)
    result = {}
    for division_id, user_id in qs.values_list("division_id", "user_id"):
        result.setdefault(division_id, []).append(user_id)
    return result


LEAD_STAFF, LEAD_HEADS, ORG_SIDE = "lead", "lead_heads", "org"


def filing_recipients(filing, party, division=None):
    """The users to tell about ``filing``: the lead division's members (``LEAD_STAFF``) or heads
    (``LEAD_HEADS``), the members of ``division`` asked for an opinion (``party=None``), or the
    organization's side (``ORG_SIDE``). Each of them may see the filing: the lead's members hold
    REVIEW, an asked division OPINE, and the organization's users see what is submitted of the
    matters it may read; for a matter kept from it, only a staff author is told."""
    User = get_user_model()
    if party == ORG_SIDE:
        if not filing.matter.visible_to_org:
            author = filing.created_by
            return [] if OrganizationUser.objects.filter(user=author).exists() else [author]
        ids = org_user_ids([filing.organization_id]).get(filing.organization_id, [])
        users = list(User.objects.filter(pk__in=ids))
        if filing.created_by_id not in ids and filing.created_by.is_active:
            users.append(filing.created_by)
        return users
    division_id = filing.lead_division_id if party in (LEAD_STAFF, LEAD_HEADS) else division.pk
    if division_id is None:
        return []
    ids = division_user_ids([division_id], heads_only=party == LEAD_HEADS).get(division_id, [])
    return list(User.objects.filter(pk__in=ids))
