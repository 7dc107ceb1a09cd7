"""Working days on the official Chinese calendar, with its adjusted workdays (调休).

The calendar is data (``CalendarDay``). For a year without rows the statutory holidays of the
``holidays`` package stand in, and ``year_confirmed`` says so, so the admin dashboard can ask for
the State Council's schedule.
"""

import datetime
from functools import lru_cache

import chinese_calendar
import holidays as holidays_lib

from . import generations
from .models import CalendarDay


@lru_cache(maxsize=64)
def _fallback(year):
    return {d: "holiday" for d in holidays_lib.China(years=year)}


def _exceptions(year):
    """{date: 'holiday' | 'workday'} for ``year``, and whether the year has confirmed data."""

    def build():
        rows = dict(CalendarDay.objects.filter(date__year=year).values_list("date", "kind"))
        return (rows, True) if rows else (_fallback(year), False)

    return generations.cached(f"portal:calendar:{year}", build, reads=(CalendarDay,))


def year_confirmed(year):
    return _exceptions(year)[1]


def is_workday(day, _years=None):
    """Whether ``day`` is a working day. ``_years`` lets a loop over many days read each year's
    exceptions once instead of once per day."""
    if _years is None:
        exceptions = _exceptions(day.year)[0]
    else:
        if day.year not in _years:
            _years[day.year] = _exceptions(day.year)[0]
        exceptions = _years[day.year]
    kind = exceptions.get(day)
    if kind == "holiday":
        return False
    if kind == "workday":
        return True
    return day.weekday() < 5


def add_workdays(day, n):
    """The date ``n`` working days after ``day`` (``n`` may be negative; 0 returns ``day``)."""
    step = 1 if n >= 0 else -1
    remaining = abs(n)
    current = day
    years = {}
    while remaining:
        current += datetime.timedelta(days=step)
        if is_workday(current, years):
            remaining -= 1
    return current


def workdays_between(start, end):
    """Working days after ``start`` up to and including ``end`` (negative if ``end`` is earlier)."""
    if end == start:
        return 0
    sign = 1 if end > start else -1
    lo, hi = (start, end) if sign > 0 else (end, start)
    count = 0
    current = lo
    years = {}
    while current < hi:
        current += datetime.timedelta(days=1)
        if is_workday(current, years):
            count += 1
    return sign * count


SEED_FIRST_YEAR = 2020


def seed_from_package(model=None):
    """Fill the calendar from ``chinese-calendar`` for the years it knows (2020 on); existing days
    are kept. ``model`` lets a migration pass its historical model."""
    if model is None:
        model = CalendarDay
    rows = [
        model(date=day, kind="holiday", name=str(name))
        for day, name in chinese_calendar.holidays.items()
        if day.year >= SEED_FIRST_YEAR
    ]
    # ``workdays`` lists every adjusted workday; only those on weekends change anything.
    rows += [
        model(date=day, kind="workday", name=str(name))
        for day, name in chinese_calendar.workdays.items()
        if day.year >= SEED_FIRST_YEAR and day.weekday() >= 5
    ]
    model.objects.bulk_create(rows, ignore_conflicts=True)
    generations.bump_models(model)  # a bulk insert sends no signals
    return len(rows)


def add_months(day, months):
    """The date ``months`` calendar months after ``day`` (negative: before), on the same day of
    the month or the month's last day if it has fewer (31 March + 6 months = 30 September)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    last = (datetime.date(year + month // 12, month % 12 + 1, 1) - datetime.timedelta(days=1)).day
    return datetime.date(year, month, min(day.day, last))
