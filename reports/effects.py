"""What a matter's positive decision writes to the registry.

A matter declares its effect (``MatterType.decision_effect``); this module says, for a filing,
which registry fields the decision changes and to what (``changes``), shows the reviewer the
before and after (``comparison``), and names what the head must add when deciding
(``decision_form``: the year's result of an annual inspection). ``reports.services.filing_decide``
applies the changes in the decision's own transaction, with the filing named as the reason.
"""

import datetime
from dataclasses import dataclass

from django import forms
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from orgs.models import InspectionResult, Organization, OrgStatus
from portal.forms import CapfirstLabels
from supervision.models import SupervisionRules

from .models import DecisionEffect

E = DecisionEffect

#: The registry field each proposed value of a filing's details becomes, by effect.
PROPOSALS = {
    E.TERM_RENEWAL: {
        "new_term_start": "term_start",
        "new_term_end": "term_end",
        "new_legal_representative": "legal_representative",
        "new_leaders": "leaders",
    },
    E.CHANGE: {
        "new_name": "name",
        "new_domicile": "domicile",
        "new_legal_representative": "legal_representative",
        "new_business_scope": "business_scope",
    },
}


class InspectionDecisionForm(CapfirstLabels, forms.Form):
    inspection_result = forms.ChoiceField(
        label=_("result of the preliminary review"),
        choices=InspectionResult.choices,
        initial=InspectionResult.PASS,
    )


#: What the head gives with a positive decision, by effect.
DECISION_FORMS = {E.ANNUAL_INSPECTION: InspectionDecisionForm}


def decision_form(matter):
    """The form of what a positive decision on ``matter`` must name, or None."""
    return DECISION_FORMS.get(matter.decision_effect)


def _date(value):
    return datetime.date.fromisoformat(value) if isinstance(value, str) and value else value


def _add_years(day, years):
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def changes(filing, *, decided_on):
    """``{registry field: new value}`` the positive decision on ``filing`` writes."""
    effect = filing.matter.decision_effect
    details = filing.details
    if effect in PROPOSALS:
        result = {}
        for key, field in PROPOSALS[effect].items():
            value = details.get(key)
            if value not in (None, ""):
                result[field] = _date(value) if field in ("term_start", "term_end") else value
        return result
    if effect == E.GRADE_OR_DEREGISTRATION:
        if details.get("kind") == "grade" and details.get("grade_sought"):
            years = SupervisionRules.current().grade_validity_years
            return {
                "grade": details["grade_sought"],
                "grade_valid_until": _add_years(decided_on, years),
            }
        if details.get("kind") == "deregistration":
            return {
                "status": OrgStatus.DEREGISTERED,
                "status_changed_on": filing.event_start or decided_on,
                "status_reason": (details.get("reasons") or "")[:500],
            }
    return {}


def inspection_year(filing):
    """The year an annual inspection filing reports on, or None for any other effect."""
    if filing.matter.decision_effect != E.ANNUAL_INSPECTION:
        return None
    year = filing.details.get("year")
    return int(year) if year else None


@dataclass(frozen=True)
class Row:
    label: str
    before: str
    after: str

    @property
    def changed(self):
        return self.before != self.after


def _shown(field, value):
    if value in (None, ""):
        return "—"
    model_field = Organization._meta.get_field(field)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, datetime.date):
        return formats.date_format(value, "DATE_FORMAT")
    return str(value)


def comparison(filing, *, decided_on=None):
    """The registry's fields as they are and as the positive decision would leave them."""
    org = filing.organization
    rows = []
    for field, after in changes(filing, decided_on=decided_on or timezone.localdate()).items():
        label = Organization._meta.get_field(field).verbose_name
        rows.append(
            Row(
                label=str(label),
                before=_shown(field, getattr(org, field)),
                after=_shown(field, after),
            )
        )
    return rows
