"""How the change history shows what only this app can read: a filing's details, by its matter's
schema, field by field; a matter's management modes by their labels; the steps its services
record as change reasons. Registered with ``portal.history`` in ``ReportsConfig.ready()``."""

from django.utils.translation import gettext_lazy as _

from orgs.models import ManagementMode

from . import workflow
from .matter_forms import detail_fields, display_detail
from .models import MatterType

REASONS = {
    **{name: action.label for name, action in workflow.ACTIONS.items()},
    **workflow.EVENT_LABELS,
    "default duty matrix": _("loaded the default duty matrix"),
}


def filing_details(record, old, new):
    """One row per details field that changed, labelled and shown as the filing page shows it."""
    old, new = old or {}, new or {}
    return [
        (field.label, display_detail(field, old.get(name)), display_detail(field, new.get(name)))
        for name, field in detail_fields(record.matter)
        if old.get(name) != new.get(name)
    ]


def management_mode_labels(modes):
    """A matter's management modes by their labels (the matrix page shows them so too)."""
    labels = dict(ManagementMode.choices)
    return "、".join(str(labels.get(mode, mode)) for mode in modes or []) or _("every mode")


def management_modes(record, old, new):
    label = MatterType._meta.get_field("management_modes").verbose_name
    return [(label, management_mode_labels(old), management_mode_labels(new))]
