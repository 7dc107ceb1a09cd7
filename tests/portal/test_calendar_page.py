"""Policy enters the State Council's schedule in the portal (the Django admin is closed to it)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from portal import calendar, services
from portal.models import CalendarDay

pytestmark = pytest.mark.django_db

D = datetime.date


def test_policy_enters_a_holiday_and_working_days_follow(world, login):
    day = D(2031, 3, 12)
    assert calendar.is_workday(day)  # a Wednesday; no schedule is entered for 2031
    client = login(world.policy)
    page = client.get(reverse("calendar"), {"year": 2031})
    assert page.status_code == 200 and page.context["confirmed"] is False
    response = client.post(
        reverse("calendar"), {"date": "2031-03-12", "kind": "holiday", "name": "调整假日"}
    )
    assert response.status_code == 302
    assert not calendar.is_workday(day)
    assert CalendarDay.objects.get(date=day).history.first().history_user == world.policy


def test_a_day_entered_by_mistake_is_removed_and_kept_in_history(world, login):
    entered = services.calendar_day_set(actor=world.policy, date=D(2031, 5, 5), kind="holiday")
    client = login(world.policy)
    client.post(reverse("calendar_remove", args=[entered.pk]))
    assert not CalendarDay.objects.filter(date=D(2031, 5, 5)).exists()
    assert CalendarDay.history.filter(date=D(2031, 5, 5), history_type="-").exists()


def test_others_may_not_and_bad_input_changes_nothing(world, login):
    with pytest.raises(PermissionDenied):
        services.calendar_day_set(actor=world.liaison_a, date=D(2031, 1, 2), kind="holiday")
    assert login(world.liaison_a).get(reverse("calendar")).status_code == 403
    client = login(world.policy)
    response = client.post(reverse("calendar"), {"date": "0001-01-01", "kind": "holiday"})
    assert response.status_code == 200 and response.context["form"].errors
    response = client.post(reverse("calendar"), {"date": "2031-01-02", "kind": "party"})
    assert response.status_code == 200
    assert not CalendarDay.objects.filter(date__year=2031).exists()
    assert client.get(reverse("calendar"), {"year": "abc"}).status_code == 200
