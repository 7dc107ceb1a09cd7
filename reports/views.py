from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from duties import access
from duties.models import Division
from orgs.models import Organization
from portal.actions import flash_errors, form_action
from portal.forms import apply_validation_error
from portal.history import change_log
from portal.listings import clean_query, filtered_page, render_listing, split_page
from portal.pagination import BoundedPaginator, bounded_count
from portal.rules import rule

from . import selectors, services
from .forms import (
    AttachmentForm,
    CommentForm,
    MatterTypeForm,
    OpinionForm,
    QueueFilter,
    SummaryForm,
    TransitionForm,
)
from .matter_forms import display_details, form_for
from .models import DECIDED_STATES, Attachment, Filing, FilingState, MatterType, Opinion

S = FilingState


def _get_filing(request, pk, action=access.F_VIEW):
    """Look the filing up inside the user's scope: outside it, it does not exist (404)."""
    return get_object_or_404(
        Filing.objects.restrict(request.user, action).select_related(
            "organization", "matter", "lead_division", "created_by", "decided_by"
        ),
        pk=pk,
    )


def _paginate(request, queryset, per_page=None):
    return BoundedPaginator(queryset, per_page or settings.PAGINATE_BY).get_page(
        request.GET.get("page")
    )


# --- organization side ---------------------------------------------------------------------


@rule("org_user")
def my_filings(request):
    r = access.roles(request.user)
    org = get_object_or_404(Organization.objects.restrict(request.user), pk=r.org_id)
    filings = selectors.org_filings(request.user, org)
    state = request.GET.get("state")
    if state in S.values:
        filings = filings.filter(state=state)
    matters = _matter_choices(request.user, org)
    return render(
        request,
        "reports/my_filings.html",
        {
            "org": org,
            "page": _paginate(request, filings),
            "matters": matters,
            "follow_ups": selectors.follow_ups(request.user)[:20],
            "states": S.choices,
            "state": state,
        },
    )


def _matter_choices(user, org):
    r = access.roles(user)
    matters = MatterType.objects.filter(is_active=True)
    if r.is_org_user:
        return [m for m in matters if m.org_submits and m.applies_to(org)]
    return [m for m in matters if m.staff_submits and m.applies_to(org)]


@rule("authenticated")
@require_http_methods(["GET", "POST"])
def filing_create(request):
    r = access.roles(request.user)
    org_id = r.org_id if r.is_org_user else request.GET.get("org") or request.POST.get("org")
    if not org_id:
        # Bureau staff first pick the organization the matter is about.
        return redirect("orgs:list")
    org = get_object_or_404(Organization.objects.restrict(request.user), pk=org_id)
    matters = _matter_choices(request.user, org)
    if not matters:
        raise PermissionDenied
    code = request.GET.get("matter") or request.POST.get("matter")
    matter = next((m for m in matters if m.code == code), None)
    if matter is None:
        return render(request, "reports/choose_matter.html", {"org": org, "matters": matters})
    form = form_for(matter)(request.POST or None)
    upload_form = AttachmentForm(request.POST or None, request.FILES or None)
    upload_form.fields["file"].required = False
    if request.method == "POST" and form.is_valid() and upload_form.is_valid():
        columns, details = form.split()
        try:
            filing = services.filing_create(
                actor=request.user, organization=org, matter=matter, details=details, **columns
            )
            if upload_form.cleaned_data.get("file"):
                services.attachment_add(
                    actor=request.user, filing=filing, upload=upload_form.cleaned_data["file"]
                )
            if "submit" in request.POST:
                services.filing_submit(
                    actor=request.user, filing=filing, expected_version=filing.version
                )
        except ValidationError as exc:
            apply_validation_error(form, exc)
            if "filing" in locals() and filing.pk:
                # The draft was kept; the submission or the file was refused.
                flash_errors(request, exc)
                return redirect("reports:detail", pk=filing.pk)
        else:
            if "submit" in request.POST:
                messages.success(request, _("Submitted. You will be told of every step."))
            else:
                messages.success(request, _("Draft saved."))
            return redirect("reports:detail", pk=filing.pk)
    return render(
        request,
        "reports/filing_form.html",
        {"form": form, "upload_form": upload_form, "matter": matter, "org": org},
    )


@rule("authenticated")
@require_http_methods(["GET", "POST"])
def filing_edit(request, pk):
    filing = _get_filing(request, pk, access.F_AUTHOR)
    form_class = form_for(filing.matter)
    form = form_class(request.POST or None, initial=form_class.initial_from(filing))
    if filing.state not in services.EDITABLE_STATES:
        messages.error(request, _("This filing can no longer be changed."))
        return redirect("reports:detail", pk=filing.pk)
    version = request.POST.get("version", "")
    if request.method == "POST" and not version.isdigit():
        form.is_valid()
        form.add_error(None, _("The request was incomplete; reload the page and try again."))
    elif request.method == "POST" and form.is_valid():
        columns, details = form.split()
        try:
            services.filing_update(
                actor=request.user,
                filing=filing,
                expected_version=int(version),
                details=details,
                **columns,
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("reports:detail", pk=filing.pk)
    return render(
        request,
        "reports/filing_form.html",
        {"form": form, "matter": filing.matter, "org": filing.organization, "filing": filing},
    )


@rule("authenticated")
def filing_detail(request, pk):
    filing = _get_filing(request, pk)
    user = request.user
    staff = access.sees_internal(user)
    can_author = access.can_filing(user, access.F_AUTHOR, filing)
    can_review = access.can_filing(user, access.F_REVIEW, filing)
    can_decide = access.can_filing(user, access.F_DECIDE, filing)
    can_opine = filing.state == S.IN_REVIEW and access.can_filing(user, access.F_OPINE, filing)
    actions = []
    if can_author:
        if filing.state == S.DRAFT:
            actions.append(("submit", _("Submit")))
        if filing.state == S.RETURNED:
            actions.append(("resubmit", _("Resubmit")))
        if filing.state in (S.DRAFT, S.SUBMITTED, S.RESUBMITTED, S.IN_REVIEW, S.RETURNED):
            actions.append(("withdraw", _("Withdraw")))
    if can_review and filing.state in (S.SUBMITTED, S.RESUBMITTED):
        actions.append(("start_review", _("Start review")))
    if can_review and filing.state in (S.SUBMITTED, S.RESUBMITTED, S.IN_REVIEW):
        actions.append(("return", _("Return for revision")))
    if can_decide and filing.state == S.IN_REVIEW:
        positive = filing.matter.positive_state
        actions.append(("approve", S(positive).label))
        actions.append(("refuse", _("Refuse")))
    opinions = filing.opinions.select_related("division", "author") if staff else None
    context = {
        "filing": filing,
        "details": display_details(filing),
        "timeline": selectors.timeline(user, filing),
        "attachments": selectors.attachments(user, filing),
        "opinions": opinions,
        "staff": staff,
        "can_author": can_author,
        "can_edit": can_author and filing.state in services.EDITABLE_STATES,
        "actions": actions,
        "transition_form": TransitionForm(initial={"version": filing.version}),
        "comment_form": CommentForm() if filing.state != S.DRAFT else None,
        "opinion_form": OpinionForm() if can_opine else None,
        "attachment_form": AttachmentForm()
        if (can_author and filing.state in services.EDITABLE_STATES)
        or (can_review and filing.state not in DECIDED_STATES + (S.WITHDRAWN,))
        else None,
        "summary_form": SummaryForm(initial={"version": filing.version})
        if can_author and filing.summary_pending and filing.state in DECIDED_STATES
        else None,
        "history": change_log(filing.history.all()) if staff else None,
    }
    return render(request, "reports/filing_detail.html", context)


TRANSITION_SERVICES = {
    "submit": services.filing_submit,
    "resubmit": services.filing_resubmit,
    "withdraw": services.filing_withdraw,
    "start_review": services.filing_start_review,
    "return": services.filing_return,
}
DONE_MESSAGES = {
    "submit": lambda: _("Submitted."),
    "resubmit": lambda: _("Resubmitted."),
    "withdraw": lambda: _("Withdrawn."),
    "start_review": lambda: _("Review started; the opinion divisions have been asked."),
    "return": lambda: _("Returned to the organization for revision."),
    "approve": lambda: _("Decision recorded."),
    "refuse": lambda: _("Decision recorded."),
}


@rule("authenticated")
@require_POST
def filing_transition(request, pk):
    filing = _get_filing(request, pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The request was incomplete; reload the page and try again."))
        return redirect("reports:detail", pk=filing.pk)
    action = form.cleaned_data["action"]
    kwargs = {
        "actor": request.user,
        "filing": filing,
        "expected_version": form.cleaned_data["version"],
        "comment": form.cleaned_data["comment"],
    }
    try:
        if action in ("approve", "refuse"):
            services.filing_decide(positive=action == "approve", **kwargs)
        else:
            TRANSITION_SERVICES[action](**kwargs)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, DONE_MESSAGES[action]())
    return redirect("reports:detail", pk=filing.pk)


@rule("authenticated")
@require_POST
def filing_comment(request, pk):
    filing = _get_filing(request, pk)
    form_action(
        request,
        CommentForm(request.POST),
        lambda data: services.filing_comment(actor=request.user, filing=filing, **data),
        done=_("Comment added."),
        invalid=_("Write a comment."),
    )
    return redirect("reports:detail", pk=filing.pk)


@rule("bureau_staff")
@require_POST
def filing_opinion(request, pk):
    filing = _get_filing(request, pk, access.F_OPINE)
    form_action(
        request,
        OpinionForm(request.POST),
        lambda data: services.opinion_give(actor=request.user, filing=filing, **data),
        done=_("Opinion recorded."),
        invalid=_("Choose a stance and write the opinion."),
    )
    return redirect("reports:detail", pk=filing.pk)


@rule("authenticated")
@require_POST
def filing_attach(request, pk):
    filing = _get_filing(request, pk)
    form_action(
        request,
        AttachmentForm(request.POST, request.FILES),
        lambda data: services.attachment_add(
            actor=request.user, filing=filing, upload=data["file"], internal=data["internal"]
        ),
        done=_("File attached."),
        invalid=_("Choose a file to attach."),
    )
    return redirect("reports:detail", pk=filing.pk)


def _get_attachment(request, pk):
    filing_ids = Filing.objects.restrict(request.user).values("pk")
    qs = Attachment.objects.filter(filing_id__in=filing_ids, removed_at__isnull=True)
    if not access.sees_internal(request.user):
        qs = qs.filter(internal=False)
    return get_object_or_404(qs.select_related("filing"), pk=pk)


@rule("authenticated")
def attachment_download(request, pk):
    attachment = _get_attachment(request, pk)
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@rule("authenticated")
@require_POST
def attachment_remove(request, pk):
    attachment = _get_attachment(request, pk)
    try:
        services.attachment_remove(actor=request.user, attachment=attachment)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("File removed."))
    return redirect("reports:detail", pk=attachment.filing_id)


@rule("authenticated")
@require_POST
def filing_summary(request, pk):
    filing = _get_filing(request, pk, access.F_AUTHOR)
    form_action(
        request,
        SummaryForm(request.POST),
        lambda data: services.summary_submit(
            actor=request.user,
            filing=filing,
            expected_version=data["version"],
            summary=data["summary"],
        ),
        done=_("Summary submitted."),
        invalid=_("Write the summary."),
    )
    return redirect("reports:detail", pk=filing.pk)


# --- bureau side ---------------------------------------------------------------------------


@rule("bureau_staff")
def review_queue(request):
    user = request.user
    today, due_soon_by = selectors.deadline_marks()
    query = clean_query(request, [*QueueFilter.base_filters, "tab", "page"])
    listing = render_listing(
        "queue",
        selectors.queue_audience(user),
        query,
        "reports/_queue.html",
        lambda: _queue(user, query, today, due_soon_by),
        reads=(Filing, Opinion, Organization, MatterType, Division),
        extra=f"{today}|{due_soon_by}",
    )
    return render(request, "reports/queue.html", {"listing": listing})


def _queue(user, query, today, due_soon_by):
    """The tabs, filter form, rows and pages of the review queue of ``user``'s divisions (the
    queue depends on nothing else: ``selectors.review_queue``)."""
    data, page_number = split_page(query)
    tab = selectors.OPINION if data.get("tab") == selectors.OPINION else selectors.LEAD
    base = selectors.review_queue(user, tab)
    filterset = QueueFilter(data or None, queryset=base, due_soon_by=due_soon_by, today=today)
    page, filtered = filtered_page(filterset, page_number)
    counts = {
        t: bounded_count(selectors.review_queue(user, t))
        for t in (selectors.LEAD, selectors.OPINION)
        # The paginator of the unfiltered tab has counted it already.
        if filtered or t != tab
    }
    counts.setdefault(tab, page.paginator.bounded)
    return {
        "filter": filterset,
        "tab": tab,
        "counts": counts,
        "page": page,
        "today": today,
        "due_soon_by": due_soon_by,
        "query": data.urlencode(),
    }


@rule("bureau_staff")
def matter_list(request):
    matters = MatterType.objects.select_related("lead_division").prefetch_related(
        "opinion_divisions"
    )
    return render(
        request,
        "reports/matter_list.html",
        {"matters": matters, "can_edit": access.is_bureau_admin(request.user)},
    )


@rule("bureau_admin")
@require_http_methods(["GET", "POST"])
def matter_edit(request, pk):
    matter = get_object_or_404(MatterType, pk=pk)
    form = MatterTypeForm(request.POST or None, instance=MatterType.objects.get(pk=pk))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        opinion_divisions = data.pop("opinion_divisions")
        try:
            services.matter_update(
                actor=request.user, matter=matter, opinion_divisions=opinion_divisions, **data
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("reports:matters")
    return render(
        request,
        "reports/matter_form.html",
        {
            "form": form,
            "matter": matter,
            "title": _("Edit matter: %(name)s") % {"name": matter.name},
            "history": change_log(matter.history.all()),
        },
    )
