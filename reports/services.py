"""The workflow engine for every matter: drafts, transitions, opinions, comments and files.

Each public function runs in one transaction, takes the acting user, checks the allowed source
state and the actor's right through ``duties.access``, records a ``FilingEvent`` and a history row,
and notifies who must act next after the commit. A transition names the version its actor saw;
if the filing moved on meanwhile, it is refused (``StaleVersion``).
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from duties import access
from portal import calendar
from portal.notifications import notify
from portal.services import lock_versioned, save_with_history

from . import attachments as attachment_rules
from .models import (
    DECIDED_STATES,
    FINAL_STATES,
    Attachment,
    EventKind,
    Filing,
    FilingEvent,
    FilingState,
    MatterType,
    Opinion,
    OpinionState,
)

S = FilingState

# action -> (allowed source states, target state or None for "decided by the call", right needed)
TRANSITIONS = {
    "submit": ({S.DRAFT}, S.SUBMITTED, access.F_AUTHOR),
    "resubmit": ({S.RETURNED}, S.RESUBMITTED, access.F_AUTHOR),
    "withdraw": (
        {S.DRAFT, S.SUBMITTED, S.RESUBMITTED, S.IN_REVIEW, S.RETURNED},
        S.WITHDRAWN,
        access.F_AUTHOR,
    ),
    "start_review": ({S.SUBMITTED, S.RESUBMITTED}, S.IN_REVIEW, access.F_REVIEW),
    "return": ({S.SUBMITTED, S.RESUBMITTED, S.IN_REVIEW}, S.RETURNED, access.F_REVIEW),
    "decide": ({S.IN_REVIEW}, None, access.F_DECIDE),
}
EDITABLE_STATES = {S.DRAFT, S.RETURNED}
DUE_SOON_WORKDAYS = 2


# --- helpers -------------------------------------------------------------------------------


def _today():
    return timezone.localdate()


def _users_of_division(division, heads_only=False):
    User = get_user_model()
    memberships = {"division_memberships__division": division}
    if heads_only:
        memberships["division_memberships__role"] = "head"
    return list(User.objects.filter(is_active=True, **memberships).distinct())


def _org_side(filing):
    """Who on the organization's side hears of a filing: nobody for matters kept from it
    (petitions about it), else its users and whoever created the filing."""
    if not filing.matter.visible_to_org:
        return [filing.created_by] if not hasattr(filing.created_by, "org_link") else []
    users = list(
        get_user_model().objects.filter(is_active=True, org_link__organization=filing.organization)
    )
    return users + [filing.created_by]


def _notify(recipients, filing, title_text, body=""):
    with translation.override(settings.LANGUAGE_CODE):
        title = f"{title_text}：{filing.title}"
    notify(recipients, title=title, body=body, url=reverse("reports:detail", args=[filing.pk]))


def _event(
    filing,
    actor,
    action,
    *,
    kind=EventKind.TRANSITION,
    from_state="",
    to_state="",
    body="",
    internal=False,
    division=None,
):
    return FilingEvent.objects.create(
        filing=filing,
        kind=kind,
        action=action,
        from_state=from_state,
        to_state=to_state,
        actor=actor,
        body=body,
        internal=internal,
        division=division,
    )


def _lock(filing, expected_version):
    return lock_versioned(
        Filing.objects.select_related("matter", "organization"),
        pk=filing.pk,
        expected_version=expected_version,
    )


def _require(actor, right, filing):
    if not access.can_filing(actor, right, filing):
        raise PermissionDenied


def _check_source(action, filing):
    sources, _target, _right = TRANSITIONS[action]
    if filing.state not in sources:
        raise ValidationError(
            _("This filing is “%(state)s”; it cannot be %(action)s now.")
            % {"state": filing.get_state_display(), "action": ACTION_VERBS[action]()},
            code="illegal_transition",
        )


ACTION_VERBS = {
    "submit": lambda: _("submitted"),
    "resubmit": lambda: _("resubmitted"),
    "withdraw": lambda: _("withdrawn"),
    "start_review": lambda: _("taken into review"),
    "return": lambda: _("returned for revision"),
    "decide": lambda: _("decided"),
}


def _save(filing, actor, reason):
    filing.version += 1
    save_with_history(filing, actor=actor, reason=reason)


def resolve_lead(matter, org):
    """The division that leads the review of ``matter`` for ``org``."""
    if matter.lead_is_liaison:
        return org.liaison_division
    return matter.lead_division


def resolve_opinion_divisions(matter, org, lead):
    divisions = list(matter.opinion_divisions.filter(is_active=True))
    if matter.opinion_from_liaison and org.liaison_division_id:
        divisions.append(org.liaison_division)
    seen, result = set(), []
    for d in divisions:
        if d.pk not in seen and (lead is None or d.pk != lead.pk):
            seen.add(d.pk)
            result.append(d)
    return result


def _set_deadlines(filing):
    """Review deadline from today; lateness (迟报) against the matter's lead time."""
    today = _today()
    matter = filing.matter
    filing.review_due_on = calendar.add_workdays(today, matter.review_days)
    if filing.state == S.SUBMITTED:  # lateness is judged on the first submission only
        filing.late_days = None
        if matter.lead_time_days and filing.event_start:
            required_by = calendar.add_workdays(filing.event_start, -matter.lead_time_days)
            if today > required_by:
                # Arriving on the weekend after the deadline is still late: at least one day.
                filing.late_days = max(1, calendar.workdays_between(required_by, today))


# --- drafts ----------------------------------------------------------------------------------


def _check_matter_for(matter, org, actor):
    r = access.roles(actor)
    if not matter.is_active:
        raise ValidationError(_("This matter is no longer in use."))
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
    if r.is_org_user:
        if r.org_id != org.pk or not matter.org_submits:
            raise PermissionDenied
    elif r.is_bureau_staff:
        if not matter.staff_submits or not access.can(actor, access.VIEW, org):
            raise PermissionDenied
    else:
        raise PermissionDenied


def _mode_label(mode):
    from orgs.models import ManagementMode

    return str(dict(ManagementMode.choices).get(mode, mode))


@transaction.atomic
def filing_create(
    *, actor, organization, matter, title, event_start=None, event_end=None, details=None
):
    """Start a draft. Nobody but its author's side sees it until it is submitted."""
    _check_matter_for(matter, organization, actor)
    filing = Filing(
        organization=organization,
        matter=matter,
        title=title,
        event_start=event_start,
        event_end=event_end,
        details=details or {},
        created_by=actor,
        restricted=matter.restricted,
    )
    save_with_history(filing, actor=actor, reason="create")
    _event(filing, actor, "create", to_state=S.DRAFT, internal=not access.roles(actor).is_org_user)
    return filing


@transaction.atomic
def filing_update(
    *, actor, filing, expected_version, title, event_start=None, event_end=None, details=None
):
    """Change a draft or a filing returned for revision."""
    _require(actor, access.F_AUTHOR, filing)
    filing = _lock(filing, expected_version)
    if filing.state not in EDITABLE_STATES:
        raise ValidationError(
            _("A filing can be changed only as a draft or after it was returned for revision."),
            code="not_editable",
        )
    filing.title = title
    filing.event_start = event_start
    filing.event_end = event_end
    filing.details = details or {}
    _save(filing, actor, "edit")
    return filing


# --- transitions -----------------------------------------------------------------------------


def _transition(action, *, actor, filing, expected_version, comment="", internal=False):
    _sources, target, right = TRANSITIONS[action]
    _require(actor, right, filing)
    filing = _lock(filing, expected_version)
    _check_source(action, filing)
    source = filing.state
    filing.state = target
    filing.state_changed_at = timezone.now()
    return filing, source


@transaction.atomic
def filing_submit(*, actor, filing, expected_version, comment=""):
    """Send a draft to its lead division; marks it late (迟报) if it missed the lead time."""
    filing, source = _transition(
        "submit", actor=actor, filing=filing, expected_version=expected_version
    )
    _check_matter_for(filing.matter, filing.organization, actor)
    lead = resolve_lead(filing.matter, filing.organization)
    if lead is None:
        raise ValidationError(
            _(
                "Your organization has no liaison division yet, so this matter cannot be routed. "
                "Please contact the bureau's Policy and Regulations Division."
            ),
            code="no_lead",
        )
    if not filing.attachments.filter(removed_at__isnull=True).exists() and (
        filing.matter.form_kind in attachment_rules.REQUIRES_ATTACHMENT
    ):
        raise ValidationError(_("Attach the report file before submitting."), code="attachment")
    now = timezone.now()
    filing.lead_division = lead
    filing.restricted = filing.matter.restricted
    filing.submitted_at = now
    filing.first_submitted_at = filing.first_submitted_at or now
    _set_deadlines(filing)
    _save(filing, actor, "submit")
    _event(filing, actor, "submit", from_state=source, to_state=filing.state, body=comment)
    _notify(_users_of_division(lead), filing, _("New filing to review"))
    return filing


@transaction.atomic
def filing_resubmit(*, actor, filing, expected_version, comment=""):
    filing, source = _transition(
        "resubmit", actor=actor, filing=filing, expected_version=expected_version
    )
    filing.submitted_at = timezone.now()
    _set_deadlines(filing)
    _save(filing, actor, "resubmit")
    _event(filing, actor, "resubmit", from_state=source, to_state=filing.state, body=comment)
    _notify(_users_of_division(filing.lead_division), filing, _("Revised filing to review"))
    return filing


@transaction.atomic
def filing_withdraw(*, actor, filing, expected_version, comment=""):
    """The author takes the filing back before a decision; it stays on record as withdrawn."""
    filing, source = _transition(
        "withdraw", actor=actor, filing=filing, expected_version=expected_version
    )
    _save(filing, actor, "withdraw")
    _event(filing, actor, "withdraw", from_state=source, to_state=filing.state, body=comment)
    if source != S.DRAFT and filing.lead_division_id:
        _notify(_users_of_division(filing.lead_division), filing, _("Filing withdrawn"))
    return filing


@transaction.atomic
def filing_start_review(*, actor, filing, expected_version, comment=""):
    """The lead division takes the filing into review and asks the opinion divisions."""
    filing, source = _transition(
        "start_review", actor=actor, filing=filing, expected_version=expected_version
    )
    _save(filing, actor, "start_review")
    _event(
        filing,
        actor,
        "start_review",
        from_state=source,
        to_state=filing.state,
        division=filing.lead_division,
    )
    if (comment or "").strip():
        _event(filing, actor, "comment", kind=EventKind.COMMENT, body=comment, internal=True)
    asked = set(Opinion.objects.filter(filing=filing).values_list("division_id", flat=True))
    if filing.restricted:
        # A restricted filing is seen only by its lead division: nobody else is asked.
        return filing
    for division in resolve_opinion_divisions(
        filing.matter, filing.organization, filing.lead_division
    ):
        if division.pk in asked:
            continue
        Opinion.objects.create(filing=filing, division=division)
        _notify(_users_of_division(division), filing, _("Your division's opinion is requested"))
    return filing


@transaction.atomic
def filing_return(*, actor, filing, expected_version, comment):
    """Send the filing back to the organization for revision; the comment tells them why."""
    if not (comment or "").strip():
        raise ValidationError({"comment": _("Say what must be revised.")})
    filing, source = _transition(
        "return", actor=actor, filing=filing, expected_version=expected_version
    )
    _save(filing, actor, "return")
    _event(
        filing,
        actor,
        "return",
        from_state=source,
        to_state=filing.state,
        body=comment,
        division=filing.lead_division,
    )
    _notify(
        _org_side(filing),
        filing,
        _("Returned for revision"),
        body=comment,
    )
    return filing


@transaction.atomic
def filing_decide(*, actor, filing, expected_version, positive, comment=""):
    """The head of the lead division decides: approved or acknowledged (by the matter's class),
    or refused. Every requested opinion must be in first."""
    filing, source = _transition(
        "decide", actor=actor, filing=filing, expected_version=expected_version
    )
    pending = list(
        Opinion.objects.filter(filing=filing, state=OpinionState.PENDING).select_related("division")
    )
    if pending:
        raise ValidationError(
            _("Opinions are still pending from: %(divisions)s.")
            % {"divisions": "、".join(str(o.division) for o in pending)},
            code="opinions_pending",
        )
    if not positive and not (comment or "").strip():
        raise ValidationError({"comment": _("Give the reason for the refusal.")})
    filing.state = filing.matter.positive_state if positive else S.REFUSED
    filing.decided_at = timezone.now()
    filing.decided_by = actor
    if positive and filing.matter.summary_days:
        anchor = filing.event_end or filing.event_start
        if anchor:
            filing.summary_due_on = calendar.add_workdays(anchor, filing.matter.summary_days)
    _save(filing, actor, "decide")
    _event(
        filing,
        actor,
        "decide",
        from_state=source,
        to_state=filing.state,
        body=comment,
        division=filing.lead_division,
    )
    _notify(
        _org_side(filing),
        filing,
        _("Decision: %(state)s") % {"state": filing.get_state_display()},
        body=comment,
    )
    return filing


# --- opinions, comments, summaries -----------------------------------------------------------


@transaction.atomic
def opinion_give(*, actor, filing, stance, body):
    """Record the opinion (会签意见) of the actor's division, which must have been asked."""
    _require(actor, access.F_OPINE, filing)
    filing = Filing.objects.select_for_update().get(pk=filing.pk)
    if filing.state != S.IN_REVIEW:
        raise ValidationError(_("Opinions are given while the filing is in review."))
    r = access.roles(actor)
    opinion = (
        Opinion.objects.select_for_update()
        .filter(filing=filing, division_id__in=r.division_ids, state=OpinionState.PENDING)
        .select_related("division")
        .first()
    )
    if opinion is None:
        raise ValidationError(_("Your division has already given its opinion."))
    if not (body or "").strip():
        raise ValidationError({"body": _("Write the opinion.")})
    opinion.state = OpinionState.GIVEN
    opinion.stance = stance
    opinion.body = body
    opinion.author = actor
    opinion.given_at = timezone.now()
    save_with_history(opinion, actor=actor)
    filing.version += 1
    save_with_history(filing, actor=actor, reason="opinion")
    _event(
        filing,
        actor,
        "opinion",
        kind=EventKind.OPINION,
        body=body,
        internal=True,
        division=opinion.division,
    )
    if not Opinion.objects.filter(filing=filing, state=OpinionState.PENDING).exists():
        _notify(
            _users_of_division(filing.lead_division, heads_only=True),
            filing,
            _("All opinions are in; ready for decision"),
        )
    return opinion


@transaction.atomic
def filing_comment(*, actor, filing, body, internal=False):
    """Add a comment. Organization users' comments are always visible to both sides; bureau staff
    choose whether the organization sees theirs."""
    _require(actor, access.F_VIEW, filing)
    if not (body or "").strip():
        raise ValidationError({"body": _("Write a comment.")})
    if filing.state == S.DRAFT:
        raise ValidationError(_("Comments are added after the filing is submitted."))
    staff = access.sees_internal(actor)
    internal = bool(internal) and staff
    event = _event(
        filing,
        actor,
        "comment",
        kind=EventKind.COMMENT,
        body=body,
        internal=internal,
        division=None,
    )
    if not internal:
        if staff:
            _notify(
                [u for u in _org_side(filing) if u.pk != actor.pk],
                filing,
                _("New comment from the bureau"),
                body=body,
            )
        elif filing.lead_division_id:
            _notify(
                _users_of_division(filing.lead_division),
                filing,
                _("New comment from the organization"),
                body=body,
            )
    return event


@transaction.atomic
def summary_submit(*, actor, filing, expected_version, summary):
    """The written summary due after the event (results, impact, problems)."""
    _require(actor, access.F_AUTHOR, filing)
    filing = _lock(filing, expected_version)
    if filing.state not in DECIDED_STATES or not filing.summary_due_on:
        raise ValidationError(_("No summary is due for this filing."))
    if filing.summary_submitted_at:
        raise ValidationError(_("The summary has already been submitted."))
    if not (summary or "").strip():
        raise ValidationError({"summary": _("Write the summary.")})
    filing.summary = summary
    filing.summary_submitted_at = timezone.now()
    _save(filing, actor, "summary")
    _event(filing, actor, "summary", kind=EventKind.SUMMARY, body=summary)
    if filing.lead_division_id:
        _notify(_users_of_division(filing.lead_division), filing, _("Summary submitted"))
    return filing


# --- attachments -----------------------------------------------------------------------------


@transaction.atomic
def attachment_add(*, actor, filing, upload, internal=False):
    """Attach a file: the author while the filing is editable, the lead division at any time
    before the end (their files may be internal)."""
    author = access.can_filing(actor, access.F_AUTHOR, filing)
    reviewer = access.can_filing(actor, access.F_REVIEW, filing)
    if not (author or reviewer):
        raise PermissionDenied
    filing = Filing.objects.select_for_update().get(pk=filing.pk)
    if author and not reviewer and filing.state not in EDITABLE_STATES:
        raise ValidationError(
            _("Files can be added while the filing is a draft or returned for revision.")
        )
    if reviewer and filing.state in FINAL_STATES:
        raise ValidationError(_("This filing is closed."))
    content_type = attachment_rules.validate(upload)
    attachment = Attachment(
        filing=filing,
        name=attachment_rules.clean_name(upload.name),
        size=upload.size,
        content_type=content_type,
        internal=bool(internal) and access.sees_internal(actor),
        uploaded_by=actor,
    )
    attachment.file.save(attachment.name, upload, save=False)
    attachment.save()
    _event(
        filing,
        actor,
        "attach",
        kind=EventKind.ATTACHMENT,
        body=attachment.name,
        internal=attachment.internal,
    )
    return attachment


@transaction.atomic
def attachment_remove(*, actor, attachment):
    """Take a file off a draft (kept on disk and in the record, marked removed)."""
    _require(actor, access.F_AUTHOR, attachment.filing)
    filing = Filing.objects.select_for_update().get(pk=attachment.filing_id)
    if filing.state not in EDITABLE_STATES or attachment.uploaded_by_id != actor.pk:
        raise ValidationError(_("Only your own files on an editable filing can be removed."))
    attachment.removed_at = timezone.now()
    attachment.save(update_fields=["removed_at"])
    _event(
        filing,
        actor,
        "detach",
        kind=EventKind.ATTACHMENT,
        body=attachment.name,
        internal=attachment.internal,
    )


# --- liaison changes and the duty matrix -----------------------------------------------------


def reroute_open_filings(*, actor, org, old_division, new_division):
    """After a liaison reassignment, open filings led by or waiting on the old liaison division
    move to the new one. Called inside ``org_assign_liaison``'s transaction."""
    if old_division is None:
        return
    open_states = [S.SUBMITTED, S.RESUBMITTED, S.IN_REVIEW, S.RETURNED]
    for filing in Filing.objects.select_for_update().filter(
        organization=org,
        state__in=open_states,
        lead_division=old_division,
        matter__lead_is_liaison=True,
    ):
        filing.lead_division = new_division
        _save(filing, actor, "reroute")
        _event(filing, actor, "reroute", body=f"{old_division} → {new_division}", internal=True)
    pending = Opinion.objects.select_for_update().select_related("filing")
    for opinion in pending.filter(
        filing__organization=org,
        division__in=[old_division, new_division],
        state=OpinionState.PENDING,
    ):
        filing = opinion.filing
        if filing.lead_division_id == new_division.pk:
            _cancel_opinion(opinion, actor, _("the division now leads the review"))
        elif opinion.division_id == old_division.pk:
            if Opinion.objects.filter(filing=filing, division=new_division).exists():
                _cancel_opinion(opinion, actor, _("the new liaison division is already asked"))
            else:
                opinion.division = new_division
                save_with_history(opinion, actor=actor, reason="reroute")


def _cancel_opinion(opinion, actor, reason):
    opinion.state = OpinionState.CANCELLED
    save_with_history(opinion, actor=actor, reason=reason)


MATTER_FIELDS = (
    "name_zh",
    "name_en",
    "description",
    "submitted_by",
    "lead_division",
    "lead_is_liaison",
    "opinion_from_liaison",
    "report_class",
    "lead_time_days",
    "review_days",
    "summary_days",
    "management_modes",
    "restricted",
    "visible_to_org",
    "is_active",
    "sort_order",
)


@transaction.atomic
def matter_update(*, actor, matter, opinion_divisions=None, **fields):
    """An admin edits a row of the duty matrix; the history keeps every version."""
    if not access.is_bureau_admin(actor):
        raise PermissionDenied
    unknown = set(fields) - set(MATTER_FIELDS)
    if unknown:
        raise ValueError(f"not matter fields: {sorted(unknown)}")
    matter = MatterType.objects.select_for_update().get(pk=matter.pk)
    for name, value in fields.items():
        setattr(matter, name, value)
    if matter.lead_is_liaison:
        matter.lead_division = None
    elif matter.lead_division is None:
        raise ValidationError(
            {"lead_division": _("Choose the lead division, or the liaison division.")}
        )
    matter.full_clean()
    save_with_history(matter, actor=actor)
    if opinion_divisions is not None:
        matter.opinion_divisions.set(opinion_divisions)
    return matter
