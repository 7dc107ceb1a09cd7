from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from duties import access
from duties.models import Division
from orgs.models import Organization
from portal.actions import flash_errors, form_action
from portal.downloads import private_file
from portal.forms import apply_validation_error
from portal.history import change_log
from portal.listings import clean_query, filtered_page, render_listing, split_page
from portal.pagination import BoundedPaginator, bounded_count
from portal.params import choice_param, id_param, parse_int
from portal.rules import rule

from . import effects, selectors, services, workflow
from .forms import (
    AttachmentForm,
    CommentForm,
    MatterTypeForm,
    OpinionForm,
    QueueFilter,
    RestrictionForm,
    SummaryForm,
    TransitionForm,
)
from .matter_forms import display_details, form_for
from .models import Attachment, Filing, FilingState, MatterType, Opinion

S = FilingState


def _get_filing(request, pk, action=access.F_VIEW):
    """Look the filing up inside the user's scope: outside it, it does not exist (404)."""
    return get_object_or_404(
        access.restrict_filings(Filing.objects.all(), request.user, action).select_related(
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
    org = get_object_or_404(access.visible_orgs(request.user), pk=access.acts_for(request.user))
    filings = selectors.org_filings(request.user, org)
    state = choice_param(request.GET, "state", S.values)
    if state:
        filings = filings.filter(state=state)
    matters = access.fileable_matters(request.user, org)
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


@rule("authenticated")
@require_http_methods(["GET", "POST"])
def filing_create(request):
    org_id = access.acts_for(request.user) or id_param(request, "org")
    if not org_id:
        # Bureau staff first pick the organization the matter is about.
        return redirect("orgs:list")
    org = get_object_or_404(access.visible_orgs(request.user), pk=org_id)
    matters = access.fileable_matters(request.user, org)
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
    if "edit" not in access.filing_actions(request.user, filing):
        messages.error(request, _("This filing can no longer be changed."))
        return redirect("reports:detail", pk=filing.pk)
    version = parse_int(request.POST.get("version"))
    if request.method == "POST" and version is None:
        form.is_valid()
        form.add_error(None, _("The request was incomplete; reload the page and try again."))
    elif request.method == "POST" and form.is_valid():
        columns, details = form.split()
        try:
            services.filing_update(
                actor=request.user,
                filing=filing,
                expected_version=version,
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
    return _detail_page(request, _get_filing(request, pk))


def _detail_page(request, filing, *, comment=""):
    """The filing page; ``comment`` is what the user had typed with a refused action, kept in the
    box (the version is the filing's current one, so the action can be taken again)."""
    user = request.user
    staff = access.sees_internal(user)
    may = access.filing_actions(user, filing)
    decision_form = effects.decision_form(filing.matter)

    def offered(name):
        return name in may and may[name] is None

    buttons = [
        {
            "name": name,
            "label": workflow.label(action, filing),
            "tone": action.tone,
            "reason": may[name],
            "confirm": workflow.CONFIRM.get(name, ""),
        }
        for name, action in workflow.TRANSITIONS.items()
        if name in may
    ]
    context = {
        "filing": filing,
        "details": display_details(filing),
        "timeline": selectors.timeline(user, filing),
        "attachments": selectors.attachments(user, filing),
        "opinions": filing.opinions.select_related("division", "author") if staff else None,
        "staff": staff,
        "can_edit": offered("edit"),
        "buttons": buttons,
        "transition_form": TransitionForm(initial={"version": filing.version, "comment": comment}),
        "follow_ups": access.follow_ups(user, filing),
        "effect_rows": effects.comparison(filing) if filing.state in workflow.NOT_FINAL else (),
        "decision_form": decision_form() if offered("approve") and decision_form else None,
        "comment_form": CommentForm() if offered("comment") else None,
        "opinion_form": OpinionForm() if offered("opine") else None,
        "attachment_form": AttachmentForm() if offered("attach") else None,
        "restriction_form": RestrictionForm(
            initial={
                "version": filing.version,
                "restricted": filing.restricted,
                "reason": filing.restricted_reason,
            }
        )
        if access.may_set_restricted(user, filing) and not filing.matter.restricted
        else None,
        "summary_form": SummaryForm(initial={"version": filing.version})
        if offered("summary")
        else None,
        "history": change_log(filing.history.all()) if staff else None,
    }
    return render(request, "reports/filing_detail.html", context)


@rule("authenticated")
@require_POST
def filing_transition(request, pk):
    filing = _get_filing(request, pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The request was incomplete; reload the page and try again."))
        return redirect("reports:detail", pk=filing.pk)
    action = form.cleaned_data["action"]
    try:
        services.filing_transition(
            actor=request.user,
            filing=filing,
            action=action,
            expected_version=form.cleaned_data["version"],
            comment=form.cleaned_data["comment"],
            decision=request.POST.dict(),
        )
    except ValidationError as exc:
        # Refused (a precondition, or someone acted first): the page again, with the messages
        # and the comment as typed, rather than a redirect that would lose it.
        flash_errors(request, exc)
        return _detail_page(request, _get_filing(request, pk), comment=form.cleaned_data["comment"])
    messages.success(request, str(workflow.TRANSITIONS[action].done))
    return redirect("reports:detail", pk=filing.pk)


@rule("authenticated")
@require_POST
def filing_restriction(request, pk):
    filing = _get_filing(request, pk)
    form_action(
        request,
        RestrictionForm(request.POST),
        lambda data: services.filing_set_restricted(
            actor=request.user,
            filing=filing,
            expected_version=data["version"],
            restricted=data["restricted"],
            reason=data["reason"],
        ),
        done=_("The filing's restriction was changed."),
        invalid=_("The request was incomplete; reload the page and try again."),
    )
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
    filing_ids = access.visible_filings(request.user).values("pk")
    qs = Attachment.objects.filter(filing_id__in=filing_ids, removed_at__isnull=True)
    if not access.sees_internal(request.user):
        qs = qs.filter(internal=False)
    return get_object_or_404(qs.select_related("filing"), pk=pk)


@rule("authenticated")
def attachment_download(request, pk):
    attachment = _get_attachment(request, pk)
    return private_file(
        attachment.file.open("rb"), filename=attachment.name, content_type=attachment.content_type
    )


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
        {"matters": matters, "can_edit": "edit_matrix" in access.site_actions(request.user)},
    )


@rule("bureau_admin")
@require_http_methods(["GET", "POST"])
def matter_edit(request, pk):
    matter = get_object_or_404(MatterType, pk=pk)
    form = MatterTypeForm(request.POST or None, instance=MatterType.objects.get(pk=pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.matter_update(
                actor=request.user,
                matter=matter,
                expected_version=form.seen_version,
                **form.changes(),
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
