"""Dates and times within plausible years (portal.validators), on every form and API; a row that
slipped in before does not stop the reminder sweep or give a 500."""

import datetime
import logging

import pytest
from django.utils import timezone

from meetings.forms import MeetingScheduleForm
from meetings.models import Meeting
from orgs.forms import OrganizationForm
from portal import clock
from reports import workflow
from reports.models import Filing
from tests.api.conftest import API, major_matter_details, matter
from tests.portal.test_clock import schedule, soon
from tests.reports.helpers import attach, create

OUT_OF_RANGE = "日期须在1949年至2100年之间。"


def test_the_api_refuses_a_registration_date_in_year_0001(world, api):
    response = api(world.admin).post(
        f"{API}/organizations/",
        {
            "name": "上海市测试协会",
            "org_type": "association",
            "management_mode": "direct",
            "credit_code": "51310000MA1FL1234X",
            "registered_on": "0001-01-01",
        },
        format="json",
    )
    assert response.status_code == 400, response.content
    assert response.json()["registered_on"] == [OUT_OF_RANGE]


def test_the_organization_form_refuses_a_term_ending_in_9999(world):
    form = OrganizationForm(data={"term_end": "9999-12-31"})
    assert not form.is_valid()
    assert OUT_OF_RANGE in form.errors["term_end"]


def test_the_meeting_form_refuses_year_0001(world):
    form = MeetingScheduleForm(
        data={"starts_at": "0001-01-01T09:00", "ends_at": "0001-01-01T11:00", "title": "会"}
    )
    assert not form.is_valid()
    assert OUT_OF_RANGE in form.errors["starts_at"]


@pytest.mark.parametrize("day", ["0001-01-01", "1900-01-01", "9999-12-31"])
def test_the_filing_api_refuses_an_event_out_of_range(world, api, day):
    response = api(world.org_a1).post(
        f"{API}/filings/",
        {
            "matter": "major_matter",
            "title": "年会",
            "details": major_matter_details(event_start=day, event_end="2030-01-01"),
        },
        format="json",
    )
    assert response.status_code == 400, response.content
    assert OUT_OF_RANGE in str(response.json())


def test_a_draft_dated_year_0001_is_refused_on_submit_not_a_500(world, api, client):
    draft = create(world.org_a1, world.org_a, "major_matter", title="旧草稿")
    attach(world.org_a1, draft)
    Filing.objects.filter(pk=draft.pk).update(
        event_start=datetime.date(1, 1, 1), event_end=datetime.date(1, 1, 2)
    )
    version = Filing.objects.get(pk=draft.pk).version
    response = api(world.org_a1).post(
        f"{API}/filings/{draft.pk}/submit/", {"version": version}, format="json"
    )
    assert 400 <= response.status_code < 500, response.content
    assert "1949" in str(response.json())
    assert Filing.objects.get(pk=draft.pk).state == "draft"


def test_lateness_is_not_computed_for_a_date_out_of_range(world):
    major = matter("major_matter")
    today = timezone.localdate()
    assert workflow.late_days(major, datetime.date(1900, 1, 1), today) is None
    assert workflow.late_days(major, datetime.date(1, 1, 1), today) is None


def test_a_meeting_in_year_0001_does_not_stop_the_sweep(world, caplog):
    good = schedule(world, soon() + datetime.timedelta(days=10), divisions=[world.office_div])
    bad = schedule(world, soon() + datetime.timedelta(days=12), divisions=[world.office_div])
    Meeting.objects.filter(pk=bad.pk).update(
        starts_at=datetime.datetime(1, 1, 1, 9, tzinfo=datetime.UTC),
        ends_at=datetime.datetime(1, 1, 1, 11, tzinfo=datetime.UTC),
    )
    with caplog.at_level(logging.ERROR, logger="portal.clock"):
        result = clock.run(timezone.now() + datetime.timedelta(minutes=1))
    assert result["sent"] > 0
    kinds = set(
        clock.Reminder.objects.filter(subject_type="meeting", subject_id=good.pk).values_list(
            "kind", flat=True
        )
    )
    assert "meeting_invite" in kinds
    assert not clock.Reminder.objects.filter(subject_type="meeting", subject_id=bad.pk).exists()
    assert any("could not be planned" in r.getMessage() for r in caplog.records)
