"""Turn simple-history rows into a readable change log: who changed what, when and why."""

import datetime
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

KIND_LABELS = {"+": _("created"), "~": _("changed"), "-": _("deleted")}


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
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def change_log(history_qs, *, limit=50, hidden=("version", "updated_at", "state_changed_at")):
    """The newest ``limit`` entries of ``history_qs`` with their field-by-field differences."""
    records = list(
        history_qs.select_related("history_user").order_by("-history_date", "-pk")[: limit + 1]
    )
    entries = []
    for i, record in enumerate(records[:limit]):
        previous = records[i + 1] if i + 1 < len(records) else None
        changes = []
        model = record.instance_type
        if previous is not None and record.history_type == "~":
            delta = record.diff_against(previous)
            for c in delta.changes:
                if c.field in hidden:
                    continue
                try:
                    label = model._meta.get_field(c.field).verbose_name
                except Exception:  # a field that no longer exists on the model
                    label = c.field
                changes.append(
                    Change(
                        label=label,
                        old=_display(model, c.field, c.old),
                        new=_display(model, c.field, c.new),
                    )
                )
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
