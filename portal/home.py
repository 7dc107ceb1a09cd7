"""The home page frame: each app contributes its own panels.

An app registers, from its ``AppConfig.ready()``, the panels it owns: where the panel goes
(``order``), its template, and a function that returns the panel's data for a user (nothing:
the panel is not shown). The frame asks each panel in order and renders their templates with
the data of all of them, so two panels never use the same name.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from . import calendar, rules


@dataclass(frozen=True)
class Panel:
    order: int
    template: str
    data: Callable  # user -> dict (empty or None: not shown)


PANELS = []


def register(*, order, template, data):
    panel = Panel(order, template, data)
    if panel not in PANELS:
        PANELS.append(panel)
        PANELS.sort(key=lambda p: p.order)
    return panel


def context(user):
    """The home page of ``user``: the templates of the panels to show, and their data."""
    result = {}
    templates = []
    for panel in PANELS:
        data = panel.data(user)
        if not data:
            continue
        clash = result.keys() & data.keys()
        if clash:
            raise ImproperlyConfigured(f"home panels share the names {sorted(clash)}")
        result.update(data)
        templates.append(panel.template)
    result["panels"] = templates
    return result


def unconfirmed_calendar(user):
    """This year and next, if the State Council's schedule is not entered yet: told to those who
    keep the registry (admins and the Policy division), who enter it."""
    if not rules.allows(user, "registry_editor"):
        return None
    today = timezone.localdate()
    years = [y for y in (today.year, today.year + 1) if not calendar.year_confirmed(y)]
    return {"unconfirmed_years": years}
