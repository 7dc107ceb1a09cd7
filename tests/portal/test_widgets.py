"""PlainSelect writes the same HTML as Django's Select, only faster."""

import pytest
from django import forms
from django.test.html import parse_html

from portal.widgets import PlainSelect

CHOICES = [
    ("", "全部"),
    ("a", "协会 <Association> & “引号”"),
    (1, "一"),
    ("组", [("x", "甲"), ("y", "乙")]),
]


@pytest.mark.parametrize("value", [None, "", "a", 1, "1", "y", ["a"], "<none>"])
@pytest.mark.parametrize(
    "attrs", [None, {"class": "form-select", "id": "id_f"}, {"disabled": True, "data-x": False}]
)
def test_plain_select_matches_django_select(value, attrs):
    django_html = forms.Select(choices=CHOICES).render("f", value, attrs=attrs)
    plain_html = PlainSelect(choices=CHOICES).render("f", value, attrs=attrs)
    assert parse_html(plain_html) == parse_html(django_html)


def test_a_model_choice_field_keeps_its_choices(db):
    from duties.models import Division

    field = forms.ModelChoiceField(
        queryset=Division.objects.all(), widget=PlainSelect, empty_label="全部"
    )
    assert parse_html(field.widget.render("d", None)) == parse_html(
        forms.Select(choices=field.choices).render("d", None)
    )
