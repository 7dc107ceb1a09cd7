"""Working days on the official Chinese calendar, with its adjusted workdays (调休).

The calendar is data (``CalendarDay``). For a year without rows the statutory holidays of the
``holidays`` package stand in, and ``year_confirmed`` says so, so the admin dashboard can ask for
the State Council's schedule.
"""

import datetime
from functools import lru_cache

import holidays as holidays_lib
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

CACHE_KEY = "portal:calendar:{year}:{stamp}"
STAMP_KEY = "portal:calendar:stamp"


def _stamp():
    stamp = cache.get(STAMP_KEY)
    if stamp is None:
        stamp = 1
        cache.set(STAMP_KEY, stamp, None)
    return stamp


@lru_cache(maxsize=64)
def _fallback(year):
    return {d: "holiday" for d in holidays_lib.China(years=year)}


def _exceptions(year):
    """{date: 'holiday' | 'workday'} for ``year``, and whether the year has confirmed data."""
    # Inside a transaction that changed the calendar, read without caching: a rollback must not
    # leave an answer built from rows that never existed.
    uncommitted = _changed_in_this_transaction()
    key = CACHE_KEY.format(year=year, stamp=_stamp())
    hit = None if uncommitted else cache.get(key)
    if hit is None:
        from .models import CalendarDay

        rows = dict(CalendarDay.objects.filter(date__year=year).values_list("date", "kind"))
        hit = (rows, True) if rows else (_fallback(year), False)
        if not uncommitted:
            cache.set(key, hit, 3600)
    return hit


def year_confirmed(year):
    return _exceptions(year)[1]


def is_workday(day):
    kind = _exceptions(day.year)[0].get(day)
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
    while remaining:
        current += datetime.timedelta(days=step)
        if is_workday(current):
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
    while current < hi:
        current += datetime.timedelta(days=1)
        if is_workday(current):
            count += 1
    return sign * count


SEED_FIRST_YEAR = 2020


def seed_from_package(model=None):
    """Fill the calendar from ``chinese-calendar`` for the years it knows (2020 on); existing days
    are kept. ``model`` lets a migration pass its historical model."""
    import chinese_calendar

    if model is None:
        from .models import CalendarDay as model
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
    _invalidate()
    return len(rows)


def _bump_stamp():
    try:
        cache.incr(STAMP_KEY)
    except ValueError:
        cache.set(STAMP_KEY, 2, None)


@receiver([post_save, post_delete], sender="portal.CalendarDay")
def _invalidate(**kwargs):
    # Now (this transaction must not reuse the old answer) and after the commit.
    _bump_stamp()
    if connection.in_atomic_block:
        # Remember the transaction (its outermost block), not a flag a rollback would leave set.
        connection._calendar_changed_in = connection.atomic_blocks[0]
        transaction.on_commit(_bump_stamp)


def _changed_in_this_transaction():
    return connection.in_atomic_block and (
        getattr(connection, "_calendar_changed_in", None) is connection.atomic_blocks[0]
    )
