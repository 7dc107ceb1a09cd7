"""get_FOO_display() through portal.choices.ChoiceLabels: the active language, every call."""

from django.utils import translation

from orgs.models import Organization, OrgStatus


def test_labels_follow_the_active_language():
    org = Organization(status=OrgStatus.ACTIVE)
    with translation.override("en"):
        english = org.get_status_display()
    with translation.override("zh-hans"):
        chinese = org.get_status_display()
    assert english == "Active"
    assert chinese not in ("", "Active")
    with translation.override("en"):
        assert org.get_status_display() == english


def test_an_unknown_value_shows_as_it_is():
    assert Organization(status="lost").get_status_display() == "lost"
