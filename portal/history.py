"""Turn simple-history rows into a readable change log: who changed what, when and why.

A row's change reason is either a code a service wrote (``submit``, ``schedule``) or words a user
typed (the reason of a reassignment). The apps register the labels of their codes, and how to show
a field the model's own metadata cannot label (a JSON field holding a schema's values), from their
``AppConfig.ready()``; the log then shows labels in the reader's language, never a code.
"""

import datetime
from dataclasses import dataclass, field

from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

KIND_LABELS = {"+": _("created"), "~": _("changed"), "-": _("deleted")}

_REASONS = {}
_FIELDS = {}


def register_reasons(labels):
    """``{code: label}``: how the log names the change reasons a service writes."""
    _REASONS.update(labels)


def register_field(model, name, explain):
    """Show changes of ``model.name`` as ``explain(record, old, new)`` gives them: a list of
    ``(label, old, new)`` rows, values as the pages show them (one row per key of a JSON field)."""
    _FIELDS[(model._meta.label_lower, name)] = explain


def reason_label(reason):
    """The label of a registered reason code; a reason a user wrote is shown as written."""
    return _REASONS.get(reason, reason)


@dataclass
class Change:
    label: str
    old: object
    new: object


@dataclass
class Entry:
    when: object
    who: object
    kind: str
    reason: str
    changes: list = field(default_factory=list)

    @property
    def kind_label(self):
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def title(self):
        """What happened: the step a service recorded, else created / changed / deleted."""
        return _REASONS.get(self.reason) or self.kind_label

    @property
    def note(self):
        """The reason a user gave, if any (a registered code is the title instead)."""
        return "" if self.reason in _REASONS else self.reason


def display_value(value):
    """A stored value as the pages show it: dates in the reader's format, yes/no, lists joined."""
    if value in (None, "", [], {}):
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime.datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "DATE_FORMAT")
    if isinstance(value, list | tuple):
        return "、".join(str(display_value(v)) for v in value)
    if isinstance(value, dict):
        return "；".join(f"{k}：{display_value(v)}" for k, v in value.items())
    return value


def _display(model, name, value):
    f = model._meta.get_field(name)
    if value in (None, "", []):
        return "—"
    if f.many_to_many:
        target = f.related_model
        key = target._meta.model_name
        pks = [row.get(key) for row in value if isinstance(row, dict)]
        return "、".join(str(o) for o in target._default_manager.filter(pk__in=pks)) or "—"
    if f.is_relation:
        obj = f.related_model._default_manager.filter(pk=value).first()
        return obj if obj is not None else value
    if f.choices:
        return dict(f.flatchoices).get(value, value)
    return display_value(value)


def _changes(record, change):
    model = record.instance_type
    explain = _FIELDS.get((model._meta.label_lower, change.field))
    if explain is not None:
        return [Change(*row) for row in explain(record, change.old, change.new)]
    try:
        label = model._meta.get_field(change.field).verbose_name
    except Exception:  # a field that no longer exists on the model
        label = change.field
    return [
        Change(
            label=label,
            old=_display(model, change.field, change.old),
            new=_display(model, change.field, change.new),
        )
    ]


def change_log(history_qs, *, limit=50, hidden=("version", "updated_at", "state_changed_at")):
    """The newest ``limit`` entries of ``history_qs`` with their field-by-field differences."""
    records = list(
        history_qs.select_related("history_user").order_by("-history_date", "-pk")[: limit + 1]
    )
    entries = []
    for i, record in enumerate(records[:limit]):
        previous = records[i + 1] if i + 1 < len(records) else None
        changes = []
        if previous is not None and record.history_type == "~":
            delta = record.diff_against(previous)
            for c in delta.changes:
                if c.field not in hidden:
                    changes.extend(_changes(record, c))
        entries.append(
            Entry(
                when=record.history_date,
                who=record.history_user,
                kind=record.history_type,
                reason=record.history_change_reason or "",
                changes=changes,
            )
        )
    return entries
