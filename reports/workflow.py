"""The workflow of every matter, declared once.

```
draft → submitted → in review → (returned for revision → resubmitted → in review)*
      → approved | acknowledged (备案) | refused          (or withdrawn before a decision)
```

This module says which states there are, which groups of them mean what, which actions exist,
from which states each may be taken, which right on the filing it needs (``duties.access``
decides who holds which right), and what must be true first. Everything else reads it: the
services check it, ``duties.access.filing_actions`` offers exactly what it allows, the filing
page draws its buttons from it and the API's actions are its transitions. It imports no model:
the models import their states from here.
"""

from dataclasses import dataclass, field

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal import calendar, clock
from portal.validators import is_plausible_date, year_bounds


class FilingState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    IN_REVIEW = "in_review", _("In review")
    RETURNED = "returned", _("Returned for revision")
    RESUBMITTED = "resubmitted", _("Resubmitted")
    APPROVED = "approved", _("Approved")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged (备案)")
    REFUSED = "refused", _("Refused")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class OpinionState(models.TextChoices):
    PENDING = "pending", _("Pending")
    GIVEN = "given", _("Given")
    CANCELLED = "cancelled", _("No longer asked")


S = FilingState

#: The bureau's turn: in the lead division's queue, with a review deadline running.
AWAITING_REVIEW = (S.SUBMITTED, S.RESUBMITTED, S.IN_REVIEW)
#: Submitted and not yet ended: the bureau's turn, or the organization's after a return.
IN_PROGRESS = (*AWAITING_REVIEW, S.RETURNED)
#: The author may still change the content.
EDITABLE = (S.DRAFT, S.RETURNED)
DECIDED = (S.APPROVED, S.ACKNOWLEDGED, S.REFUSED)
FINAL = (*DECIDED, S.WITHDRAWN)
NOT_FINAL = tuple(s for s in S.values if s not in FINAL)

# Rights a person holds on a filing; ``duties.access.filing_rights`` says who holds which.
VIEW = "view"
AUTHOR = "author"  # the organization's side (or the staff member who created it)
REVIEW = "review"  # the lead division's staff
OPINE = "opine"  # a division whose opinion is pending
DECIDE = "decide"  # a head of the lead division
RIGHTS = (VIEW, AUTHOR, REVIEW, OPINE, DECIDE)


# --- preconditions: each returns why the action cannot be taken yet, or None ----------------


def precondition(code, says):
    """Name a precondition by the code of the error it raises when it does not hold.

    A precondition takes the filing and a context from ``duties.access`` (``ctx.lead``: the
    lead division under today's matrix; ``ctx.file_refusal()``: why the acting user may not
    file the matter for the organization, or None) and returns a reason (text, or a
    ValidationError with its own code), or None."""

    def mark(function):
        function.code = code
        function.says = says
        return function

    return mark


@precondition("may_file", "the author may still file the matter")
def _still_fileable(filing, ctx):
    """The matter may still be filed for the organization by this author (the matrix or the
    organization may have changed since the draft was started)."""
    return ctx.file_refusal()


@precondition("standing", "the organization's standing allows it (grade evaluation eligibility)")
def _standing_allows(filing, ctx):
    """A grade evaluation goes to the bureau only from an eligible organization."""
    return ctx.standing_refusal()


@precondition("no_lead", "a lead division is known")
def _lead_known(filing, ctx):
    if ctx.lead is None:
        return _(
            "The organization has no liaison division yet, so this matter cannot be routed. "
            "Please contact the bureau's Policy and Regulations Division."
        )
    return None


@precondition("attachment", "the report file is attached (where the matter needs one)")
def _report_attached(filing, ctx):
    if filing.matter.requires_attachment and not (
        filing.attachments.filter(removed_at__isnull=True).exists()
    ):
        return _("Attach the report file before submitting.")
    return None


@precondition("dates", "its dates lie within the years dates may be entered for")
def _dates_plausible(filing, ctx):
    """A draft saved before the bounds (``portal.validators``) may carry a year 0001: its
    deadlines and lateness cannot be computed, so it is corrected first."""
    if not all(is_plausible_date(day) for day in (filing.event_start, filing.event_end)):
        low, high = year_bounds()
        return _(
            "The filing's dates must lie between the years %(min)d and %(max)d; correct them "
            "before submitting."
        ) % {"min": low, "max": high}
    return None


@precondition("opinions_pending", "every opinion asked for is in")
def _opinions_in(filing, ctx):
    pending = [
        str(o.division)
        for o in filing.opinions.filter(state=OpinionState.PENDING).select_related("division")
    ]
    if pending:
        return _("Opinions are still pending from: %(divisions)s.") % {
            "divisions": "、".join(pending)
        }
    return None


@precondition("no_summary", "a summary is due and not yet given")
def _summary_due(filing, ctx):
    if not filing.summary_due_on:
        return _("No summary is due for this filing.")
    if filing.summary_submitted_at:
        return _("The summary has already been submitted.")
    return None


@dataclass(frozen=True)
class Action:
    """Something a person can do to a filing.

    ``grants`` lists the ways to be allowed: a right on the filing together with the states in
    which that right allows it. ``target`` is the state a transition leads to (``None`` for an
    action that is not a transition; the positive decision leads to the matter's own positive
    state). ``requires`` are preconditions that can keep an allowed action unavailable for now,
    with a reason the page shows.
    """

    name: str
    grants: tuple
    label: str
    done: str
    verb: str = ""
    target: str | None = None
    transition: bool = False
    comment: str = "optional"  # "optional", "required" (for the reason), or "none"
    tone: str = "primary"  # the button: "primary", "warning" or "danger"
    requires: tuple = field(default=())
    refused_code: str = "illegal_transition"  # the error's code in a state that does not allow it

    def states_for(self, rights):
        return {s for right, states in self.grants if right in rights for s in states}


ACTIONS = {
    a.name: a
    for a in (
        Action(
            "submit",
            ((AUTHOR, (S.DRAFT,)),),
            label=_("Submit"),
            done=_("Submitted."),
            verb=_("submitted"),
            target=S.SUBMITTED,
            transition=True,
            requires=(
                _still_fileable,
                _standing_allows,
                _lead_known,
                _report_attached,
                _dates_plausible,
            ),
        ),
        Action(
            "resubmit",
            ((AUTHOR, (S.RETURNED,)),),
            label=_("Resubmit"),
            done=_("Resubmitted."),
            verb=_("resubmitted"),
            target=S.RESUBMITTED,
            transition=True,
            requires=(_standing_allows, _dates_plausible),
        ),
        Action(
            "withdraw",
            ((AUTHOR, (S.DRAFT, *IN_PROGRESS)),),
            label=_("Withdraw"),
            done=_("Withdrawn."),
            verb=_("withdrawn"),
            target=S.WITHDRAWN,
            transition=True,
            tone="danger",
        ),
        Action(
            "start_review",
            ((REVIEW, (S.SUBMITTED, S.RESUBMITTED)),),
            label=_("Start review"),
            done=_("Review started; the opinion divisions have been asked."),
            verb=_("taken into review"),
            target=S.IN_REVIEW,
            transition=True,
        ),
        Action(
            "return",
            ((REVIEW, AWAITING_REVIEW),),
            label=_("Return for revision"),
            done=_("Returned to the organization for revision."),
            verb=_("returned for revision"),
            target=S.RETURNED,
            transition=True,
            comment="required",
            tone="warning",
        ),
        Action(
            "approve",
            ((DECIDE, (S.IN_REVIEW,)),),
            label=_("Approve"),  # the page shows the matter's positive state instead
            done=_("Decision recorded."),
            verb=_("decided"),
            transition=True,
            requires=(_opinions_in,),
        ),
        Action(
            "refuse",
            ((DECIDE, (S.IN_REVIEW,)),),
            label=_("Refuse"),
            done=_("Decision recorded."),
            verb=_("decided"),
            target=S.REFUSED,
            transition=True,
            comment="required",
            tone="danger",
            requires=(_opinions_in,),
        ),
        Action(
            "edit",
            ((AUTHOR, EDITABLE),),
            label=_("Edit"),
            done=_("Changes saved."),
            verb=_("changed"),
            refused_code="not_editable",
        ),
        Action(
            "attach",
            ((AUTHOR, EDITABLE), (REVIEW, NOT_FINAL)),
            label=_("Attach"),
            done=_("File attached."),
            verb=_("given a file"),
        ),
        Action(
            "comment",
            ((VIEW, tuple(s for s in S.values if s != S.DRAFT)),),
            label=_("Add comment"),
            done=_("Comment added."),
            verb=_("commented on"),
        ),
        Action(
            "opine",
            ((OPINE, (S.IN_REVIEW,)),),
            label=_("Give opinion"),
            done=_("Opinion recorded."),
            verb=_("given an opinion"),
        ),
        Action(
            "summary",
            ((AUTHOR, DECIDED),),
            label=_("Submit summary"),
            done=_("Summary submitted."),
            verb=_("given its summary"),
            requires=(_summary_due,),
        ),
    )
}
TRANSITIONS = {name: a for name, a in ACTIONS.items() if a.transition}

#: How the timeline names a step that is not one of the actions above.
EVENT_LABELS = {
    "create": _("created the draft"),
    "reroute": _("moved the filing to the division now responsible"),
    "restrict": _("restricted the filing"),
    "unrestrict": _("lifted the filing's restriction"),
}


def event_label(action_name):
    """The label of a timeline step, never its code."""
    if action_name in EVENT_LABELS:
        return EVENT_LABELS[action_name]
    if action_name in ACTIONS:
        return ACTIONS[action_name].label
    return _("changed the filing")


def target_state(action, filing):
    """The state ``action`` moves ``filing`` to."""
    if action.name == "approve":
        return filing.matter.positive_state
    return action.target


#: What the page says, and asks the user to agree to, before an action that cannot be undone.
CONFIRM = {
    "withdraw": _(
        "Withdraw this filing? It is closed for good: to report the matter again, a new filing "
        "is needed."
    ),
    "approve": _(
        "Take this decision? The organization is told at once and the decision cannot be changed."
    ),
    "refuse": _(
        "Refuse this filing? The organization is told at once and the decision cannot be changed."
    ),
}

#: A positive decision named as the act by the matter's class: 予以批准 / 予以备案 (the state it
#: leads to, 已批准 / 已备案, reads as done before the head has clicked).
DECISIONS = {
    S.APPROVED: _("Grant approval"),
    S.ACKNOWLEDGED: _("Accept for the record"),
}


def label(action, filing):
    """The button's label: a positive decision is named by the matter's class (批准 / 备案)."""
    if action.name == "approve":
        return DECISIONS[filing.matter.positive_state]
    return action.label


RIGHT_HOLDERS = {
    AUTHOR: "the organization (or the staff member who created it)",
    REVIEW: "the lead division's staff",
    DECIDE: "a head of the lead division",
    OPINE: "a division whose opinion is pending",
    VIEW: "anyone who may see the filing",
}


def transition_table():
    """The transitions as the Markdown table README.md shows (a test keeps the two equal)."""
    rows = ["| action | from | to | who | first |", "|---|---|---|---|---|"]
    for a in TRANSITIONS.values():
        sources = ", ".join(str(s) for right, states in a.grants for s in states)
        target = a.target or "approved / acknowledged (by the matter's class)"
        who = "; ".join(RIGHT_HOLDERS[right] for right, _states in a.grants)
        first = "; ".join(p.says for p in a.requires) or "—"
        rows.append(f"| `{a.name}` | {sources} | {target} | {who} | {first} |")
    return "\n".join(rows)


# --- deadlines --------------------------------------------------------------------------------


def due_soon_workdays():
    """How many working days before its deadline a review counts as due soon (one setting, read
    by the queue, its badges and the reminders)."""
    return int(clock.conf("review_due_soon_workdays"))


def deadline_marks(today):
    """``(today, due_soon_by)``: a review due before ``today`` is overdue, one due by
    ``due_soon_by`` is due soon."""
    return today, calendar.add_workdays(today, due_soon_workdays())


def overdue_q(today):
    return Q(state__in=AWAITING_REVIEW, review_due_on__lt=today)


def due_soon_q(today, due_soon_by):
    return Q(state__in=AWAITING_REVIEW, review_due_on__gte=today, review_due_on__lte=due_soon_by)


def deadline_flag(filing, today, due_soon_by):
    """ "overdue", "due_soon" or None: the same rule as ``overdue_q`` and ``due_soon_q``."""
    if filing.state not in AWAITING_REVIEW or filing.review_due_on is None:
        return None
    if filing.review_due_on < today:
        return "overdue"
    if filing.review_due_on <= due_soon_by:
        return "due_soon"
    return None


def late_days(matter, event_start, today):
    """Working days a first submission on ``today`` is late (迟报) against the matter's lead
    time; None when it is in time or the matter has none. Arriving on the weekend after the
    deadline is still late: at least one day."""
    if not matter.lead_time_days or not event_start or not is_plausible_date(event_start):
        return None
    required_by = calendar.add_workdays(event_start, -matter.lead_time_days)
    if today > required_by:
        return max(1, calendar.workdays_between(required_by, today))
    return None


def review_due_on(matter, today):
    return calendar.add_workdays(today, matter.review_days)


def summary_due_on(matter, event_start, event_end):
    anchor = event_end or event_start
    if matter.summary_days and anchor and is_plausible_date(anchor):
        return calendar.add_workdays(anchor, matter.summary_days)
    return None
