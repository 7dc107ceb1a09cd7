from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from orgs.models import Organization
from portal.actions import form_action
from portal.forms import apply_validation_error
from portal.history import change_log
from portal.rules import rule

from . import access, services
from .forms import DivisionForm, MembershipForm, MembershipRoleForm
from .models import Division, DivisionMembership


def _count_of(model, field):
    rows = (
        model.objects.filter(**{field: OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows), 0)


@rule("bureau_staff")
def division_list(request):
    # One counting subquery per division and table (each reads an index), not a join of
    # memberships with organizations that multiplies the two.
    divisions = Division.objects.annotate(
        member_count=_count_of(DivisionMembership, "division"),
        org_count=_count_of(Organization, "liaison_division"),
    ).order_by("-is_active", "kind", "name")
    return render(
        request,
        "duties/division_list.html",
        {
            "divisions": divisions,
            "can_manage": "manage_divisions" in access.site_actions(request.user),
            "show_counts": "division_counts" in access.site_actions(request.user),
        },
    )


@rule("bureau_staff")
def division_detail(request, pk):
    division = get_object_or_404(Division, pk=pk)
    is_admin = "manage_divisions" in access.site_actions(request.user)
    organizations = access.visible_orgs(request.user).filter(liaison_division=division)
    return render(
        request,
        "duties/division_detail.html",
        {
            "division": division,
            "memberships": division.memberships.select_related("user"),
            "organizations": organizations.order_by("name")[:200],
            "org_count": organizations.count(),
            "can_manage": is_admin,
            "member_form": MembershipForm() if is_admin else None,
            "history": change_log(division.history.all()) if is_admin else None,
        },
    )


@rule("bureau_admin")
@require_http_methods(["GET", "POST"])
def division_create(request):
    form = DivisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            division = services.division_create(actor=request.user, **form.changes())
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Division “%(name)s” created.") % {"name": division})
            return redirect("duties:division_detail", pk=division.pk)
    return render(request, "duties/division_form.html", {"form": form, "title": _("New division")})


@rule("bureau_admin")
@require_http_methods(["GET", "POST"])
def division_edit(request, pk):
    division = get_object_or_404(Division, pk=pk)
    form = DivisionForm(request.POST or None, instance=Division.objects.get(pk=pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.division_update(
                actor=request.user,
                division=division,
                expected_version=form.seen_version,
                **form.changes(),
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("duties:division_detail", pk=division.pk)
    return render(
        request,
        "duties/division_form.html",
        {"form": form, "division": division, "title": _("Edit %(name)s") % {"name": division}},
    )


@rule("bureau_admin")
@require_POST
def membership_add(request, pk):
    division = get_object_or_404(Division, pk=pk)
    form = MembershipForm(request.POST)
    form_action(
        request,
        form,
        lambda data: services.membership_add(
            actor=request.user, division=division, user=data["user"], role=data["role"]
        ),
        done=_("Member added to %(division)s.") % {"division": division},
        invalid=_("Choose a user and a role."),
    )
    return redirect("duties:division_detail", pk=division.pk)


@rule("bureau_admin")
@require_POST
def membership_role(request, pk):
    membership = get_object_or_404(DivisionMembership, pk=pk)
    form = MembershipRoleForm(request.POST, instance=DivisionMembership.objects.get(pk=pk))
    if form.is_valid():
        services.membership_set_role(
            actor=request.user, membership=membership, role=form.cleaned_data["role"]
        )
        messages.success(request, _("Role changed."))
    else:
        messages.error(request, _("Choose staff or head."))
    return redirect("duties:division_detail", pk=membership.division_id)


@rule("bureau_admin")
@require_POST
def membership_remove(request, pk):
    membership = get_object_or_404(DivisionMembership, pk=pk)
    services.membership_remove(actor=request.user, membership=membership)
    messages.success(
        request,
        _("%(user)s removed from %(division)s.")
        % {"user": membership.user, "division": membership.division},
    )
    return redirect("duties:division_detail", pk=membership.division_id)
