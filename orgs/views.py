from django.contrib import messages
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from duties import access
from duties import services as duty_services
from duties.models import Division, LiaisonAssignment
from meetings.selectors import missed_two_quarterlies
from portal.forms import apply_validation_error
from portal.history import change_log
from portal.listings import clean_query, filtered_page, render_listing, split_page
from portal.rules import rule
from reports.selectors import moving_with_liaison, org_filings
from supervision.selectors import org_standing

from . import services
from .forms import AssignLiaisonForm, ContactForm, OrganizationFilter, OrganizationForm, OrgUserForm
from .models import Organization, OrganizationGroupObjectPermission


def _get_org(request, pk, action=access.VIEW, *related):
    """Look the organization up inside the user's scope: outside it, it does not exist (404)."""
    queryset = access.restrict_orgs(
        Organization.objects.all(), request.user, action
    ).select_related(*related)
    return get_object_or_404(queryset, pk=pk)


@rule("bureau_staff")
def org_list(request):
    user = request.user
    query = clean_query(request, [*OrganizationFilter.base_filters, "page"])
    listing = render_listing(
        "registry",
        access.org_audience(user),
        query,
        "orgs/_registry.html",
        lambda: _registry(user, query),
        reads=(Organization, Division, OrganizationGroupObjectPermission, Permission),
    )
    return render(
        request,
        "orgs/org_list.html",
        {"listing": listing, "can_create": "register_orgs" in access.site_actions(user)},
    )


def _registry(user, query):
    """The registry's filter form, count, rows and pages as ``user`` sees them."""
    data, page_number = split_page(query)
    base = access.visible_orgs(user).select_related("liaison_division")
    filterset = OrganizationFilter(data or None, queryset=base)
    page, _filtered = filtered_page(filterset, page_number, "name", "pk")
    return {
        "filter": filterset,
        "page": page,
        "query": data.urlencode(),
        # A liaison division sees only its own organizations: no division to choose.
        "division_filter": "filter_by_division" in access.site_actions(user),
    }


@rule("authenticated")
def org_detail(request, pk):
    org = _get_org(request, pk, access.VIEW, "liaison_division", "credit_code_confirmed_by")
    may = access.org_actions(request.user, org)
    site = access.site_actions(request.user)
    context = {
        "org": org,
        "can_edit": access.EDIT in may,
        "can_edit_contact": access.EDIT_CONTACT in may,
        "can_assign": access.ASSIGN_LIAISON in may,
        "can_manage_users": access.MANAGE_USERS in may,
        "assignments": LiaisonAssignment.objects.filter(organization=org).select_related(
            "division", "assigned_by", "ended_by"
        ),
        "history": change_log(org.history.all()),
        "filings": org_filings(request.user, org)[:20],
        "missed_two_meetings": missed_two_quarterlies(org),
        "inspections": org.inspections.all()[:5],
        "standing": org_standing(request.user, org),
        # Staff file on an organization's behalf from its page; its own users from their list.
        "can_file": "file_for_orgs" in site and "file" in may,
    }
    if "see_org_users" in site:
        context["users"] = org.users.select_related("user")
    return render(request, "orgs/org_detail.html", context)


@rule("registry_editor")
@require_http_methods(["GET", "POST"])
def org_create(request):
    form = OrganizationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            org = services.org_create(actor=request.user, **form.service_kwargs())
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Organization “%(name)s” registered.") % {"name": org})
            return redirect("orgs:detail", pk=org.pk)
    return render(
        request, "orgs/org_form.html", {"form": form, "title": _("Register an organization")}
    )


@rule("registry_editor")
@require_http_methods(["GET", "POST"])
def org_edit(request, pk):
    org = _get_org(request, pk, access.EDIT)
    form = OrganizationForm(request.POST or None, instance=org)
    if request.method == "POST" and form.is_valid():
        try:
            services.org_update(
                actor=request.user,
                org=org,
                expected_version=form.cleaned_data["version"],
                **form.service_kwargs(),
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("orgs:detail", pk=org.pk)
    return render(
        request,
        "orgs/org_form.html",
        {"form": form, "org": org, "title": _("Edit %(name)s") % {"name": org}},
    )


@rule("authenticated")
@require_http_methods(["GET", "POST"])
def org_contacts_edit(request, pk):
    org = _get_org(request, pk, access.EDIT_CONTACT)
    form = ContactForm(request.POST or None, instance=org)
    if request.method == "POST" and form.is_valid():
        try:
            services.org_update_contacts(
                actor=request.user,
                org=org,
                expected_version=form.cleaned_data["version"],
                **form.service_kwargs(),
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Contact details saved."))
            return redirect("orgs:detail", pk=org.pk)
    return render(
        request,
        "orgs/org_form.html",
        {"form": form, "org": org, "title": _("Contact details of %(name)s") % {"name": org}},
    )


@rule("bureau_admin")
@require_http_methods(["GET", "POST"])
def org_assign(request, pk):
    org = _get_org(request, pk, access.ASSIGN_LIAISON)
    form = AssignLiaisonForm(
        request.POST or None,
        initial={"division": org.liaison_division_id, "version": org.version},
    )
    moving = list(moving_with_liaison(org)[:100])
    if (
        request.method == "POST"
        and form.is_valid()
        and moving
        and not form.cleaned_data["move_filings"]
    ):
        form.add_error(
            "move_filings",
            _("%(n)d filings in progress move with the organization: tick to confirm.")
            % {"n": len(moving)},
        )
    if request.method == "POST" and form.is_valid():
        try:
            duty_services.org_assign_liaison(
                actor=request.user,
                org=org,
                division=form.cleaned_data["division"],
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(
                request,
                _("%(org)s is now supervised by %(division)s.")
                % {"org": org, "division": form.cleaned_data["division"]},
            )
            return redirect("orgs:detail", pk=org.pk)
    return render(
        request,
        "orgs/org_assign.html",
        {
            "form": form,
            "org": org,
            "title": _("Assign the liaison division of %(name)s") % {"name": org},
            "assignments": LiaisonAssignment.objects.filter(organization=org).select_related(
                "division", "assigned_by"
            ),
            "moving": moving,
        },
    )


@rule("bureau_admin")
@require_http_methods(["GET", "POST"])
def org_user_create(request, pk):
    org = _get_org(request, pk, access.MANAGE_USERS)
    form = OrgUserForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.org_user_create(actor=request.user, org=org, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(
                request,
                _("User %(user)s can now log in for %(org)s.")
                % {"user": user.username, "org": org},
            )
            return redirect("orgs:detail", pk=org.pk)
    return render(
        request,
        "orgs/org_form.html",
        {"form": form, "org": org, "title": _("New user for %(name)s") % {"name": org}},
    )


@rule("org_user")
def my_org(request):
    return redirect("orgs:detail", pk=access.acts_for(request.user))
