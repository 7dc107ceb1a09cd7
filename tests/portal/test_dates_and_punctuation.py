"""Dates as the reader's language writes them, one date for a one-day span, and full-width
punctuation between the pieces the Chinese pages join."""

import datetime

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone, translation

from reports import services
from reports.models import MatterType
from tests.factories import filing_fields

DAY = datetime.date(2026, 12, 28)


def render(source, **context):
    return Template("{% load portal_tags %}" + source).render(Context(context))


@pytest.mark.parametrize(
    ("language", "expected"), [("zh-hans", "2026年12月28日"), ("en", "28 Dec 2026")]
)
def test_dates_in_the_readers_format(language, expected):
    with translation.override(language):
        assert render("{{ d|date }}", d=DAY) == expected
        assert render("{{ d|daterange:d }}", d=DAY) == expected  # one day: one date


def test_date_ranges():
    with translation.override("zh-hans"):
        end = DAY + datetime.timedelta(days=1)
        assert render("{{ a|daterange:b }}", a=DAY, b=end) == "2026年12月28日至2026年12月29日"
        assert render("{{ a|daterange:b }}", a=DAY, b=None) == "2026年12月28日至—"
        assert render("{{ a|daterange:b }}", a=None, b=None) == "—"
        start = timezone.make_aware(datetime.datetime(2026, 12, 28, 14, 0))
        assert (
            render("{{ a|daterange:b }}", a=start, b=start + datetime.timedelta(hours=2))
            == "2026年12月28日 14:00—16:00"
        )


def test_one_day_event_on_the_filing_page(world, login):
    matter = MatterType.objects.get(code="major_matter")
    data = filing_fields(
        matter,
        title="行业峰会",
        event_start=DAY,
        event_end=DAY,
        details={"category": "major_activity"},
    )
    filing = services.filing_create(
        actor=world.org_a1, organization=world.org_a, matter=matter, **data
    )
    html = login(world.org_a1).get(reverse("reports:detail", args=[filing.pk])).text
    assert "2026年12月28日" in html
    assert "2026-12-28" not in html and "2026年12月28日 – 2026年12月28日" not in html


def test_full_width_punctuation_in_chinese(world, login):
    html = login(world.admin).get(reverse("orgs:assign", args=[world.org_a.pk])).text
    assert "当前归口联系处室：" in html
    assert "当前归口联系处室: " not in html
    assert "（初始归口；管理员）" in html


def test_half_width_punctuation_in_english():
    with translation.override("en"):
        assert render('{% punct "colon" %}{{ x|parenthesized }}', x="a") == ":  (a)"
