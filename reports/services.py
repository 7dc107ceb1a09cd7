"""The workflow engine for every matter: drafts, transitions, opinions, comments and files.

Each public function runs in one transaction, takes the acting user, checks the allowed source
state and the actor's right through ``duties.access``, records a ``FilingEvent`` and a history row,
and notifies who must act next after the commit. A transition names the version its actor saw;
if the filing moved on meanwhile, it is refused (``StaleVersion``).
"""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from duties import access
from duties.models import Division
from orgs import services as org_services
from orgs.models import Organization
from portal.models import User
from portal.notifications import notify
from portal.services import UNCHANGED, Unchanged, given, lock_versioned, save_with_history

from . import attachments as attachment_rules
from . import effects, workflow
from .matter_forms import clean_filing_fields
from .models import (
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


# --- helpers -------------------------------------------------------------------------------


def _today():
    return timezone.localdate()


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


def _lock(filing, expected_version=None):
    return lock_versioned(
        Filing.objects.select_related("matter", "organization"),
        pk=filing.pk,
        expected_version=expected_version,
    )


def _take(action, *, actor, filing, expected_version=None):
    """Lock ``filing`` for ``action`` by ``actor``: refused (PermissionDenied) if the actor holds
    no right to the action in any state, then (StaleVersion) if the filing moved on since the
    actor saw it, then (ValidationError) if the workflow does not allow it now. Returns the
    locked row."""
    if not workflow.ACTIONS[action].states_for(access.filing_rights(actor, filing)):
        raise PermissionDenied
    filing = _lock(filing, expected_version)
    access.require(actor, action, filing)
    return filing


def _save(filing, actor, reason):
    filing.version += 1
    save_with_history(filing, actor=actor, reason=reason)
    access.forget_rights(filing)


def resolve_opinion_divisions(matter, org, lead):
    """The divisions asked for an opinion on ``matter`` for ``org`` (never the lead itself)."""
    divisions = list(matter.opinion_divisions.filter(is_active=True))
    liaison = access.liaison_division_of(org)
    if matter.opinion_from_liaison and liaison is not None:
        divisions.append(liaison)
    seen, result = set(), []
    for d in divisions:
        if d.pk not in seen and (lead is None or d.pk != lead.pk):
            seen.add(d.pk)
            result.append(d)
    return result


def _set_deadlines(filing, *, first):
    """Review deadline from today; lateness (迟报) is judged on the first submission only."""
    today = _today()
    filing.review_due_on = workflow.review_due_on(filing.matter, today)
    if first:
        filing.late_days = workflow.late_days(filing.matter, filing.event_start, today)


# --- drafts ----------------------------------------------------------------------------------


@transaction.atomic
def filing_create(
    *,
    actor: User,
    organization: Organization,
    matter: MatterType,
    title: str,
    event_start: datetime.date | str | None = None,
    event_end: datetime.date | str | None = None,
    details: dict | None = None,
    restricted: bool = False,
    restricted_reason: str = "",
) -> Filing:
    """Start a draft, its fields validated by the matter's own schema. Nobody but its author's
    side sees it until it is submitted. ``restricted`` (with a reason) keeps it to the lead
    division, the leading group and the organization."""
    access.check_may_file(actor, matter, organization)
    restricted_reason = _restriction_reason(restricted, restricted_reason)
    columns, details = clean_filing_fields(
        matter, title=title, event_start=event_start, event_end=event_end, details=details
    )
    filing = Filing(
        organization=organization,
        matter=matter,
        **columns,
        details=details,
        created_by=actor,
        restricted=matter.restricted or bool(restricted),
        restricted_reason=restricted_reason,
    )
    save_with_history(filing, actor=actor, reason="create")
    _event(filing, actor, "create", to_state=S.DRAFT, internal=not access.roles(actor).is_org_user)
    return filing


@transaction.atomic
def filing_update(
    *,
    actor: User,
    filing: Filing,
    expected_version: int,
    title: str | Unchanged = UNCHANGED,
    event_start: datetime.date | str | None | Unchanged = UNCHANGED,
    event_end: datetime.date | str | None | Unchanged = UNCHANGED,
    details: dict | Unchanged = UNCHANGED,
) -> Filing:
    """Change a draft or a filing returned for revision. What is not given stays as it is (None
    clears a date); given ``details`` are merged over the stored ones, and the whole is validated
    by the matter's schema."""
    filing = _take("edit", actor=actor, filing=filing, expected_version=expected_version)

    changes = {
        "title": filing.title,
        "event_start": filing.event_start,
        "event_end": filing.event_end,
        "details": {},
        **given(title=title, event_start=event_start, event_end=event_end, details=details),
    }
    columns, filing.details = clean_filing_fields(
        filing.matter,
        title=changes["title"],
        event_start=changes["event_start"],
        event_end=changes["event_end"],
        details={**filing.details, **changes["details"]},
    )
    for name, value in columns.items():
        setattr(filing, name, value)
    _save(filing, actor, "edit")
    return filing


# --- transitions -----------------------------------------------------------------------------


def _transition(action, *, actor, filing, expected_version):
    filing = _take(action, actor=actor, filing=filing, expected_version=expected_version)
    source = filing.state
    filing.state = workflow.target_state(workflow.ACTIONS[action], filing)
    filing.state_changed_at = timezone.now()
    return filing, source


@transaction.atomic
def filing_submit(*, actor, filing, expected_version, comment=""):
    """Send a draft to its lead division; marks it late (迟报) if it missed the lead time."""
    filing, source = _transition(
        "submit", actor=actor, filing=filing, expected_version=expected_version
    )
    lead = access.lead_division_for(filing.matter, filing.organization)
    now = timezone.now()
    filing.lead_division = lead
    filing.restricted = filing.matter.restricted or filing.restricted
    filing.submitted_at = now
    filing.first_submitted_at = filing.first_submitted_at or now
    _set_deadlines(filing, first=True)
    _save(filing, actor, "submit")
    _event(filing, actor, "submit", from_state=source, to_state=filing.state, body=comment)
    _notify(access.filing_recipients(filing, access.LEAD_STAFF), filing, _("New filing to review"))
    return filing


@transaction.atomic
def filing_resubmit(*, actor, filing, expected_version, comment=""):
    filing, source = _transition(
        "resubmit", actor=actor, filing=filing, expected_version=expected_version
    )
    filing.submitted_at = timezone.now()
    _set_deadlines(filing, first=False)
    _save(filing, actor, "resubmit")
    _event(filing, actor, "resubmit", from_state=source, to_state=filing.state, body=comment)
    _notify(
        access.filing_recipients(filing, access.LEAD_STAFF), filing, _("Revised filing to review")
    )
    return filing


@transaction.atomic
def filing_withdraw(*, actor, filing, expected_version, comment=""):
    """The author takes the filing back before a decision; it stays on record as withdrawn."""
    filing, source = _transition(
        "withdraw", actor=actor, filing=filing, expected_version=expected_version
    )
    _save(filing, actor, "withdraw")
    _event(filing, actor, "withdraw", from_state=source, to_state=filing.state, body=comment)
    if source != S.DRAFT:
        _notify(access.filing_recipients(filing, access.LEAD_STAFF), filing, _("Filing withdrawn"))
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
    _ask_opinions(filing, actor)
    return filing


def _ask_opinions(filing, actor):
    """Ask the matrix's opinion divisions not asked yet (none for a restricted filing, which is
    seen only by its lead division)."""
    if filing.restricted:
        return
    existing = {o.division_id: o for o in Opinion.objects.select_for_update().filter(filing=filing)}
    for division in resolve_opinion_divisions(
        filing.matter, filing.organization, filing.lead_division
    ):
        opinion = existing.get(division.pk)
        if opinion is None:
            Opinion.objects.create(filing=filing, division=division)
        elif opinion.state == OpinionState.CANCELLED:  # asked again (a restriction lifted)
            opinion.state = OpinionState.PENDING
            opinion.requested_at = timezone.now()
            save_with_history(opinion, actor=actor, reason="asked")
        else:
            continue
        _notify(
            access.filing_recipients(filing, None, division),
            filing,
            _("Your division's opinion is requested"),
        )


def _restriction_reason(restricted, reason):
    reason = (reason or "").strip()
    if restricted and not reason:
        raise ValidationError({"restricted_reason": _("Say why the filing is restricted.")})
    if len(reason) > 500:
        raise ValidationError({"restricted_reason": _("At most 500 characters, please.")})
    return reason if restricted else ""


@transaction.atomic
def filing_set_restricted(
    *,
    actor: User,
    filing: Filing,
    expected_version: int,
    restricted: bool,
    reason: str = "",
) -> Filing:
    """Restrict a filing (with a reason) or lift its restriction: the organization while it may
    edit the filing, the lead division until the decision. Restricting withdraws the opinions
    still asked for; lifting it during the review asks the matrix's opinion divisions. A matter
    whose every filing is restricted cannot be lifted."""
    filing = _lock(filing, expected_version)
    if not access.may_set_restricted(actor, filing):
        raise PermissionDenied
    reason = _restriction_reason(restricted, reason)
    if not restricted and filing.matter.restricted:
        raise ValidationError(_("Every filing of this matter is restricted."), code="restricted")
    if bool(restricted) == filing.restricted:
        raise ValidationError(_("The filing is already so."), code="unchanged")
    filing.restricted = bool(restricted)
    filing.restricted_reason = reason
    action = "restrict" if restricted else "unrestrict"
    _save(filing, actor, action)
    _event(filing, actor, action, body=reason, division=filing.lead_division)
    if restricted:
        for opinion in Opinion.objects.select_for_update().filter(
            filing=filing, state=OpinionState.PENDING
        ):
            _cancel_opinion(opinion, actor, _("the filing was restricted"))
    elif filing.state == S.IN_REVIEW:
        _ask_opinions(filing, actor)
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
        access.filing_recipients(filing, access.ORG_SIDE),
        filing,
        _("Returned for revision"),
        body=comment,
    )
    return filing


#: ``hook(actor=, filing=, positive=)``, called in the transaction of every decision by the apps
#: that follow decisions up (a failed annual inspection opens a rectification: ``supervision``).
ON_DECIDED = []


def _clean_decision(matter, decision):
    """What a positive decision on ``matter`` must name (``effects.decision_form``), cleaned."""
    form_class = effects.decision_form(matter)
    if form_class is None:
        return {}
    form = form_class(data=decision or {})
    if not form.is_valid():
        raise ValidationError(
            {field: list(errors) for field, errors in form.errors.items()}, code="invalid"
        )
    return form.cleaned_data


def _apply_effect(filing, actor, decision):
    """Write the positive decision's effect to the registry, naming the filing as the reason."""
    today = timezone.localdate()
    with translation.override(settings.LANGUAGE_CODE):
        reason = _("Decision on “%(title)s” (%(matter)s)") % {
            "title": filing.title,
            "matter": filing.matter.name_zh,
        }
    org_services.org_apply_decision(
        actor=actor,
        org=filing.organization,
        changes=effects.changes(filing, decided_on=today),
        reason=reason,
    )
    year = effects.inspection_year(filing)
    if year is not None:
        org_services.inspection_record(
            actor=actor,
            org=filing.organization,
            year=year,
            result=decision["inspection_result"],
            filing=filing,
            on=today,
        )


@transaction.atomic
def filing_decide(*, actor, filing, expected_version, positive, comment="", decision=None):
    """The head of the lead division decides: approved or acknowledged (by the matter's class),
    or refused. Every requested opinion must be in first. A positive decision writes the
    matter's effect to the registry in the same transaction (``reports.effects``); ``decision``
    holds what that effect asks of the head (the result of an annual inspection)."""
    if not positive and not (comment or "").strip():
        raise ValidationError({"comment": _("Give the reason for the refusal.")})
    filing, source = _transition(
        "approve" if positive else "refuse",
        actor=actor,
        filing=filing,
        expected_version=expected_version,
    )
    filing.decided_at = timezone.now()
    filing.decided_by = actor
    if positive:
        decision = _clean_decision(filing.matter, decision)
        filing.summary_due_on = workflow.summary_due_on(
            filing.matter, filing.event_start, filing.event_end
        )
        if decision:
            filing.details = {**filing.details, **decision}
        _apply_effect(filing, actor, decision)
    _save(filing, actor, "decide")
    for hook in ON_DECIDED:
        hook(actor=actor, filing=filing, positive=positive)
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
        access.filing_recipients(filing, access.ORG_SIDE),
        filing,
        _("Decision: %(state)s") % {"state": filing.get_state_display()},
        body=comment,
    )
    return filing


def _approve(**kwargs):
    return filing_decide(positive=True, **kwargs)


def _refuse(**kwargs):
    return filing_decide(positive=False, **kwargs)


_TRANSITION_SERVICES = {
    "submit": filing_submit,
    "resubmit": filing_resubmit,
    "withdraw": filing_withdraw,
    "start_review": filing_start_review,
    "return": filing_return,
    "approve": _approve,
    "refuse": _refuse,
}
assert set(_TRANSITION_SERVICES) == set(workflow.TRANSITIONS), "one service per transition"


def filing_transition(*, actor, filing, action, expected_version, comment="", decision=None):
    """Take the transition ``action`` (a name of ``reports.workflow.TRANSITIONS``);
    ``decision`` is what a positive decision names (``reports.effects.decision_form``)."""
    if action not in workflow.TRANSITIONS:
        raise ValidationError(_("Unknown action."), code="unknown_action")
    extra = {"decision": decision} if action == "approve" else {}
    return _TRANSITION_SERVICES[action](
        actor=actor, filing=filing, expected_version=expected_version, comment=comment, **extra
    )


# --- opinions, comments, summaries -----------------------------------------------------------


@transaction.atomic
def opinion_give(*, actor, filing, stance, body):
    """Record the opinion (会签意见) of the actor's division, which must have been asked."""
    if not (body or "").strip():
        raise ValidationError({"body": _("Write the opinion.")})
    filing = _take("opine", actor=actor, filing=filing)
    r = access.roles(actor)
    opinion = (
        Opinion.objects.select_for_update()
        .filter(filing=filing, division_id__in=r.division_ids, state=OpinionState.PENDING)
        .select_related("division")
        .first()
    )
    opinion.state = OpinionState.GIVEN
    opinion.stance = stance
    opinion.body = body
    opinion.author = actor
    opinion.given_at = timezone.now()
    save_with_history(opinion, actor=actor)
    _save(filing, actor, "opinion")
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
            access.filing_recipients(filing, access.LEAD_HEADS),
            filing,
            _("All opinions are in; ready for decision"),
        )
    return opinion


@transaction.atomic
def filing_comment(*, actor, filing, body, internal=False):
    """Add a comment. Organization users' comments are always visible to both sides; bureau staff
    choose whether the organization sees theirs."""
    if not (body or "").strip():
        raise ValidationError({"body": _("Write a comment.")})
    _take("comment", actor=actor, filing=filing)
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
                [u for u in access.filing_recipients(filing, access.ORG_SIDE) if u.pk != actor.pk],
                filing,
                _("New comment from the bureau"),
                body=body,
            )
        else:
            _notify(
                access.filing_recipients(filing, access.LEAD_STAFF),
                filing,
                _("New comment from the organization"),
                body=body,
            )
    return event


@transaction.atomic
def summary_submit(*, actor, filing, expected_version, summary):
    """The written summary due after the event (results, impact, problems)."""
    if not (summary or "").strip():
        raise ValidationError({"summary": _("Write the summary.")})
    filing = _take("summary", actor=actor, filing=filing, expected_version=expected_version)
    filing.summary = summary
    filing.summary_submitted_at = timezone.now()
    _save(filing, actor, "summary")
    _event(filing, actor, "summary", kind=EventKind.SUMMARY, body=summary)
    _notify(access.filing_recipients(filing, access.LEAD_STAFF), filing, _("Summary submitted"))
    return filing


# --- attachments -----------------------------------------------------------------------------


@transaction.atomic
def attachment_add(*, actor, filing, upload, internal=False):
    """Attach a file: the author while the filing is editable, the lead division at any time
    before the end (their files may be internal)."""
    filing = _take("attach", actor=actor, filing=filing)
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
    filing = _take("edit", actor=actor, filing=attachment.filing)
    if attachment.uploaded_by_id != actor.pk:
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


def _reroute(filings, *, actor):
    """Filings in progress whose lead division under today's matrix and responsibilities is not
    the one they have move to it, with an event saying from where to where; a division that now
    leads a filing is no longer asked for its opinion on it. Runs inside the caller's
    transaction."""
    moved = []
    for filing in (
        filings.select_for_update(of=("self",))
        .filter(state__in=workflow.IN_PROGRESS)
        .select_related("matter", "organization", "lead_division")
    ):
        lead = access.lead_division_for(filing.matter, filing.organization)
        if lead is None or lead.pk == filing.lead_division_id:
            continue
        old = filing.lead_division
        filing.lead_division = lead
        _save(filing, actor, "reroute")
        _event(filing, actor, "reroute", body=f"{old} → {lead}", internal=True, division=lead)
        for opinion in Opinion.objects.select_for_update().filter(
            filing=filing, division=lead, state=OpinionState.PENDING
        ):
            _cancel_opinion(opinion, actor, _("the division now leads the review"))
        if filing.state in workflow.AWAITING_REVIEW:
            _notify(
                access.filing_recipients(filing, access.LEAD_STAFF),
                filing,
                _("Filing moved to your division"),
            )
        moved.append(filing)
    return moved


def reroute_open_filings(*, actor, org, old_division, new_division):
    """After a liaison reassignment, filings in progress led by or waiting on the old liaison
    division move to the new one. Called inside ``org_assign_liaison``'s transaction."""
    if old_division is None:
        return
    _reroute(Filing.objects.filter(organization=org), actor=actor)
    pending = Opinion.objects.select_for_update().select_related("filing")
    for opinion in pending.filter(
        filing__organization=org, division=old_division, state=OpinionState.PENDING
    ):
        if Opinion.objects.filter(filing=opinion.filing, division=new_division).exists():
            _cancel_opinion(opinion, actor, _("the new liaison division is already asked"))
        else:
            opinion.division = new_division
            save_with_history(opinion, actor=actor, reason="reroute")


def _cancel_opinion(opinion, actor, reason):
    opinion.state = OpinionState.CANCELLED
    save_with_history(opinion, actor=actor, reason=reason)


@transaction.atomic
def matter_update(
    *,
    actor: User,
    matter: MatterType,
    name_zh: str | Unchanged = UNCHANGED,
    name_en: str | Unchanged = UNCHANGED,
    description: str | Unchanged = UNCHANGED,
    submitted_by: str | Unchanged = UNCHANGED,
    lead_division: Division | None | Unchanged = UNCHANGED,
    lead_is_liaison: bool | Unchanged = UNCHANGED,
    opinion_divisions: list[Division] | Unchanged = UNCHANGED,
    opinion_from_liaison: bool | Unchanged = UNCHANGED,
    report_class: str | Unchanged = UNCHANGED,
    lead_time_days: int | None | Unchanged = UNCHANGED,
    review_days: int | Unchanged = UNCHANGED,
    summary_days: int | None | Unchanged = UNCHANGED,
    management_modes: list[str] | Unchanged = UNCHANGED,
    restricted: bool | Unchanged = UNCHANGED,
    visible_to_org: bool | Unchanged = UNCHANGED,
    decision_effect: str | Unchanged = UNCHANGED,
    is_active: bool | Unchanged = UNCHANGED,
    sort_order: int | Unchanged = UNCHANGED,
    expected_version: int | None = None,
) -> MatterType:
    """An admin edits a row of the duty matrix (what is not given stays); the history keeps
    every version, and filings in progress follow a new lead division. Refused if the row was
    changed since ``expected_version`` (the edit form's)."""
    if not access.is_bureau_admin(actor):
        raise PermissionDenied
    fields = given(
        name_zh=name_zh,
        name_en=name_en,
        description=description,
        submitted_by=submitted_by,
        lead_division=lead_division,
        lead_is_liaison=lead_is_liaison,
        opinion_from_liaison=opinion_from_liaison,
        report_class=report_class,
        lead_time_days=lead_time_days,
        review_days=review_days,
        summary_days=summary_days,
        management_modes=management_modes,
        restricted=restricted,
        visible_to_org=visible_to_org,
        decision_effect=decision_effect,
        is_active=is_active,
        sort_order=sort_order,
    )
    matter = lock_versioned(
        MatterType.objects.all(), pk=matter.pk, expected_version=expected_version
    )
    for name, value in fields.items():
        setattr(matter, name, value)
    if matter.lead_is_liaison:
        matter.lead_division = None
    elif matter.lead_division is None:
        raise ValidationError(
            {"lead_division": _("Choose the lead division, or the liaison division.")}
        )
    matter.full_clean()
    matter.version += 1
    save_with_history(matter, actor=actor)
    if opinion_divisions is not UNCHANGED:
        matter.opinion_divisions.set(opinion_divisions)
    # Filings in progress follow the matrix: a new lead division takes them over.
    _reroute(Filing.objects.filter(matter=matter), actor=actor)
    return matter
