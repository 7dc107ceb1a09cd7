import datetime
import itertools

import factory
from django import forms
from django.core.exceptions import ValidationError

from duties.models import Division, DivisionKind
from orgs.credit_code import make_code
from orgs.models import ManagementMode, Organization, OrgStatus, OrgType
from reports.matter_forms import COLUMN_FIELDS, clean_filing_fields, form_for

_seq = itertools.count(1)


def credit_code(type_digit="1"):
    return make_code(f"5{type_digit}310000MJ{next(_seq):07d}")


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"上海市测试社会组织{n:04d}")
    credit_code = factory.LazyFunction(credit_code)
    org_type = OrgType.INDUSTRY_ASSOCIATION
    management_mode = ManagementMode.DIRECT
    status = OrgStatus.ACTIVE


def _sample(name, field, start):
    if isinstance(field, forms.DateField):
        return start + datetime.timedelta(days=1) if name == "event_end" else start
    if isinstance(field, forms.TypedChoiceField) and field.choices[0][0] is False:
        return False
    if isinstance(field, forms.MultipleChoiceField):
        return [next(value for value, _label in field.choices if value)]
    if isinstance(field, forms.ChoiceField):
        return next(value for value, _label in field.choices if value not in ("", None))
    if isinstance(field, forms.IntegerField):
        return max(1, field.min_value or 0)
    if isinstance(field, forms.DecimalField):
        return "1000"
    if isinstance(field, forms.EmailField):
        return "contact@example.org"
    if name == "phone" or name.endswith("_phone"):
        return "021-12345678"
    if isinstance(field, forms.BooleanField):
        return True
    return "测试内容"[: field.max_length or 20]


def filing_fields(matter, *, title=None, event_start=None, event_end=None, details=None):
    """What ``services.filing_create`` takes for ``matter``: the values given, and a valid value
    for every other required field of the matter's schema (``reports.matter_forms``)."""
    fields = form_for(matter)().fields
    start = event_start or datetime.date.today() + datetime.timedelta(days=90)
    details = dict(details or {})
    given_names = set(details)
    for name, field in fields.items():
        if name in COLUMN_FIELDS or name in details or not field.required:
            continue
        details[name] = _sample(name, field, start)
    if event_start is None and fields.get("event_start") and fields["event_start"].required:
        event_start = start
    if event_end is None and fields.get("event_end") and fields["event_end"].required:
        event_end = _sample("event_end", fields["event_end"], start)
    # Fields a rule requires of the values chosen (a grade for a grade evaluation...).
    for _round in range(3):
        try:
            clean_filing_fields(
                matter,
                title=title or "x",
                event_start=event_start,
                event_end=event_end,
                details=details,
            )
            break
        except ValidationError as exc:
            missing = [n for n in exc.message_dict if n in fields and n not in given_names]
            if not missing:
                break
            for name in missing:
                if name == "event_start":
                    event_start = start
                elif name == "event_end":
                    event_end = _sample("event_end", fields[name], start)
                else:
                    details[name] = _sample(name, fields[name], start)
    return {
        "title": title or f"{matter.name_zh}（测试）",
        "event_start": event_start,
        "event_end": event_end,
        "details": details,
    }


def division(admin, name, kind=DivisionKind.LIAISON):
    from duties.services import division_create

    return division_create(actor=admin, name=name, kind=kind)


__all__ = ["OrganizationFactory", "Division", "credit_code", "division", "filing_fields"]
