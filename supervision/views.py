from django.contrib import messages
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from duties import access
from orgs.models import InspectionResult
from portal import downloads, params
from portal.actions import flash_errors
from portal.forms import apply_validation_error
from portal.history import change_log
from portal.rules import rule

from . import credit, exports, selectors, services
from .forms import (
    AnswerMoreTimeForm,
    CaseCloseForm,
    CaseOpenForm,
    CaseStepForm,
    ConfirmEntryForm,
    CorrectEntryForm,
    CreditRecordForm,
    DismissEntryForm,
    InspectionOpenForm,
    MoreTimeForm,
    OpenForm,
    ProposeEntryForm,
    ReportForm,
    ResolveEntryForm,
    RulesForm,
    VerifyForm,
    WithdrawForm,
)
from .models import (
    CASE_SOURCE_OF_FORM,
    CaseFile,
    InspectionCampaign,
    RectificationFile,
    RectificationSource,
    SupervisionRules,
)


def _int_param(request, name):
    """The id given as ``name`` in the query string (None when absent; otherwise a 400)."""
    return params.id_param(request, name, methods=("GET",))


def _get(request, pk):
    return get_object_or_404(
        access.visible_rectifications(request.user).select_related(
            "organization", "division", "opened_by", "source_filing"
        ),
        pk=pk,
    )


@rule("authenticated")
def rectification_list(request):
    tab = params.choice_param(request.GET, "tab", selectors.TABS) or "unfinished"
    org_id = _int_param(request, "org")
    rows = selectors.rectifications(request.user, tab, org_id)
    context = {
        "tab": tab,
        "tabs": selectors.TABS,
        "counts": selectors.counts(request.user),
        "page": Paginator(rows, 25).get_page(request.GET.get("page")),
        "today": timezone.localdate(),
    }
    return render(request, "supervision/rectification_list.html", context)


STEP_FORMS = {
    "report": ReportForm,
    "ask_more_time": MoreTimeForm,
    "answer_more_time": AnswerMoreTimeForm,
    "verify": VerifyForm,
    "withdraw": WithdrawForm,
}

STEP_SERVICES = {
    "report": services.rectification_report,
    "ask_more_time": services.rectification_ask_more_time,
    "answer_more_time": services.rectification_answer_more_time,
    "verify": services.rectification_verify,
    "withdraw": services.rectification_withdraw,
}

STEP_DONE = {
    "report": _("Your report was sent for verification."),
    "ask_more_time": _("Your request for more time was sent."),
    "answer_more_time": _("The answer was sent to the organization."),
    "verify": _("The verification was recorded."),
    "withdraw": _("The rectification was withdrawn."),
}


def _take_step(request, form, run, *, done, then, again):
    """One step of a supervision record from its form (which carries the version the user saw):
    ``run(expected_version=..., **values)``; done, ``then`` (the record's page); refused or
    invalid, ``again(form)``: the page once more, with the form as typed and why."""
    if form.is_valid():
        data = dict(form.cleaned_data)
        data["expected_version"] = data.pop("version")
        try:
            run(**data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, done)
            return then
    if request.FILES and "files" in form.fields:
        form.add_error(
            "files", _("Files are not kept when the form has an error: choose them again.")
        )
    messages.error(request, _("Nothing was saved; see the form below."))
    return again(form)


def _step_forms(rectification, may, bound=None):
    forms = {}
    for name in sorted(may):
        if bound is not None and bound[0] == name:
            forms[name] = bound[1]
        else:
            forms[name] = STEP_FORMS[name](initial={"version": rectification.version})
    return forms


def _detail(request, rectification, bound=None, status=200):
    may = access.rectification_actions(request.user, rectification)
    context = {
        "r": rectification,
        "events": rectification.events.select_related("actor").prefetch_related("files"),
        "forms": _step_forms(rectification, may, bound),
        "staff": access.is_bureau_staff(request.user),
        "history": change_log(rectification.history.all())
        if access.is_bureau_staff(request.user)
        else None,
    }
    return render(request, "supervision/rectification_detail.html", context, status=status)


@rule("authenticated")
def rectification_detail(request, pk):
    return _detail(request, _get(request, pk))


@rule("authenticated")
@require_POST
def rectification_step(request, pk, step):
    rectification = _get(request, pk)
    if step not in STEP_FORMS:
        raise BadRequest("unknown step")
    return _take_step(
        request,
        STEP_FORMS[step](request.POST, request.FILES),
        lambda **data: STEP_SERVICES[step](actor=request.user, rectification=rectification, **data),
        done=STEP_DONE[step],
        then=redirect("supervision:rectification", pk=rectification.pk),
        again=lambda form: _detail(request, rectification, bound=(step, form), status=400),
    )


@rule("bureau_staff")
@require_http_methods(["GET", "POST"])
def rectification_create(request):
    org_id = _int_param(request, "org")
    filing_id = _int_param(request, "filing")
    case_id = _int_param(request, "case")
    if org_id is None:
        raise BadRequest("org is required")
    org = get_object_or_404(access.visible_orgs(request.user), pk=org_id)
    case = None
    if case_id is not None:
        case = get_object_or_404(access.visible_cases(request.user), pk=case_id, organization=org)
    filing = None
    if filing_id is not None:
        filing = get_object_or_404(
            access.visible_filings(request.user).select_related("matter"),
            pk=filing_id,
            organization=org,
        )
    if not access.may_open_rectification(request.user, org):
        raise PermissionDenied
    divisions = access.opening_divisions(request.user)
    form = OpenForm(
        request.POST or None,
        divisions=divisions,
        from_filing=filing is not None or case is not None,
        initial={"due_on": services.default_due_on()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            rectification = services.rectification_open(
                actor=request.user,
                organization=org,
                items=data["items"],
                division=data["division"],
                source=data.get("source") or RectificationSource.MANUAL,
                source_filing=filing,
                case=case,
                due_on=data["due_on"],
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("The rectification was opened and the organization told."))
            return redirect("supervision:rectification", pk=rectification.pk)
    return render(
        request,
        "supervision/rectification_form.html",
        {"form": form, "org": org, "filing": filing, "case": case},
    )


@rule("authenticated")
def rectification_file(request, pk):
    stored = get_object_or_404(
        RectificationFile.objects.filter(
            rectification__in=access.visible_rectifications(request.user)
        ),
        pk=pk,
    )
    return downloads.private_file(
        stored.file.open("rb"), filename=stored.name, content_type=stored.content_type
    )


# --- credit: lists and records ---------------------------------------------------------------

ENTRY_FORMS = {
    "confirm": ConfirmEntryForm,
    "dismiss": DismissEntryForm,
    "resolve": ResolveEntryForm,
    "correct": CorrectEntryForm,
}
ENTRY_SERVICES = {
    "confirm": credit.entry_confirm,
    "dismiss": credit.entry_dismiss,
    "resolve": credit.entry_resolve,
    "correct": credit.entry_correct,
}
ENTRY_DONE = {
    "confirm": _("The entry was confirmed and the organization told."),
    "dismiss": _("The proposal was dismissed."),
    "resolve": _("The ground was recorded as put right."),
    "correct": _("The entry was taken off as a mistake."),
}


@rule("authenticated")
def credit_overview(request):
    tab = params.choice_param(request.GET, "tab", selectors.ENTRY_TABS) or "proposed"
    org_id = _int_param(request, "org")
    entries = selectors.list_entries(request.user, tab, org_id)
    context = {
        "tab": tab,
        "counts": selectors.entry_counts(request.user),
        "page": Paginator(entries, 25).get_page(request.GET.get("page")),
        "records": selectors.credit_records(request.user, org_id)[:50]
        if access.is_org_user(request.user)
        else None,
        "org_user": access.is_org_user(request.user),
    }
    return render(request, "supervision/credit.html", context)


def _get_entry(request, pk):
    return get_object_or_404(
        access.visible_list_entries(request.user).select_related(
            "organization", "source_rectification", "proposed_by", "confirmed_by"
        ),
        pk=pk,
    )


def _entry_page(request, entry, bound=None, status=200):
    may = access.list_entry_actions(request.user, entry)
    forms = {}
    for name in sorted(may):
        if bound is not None and bound[0] == name:
            forms[name] = bound[1]
        else:
            forms[name] = ENTRY_FORMS[name](
                initial={"version": entry.version, "details": entry.details}
            )
    context = {
        "entry": entry,
        "forms": forms,
        "records": entry.records.all(),
        "history": change_log(entry.history.all())
        if access.is_bureau_staff(request.user)
        else None,
    }
    return render(request, "supervision/credit_entry.html", context, status=status)


@rule("authenticated")
def credit_entry(request, pk):
    return _entry_page(request, _get_entry(request, pk))


@rule("authenticated")
@require_POST
def credit_entry_step(request, pk, step):
    entry = _get_entry(request, pk)
    if step not in ENTRY_FORMS:
        raise BadRequest("unknown step")
    return _take_step(
        request,
        ENTRY_FORMS[step](request.POST),
        lambda **data: ENTRY_SERVICES[step](actor=request.user, entry=entry, **data),
        done=ENTRY_DONE[step],
        then=redirect("supervision:credit_entry", pk=entry.pk),
        again=lambda form: _entry_page(request, entry, bound=(step, form), status=400),
    )


def _org_from_query(request, allowed):
    org_id = _int_param(request, "org")
    if org_id is None:
        raise BadRequest("org is required")
    org = get_object_or_404(access.visible_orgs(request.user), pk=org_id)
    if not allowed(request.user, org):
        raise PermissionDenied
    return org


@rule("bureau_staff")
@require_http_methods(["GET", "POST"])
def credit_entry_create(request):
    org = _org_from_query(request, access.may_propose_entry)
    form = ProposeEntryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            entry = credit.entry_propose(actor=request.user, organization=org, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("The entry was proposed; Policy confirms it."))
            return redirect("supervision:credit_entry", pk=entry.pk)
    return render(
        request,
        "portal/form_page.html",
        {"form": form, "title": _("Propose a credit list entry for %(org)s") % {"org": org}},
    )


@rule("bureau_staff")
@require_http_methods(["GET", "POST"])
def credit_record_create(request):
    org = _org_from_query(request, access.may_record_credit)
    form = CreditRecordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            credit.record_add(actor=request.user, organization=org, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("The credit record was added."))
            return redirect("orgs:detail", pk=org.pk)
    return render(
        request,
        "portal/form_page.html",
        {"form": form, "title": _("Add to the credit record of %(org)s") % {"org": org}},
    )


@rule("bureau_admin")
@require_http_methods(["GET", "POST"])
def rules_edit(request):
    current = SupervisionRules.current()
    form = RulesForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.rules_update(
                actor=request.user, expected_version=form.seen_version, **form.changes()
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("The supervision rules were saved."))
            return redirect("supervision:rules")
    return render(
        request,
        "portal/form_page.html",
        {"form": form, "title": _("Supervision rules")},
    )


# --- the annual inspection campaign ----------------------------------------------------------


def _campaign(year):
    return get_object_or_404(InspectionCampaign.objects.all(), year=year)


@rule("bureau_staff")
def inspection_list(request):
    today = timezone.localdate()
    context = {
        "campaigns": InspectionCampaign.objects.select_related("opened_by"),
        "open_form": InspectionOpenForm(initial={"year": today.year - 1})
        if access.runs_annual_inspection(request.user)
        else None,
    }
    return render(request, "supervision/inspection_list.html", context)


@rule("bureau_staff")
@require_POST
def inspection_open(request):
    form = InspectionOpenForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the year to inspect."))
        return redirect("supervision:inspections")
    try:
        campaign = services.inspection_open(actor=request.user, year=form.cleaned_data["year"])
    except ValidationError as exc:
        flash_errors(request, exc)
        return redirect("supervision:inspections")
    messages.success(request, _("The annual inspection was opened and the organizations told."))
    return redirect("supervision:inspection", year=campaign.year)


def _campaign_filters(request):
    status = params.choice_param(request.GET, "status", selectors.INSPECTION_STATUSES)
    return status, request.GET.get("late") == "1"


@rule("bureau_staff")
def inspection_campaign(request, year):
    campaign = _campaign(year)
    status, late = _campaign_filters(request)
    rows = selectors.campaign_rows(request.user, campaign, status, late)
    query = "&".join(
        part for part in (f"status={status}" if status else "", "late=1" if late else "") if part
    )
    counts = selectors.campaign_counts(request.user, campaign)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    results = dict(InspectionResult.choices)
    for org in page:
        org.status_label = selectors.INSPECTION_STATUSES[org.inspection_status]
        org.result_label = results.get(org.result, "")
    context = {
        "campaign": campaign,
        "status": status,
        "late": late,
        "counts": counts,
        "tabs": [
            (value, label, counts[value]) for value, label in selectors.INSPECTION_STATUSES.items()
        ],
        "page": page,
        "query": query,
    }
    return render(request, "supervision/inspection_campaign.html", context)


@rule("bureau_staff")
def inspection_export(request, year):
    campaign = _campaign(year)
    status, late = _campaign_filters(request)
    rows = selectors.campaign_rows(request.user, campaign, status, late)
    content = exports.campaign_workbook(campaign, rows)
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="annual-inspection-{year}.xlsx"'
    return downloads.keep_private(response)


# --- violation cases -------------------------------------------------------------------------


def _get_case(request, pk):
    return get_object_or_404(
        access.visible_cases(request.user).select_related(
            "organization", "opened_by", "source_filing"
        ),
        pk=pk,
    )


@rule("authenticated")
def case_list(request):
    state = params.choice_param(request.GET, "state", ("open", "closed")) or "open"
    rows = access.visible_cases(request.user).filter(state=state).select_related("organization")
    return render(
        request,
        "supervision/case_list.html",
        {
            "state": state,
            "page": Paginator(rows, 25).get_page(request.GET.get("page")),
            "may_open": access.keeps_cases(request.user),
        },
    )


def _case_page(request, case, bound=None, status=200):
    staff = access.is_bureau_staff(request.user)
    keeps = access.keeps_cases(request.user) and case.state == "open"
    forms = {}
    if keeps:
        forms = {
            "step": CaseStepForm(initial={"version": case.version, "on": timezone.localdate()}),
            "close": CaseCloseForm(initial={"version": case.version}),
        }
        if bound is not None:
            forms[bound[0]] = bound[1]
    context = {
        "case": case,
        "staff": staff,
        "steps": access.case_steps_for(request.user, case),
        "rectifications": access.visible_rectifications(request.user).filter(case=case),
        "forms": forms,
        "may_rectify": keeps,
        "history": change_log(case.history.all()) if staff else None,
    }
    return render(request, "supervision/case_detail.html", context, status=status)


@rule("authenticated")
def case_detail(request, pk):
    return _case_page(request, _get_case(request, pk))


CASE_FORMS = {"step": CaseStepForm, "close": CaseCloseForm}
CASE_SERVICES = {"step": services.case_add_step, "close": services.case_close}
CASE_DONE = {"step": _("The step was recorded."), "close": _("The case was closed.")}


@rule("bureau_staff")
@require_POST
def case_step(request, pk, step):
    case = _get_case(request, pk)
    if step not in CASE_FORMS:
        raise BadRequest("unknown step")
    return _take_step(
        request,
        CASE_FORMS[step](request.POST, request.FILES),
        lambda **data: CASE_SERVICES[step](actor=request.user, case=case, **data),
        done=CASE_DONE[step],
        then=redirect("supervision:case", pk=case.pk),
        again=lambda form: _case_page(request, case, bound=(step, form), status=400),
    )


@rule("bureau_staff")
@require_http_methods(["GET", "POST"])
def case_create(request):
    org = _org_from_query(request, lambda user, org: access.keeps_cases(user))
    filing_id = _int_param(request, "filing")
    filing = None
    if filing_id is not None:
        filing = get_object_or_404(
            access.visible_filings(request.user), pk=filing_id, organization=org
        )
    initial = (
        {"title": filing.title, "source": CASE_SOURCE_OF_FORM.get(filing.matter.form_kind)}
        if filing
        else {}
    )
    form = CaseOpenForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_open(
                actor=request.user, organization=org, source_filing=filing, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("The case was opened."))
            return redirect("supervision:case", pk=case.pk)
    return render(
        request,
        "portal/form_page.html",
        {"form": form, "title": _("Open a violation case on %(org)s") % {"org": org}},
    )


@rule("authenticated")
def case_file(request, pk):
    stored = get_object_or_404(CaseFile.objects.select_related("step"), pk=pk)
    case = _get_case(request, stored.step.case_id)
    if not access.case_steps_for(request.user, case).filter(pk=stored.step_id).exists():
        raise Http404
    return downloads.private_file(
        stored.file.open("rb"), filename=stored.name, content_type=stored.content_type
    )
