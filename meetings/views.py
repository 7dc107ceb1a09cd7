import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from duties import access
from orgs.models import Organization
from portal.actions import flash_errors, form_action
from portal.downloads import keep_private, private_file
from portal.forms import apply_validation_error
from portal.params import id_list_param, id_param
from portal.rules import rule

from . import selectors, services
from .forms import (
    AttendanceForm,
    CancelForm,
    MeetingForm,
    MeetingScheduleForm,
    RespondForm,
    SpecialRequestForm,
)
from .ics import meeting_ics
from .models import MeetingKind, MeetingStatus, RequestStatus, SpecialMeetingRequest


def _get_meeting(request, pk):
    return get_object_or_404(access.visible_meetings(request.user), pk=pk)


@rule("authenticated")
def meeting_list(request):
    meetings = selectors.meetings_for(request.user)
    site = access.site_actions(request.user)
    now = timezone.now()
    context = {
        "upcoming": meetings.filter(starts_at__gte=now, status=MeetingStatus.SCHEDULED).order_by(
            "starts_at"
        )[:20],
        "page": Paginator(
            meetings.filter(starts_at__lt=now) | meetings.exclude(status=MeetingStatus.SCHEDULED),
            20,
        ).get_page(request.GET.get("page")),
        "can_schedule": "schedule_meetings" in site,
        "can_request": "request_special_meeting" in site,
    }
    if "see_special_requests" in site:
        context["requests"] = SpecialMeetingRequest.objects.select_related(
            "requested_by", "meeting"
        )[:20]
    return render(request, "meetings/meeting_list.html", context)


def _default_times():
    start = timezone.localtime().replace(hour=14, minute=0, second=0, microsecond=0)
    start += datetime.timedelta(days=14)
    return start, start + datetime.timedelta(hours=2)


@rule("meeting_organizer")
@require_http_methods(["GET", "POST"])
def meeting_create(request):
    special = None
    special_id = id_param(request, "request")
    if special_id:
        special = get_object_or_404(SpecialMeetingRequest, pk=special_id, status=RequestStatus.OPEN)
    start, end = _default_times()
    initial = {
        "kind": MeetingKind.SPECIAL if special else MeetingKind.QUARTERLY,
        "starts_at": start,
        "ends_at": end,
        "invite_all": True,
    }
    if special:
        initial["title"] = special.topic
        initial["agenda"] = special.reason
    else:
        year, quarter = services.quarter_of(start)
        initial["title"] = _("%(year)d Q%(quarter)d quarterly meeting of social organizations") % {
            "year": year,
            "quarter": quarter,
        }
    form = MeetingScheduleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        organizations = None
        if not data["invite_all"]:
            organizations = Organization.objects.active().filter(
                liaison_division__in=data["liaison_divisions"]
            )
        try:
            meeting = services.meeting_schedule(
                actor=request.user,
                kind=data["kind"],
                title=data["title"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                place=data["place"],
                agenda=data["agenda"],
                reading=data["reading"],
                organizations=organizations,
                divisions=data["invited_divisions"],
                special_request=special,
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Meeting scheduled; the invitations are on their way."))
            return redirect("meetings:meeting_detail", pk=meeting.pk)
    active = Organization.objects.active().count()
    return render(
        request,
        "meetings/meeting_form.html",
        {
            "form": form,
            "special": special,
            "title": _("Schedule a meeting"),
            "confirm": ngettext(
                "Schedule the meeting and send the invitations now? With every active "
                "organization invited, %(n)d organization is told by inbox and email at once "
                "(or those of the chosen liaison divisions); invitations cannot be called back.",
                "Schedule the meeting and send the invitations now? With every active "
                "organization invited, %(n)d organizations are told by inbox and email at once "
                "(or those of the chosen liaison divisions); invitations cannot be called back.",
                active,
            )
            % {"n": active},
        },
    )


@rule("authenticated")
def meeting_detail(request, pk):
    meeting = _get_meeting(request, pk)
    now = timezone.now()
    may = access.meeting_actions(request.user, meeting, now)
    invitation = selectors.my_invitation(request.user, meeting)
    started = meeting.starts_at <= now
    context = {
        "meeting": meeting,
        "invitation": invitation,
        "can_edit": "edit" in may,
        "respond_form": RespondForm(
            initial={
                "response": invitation.response
                if invitation and invitation.response != "pending"
                else "attending",
                "attendees": invitation.attendees if invitation else "",
            }
        )
        if "respond" in may
        else None,
        "cancel_form": CancelForm(initial={"version": meeting.version})
        if "cancel" in may
        else None,
        "attendance_form": AttendanceForm(initial={"minutes": meeting.minutes})
        if "record_attendance" in may
        else None,
        "started": started,
        "invitations_count": meeting.invitations.count() if "cancel" in may else 0,
    }
    if "see_meeting_invitees" in access.site_actions(request.user):
        context["invitations"] = meeting.invitations.select_related("organization", "responded_by")
        context["divisions"] = meeting.invited_divisions.all()
    return render(request, "meetings/meeting_detail.html", context)


@rule("meeting_organizer")
@require_http_methods(["GET", "POST"])
def meeting_edit(request, pk):
    meeting = _get_meeting(request, pk)
    form = MeetingForm(request.POST or None, instance=type(meeting).objects.get(pk=pk))
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in services.MEETING_EDITABLE}
        try:
            services.meeting_update(
                actor=request.user,
                meeting=meeting,
                expected_version=form.cleaned_data["version"],
                **data,
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Changes saved; the invitees will be told of a new time."))
            return redirect("meetings:meeting_detail", pk=meeting.pk)
    return render(
        request,
        "meetings/meeting_form.html",
        {"form": form, "meeting": meeting, "title": _("Edit %(title)s") % {"title": meeting.title}},
    )


@rule("meeting_organizer")
@require_POST
def meeting_cancel(request, pk):
    meeting = _get_meeting(request, pk)
    form_action(
        request,
        CancelForm(request.POST),
        lambda data: services.meeting_cancel(
            actor=request.user,
            meeting=meeting,
            expected_version=data["version"],
            reason=data["reason"],
        ),
        done=_("Meeting cancelled; the invitees will be told."),
        invalid=_("Give the reason for cancelling."),
    )
    return redirect("meetings:meeting_detail", pk=meeting.pk)


@rule("org_user")
@require_POST
def meeting_respond(request, pk):
    meeting = _get_meeting(request, pk)
    invitation = selectors.my_invitation(request.user, meeting)
    if invitation is None:
        raise Http404
    form_action(
        request,
        RespondForm(request.POST),
        lambda data: services.invitation_respond(actor=request.user, invitation=invitation, **data),
        done=_("Your answer has been recorded."),
        invalid=_("Choose whether you will attend."),
    )
    return redirect("meetings:meeting_detail", pk=meeting.pk)


@rule("meeting_organizer")
@require_POST
def meeting_attendance(request, pk):
    meeting = _get_meeting(request, pk)
    attended = id_list_param(request.POST, "attended")
    form_action(
        request,
        AttendanceForm(request.POST, request.FILES),
        lambda data: services.attendance_record(
            actor=request.user,
            meeting=meeting,
            attended_org_ids=attended,
            minutes=data["minutes"],
            minutes_file=data["minutes_file"],
        ),
        done=_("Attendance and minutes recorded."),
        invalid=_("The minutes file could not be read; choose it again."),
    )
    return redirect("meetings:meeting_detail", pk=meeting.pk)


@rule("authenticated")
def meeting_ics_download(request, pk):
    meeting = _get_meeting(request, pk)
    response = HttpResponse(
        meeting_ics(meeting, base_url=request.build_absolute_uri("/")),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="meeting-{meeting.pk}.ics"'
    keep_private(response)
    return response


@rule("authenticated")
def meeting_minutes_download(request, pk):
    meeting = _get_meeting(request, pk)
    if not meeting.minutes_file:
        raise Http404
    return private_file(meeting.minutes_file.open("rb"))


@rule("leader")
@require_http_methods(["GET", "POST"])
def special_request_create(request):
    form = SpecialRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.special_request_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Request sent to the Policy and Regulations Division."))
            return redirect("meetings:meeting_list")
    return render(
        request,
        "meetings/meeting_form.html",
        {"form": form, "title": _("Request a special meeting")},
    )


@rule("meeting_organizer")
@require_POST
def special_request_decline(request, pk):
    special = get_object_or_404(SpecialMeetingRequest, pk=pk)
    try:
        services.special_request_decline(
            actor=request.user, special_request=special, reason=request.POST.get("reason", "")
        )
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("Request declined."))
    return redirect("meetings:meeting_list")
