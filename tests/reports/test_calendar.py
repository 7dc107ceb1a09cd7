"""Working days on the official calendar: the 2026 Spring Festival and its adjusted workdays.

2026 (State Council schedule, as in chinese-calendar): Spring Festival holidays 15–23 February
(Sunday to Monday); Saturday 14 February and Saturday 28 February are adjusted workdays (调休).
2027 has no rows: the ``holidays`` package stands in until an admin enters the schedule.
"""

import datetime

import chinese_calendar
import pytest
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse

from portal import calendar
from portal.models import CalendarDay
from portal.services import save_with_history
from reports import services
from reports.models import FilingState

from .helpers import create, fresh, submit

D = datetime.date
FESTIVAL = [D(2026, 2, 15) + datetime.timedelta(days=i) for i in range(9)]  # 15–23 Feb
SAT_WORKDAYS = [D(2026, 2, 14), D(2026, 2, 28)]


@pytest.fixture(autouse=True)
def clean_calendar_cache():
    """The calendar cache outlives a test's rolled-back rows; start and end with a clean one."""
    cache.clear()
    yield
    cache.clear()


def test_the_facts_this_module_relies_on():
    for day in FESTIVAL:
        on_holiday, name = chinese_calendar.get_holiday_detail(day)
        assert on_holiday and name == "Spring Festival", day
    for day in SAT_WORKDAYS:
        assert day.weekday() == 5
        on_holiday, name = chinese_calendar.get_holiday_detail(day)
        assert not on_holiday and name == "Spring Festival", day


@pytest.mark.django_db
def test_the_migration_seeded_2026():
    assert calendar.year_confirmed(2026)
    kinds = dict(CalendarDay.objects.filter(date__year=2026).values_list("date", "kind"))
    for day in FESTIVAL:
        assert kinds[day] == "holiday", day
    for day in SAT_WORKDAYS:
        assert kinds[day] == "workday", day
    # Only weekend workdays are stored; an ordinary Monday is no exception.
    assert D(2026, 2, 24) not in kinds
    for year in range(2020, 2027):
        assert CalendarDay.objects.filter(date__year=year).exists(), year


@pytest.mark.django_db
@pytest.mark.parametrize(
    "day, working",
    [
        (D(2026, 2, 13), True),  # Friday before the festival
        (D(2026, 2, 14), True),  # adjusted workday, a Saturday
        (D(2026, 2, 15), False),
        (D(2026, 2, 16), False),  # Monday, festival
        (D(2026, 2, 20), False),  # Friday, festival
        (D(2026, 2, 23), False),  # Monday, last day of the festival
        (D(2026, 2, 24), True),
        (D(2026, 2, 28), True),  # adjusted workday, a Saturday
        (D(2026, 3, 1), False),  # an ordinary Sunday
        (D(2026, 3, 7), False),  # an ordinary Saturday
    ],
)
def test_is_workday(day, working):
    assert calendar.is_workday(day) is working


@pytest.mark.django_db
@pytest.mark.parametrize(
    "start, n, expected",
    [
        (D(2026, 2, 12), 0, D(2026, 2, 12)),
        (D(2026, 2, 12), 1, D(2026, 2, 13)),
        (D(2026, 2, 12), 2, D(2026, 2, 14)),  # the working Saturday counts
        (D(2026, 2, 12), 3, D(2026, 2, 24)),  # the festival is skipped
        (D(2026, 2, 13), 5, D(2026, 2, 27)),
        (D(2026, 2, 13), 6, D(2026, 2, 28)),  # the second working Saturday
        (D(2026, 2, 13), 7, D(2026, 3, 2)),
        (D(2026, 2, 16), 1, D(2026, 2, 24)),  # from inside the festival
        (D(2026, 2, 16), 0, D(2026, 2, 16)),  # zero returns the day itself, even a holiday
        (D(2026, 2, 24), -1, D(2026, 2, 14)),
        (D(2026, 2, 24), -2, D(2026, 2, 13)),
        (D(2026, 3, 2), -1, D(2026, 2, 28)),
        (D(2026, 2, 12), 15, D(2026, 3, 11)),
    ],
)
def test_add_workdays_across_the_festival(start, n, expected):
    assert calendar.add_workdays(start, n) == expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    "start, end, expected",
    [
        (D(2026, 2, 13), D(2026, 2, 13), 0),
        (D(2026, 2, 13), D(2026, 2, 24), 2),  # the working Saturday and the 24th
        (D(2026, 2, 24), D(2026, 2, 13), -2),
        (D(2026, 2, 14), D(2026, 2, 23), 0),  # all festival
        (D(2026, 2, 12), D(2026, 3, 2), 8),
        (D(2026, 2, 6), D(2026, 2, 12), 4),
    ],
)
def test_workdays_between(start, end, expected):
    assert calendar.workdays_between(start, end) == expected


@pytest.mark.django_db
def test_agrees_with_chinese_calendar_around_the_festival():
    """A reference count straight from chinese-calendar for every start in Jan–Mar 2026."""

    def reference_add(day, n):
        step = 1 if n >= 0 else -1
        while n:
            day += datetime.timedelta(days=step)
            if chinese_calendar.is_workday(day):
                n -= step
        return day

    day = D(2026, 1, 20)
    while day < D(2026, 3, 20):
        for n in (-12, -5, -1, 1, 3, 10, 20):
            assert calendar.add_workdays(day, n) == reference_add(day, n), (day, n)
            end = calendar.add_workdays(day, n)
            assert calendar.workdays_between(end, day) == -calendar.workdays_between(day, end)
            if n > 0:  # forwards the two are inverses
                assert calendar.workdays_between(day, end) == n, (day, n)
        day += datetime.timedelta(days=1)


# --- a year without the official schedule ------------------------------------------------------


@pytest.mark.django_db
def test_2027_falls_back_to_the_statutory_holidays():
    assert not CalendarDay.objects.filter(date__year=2027).exists()
    assert calendar.year_confirmed(2027) is False
    assert calendar.is_workday(D(2027, 1, 1)) is False  # New Year's Day, a Friday
    assert calendar.is_workday(D(2027, 2, 8)) is False  # Spring Festival, a Monday
    assert calendar.is_workday(D(2027, 2, 11)) is True  # an ordinary Thursday
    # Crossing the year boundary uses each year's own data.
    assert calendar.add_workdays(D(2026, 12, 31), 1) == D(2027, 1, 4)


@pytest.mark.django_db
def test_an_admin_entry_for_2027_changes_the_answer(world, django_capture_on_commit_callbacks):
    day = D(2027, 2, 11)  # Thursday
    assert calendar.is_workday(day) is True  # read once, so the answer is cached
    assert calendar.add_workdays(D(2027, 2, 10), 1) == day
    with django_capture_on_commit_callbacks(execute=True):
        entry = CalendarDay(date=day, kind="holiday", name="春节（国务院安排）")
        save_with_history(entry, actor=world.admin)
    assert calendar.year_confirmed(2027) is True
    assert calendar.is_workday(day) is False
    assert calendar.add_workdays(D(2027, 2, 10), 1) == D(2027, 2, 12)
    assert entry.history.get().history_user == world.admin

    with django_capture_on_commit_callbacks(execute=True):
        saturday = CalendarDay.objects.create(date=D(2027, 2, 20), kind="workday", name="调休")
    assert calendar.is_workday(D(2027, 2, 20)) is True
    with django_capture_on_commit_callbacks(execute=True):
        saturday.delete()
    assert calendar.is_workday(D(2027, 2, 20)) is False


@pytest.mark.django_db
def test_a_rolled_back_entry_does_not_stay_in_the_cache():
    day = D(2027, 3, 1)  # Monday
    assert calendar.is_workday(day) is True
    with pytest.raises(RuntimeError), transaction.atomic():
        CalendarDay.objects.create(date=day, kind="holiday", name="误录")
        calendar.is_workday(day)  # something reads the calendar in the same transaction
        raise RuntimeError("rolled back")
    assert not CalendarDay.objects.filter(date=day).exists()
    assert calendar.is_workday(day) is True


# --- filings across the festival ------------------------------------------------------------


@pytest.fixture
def on_day(monkeypatch):
    """Pretend that today is ``day`` for the workflow's deadline arithmetic."""

    def _set(day):
        monkeypatch.setattr(services, "_today", lambda: day)

    return _set


def major_matter(world, start):
    return create(world.org_a1, world.org_a, "major_matter", event_start=start, event_end=start)


@pytest.mark.django_db
def test_lateness_across_the_festival(world, on_day, login):
    """Ten working days before Friday 27 February 2026 is Friday 6 February: the festival pushes
    the deadline back a week. Counting weekdays only it would be 13 February."""
    event = D(2026, 2, 27)
    assert calendar.add_workdays(event, -10) == D(2026, 2, 6)

    on_day(D(2026, 2, 12))  # six days ahead of the event by the weekday count, yet late
    late = submit(world.org_a1, major_matter(world, event))
    assert late.late_days == 4  # 9, 10, 11 and 12 February
    assert late.review_due_on == D(2026, 3, 11)  # 15 working days, the festival skipped

    on_day(D(2026, 2, 5))
    on_time = submit(world.org_a1, major_matter(world, event))
    assert on_time.late_days is None

    on_day(D(2026, 2, 6))  # on the last day
    assert submit(world.org_a1, major_matter(world, event)).late_days is None

    on_day(D(2026, 2, 24))  # first day back: the working Saturday counts too
    assert submit(world.org_a1, major_matter(world, event)).late_days == 7

    page = login(world.liaison_a).get(reverse("reports:detail", kwargs={"pk": late.pk}))
    assert "迟报4个工作日" in page.content.decode()


@pytest.mark.django_db
def test_summary_due_counts_working_days_after_the_event(world, on_day):
    from .helpers import decide, give_all_opinions, start_review

    on_day(D(2026, 1, 5))
    filing = submit(world.org_a1, major_matter(world, D(2026, 2, 13)))
    start_review(world.liaison_a, filing)
    give_all_opinions(filing)
    decide(world.head_a, filing)
    filing = fresh(filing)
    assert filing.state == FilingState.ACKNOWLEDGED
    # Ten working days after Friday 13 February: 14, 24–28 February, 2–5 March.
    assert filing.summary_due_on == D(2026, 3, 5)


@pytest.mark.django_db
def test_a_report_flagged_late_always_shows_how_late(world, on_day, login):
    event = D(2026, 2, 27)  # deadline Friday 6 February
    on_day(D(2026, 2, 7))  # Saturday, not a working day
    filing = submit(world.org_a1, major_matter(world, event))
    flagged = login(world.liaison_a).get(reverse("reports:queue"), {"flag": "late"})
    listed = filing.pk in [f.pk for f in flagged.context["page"].object_list]
    assert listed == bool(filing.late_days)
    assert filing.late_days is None or filing.late_days > 0
