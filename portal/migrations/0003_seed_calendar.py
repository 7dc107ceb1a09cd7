"""Seed the working-day calendar from the chinese-calendar package for the years it knows."""

from django.db import migrations


def seed(apps, schema_editor):
    from portal.calendar import seed_from_package

    seed_from_package(apps.get_model("portal", "CalendarDay"))


def unseed(apps, schema_editor):
    apps.get_model("portal", "CalendarDay").objects.filter(date__year__gte=2020).delete()


class Migration(migrations.Migration):
    dependencies = [("portal", "0002_calendar_notifications")]
    operations = [migrations.RunPython(seed, unseed)]
