"""Seed the working-day calendar from the chinese-calendar package for the years it knows."""

from django.db import migrations

FIRST_YEAR = 2020


def seed(apps, schema_editor):
    import chinese_calendar

    CalendarDay = apps.get_model("portal", "CalendarDay")
    rows = []
    for day, name in chinese_calendar.holidays.items():
        if day.year >= FIRST_YEAR:
            rows.append(CalendarDay(date=day, kind="holiday", name=str(name)))
    for day, name in chinese_calendar.workdays.items():
        # ``workdays`` lists every adjusted workday, and only those on weekends matter.
        if day.year >= FIRST_YEAR and day.weekday() >= 5:
            rows.append(CalendarDay(date=day, kind="workday", name=str(name)))
    CalendarDay.objects.bulk_create(rows, ignore_conflicts=True)


def unseed(apps, schema_editor):
    apps.get_model("portal", "CalendarDay").objects.filter(date__year__gte=FIRST_YEAR).delete()


class Migration(migrations.Migration):
    dependencies = [("portal", "0002_calendar_notifications")]
    operations = [migrations.RunPython(seed, unseed)]
