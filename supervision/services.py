"""Every write to the supervision records: rectifications from opening to verification.

Each function runs in one transaction, takes the acting user, checks the actor's right through
``duties.access``, records an event and a history row in the actor's name and tells who must act
next after the commit. A step names the version its actor saw and is refused (``StaleVersion``)
if someone acted meanwhile.
"""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from duties import access
from duties.models import Division, DivisionKind
from orgs.models import AnnualInspection, InspectionResult, Organization
from portal import calendar, validators
from portal.models import User
from portal.notifications import notify
from portal.services import lock_versioned, save_with_history
from reports import attachments as attachment_rules
from reports.models import Filing, FormKind

from . import credit
from .models import (
    SOURCE_OF_FORM,
    CaseFile,
    CaseSource,
    CaseState,
    CaseStep,
    ExtensionState,
    InspectionCampaign,
    Measure,
    RecordKind,
    Rectification,
    RectificationEvent,
    RectificationFile,
    RectificationSource,
    RectificationState,
    SupervisionRules,
    ViolationCase,
    reason_code,
)

R = RectificationState


#: The inspection results that open a rectification.
RECTIFY_RESULTS = (InspectionResult.BASIC_PASS, InspectionResult.FAIL)

MAX_TEXT = validators.LONG_TEXT_MAX_LENGTH


def _text(value, field, message):
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    if len(value) > MAX_TEXT:
        raise ValidationError({field: _("At most %(n)d characters, please.") % {"n": MAX_TEXT}})
    return value


def _today():
    return timezone.localdate()


def default_due_on(start=None):
    """The deadline of a rectification opened today: the rules' working days ahead."""
    return calendar.add_workdays(start or _today(), SupervisionRules.current().rectification_days)


def _check_due(due_on, field="due_on"):
    if due_on is None:
        return None
    if due_on <= _today():
        raise ValidationError({field: _("The deadline must be after today.")})
    if due_on > _today() + datetime.timedelta(days=366):
        raise ValidationError({field: _("The deadline can be at most a year ahead.")})
    return due_on


def _url(rectification):
    return reverse("supervision:rectification", args=[rectification.pk])


def _tell(user_ids, rectification, title_text, body="", **params):
    """Tell ``user_ids`` in the portal's language; ``title_text`` is a lazy message."""
    users = list(User.objects.filter(pk__in=user_ids, is_active=True))
    with translation.override(settings.LANGUAGE_CODE):
        shown = {
            k: date_format(v, "DATE_FORMAT") if isinstance(v, datetime.date) else v
            for k, v in params.items()
        }
        text = str(title_text) % shown if params else str(title_text)
        title = f"{text}：{rectification.organization.name}"
    notify(users, title=title, body=body[:2000], url=_url(rectification))


def _org_side(rectification):
    return access.org_user_ids([rectification.organization_id]).get(
        rectification.organization_id, []
    )


def _division_side(rectification):
    return access.division_user_ids([rectification.division_id]).get(rectification.division_id, [])


def _event(rectification, actor, action, *, source="", body="", due_on=None):
    return RectificationEvent.objects.create(
        rectification=rectification,
        action=action,
        from_state=source,
        to_state=rectification.state,
        due_on=due_on,
        body=body,
        actor=actor,
    )


def _take(action, *, actor, rectification, expected_version):
    """Lock the rectification for ``action`` by ``actor``: refused if the actor may not do it
    now, or if it moved on since the actor saw it."""
    row = lock_versioned(
        Rectification.objects.select_related("organization"),
        pk=rectification.pk,
        expected_version=expected_version,
    )
    if action not in access.rectification_actions(actor, row):
        if access.RECTIFICATION_STEP_SIDE[action] in access.rectification_parties(actor, row):
            raise ValidationError(_("This step is not open for this rectification now."))
        raise PermissionDenied
    return row


def _checked_files(files):
    """``[(upload, content type)]`` of ``files``, each accepted by the attachment rules
    (``reports.attachments``), or a ValidationError before anything is written."""
    return [(upload, attachment_rules.validate(upload)) for upload in files]


def _store(checked, model, actor, **links):
    """Store the checked uploads as rows of ``model`` (its name as shown, the file as stored)."""
    for upload, content_type in checked:
        stored = model(
            name=attachment_rules.clean_name(upload.name),
            size=upload.size,
            content_type=content_type,
            uploaded_by=actor,
            **links,
        )
        stored.file.save(stored.name, upload, save=False)
        stored.save()


def _save(rectification, actor, step):
    rectification.version += 1
    save_with_history(rectification, actor=actor, reason=reason_code("rectification", step))


# --- opening ---------------------------------------------------------------------------------


def _discipline_commission():
    return (
        Division.objects.filter(kind=DivisionKind.DISCIPLINE, is_active=True).order_by("pk").first()
    )


@transaction.atomic
def rectification_open(
    *,
    actor: User,
    organization: Organization,
    items: str,
    division: Division | None = None,
    source: str = RectificationSource.MANUAL,
    source_filing: Filing | None = None,
    case: ViolationCase | None = None,
    due_on: datetime.date | None = None,
) -> Rectification:
    """Open a rectification on ``organization``. The division that opens it verifies it, except
    that the discipline commission verifies the rectification of a violation. From a filing, the
    source follows the filing's form (violation, audit, spot check, petition)."""
    if not access.may_open_rectification(actor, organization):
        raise PermissionDenied
    items = _text(items, "items", _("Say what must be put right."))
    if source_filing is not None:
        if source_filing.organization_id != organization.pk or not (
            access.visible_filings(actor).filter(pk=source_filing.pk).exists()
        ):
            raise ValidationError({"source_filing": _("Choose a filing of this organization.")})
        source = SOURCE_OF_FORM.get(source_filing.matter.form_kind, RectificationSource.MANUAL)
    if case is not None:
        if case.organization_id != organization.pk:
            raise ValidationError({"case": _("Choose a case of this organization.")})
        source = RectificationSource.VIOLATION
    if source not in RectificationSource.values or source == RectificationSource.INSPECTION:
        raise ValidationError({"source": _("Choose where the rectification comes from.")})
    own = access.opening_divisions(actor)
    if division is None:
        division = own.first()
    elif not own.filter(pk=division.pk).exists():
        raise ValidationError({"division": _("Open it for a division you belong to.")})
    if source == RectificationSource.VIOLATION:
        division = _discipline_commission() or division
    due_on = _check_due(due_on) or default_due_on()
    rectification = _open(actor, organization, items, division, source, source_filing, None, due_on)
    if case is not None:
        rectification.case = case
        rectification.save(update_fields=["case"])
    return rectification


def _open(actor, organization, items, division, source, source_filing, inspection, due_on):
    rectification = Rectification(
        organization=organization,
        source=source,
        source_filing=source_filing,
        source_inspection=inspection,
        items=items,
        division=division,
        due_on=due_on,
        opened_by=actor,
    )
    save_with_history(rectification, actor=actor, reason=reason_code("rectification", "open"))
    _event(rectification, actor, "open", body=items, due_on=due_on)
    _tell(
        _org_side(rectification),
        rectification,
        gettext_lazy("Rectification required by %(date)s"),
        items,
        date=due_on,
    )
    return rectification


def open_for_inspection(*, actor: User, inspection: AnnualInspection) -> Rectification | None:
    """A basic pass or a fail opens one rectification for the year (once, whatever corrects the
    result later); Policy, which reviews the inspection, verifies it."""
    if inspection.result not in RECTIFY_RESULTS:
        return None
    existing = Rectification.objects.filter(source_inspection=inspection).first()
    if existing is not None:
        return existing
    policy = (
        Division.objects.filter(kind=DivisionKind.POLICY, is_active=True).order_by("pk").first()
    )
    if policy is None:
        return None
    with translation.override(settings.LANGUAGE_CODE):
        items = _("Put right what the %(year)s annual inspection found (%(result)s).") % {
            "year": inspection.year,
            "result": inspection.get_result_display(),
        }
    return _open(
        actor,
        inspection.organization,
        items,
        policy,
        RectificationSource.INSPECTION,
        inspection.filing,
        inspection,
        default_due_on(),
    )


# --- the organization's side -----------------------------------------------------------------


@transaction.atomic
def rectification_report(
    *, actor: User, rectification: Rectification, expected_version: int, body: str, files=()
) -> Rectification:
    """The organization reports what it put right, with its files; the responsible division
    verifies it next."""
    body = _text(body, "body", _("Describe what was put right."))
    checked = _checked_files(files)
    row = _take(
        "report", actor=actor, rectification=rectification, expected_version=expected_version
    )
    source = row.state
    row.state = R.REPORTED
    row.rounds += 1
    _save(row, actor, "report")
    event = _event(row, actor, "report", source=source, body=body)
    _store(checked, RectificationFile, actor, rectification=row, event=event)
    _tell(_division_side(row), row, gettext_lazy("Rectification reported, to verify"), body)
    return row


@transaction.atomic
def rectification_ask_more_time(
    *,
    actor: User,
    rectification: Rectification,
    expected_version: int,
    due_on: datetime.date,
    reason: str,
) -> Rectification:
    """The organization asks, once, for a later deadline, saying why."""
    reason = _text(reason, "reason", _("Say why more time is needed."))
    row = _take(
        "ask_more_time", actor=actor, rectification=rectification, expected_version=expected_version
    )
    if due_on is None or due_on <= row.due_on:
        raise ValidationError({"due_on": _("Ask for a date after the current deadline.")})
    _check_due(due_on)
    row.extension = ExtensionState.ASKED
    row.extension_reason = reason
    _save(row, actor, "ask_more_time")
    _event(row, actor, "ask_more_time", source=row.state, body=reason, due_on=due_on)
    _tell(_division_side(row), row, gettext_lazy("More time asked for a rectification"), reason)
    return row


@transaction.atomic
def rectification_answer_more_time(
    *,
    actor: User,
    rectification: Rectification,
    expected_version: int,
    grant: bool,
    comment: str = "",
) -> Rectification:
    """The responsible division grants the date asked for, or refuses (saying why)."""
    row = _take(
        "answer_more_time",
        actor=actor,
        rectification=rectification,
        expected_version=expected_version,
    )
    if not grant:
        comment = _text(comment, "comment", _("Say why more time is refused."))
    asked = row.events.filter(action="ask_more_time").order_by("-created_at", "-pk").first().due_on
    row.extension = ExtensionState.GRANTED if grant else ExtensionState.REFUSED
    if grant:
        row.due_on = asked
    _save(row, actor, "answer_more_time")
    _event(
        row,
        actor,
        "grant_more_time" if grant else "refuse_more_time",
        source=row.state,
        body=comment,
        due_on=row.due_on,
    )
    message = gettext_lazy("More time granted") if grant else gettext_lazy("More time refused")
    _tell(_org_side(row), row, message, comment)
    return row


# --- the responsible division's side ---------------------------------------------------------


@transaction.atomic
def rectification_verify(
    *,
    actor: User,
    rectification: Rectification,
    expected_version: int,
    accepted: bool,
    comment: str = "",
    due_on: datetime.date | None = None,
) -> Rectification:
    """The responsible division verifies the report: accepted closes the rectification;
    insufficient sends it back to the organization with a new deadline (the rules' working days
    from today unless given) and says what is still missing."""
    if not accepted:
        comment = _text(comment, "comment", _("Say what is still to be put right."))
        due_on = _check_due(due_on) or default_due_on()
    row = _take(
        "verify", actor=actor, rectification=rectification, expected_version=expected_version
    )
    source = row.state
    if accepted:
        row.state = R.CLOSED
        row.closed_at = timezone.now()
    else:
        row.state = R.OPEN
        row.due_on = due_on
    _save(row, actor, "accept" if accepted else "insufficient")
    _event(
        row,
        actor,
        "accept" if accepted else "insufficient",
        source=source,
        body=comment,
        due_on=None if accepted else due_on,
    )
    for hook in ON_CLOSED if accepted else ():
        hook(actor=actor, rectification=row)
    title = (
        gettext_lazy("Rectification accepted")
        if accepted
        else gettext_lazy("Rectification insufficient")
    )
    _tell(_org_side(row), row, title, comment)
    return row


@transaction.atomic
def rectification_withdraw(
    *, actor: User, rectification: Rectification, expected_version: int, reason: str
) -> Rectification:
    """Withdraw a rectification opened by mistake; it stays on record with the reason."""
    reason = _text(reason, "reason", _("Say why the rectification is withdrawn."))
    row = _take(
        "withdraw", actor=actor, rectification=rectification, expected_version=expected_version
    )
    source = row.state
    row.state = R.WITHDRAWN
    row.closed_at = timezone.now()
    _save(row, actor, "withdraw")
    _event(row, actor, "withdraw", source=source, body=reason)
    _tell(_org_side(row), row, gettext_lazy("Rectification withdrawn"), reason)
    return row


#: Called in the transaction that accepts a rectification (the credit lists lift what it
#: caused).
ON_CLOSED = []


def follow_decision(*, actor, filing, positive):
    """After a decision (``reports.services.ON_DECIDED``): an annual inspection found basic
    pass or fail opens its rectification; a grade awarded is a good-standing entry of the credit
    record, recorded the same day."""
    if not positive:
        return
    inspection = AnnualInspection.objects.filter(filing=filing).first()
    if inspection is not None:
        open_for_inspection(actor=actor, inspection=inspection)
    details = filing.details or {}
    if filing.matter.form_kind == FormKind.GRADE_DEREGISTRATION and details.get("kind") == "grade":
        with translation.override(settings.LANGUAGE_CODE):
            title = _("Grade evaluation: %(grade)s") % {"grade": details.get("grade_sought")}
        credit.record_now(
            actor=actor,
            organization_id=filing.organization_id,
            kind=RecordKind.GOOD,
            title=title,
            details=filing.title,
        )


@transaction.atomic
def rules_update(*, actor: User, expected_version: int, **values) -> SupervisionRules:
    """A bureau admin changes the supervision rules (only their own fields; each bounded by the
    model's validators). Refused if someone else saved them since they were loaded."""
    if not access.is_bureau_admin(actor):
        raise PermissionDenied
    unknown = set(values) - set(RULE_FIELDS)
    if unknown:
        raise ValueError(f"not supervision rules: {sorted(unknown)}")
    SupervisionRules.objects.get_or_create(pk=1)
    rules = lock_versioned(SupervisionRules.objects.all(), pk=1, expected_version=expected_version)
    for name, value in values.items():
        setattr(rules, name, value)
    rules.full_clean()
    rules.version += 1
    save_with_history(rules, actor=actor, reason=reason_code("credit", "rules"))
    return rules


#: The numbers of the rules an admin edits.
RULE_FIELDS = tuple(
    f.name
    for f in SupervisionRules._meta.concrete_fields
    if f.editable and f.name not in ("id", "version")
)


# --- the annual inspection campaign ----------------------------------------------------------


def inspection_due_on(year):
    """When the annual inspection of ``year`` is due: the rules' day of the next year."""
    rules = SupervisionRules.current()
    next_year = year + 1
    month = rules.inspection_due_month
    last = calendar.add_months(datetime.date(next_year, month, 1), 1) - datetime.timedelta(days=1)
    return datetime.date(next_year, month, min(rules.inspection_due_day, last.day))


@transaction.atomic
def inspection_open(*, actor: User, year: int) -> InspectionCampaign:
    """Policy opens the annual inspection of ``year`` (once): every organization that must take
    part is told what to submit and by when."""
    if not access.runs_annual_inspection(actor):
        raise PermissionDenied
    today = _today()
    if not (2000 <= year <= today.year):
        raise ValidationError({"year": _("Open the inspection of this year or an earlier one.")})
    if InspectionCampaign.objects.filter(year=year).exists():
        raise ValidationError(
            {"year": _("The %(year)s annual inspection is already open.") % {"year": year}}
        )
    campaign = InspectionCampaign(year=year, due_on=inspection_due_on(year), opened_by=actor)
    save_with_history(campaign, actor=actor, reason="open")
    orgs = Organization.objects.filter(access.inspection_population_q(year)).values_list(
        "pk", flat=True
    )
    user_ids = [u for ids in access.org_user_ids(list(orgs)).values() for u in ids]
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Submit the %(year)s annual inspection by %(date)s") % {
            "year": year,
            "date": date_format(campaign.due_on, "DATE_FORMAT"),
        }
    notify(
        list(User.objects.filter(pk__in=user_ids)),
        title=title,
        url=reverse("reports:create"),
    )
    return campaign


# --- violation cases -------------------------------------------------------------------------


def _take_case(actor, case, expected_version):
    row = lock_versioned(
        ViolationCase.objects.select_related("organization"),
        pk=case.pk,
        expected_version=expected_version,
    )
    if not access.keeps_cases(actor):
        raise PermissionDenied
    if row.state != CaseState.OPEN:
        raise ValidationError(_("The case is closed."))
    return row


@transaction.atomic
def case_open(
    *,
    actor: User,
    organization: Organization,
    source: str,
    title: str,
    facts: str,
    source_filing: Filing | None = None,
) -> ViolationCase:
    """The discipline commission opens a violation case on an organization."""
    if not access.keeps_cases(actor) or not access.can(actor, access.VIEW, organization):
        raise PermissionDenied
    if source not in CaseSource.values:
        raise ValidationError({"source": _("Choose where the case comes from.")})
    title = (title or "").strip()[:200]
    if not title:
        raise ValidationError({"title": _("Give the case a title.")})
    facts = _text(facts, "facts", _("Describe the facts."))
    if source_filing is not None and source_filing.organization_id != organization.pk:
        raise ValidationError({"source_filing": _("Choose a filing of this organization.")})
    case = ViolationCase(
        organization=organization,
        source=source,
        source_filing=source_filing,
        title=title,
        facts=facts,
        opened_by=actor,
    )
    save_with_history(case, actor=actor, reason=reason_code("case", "open"))
    return case


@transaction.atomic
def case_add_step(
    *,
    actor: User,
    case: ViolationCase,
    expected_version: int,
    on: datetime.date,
    what: str,
    with_civil_affairs: bool = False,
    measure: str = "",
    addressed_to_org: bool = False,
    files=(),
) -> CaseStep:
    """Record an investigation step or a measure (talk, warning, notice of criticism, referral
    to civil affairs), with its documents. A measure is addressed to the organization, which is
    told."""
    what = _text(what, "what", _("Say what was done."))
    if measure and measure not in Measure.values:
        raise ValidationError({"measure": _("Choose a measure.")})
    if on is None or on > _today():
        raise ValidationError({"on": _("The date cannot be in the future.")})
    checked = _checked_files(files)
    row = _take_case(actor, case, expected_version)
    addressed = bool(addressed_to_org or measure)
    step = CaseStep.objects.create(
        case=row,
        on=on,
        what=what,
        with_civil_affairs=bool(with_civil_affairs),
        measure=measure or "",
        addressed_to_org=addressed,
        actor=actor,
    )
    _store(checked, CaseFile, actor, step=step)
    row.version += 1
    save_with_history(row, actor=actor, reason=reason_code("case", "step"))
    if addressed:
        users = User.objects.filter(
            pk__in=access.org_user_ids([row.organization_id]).get(row.organization_id, [])
        )
        with translation.override(settings.LANGUAGE_CODE):
            title = str(Measure(measure).label) if measure else str(_("A step of a case about you"))
        notify(
            list(users),
            title=f"{title}：{row.organization.name}",
            body=what[:2000],
            url=reverse("supervision:case", args=[row.pk]),
        )
    return step


@transaction.atomic
def case_close(
    *, actor: User, case: ViolationCase, expected_version: int, findings: str
) -> ViolationCase:
    """Close the case with its findings (the rectification it opened follows on its own)."""
    findings = _text(findings, "findings", _("Record the findings."))
    row = _take_case(actor, case, expected_version)
    row.findings = findings
    row.state = CaseState.CLOSED
    row.closed_at = timezone.now()
    row.version += 1
    save_with_history(row, actor=actor, reason=reason_code("case", "close"))
    return row
