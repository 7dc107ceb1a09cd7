"""Every write to the credit records and lists, and the lists' clock.

The clock (``sweep``, registered with ``portal.clock``) proposes what the portal knows (an
overdue rectification's abnormal-list entry), lets resolved entries lapse six months after entry,
moves an organization two years on the abnormal list to the serious list, and takes it off the
serious list after two clean years. Every step is idempotent: the table's unique constraints
make a second worker, or a second run, find nothing left to do. Policy confirms a proposal with
its ground; an accepted rectification lifts the entry it caused.
"""

import datetime
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from duties import access
from orgs.models import Organization, OrgType
from portal import calendar
from portal.models import User
from portal.notifications import notify
from portal.services import lock_versioned, save_with_history
from reports.models import Filing, FormKind
from reports.workflow import FilingState

from .models import (
    CreditList,
    CreditRecord,
    EntryState,
    ExitReason,
    InspectionCampaign,
    ListEntry,
    ListGround,
    RecordKind,
    Rectification,
    RectificationState,
    SupervisionRules,
    reason_code,
)

logger = logging.getLogger(__name__)
S = EntryState


def _today():
    return timezone.localdate()


def _tell_org(entry, title_text, body=""):
    users = User.objects.filter(
        pk__in=access.org_user_ids([entry.organization_id]).get(entry.organization_id, [])
    )
    with translation.override(settings.LANGUAGE_CODE):
        title = f"{title_text}：{entry.get_credit_list_display()}"
    notify(list(users), title=title, body=body[:2000], url=reverse("supervision:credit"))


def record_due_by(day):
    """When a credit entry whose source happened on ``day`` is due: the rules' working days
    later."""
    return calendar.add_workdays(day, SupervisionRules.current().credit_record_days)


def record_now(*, actor, organization_id, kind, title, details="", list_entry=None):
    """The credit record of something the portal itself has just done (a list step, a grade
    awarded): recorded the same day, so never late."""
    day = _today()
    record = CreditRecord(
        organization_id=organization_id,
        kind=kind,
        title=title[:200],
        details=details,
        occurred_on=day,
        due_by=record_due_by(day),
        list_entry=list_entry,
        recorded_by=actor,
    )
    return save_with_history(record, actor=actor, reason=reason_code("credit", "record"))


def _record(entry, actor, title, kind=RecordKind.ADVERSE):
    """The credit record of a list step."""
    with translation.override(settings.LANGUAGE_CODE):
        text = f"{title}：{entry.get_credit_list_display()}（{entry.get_ground_display()}）"
    return record_now(
        actor=actor,
        organization_id=entry.organization_id,
        kind=kind,
        title=text,
        details=entry.details,
        list_entry=entry,
    )


def _take(action, *, actor, entry, expected_version):
    row = lock_versioned(
        ListEntry.objects.select_related("organization"),
        pk=entry.pk,
        expected_version=expected_version,
    )
    if action not in access.list_entry_actions(actor, row):
        if access.keeps_credit_lists(actor):
            raise ValidationError(_("This step is not open for this entry now."))
        raise PermissionDenied
    return row


def _save(entry, actor, step):
    entry.version += 1
    save_with_history(entry, actor=actor, reason=reason_code("credit", step))


def _enter(entry, actor, day):
    entry.state = S.ACTIVE
    entry.entered_on = day
    entry.confirmed_by = actor


def _leave(entry, actor, reason, day):
    entry.state = S.EXITED
    entry.exited_on = day
    entry.exit_reason = reason
    _save(entry, actor, f"exit:{reason}")
    _record(entry, actor, _("Left the list"), kind=RecordKind.GOOD)
    _tell_org(entry, gettext_lazy("Your organization has left the list"))


# --- by hand ---------------------------------------------------------------------------------


@transaction.atomic
def entry_propose(
    *,
    actor: User,
    organization: Organization,
    credit_list: str,
    ground: str,
    details: str = "",
) -> ListEntry:
    """A division proposes an entry on a list, with its ground; Policy confirms it."""
    if not access.may_propose_entry(actor, organization):
        raise PermissionDenied
    if credit_list not in CreditList.values:
        raise ValidationError({"credit_list": _("Choose a list.")})
    if ground not in ListGround.values:
        raise ValidationError({"ground": _("Choose the ground of the entry.")})
    if (
        credit_list == CreditList.BLACKLIST
        and organization.org_type != OrgType.INDUSTRY_ASSOCIATION
    ):
        raise ValidationError(
            {"credit_list": _("The blacklist (黑名单) is kept for industry associations only.")}
        )
    if len(details or "") > 5000:
        raise ValidationError({"details": _("At most %(n)d characters, please.") % {"n": 5000}})
    entry = ListEntry(
        organization=organization,
        credit_list=credit_list,
        ground=ground,
        details=(details or "").strip(),
        proposed_by=actor,
    )
    try:
        with transaction.atomic():
            save_with_history(entry, actor=actor, reason=reason_code("credit", "propose"))
    except IntegrityError:
        raise ValidationError(
            _("The organization is already on this list, or proposed for it, on this ground.")
        ) from None
    return entry


@transaction.atomic
def entry_confirm(
    *, actor: User, entry: ListEntry, expected_version: int, details: str | None = None
) -> ListEntry:
    """Policy confirms a proposed entry: the organization is on the list from today, its credit
    record says so, and it is told the ground and how to leave."""
    row = _take("confirm", actor=actor, entry=entry, expected_version=expected_version)
    if details is not None:
        row.details = details.strip()[:5000]
    _enter(row, actor, _today())
    _save(row, actor, "confirm")
    _record(row, actor, _("Entered on the list"))
    _tell_org(
        row,
        gettext_lazy("Your organization was entered on a list"),
        row.details,
    )
    return row


@transaction.atomic
def entry_dismiss(*, actor: User, entry: ListEntry, expected_version: int, reason: str):
    """Policy dismisses a proposal that does not hold; it stays on record with the reason."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the proposal does not hold.")})
    row = _take("dismiss", actor=actor, entry=entry, expected_version=expected_version)
    row.state = S.DISMISSED
    row.details = f"{row.details}\n{reason}".strip()[:5000]
    _save(row, actor, "dismiss")
    return row


@transaction.atomic
def entry_resolve(*, actor: User, entry: ListEntry, expected_version: int):
    """Policy records that the ground was put right: the entry lapses six months after entry
    (at once if that is past)."""
    row = _take("resolve", actor=actor, entry=entry, expected_version=expected_version)
    row.resolved_on = _today()
    _save(row, actor, "resolve")
    _lapse_if_due(row, actor, _today())
    return row


@transaction.atomic
def entry_correct(*, actor: User, entry: ListEntry, expected_version: int, reason: str):
    """Policy takes off an entry made by mistake, saying why (it stays on record)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the entry was a mistake.")})
    row = _take("correct", actor=actor, entry=entry, expected_version=expected_version)
    row.details = f"{row.details}\n{reason}".strip()[:5000]
    _leave(row, actor, ExitReason.CORRECTED, _today())
    return row


@transaction.atomic
def record_add(
    *,
    actor: User,
    organization: Organization,
    kind: str,
    title: str,
    occurred_on: datetime.date,
    details: str = "",
) -> CreditRecord:
    """Record a good-standing or adverse entry of an organization's credit record; it is due
    within the rules' working days of its source, and marked late if recorded after."""
    if not access.may_record_credit(actor, organization):
        raise PermissionDenied
    if kind not in RecordKind.values:
        raise ValidationError({"kind": _("Choose good standing or adverse.")})
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("Say what is recorded.")})
    if occurred_on is None or occurred_on > _today():
        raise ValidationError({"occurred_on": _("The date of the source cannot be in the future.")})
    if occurred_on < _today() - datetime.timedelta(days=3660):
        raise ValidationError({"occurred_on": _("The date of the source is too far back.")})
    record = CreditRecord(
        organization=organization,
        kind=kind,
        title=title[:200],
        details=(details or "").strip()[:5000],
        occurred_on=occurred_on,
        due_by=record_due_by(occurred_on),
        recorded_by=actor,
    )
    save_with_history(record, actor=actor, reason=reason_code("credit", "record"))
    return record


# --- what follows from other records ---------------------------------------------------------


def lift_for_rectification(*, actor, rectification):
    """An accepted rectification (``services.ON_CLOSED``) takes the organization off the
    abnormal list it caused, today (within the rules' five working days), and drops a proposal
    not yet confirmed."""
    for entry in ListEntry.objects.select_for_update().filter(
        source_rectification=rectification, state__in=(S.PROPOSED, S.ACTIVE)
    ):
        entry.resolved_on = _today()
        if entry.state == S.PROPOSED:
            entry.state = S.DISMISSED
            _save(entry, actor, "rectified")
        else:
            _leave(entry, actor, ExitReason.RECTIFIED, _today())


def _lapse_if_due(entry, actor, today):
    rules = SupervisionRules.current()
    if (
        entry.state == S.ACTIVE
        and entry.credit_list == CreditList.ABNORMAL
        and entry.resolved_on is not None
        and calendar.add_months(entry.entered_on, rules.abnormal_exit_months) <= today
    ):
        _leave(entry, actor, ExitReason.LAPSED, today)
        return True
    return False


# --- the clock -------------------------------------------------------------------------------


def _about_years_before(today, years):
    """A bound that every entry ``years`` old by today is within (each is then checked by the
    calendar months it has been on the list)."""
    return today - datetime.timedelta(days=365 * years - 3)


def _propose_overdue(today):
    """An abnormal-list proposal for each rectification past its deadline, once."""
    overdue = Rectification.objects.filter(state=RectificationState.OPEN, due_on__lt=today).exclude(
        list_entries__credit_list=CreditList.ABNORMAL
    )
    created = 0
    for r in overdue.select_related("organization"):
        with translation.override(settings.LANGUAGE_CODE):
            details = _("The rectification due on %(date)s was not finished: %(items)s") % {
                "date": date_format(r.due_on, "DATE_FORMAT"),
                "items": r.items[:200],
            }
        try:
            with transaction.atomic():
                ListEntry.objects.create(
                    organization_id=r.organization_id,
                    credit_list=CreditList.ABNORMAL,
                    ground=ListGround.RECTIFICATION_OVERDUE,
                    details=details,
                    source_rectification=r,
                )
            created += 1
        except IntegrityError:
            pass  # proposed meanwhile, by another worker or for the same ground
    return created


def _propose_missed_inspections(today):
    """An abnormal-list proposal for each organization that did not submit an annual
    inspection by its due date, once per campaign."""
    created = 0
    for campaign in InspectionCampaign.objects.filter(due_on__lt=today):
        submitted = Filing.objects.filter(
            organization=OuterRef("pk"),
            matter__form_kind=FormKind.ANNUAL_INSPECTION,
            details__year=campaign.year,
            first_submitted_at__isnull=False,
        ).exclude(state=FilingState.WITHDRAWN)
        missing = (
            Organization.objects.filter(access.inspection_population_q(campaign.year))
            .exclude(Exists(submitted))
            .exclude(list_entries__source_campaign=campaign)
            .values_list("pk", flat=True)
        )
        with translation.override(settings.LANGUAGE_CODE):
            details = _("The %(year)s annual inspection was not submitted by %(date)s.") % {
                "year": campaign.year,
                "date": date_format(campaign.due_on, "DATE_FORMAT"),
            }
        for org_id in missing:
            try:
                with transaction.atomic():
                    ListEntry.objects.create(
                        organization_id=org_id,
                        credit_list=CreditList.ABNORMAL,
                        ground=ListGround.NO_INSPECTION,
                        details=details,
                        source_campaign=campaign,
                    )
                created += 1
            except IntegrityError:
                pass  # proposed meanwhile, or already on the list on this ground
    return created


def _move_up(today):
    """Two years on the abnormal list without putting the ground right: the serious list."""
    years = SupervisionRules.current().serious_after_years
    moved = 0
    for entry in ListEntry.objects.filter(
        credit_list=CreditList.ABNORMAL,
        state=S.ACTIVE,
        resolved_on__isnull=True,
        entered_on__lte=_about_years_before(today, years),
    ):
        if calendar.add_months(entry.entered_on, 12 * years) > today:
            continue
        try:
            with transaction.atomic():
                serious = ListEntry.objects.create(
                    organization_id=entry.organization_id,
                    credit_list=CreditList.SERIOUS,
                    ground=ListGround.ABNORMAL_TWO_YEARS,
                    details=entry.details,
                    source_entry=entry,
                    state=S.ACTIVE,
                    entered_on=today,
                )
                _record(serious, None, _("Entered on the list"))
                _leave(entry, None, ExitReason.MOVED_UP, today)
                _tell_org(serious, gettext_lazy("Your organization was entered on a list"))
            moved += 1
        except IntegrityError:
            pass
    return moved


def _lapse(today):
    lapsed = 0
    for entry in ListEntry.objects.filter(
        credit_list=CreditList.ABNORMAL,
        state=S.ACTIVE,
        resolved_on__isnull=False,
        entered_on__lte=today,
    ):
        with transaction.atomic():
            row = ListEntry.objects.select_for_update().get(pk=entry.pk)
            lapsed += _lapse_if_due(row, None, today)
    return lapsed


def _clean_exit(today):
    """Off the serious list after the rules' years with no new entry on any list."""
    years = SupervisionRules.current().serious_exit_years
    left = 0
    for entry in ListEntry.objects.filter(
        credit_list=CreditList.SERIOUS,
        state=S.ACTIVE,
        entered_on__lte=_about_years_before(today, years),
    ):
        if calendar.add_months(entry.entered_on, 12 * years) > today:
            continue
        newer = ListEntry.objects.filter(
            organization_id=entry.organization_id,
            state__in=(S.ACTIVE, S.EXITED),
            entered_on__gt=entry.entered_on,
        ).exclude(pk=entry.pk)
        if newer.exists():
            continue
        with transaction.atomic():
            row = ListEntry.objects.select_for_update().get(pk=entry.pk)
            if row.state == S.ACTIVE:
                _leave(row, None, ExitReason.CLEAN, today)
                left += 1
    return left


def sweep(now):
    """One run of the lists' clock; safe to run any number of times, by any number of
    workers. One step that fails is logged and does not stop the others."""
    today = timezone.localdate(now)
    done = {}
    for name, step in (
        ("proposed", _propose_overdue),
        ("missed_inspections", _propose_missed_inspections),
        ("moved_up", _move_up),
        ("lapsed", _lapse),
        ("left_serious", _clean_exit),
    ):
        try:
            done[name] = step(today)
        except Exception:
            logger.exception("credit list step %s failed; the next run tries again", name)
            done[name] = 0
    return done
