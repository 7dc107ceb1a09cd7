"""Meetings through their pages: scheduling, answers, attendance, absences and special requests.

Quarterly meetings are convened by the Policy division (one per quarter); organizations answer
for themselves until the meeting starts; staff record who came afterwards, and an organization
absent from the last two held quarterly meetings is flagged.
"""

import datetime

import pytest
from django.contrib.messages import constants as message_levels
from django.urls import reverse
from django.utils import timezone

from meetings import selectors, services
from meetings.models import (
    InvitationAnswer,
    Meeting,
    MeetingInvitation,
    MeetingKind,
    MeetingStatus,
    RequestStatus,
    SpecialMeetingRequest,
)
from orgs.models import Organization, OrgStatus
from portal.models import Notification
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db

FORM_FORMAT = "%Y-%m-%dT%H:%M"  # the datetime-local inputs of the meeting form
HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def _no_sweep_after_commit(monkeypatch):
    """Scheduling queues a reminder sweep after commit; these tests look at the pages only."""
    monkeypatch.setattr(services, "_after_commit_sweep", lambda: None)


def minute(dt):
    return timezone.localtime(dt).replace(second=0, microsecond=0)


def this_quarter_start():
    """A start time in the future and (short of the last hour of a quarter) in this quarter."""
    now = timezone.now()
    start = minute(now + DAY)
    if services.quarter_of(start) != services.quarter_of(now):
        start = minute(now + datetime.timedelta(minutes=10))
    return start


def form_data(start, **overrides):
    data = {
        "kind": MeetingKind.QUARTERLY,
        "title": "社会组织季度例会",
        "starts_at": timezone.localtime(start).strftime(FORM_FORMAT),
        "ends_at": timezone.localtime(start + 2 * HOUR).strftime(FORM_FORMAT),
        "place": "局机关三楼会议室",
        "agenda": "通报本季度重点工作",
        "reading": "",
        "invite_all": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def schedule(world, start, *, kind=MeetingKind.QUARTERLY, organizations=None, divisions=()):
    return services.meeting_schedule(
        actor=world.policy,
        kind=kind,
        title=f"{kind} meeting {start:%Y-%m-%d}",
        starts_at=start,
        ends_at=start + 2 * HOUR,
        place="会议室",
        agenda="议程",
        organizations=organizations,
        divisions=divisions,
    )


def levels(response):
    """The message levels shown on the page a redirect led to."""
    return [m.level for m in response.context["messages"]]


def invited_org_ids(meeting):
    return set(meeting.invitations.values_list("organization_id", flat=True))


# --- scheduling ------------------------------------------------------------------------------


def test_policy_schedules_this_quarters_meeting_inviting_all_active_orgs(world, login):
    gone = OrganizationFactory(status=OrgStatus.DEREGISTERED)
    start = this_quarter_start()
    client = login(world.policy)

    response = client.post(
        reverse("meetings:meeting_create"),
        form_data(start, invited_divisions=[world.office_div.pk]),
    )

    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("meetings:meeting_detail", args=[meeting.pk])
    assert meeting.kind == MeetingKind.QUARTERLY
    assert meeting.status == MeetingStatus.SCHEDULED
    assert (meeting.year, meeting.quarter) == services.quarter_of(start)
    assert meeting.starts_at == start
    assert meeting.scheduled_by == world.policy
    assert invited_org_ids(meeting) == {world.org_a.pk, world.org_b.pk}
    assert gone.pk not in invited_org_ids(meeting)
    assert list(meeting.invited_divisions.all()) == [world.office_div]
    assert set(meeting.invitations.values_list("response", flat=True)) == {InvitationAnswer.PENDING}


def test_policy_invites_only_the_orgs_of_chosen_liaison_divisions(world, login):
    client = login(world.policy_head)

    response = client.post(
        reverse("meetings:meeting_create"),
        form_data(this_quarter_start(), invite_all=None, liaison_divisions=[world.div_a.pk]),
    )

    assert response.status_code == 302
    assert invited_org_ids(Meeting.objects.get()) == {world.org_a.pk}


def test_neither_all_nor_chosen_divisions_is_refused(world, login):
    client = login(world.policy)

    response = client.post(
        reverse("meetings:meeting_create"), form_data(this_quarter_start(), invite_all=None)
    )

    assert response.status_code == 200
    assert "liaison_divisions" in response.context["form"].errors
    assert not Meeting.objects.exists()


def test_second_quarterly_meeting_in_the_same_quarter_is_refused(world, login):
    client = login(world.policy)
    start = this_quarter_start()
    assert client.post(reverse("meetings:meeting_create"), form_data(start)).status_code == 302
    other = start + datetime.timedelta(minutes=30)
    if services.quarter_of(other) != services.quarter_of(start):
        other = start - datetime.timedelta(minutes=30)

    response = client.post(
        reverse("meetings:meeting_create"), form_data(other, title="又一次季度例会")
    )

    assert response.status_code == 200
    errors = response.context["form"].errors["starts_at"]
    year, _quarter = services.quarter_of(start)
    assert any(str(year) in e for e in errors), errors
    assert Meeting.objects.count() == 1


def test_a_special_meeting_in_the_same_quarter_is_allowed(world, login):
    client = login(world.policy)
    start = this_quarter_start()
    client.post(reverse("meetings:meeting_create"), form_data(start))

    response = client.post(
        reverse("meetings:meeting_create"),
        form_data(start, kind=MeetingKind.SPECIAL, title="专题会议"),
    )

    assert response.status_code == 302
    assert Meeting.objects.count() == 2


def test_a_cancelled_quarterly_meeting_frees_its_quarter(world, login):
    start = this_quarter_start()
    first = schedule(world, start)
    services.meeting_cancel(
        actor=world.policy, meeting=first, expected_version=first.version, reason="改期"
    )
    client = login(world.policy)

    response = client.post(reverse("meetings:meeting_create"), form_data(start))

    assert response.status_code == 302
    assert Meeting.objects.filter(status=MeetingStatus.SCHEDULED).count() == 1


# --- answers ---------------------------------------------------------------------------------


def respond(client, meeting, **data):
    return client.post(reverse("meetings:meeting_respond", args=[meeting.pk]), data, follow=True)


def test_org_user_answers_attending_with_names_then_declines(world, login):
    meeting = schedule(world, timezone.now() + 10 * DAY)
    invitation = MeetingInvitation.objects.get(meeting=meeting, organization=world.org_a)
    client = login(world.org_a1)

    # Attending needs the names of who will come.
    response = respond(client, meeting, response=InvitationAnswer.ATTENDING, attendees="  ")
    assert levels(response) == [message_levels.ERROR]
    invitation.refresh_from_db()
    assert invitation.response == InvitationAnswer.PENDING

    response = respond(client, meeting, response=InvitationAnswer.ATTENDING, attendees="张三、李四")
    assert response.redirect_chain[-1][0] == reverse("meetings:meeting_detail", args=[meeting.pk])
    assert levels(response) == [message_levels.SUCCESS]
    invitation.refresh_from_db()
    assert invitation.response == InvitationAnswer.ATTENDING
    assert invitation.attendees == "张三、李四"
    assert invitation.responded_by == world.org_a1
    assert invitation.responded_at is not None

    response = respond(client, meeting, response=InvitationAnswer.DECLINED, attendees="张三")
    assert levels(response) == [message_levels.SUCCESS]
    invitation.refresh_from_db()
    assert invitation.response == InvitationAnswer.DECLINED
    assert invitation.attendees == ""
    # Org B's invitation is untouched.
    other = MeetingInvitation.objects.get(meeting=meeting, organization=world.org_b)
    assert other.response == InvitationAnswer.PENDING


def test_org_user_cannot_answer_for_another_org(world, login):
    meeting = schedule(world, timezone.now() + 10 * DAY, organizations=[world.org_a])
    client = login(world.org_b1)

    response = client.post(
        reverse("meetings:meeting_respond", args=[meeting.pk]),
        {"response": InvitationAnswer.ATTENDING, "attendees": "王五"},
    )

    assert response.status_code == 404
    invitation = MeetingInvitation.objects.get(meeting=meeting)
    assert (invitation.response, invitation.attendees) == (InvitationAnswer.PENDING, "")
    assert not MeetingInvitation.objects.filter(organization=world.org_b).exists()


def test_org_user_cannot_answer_after_the_start(world, login):
    meeting = schedule(world, timezone.now() - HOUR, kind=MeetingKind.SPECIAL)
    client = login(world.org_a1)

    response = respond(client, meeting, response=InvitationAnswer.DECLINED)

    assert levels(response) == [message_levels.ERROR]
    invitation = MeetingInvitation.objects.get(meeting=meeting, organization=world.org_a)
    assert invitation.response == InvitationAnswer.PENDING
    assert invitation.responded_at is None


def test_org_user_cannot_answer_a_cancelled_meeting(world, login):
    meeting = schedule(world, timezone.now() + 10 * DAY)
    services.meeting_cancel(
        actor=world.policy, meeting=meeting, expected_version=meeting.version, reason="取消"
    )
    client = login(world.org_a1)

    response = respond(client, meeting, response=InvitationAnswer.ATTENDING, attendees="张三")

    assert levels(response) == [message_levels.ERROR]
    assert (
        MeetingInvitation.objects.get(meeting=meeting, organization=world.org_a).response
        == InvitationAnswer.PENDING
    )


# --- attendance --------------------------------------------------------------------------------


def record(client, meeting, attended, minutes="会议纪要"):
    return client.post(
        reverse("meetings:meeting_attendance", args=[meeting.pk]),
        {"attended": [str(pk) for pk in attended], "minutes": minutes},
        follow=True,
    )


def test_attendance_and_minutes_are_recorded_after_the_start(world, login):
    meeting = schedule(world, timezone.now() - HOUR, kind=MeetingKind.SPECIAL)
    client = login(world.policy)

    response = record(client, meeting, [world.org_a.pk])

    assert levels(response) == [message_levels.SUCCESS]
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD
    assert meeting.minutes == "会议纪要"
    attended = dict(meeting.invitations.values_list("organization_id", "attended"))
    assert attended == {world.org_a.pk: True, world.org_b.pk: False}


def test_attendance_is_not_recorded_before_the_start(world, login):
    meeting = schedule(world, timezone.now() + 10 * DAY)
    client = login(world.policy)

    response = record(client, meeting, [world.org_a.pk])

    assert levels(response) == [message_levels.ERROR]
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.SCHEDULED
    assert meeting.minutes == ""
    assert set(meeting.invitations.values_list("attended", flat=True)) == {None}


def test_attendance_is_not_recorded_by_others(world, login):
    meeting = schedule(world, timezone.now() - HOUR, kind=MeetingKind.SPECIAL)
    for user in (world.liaison_a, world.leader, world.org_a1):
        response = login(user).post(
            reverse("meetings:meeting_attendance", args=[meeting.pk]),
            {"attended": [str(world.org_a.pk)], "minutes": "x"},
        )
        assert response.status_code == 403, user
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.SCHEDULED


# --- absent from the last two quarterly meetings ---------------------------------------------


def held_quarterly(world, start, attended):
    meeting = schedule(world, start)
    services.attendance_record(
        actor=world.policy, meeting=meeting, attended_org_ids=[o.pk for o in attended]
    )
    return meeting


@pytest.fixture
def absences(world):
    """Three past quarters (more than 92 days apart, so in three quarters):

    - org A came to the oldest one only: absent from the last two, flagged;
    - org B came to the middle one, org C to the latest one: not flagged.
    """
    world.org_c = OrganizationFactory(name="上海市园林绿化工程协会")
    now = timezone.now()
    held_quarterly(world, now - 300 * DAY, [world.org_a])
    held_quarterly(world, now - 200 * DAY, [world.org_b])
    held_quarterly(world, now - 100 * DAY, [world.org_c])
    # Neither a held special meeting nor this quarter's scheduled one counts.
    special = schedule(world, now - 50 * DAY, kind=MeetingKind.SPECIAL)
    services.attendance_record(actor=world.policy, meeting=special, attended_org_ids=[])
    schedule(world, this_quarter_start())
    return world


def test_selector_flags_orgs_absent_from_the_last_two_held_quarterlies(absences):
    flagged = selectors.orgs_missing_two_quarterlies(Organization.objects.all())
    assert list(flagged) == [absences.org_a]
    assert selectors.missed_two_quarterlies(absences.org_a)
    assert not selectors.missed_two_quarterlies(absences.org_b)
    assert not selectors.missed_two_quarterlies(absences.org_c)


def test_nobody_is_flagged_before_two_quarterlies_were_held(world):
    held_quarterly(world, timezone.now() - 100 * DAY, [])
    assert not selectors.orgs_missing_two_quarterlies(Organization.objects.all()).exists()


def test_org_profile_shows_the_absence_badge(absences, login):
    client = login(absences.policy)

    flagged = client.get(reverse("orgs:detail", args=[absences.org_a.pk]))
    not_flagged = client.get(reverse("orgs:detail", args=[absences.org_b.pk]))

    assert flagged.status_code == not_flagged.status_code == 200
    assert flagged.context["missed_two_meetings"] is True
    assert not_flagged.context["missed_two_meetings"] is False
    badge = 'class="badge text-bg-warning"'
    assert badge in flagged.content.decode()
    assert badge not in not_flagged.content.decode()


def test_policy_home_page_lists_the_absent_orgs(absences, login):
    response = login(absences.policy).get(reverse("home"))

    assert response.status_code == 200
    assert list(response.context["missed_two"]) == [absences.org_a]
    assert reverse("orgs:detail", args=[absences.org_a.pk]) in response.content.decode()


# --- special meetings ------------------------------------------------------------------------


def test_leader_requests_a_special_meeting_and_policy_schedules_it(world, login):
    response = login(world.leader).post(
        reverse("meetings:special_request_create"),
        {"topic": "古树名木保护专题", "reason": "近期多起古树受损事件"},
    )
    assert response.status_code == 302
    special = SpecialMeetingRequest.objects.get()
    assert special.status == RequestStatus.OPEN
    assert special.requested_by == world.leader

    # Every Policy member finds it in the inbox, nobody else does.
    told = Notification.objects.filter(title__contains="古树名木保护专题")
    assert {n.recipient for n in told} == {world.policy, world.policy_head}

    client = login(world.policy)
    form_page = client.get(reverse("meetings:meeting_create"), {"request": special.pk})
    assert form_page.status_code == 200
    assert form_page.context["form"].initial["title"] == "古树名木保护专题"
    assert form_page.context["form"].initial["kind"] == MeetingKind.SPECIAL

    start = timezone.now() + 5 * DAY
    response = client.post(
        reverse("meetings:meeting_create"),
        form_data(
            start,
            kind=MeetingKind.SPECIAL,
            title="古树名木保护专题会议",
            request=str(special.pk),
            invite_all=None,
            liaison_divisions=[world.div_a.pk],
        ),
    )

    assert response.status_code == 302
    special.refresh_from_db()
    assert special.status == RequestStatus.SCHEDULED
    assert special.meeting is not None
    assert special.meeting.kind == MeetingKind.SPECIAL
    assert (special.meeting.year, special.meeting.quarter) == (None, None)
    assert invited_org_ids(special.meeting) == {world.org_a.pk}


def test_a_handled_request_cannot_be_scheduled_again(world, login):
    special = services.special_request_create(actor=world.leader, topic="专题", reason="理由")
    client = login(world.policy)
    data = form_data(timezone.now() + 5 * DAY, kind=MeetingKind.SPECIAL, request=str(special.pk))
    assert client.post(reverse("meetings:meeting_create"), data).status_code == 302

    again = client.post(reverse("meetings:meeting_create"), data)

    assert again.status_code == 404
    assert Meeting.objects.count() == 1


def test_only_leaders_request_special_meetings(world, login):
    for user in (world.policy, world.liaison_a, world.org_a1):
        response = login(user).post(
            reverse("meetings:special_request_create"), {"topic": "t", "reason": "r"}
        )
        assert response.status_code == 403, user
    assert not SpecialMeetingRequest.objects.exists()


# --- who may organize ------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["leader", "office", "liaison_a", "org_a1"])
def test_non_organizers_get_403_on_create_edit_cancel(world, login, role):
    meeting = schedule(world, timezone.now() + 10 * DAY)
    client = login(getattr(world, role))
    start = timezone.now() + 12 * DAY

    create = client.post(reverse("meetings:meeting_create"), form_data(start, title="x"))
    edit = client.post(
        reverse("meetings:meeting_edit", args=[meeting.pk]),
        {**form_data(start, title="改"), "version": meeting.version},
    )
    cancel = client.post(
        reverse("meetings:meeting_cancel", args=[meeting.pk]),
        {"version": meeting.version, "reason": "不开了"},
    )

    assert (create.status_code, edit.status_code, cancel.status_code) == (403, 403, 403)
    assert Meeting.objects.count() == 1
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.SCHEDULED
    assert meeting.version == 1


def test_organizer_moves_and_cancels_through_the_pages(world, login):
    meeting = schedule(world, timezone.now() + 10 * DAY, kind=MeetingKind.SPECIAL)
    client = login(world.policy)
    new_start = minute(meeting.starts_at + DAY)

    response = client.post(
        reverse("meetings:meeting_edit", args=[meeting.pk]),
        {**form_data(new_start, title="改期后的专题会议"), "version": meeting.version},
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.title, meeting.starts_at, meeting.version) == ("改期后的专题会议", new_start, 2)
    assert meeting.rescheduled_at is not None

    # A stale version (someone else saved meanwhile) is refused.
    stale = client.post(
        reverse("meetings:meeting_cancel", args=[meeting.pk]), {"version": 1, "reason": "取消"}
    )
    assert stale.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.SCHEDULED

    client.post(
        reverse("meetings:meeting_cancel", args=[meeting.pk]),
        {"version": meeting.version, "reason": "台风预警"},
    )
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CANCELLED
    assert meeting.cancel_reason == "台风预警"
    assert meeting.cancelled_at is not None
